# Switchboard — `make run` serves the desk with its worker and beat; `make test` runs the suite.
PYTHON ?= python3
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run prod test bench loadtest install lint format migrate seed check-deploy check-migrations bandit clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Switchboard needs Python 3.11 or newer: make PYTHON=python3.11 …")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when a requirements file changes.
$(VENV)/.installed: $(BIN)/python requirements/base.txt requirements/dev.txt
	$(BIN)/pip install --quiet -r requirements/dev.txt
	touch $@

# A checkout made with `make` is a development desk: .env turns DEBUG on (and with it the
# development key) for manage.py, unless you already have a .env. Production sets its own
# environment and runs config.settings.production, which forces DEBUG off.
.env:
	printf '# Development settings for this checkout (see README, Configuration).\nDEBUG=1\n' > $@

install: $(VENV)/.installed .env

# The desk `make run` serves is a development desk: DEBUG on (and its development key) unless set.
DEV := DEBUG=$${DEBUG:-1}

migrate: install
	mkdir -p var
	$(DEV) $(BIN)/python manage.py migrate --noinput

seed: migrate
	$(DEV) $(BIN)/python manage.py seed_demo --if-empty

# The web app, a Celery worker and beat in one terminal; Ctrl-C stops all three. The last lines
# on screen (manage.py desk_ready, once all three answer) say where the desk is and who to sign in as.
# Ctrl-C is how it ends: honcho's 130 then is no error for make to report.
run: seed
	$(DEV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	DEBUG=$${DEBUG:-1} PORT=$(PORT) SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} \
		$(BIN)/honcho -f Procfile.dev start || [ $$? -eq 130 ]

# Production on this machine: gunicorn, a Celery worker and beat (Procfile), on the PostgreSQL
# and Redis of DATABASE_URL and REDIS_URL, after migrate and collectstatic; Ctrl-C (SIGTERM)
# stops all three gracefully. SECRET_KEY, ALLOWED_HOSTS and the rest: README, Running in production.
PROD := DJANGO_SETTINGS_MODULE=config.settings.production
prod: install
	@case "$${DATABASE_URL:-}" in postgres://*|postgresql://*|pgsql://*) ;; \
		*) echo "make prod: DATABASE_URL must name the PostgreSQL database (postgres://user:password@host:5432/name); production does not run on SQLite" >&2; exit 2;; esac
	@case "$${REDIS_URL:-}" in redis://*|rediss://*) ;; \
		*) echo "make prod: REDIS_URL must name the Redis server (redis://host:6379/0): the broker, results and cache" >&2; exit 2;; esac
	@test -n "$${SECRET_KEY:-}" || { echo "make prod: SECRET_KEY is not set (a long random string, kept secret and stable)" >&2; exit 2; }
	$(PROD) $(BIN)/python manage.py migrate --noinput
	$(PROD) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@# Web and worker write their Prometheus figures to one folder; /metrics adds them up.
	mkdir -p "$${PROMETHEUS_MULTIPROC_DIR:-$(CURDIR)/var/metrics}"
	@# The environment given wins: honcho would let .env override it (settings read .env anyway).
	PATH="$(CURDIR)/$(BIN):$$PATH" $(PROD) PROMETHEUS_MULTIPROC_DIR="$${PROMETHEUS_MULTIPROC_DIR:-$(CURDIR)/var/metrics}" \
		exec $(BIN)/honcho --no-colour -e /dev/null -f Procfile start

# The whole suite, in one process per core (TEST_WORKERS=0: in this process). Uses DATABASE_URL /
# REDIS_URL when set (SQLite and no worker test otherwise); each process takes a database of its
# own. pytest's exit status 5 ("no tests collected") is a failure like any other.
TEST_WORKERS ?= auto
test: install
	@DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python -m pytest \
		-n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS); \
	status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: FAILED, no tests were collected"; fi; \
	exit $$status

# make bench SIZE=1m: the queue's read figures on a million tickets (its own database).
bench: install
	DJANGO_SETTINGS_MODULE=config.settings.bench $(if $(SIZE),BENCH_SIZE=$(SIZE)) $(BIN)/python -m bench $(if $(SIZE),queue)

# make loadtest: make prod on a desk of its own (database switchboard_loadtest, Redis db 14)
# under Locust for LOADTEST_SECONDS (60) with LOADTEST_USERS (16), then tickets opened through
# the API for LOADTEST_INTAKE_SECONDS (60; intake_per_s), then LOADTEST_NOTIFICATIONS (10000)
# e-mails drained by the worker; figures in bench/loadtest-results.json.
loadtest: install
	$(BIN)/python bench/loadtest/run.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-migrations: install
	$(DEV) $(BIN)/python manage.py makemigrations --check --dry-run

# Skipped everywhere: B311 (random: retry jitter and demo data), B404 (importing subprocess),
# B105 (the demo's published password and the development key, refused in production).
# Every other finding carries a "Reviewed" comment and a # nosec on its line.
bandit: install
	$(BIN)/bandit -q -r apps config -x "*/migrations/*" -s B311,B404,B105 2>&1 | grep -v "nosec encountered"; \
		exit $${PIPESTATUS[0]}

check-deploy: install
	DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=$$(head -c 48 /dev/urandom | base64) \
		ALLOWED_HOSTS=desk.example.com $(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var staticfiles
