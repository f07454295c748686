# Switchboard's production image. One image, three processes: gunicorn (the default command),
# the Celery worker and beat (compose.yaml runs them with other commands).
#   docker build -t switchboard .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    PORT=8000

# Never root at run time: a process that is broken into owns only var/ (media, beat's schedule).
RUN groupadd --system --gid 10001 switchboard \
    && useradd --system --uid 10001 --gid switchboard --home-dir /app --shell /usr/sbin/nologin switchboard

WORKDIR /app

# Requirements first: a code change reuses this layer. Every pin has a wheel, no compiler needed.
COPY requirements/base.txt requirements/base.txt
RUN python -m venv /opt/venv && pip install -r requirements/base.txt

COPY . .

# Static files under hashed names, collected now so every container of this image serves the
# same ones. collectstatic reads no database and no secret: a throwaway key that exists only in
# this build step (production refuses to start without a real one).
RUN SECRET_KEY=collectstatic-at-build-time-only-not-a-secret python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p var/media var/celery \
    && chown -R switchboard:switchboard var

USER switchboard
EXPOSE 8000
VOLUME ["/app/var/media"]

# The load balancer's check: this web process answers, whatever the database or broker do.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "config/healthcheck.py"]

CMD ["gunicorn", "--config", "config/gunicorn.conf.py"]
