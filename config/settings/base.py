"""Switchboard settings, read from the environment.

Every default runs with nothing installed: SQLite, a file-system Celery broker, mail written to
``var/mail``. Point ``DATABASE_URL`` / ``REDIS_URL`` at real services for production; the README
lists every variable.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# The development key works only with DEBUG on (`make run` turns it on). Anywhere else — the web
# app, manage.py and the Celery worker alike, since all three load these settings — Switchboard
# refuses to start without SECRET_KEY, and a system check refuses this key in production.
DEVELOPMENT_SECRET_KEY = "insecure-dev-key-change-me-in-production-0123456789"
SECRET_KEY = env.str("SECRET_KEY", default="") or (DEVELOPMENT_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set it in the environment (or in .env), or set DEBUG=1 for a "
        "development desk."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # the form renderer below finds Django's widget templates here
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    # Counts failed password sign-ins (site, admin, API token) and locks out; see below.
    "axes",
    # Switchboard, in dependency order: core <- accounts <- tickets <- features <- insights.
    "apps.core",
    "apps.accounts",
    "apps.tickets",
    "apps.sla",
    "apps.routing",
    "apps.knowledge",
    "apps.subtasks",
    "apps.mail",
    "apps.problems",
    "apps.reviews",
    "apps.macros",
    "apps.insights",
]

MIDDLEWARE = [
    # First: every answer, and every log line of the request, carries its X-Request-ID.
    "apps.core.logs.RequestIdMiddleware",
    # Times each request by the URL name it resolves to (Prometheus, /metrics).
    "apps.core.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.accounts.context_processors.roles",
                "apps.tickets.context_processors.navigation",
                "apps.tickets.tiers.context_processors.notification_badge",
            ],
        },
    },
]

# Form widgets render with the project's templates, so templates/django/forms/ may replace a
# widget's: the select writes its options inline (two includes per option were a third of a
# filter bar's drawing time).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'switchboard.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# With persistent connections, check a reused one before the request uses it: a connection the
# database dropped (restart, failover, pg_terminate_backend) is replaced instead of answering 500.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind PgBouncer in transaction pooling mode: .iterator() (exports) must not open server-side
# cursors, which outlive the transaction PgBouncer lent the connection for.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
    "DISABLE_SERVER_SIDE_CURSORS", default=False
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the Celery worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
# A read replica for reports: insights' figures and drill-downs read from it when
# DATABASE_REPLICA_URL is set (config/routers.py); writes and migrations stay on default.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["DISABLE_SERVER_SIDE_CURSORS"] = DATABASES["default"][
        "DISABLE_SERVER_SIDE_CURSORS"
    ]
# The alias reports read from: "replica" when there is one.
REPORTS_DATABASE = "replica" if "replica" in DATABASES else "default"
DATABASE_ROUTERS = ["config.routers.ReportsRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username+address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "apps.accounts.backends.SignInLinkBackend",
    # OpenID Connect single sign-on: answers only the callback of a configured provider.
    "apps.accounts.oidc.OIDCBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# How long a sign-in link (or a password-reset link) e-mailed to someone stays valid.
SIGN_IN_LINK_MAX_AGE = env.int("SIGN_IN_LINK_MAX_AGE", default=15 * 60)
PASSWORD_RESET_TIMEOUT = SIGN_IN_LINK_MAX_AGE
# How long the link that confirms a self sign-up (apps.accounts.signup) stays valid.
SIGN_UP_LINK_MAX_AGE = env.int("SIGN_UP_LINK_MAX_AGE", default=2 * 24 * 3600)
# Whether admins (is_staff) and superusers may sign in by e-mail: a sign-in link, or a
# password-reset link. Whoever reads their mailbox could otherwise become them; superusers
# sign in with their password (and reset it with `manage.py changepassword`).
EMAIL_SIGN_IN_FOR_STAFF = env.bool("EMAIL_SIGN_IN_FOR_STAFF", default=True)
EMAIL_SIGN_IN_FOR_SUPERUSERS = env.bool("EMAIL_SIGN_IN_FOR_SUPERUSERS", default=False)
# --- Single sign-on with OpenID Connect (mozilla-django-oidc; apps.accounts.oidc). Off unless
# OIDC_RP_CLIENT_ID is set. Endpoints come from OIDC_OP_DISCOVERY (the provider's
# .well-known/openid-configuration) or are given one by one; an explicit one wins.
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="single sign-on")
OIDC_OP_DISCOVERY = env.str("OIDC_OP_DISCOVERY", default="")
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
# Only asymmetric signatures: the key comes from the provider's JWKS, never from the secret.
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = "openid email profile"
# Whether an unknown (verified) e-mail address becomes a new requester; off: only people who
# already have an account may sign in this way.
OIDC_CREATE_USERS = env.bool("OIDC_CREATE_USERS", default=True)
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=5.0)  # seconds per call to the provider
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc:callback"
# Tokens are checked once at sign-in, then the desk's own session rules; none are kept.
OIDC_STORE_ACCESS_TOKEN = False
OIDC_STORE_ID_TOKEN = False
# Seconds an API token works after it was issued (0: until the password changes). Changing
# the password ends every token at once.
API_TOKEN_MAX_AGE = env.int("API_TOKEN_MAX_AGE", default=30 * 24 * 3600)
# How long the link e-mailed to a subtask's assignee opens their task (it can be re-sent).
SUBTASK_LINK_MAX_AGE = env.int("SUBTASK_LINK_MAX_AGE", default=14 * 24 * 3600)
# After the overdue reminder to the assignee, how long before their manager is told.
SUBTASK_MANAGER_NOTICE_HOURS = env.int("SUBTASK_MANAGER_NOTICE_HOURS", default=24)

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Uploaded files (attachments, article files) live under MEDIA_ROOT, or with FILE_STORAGE=s3 in
# an S3-compatible bucket (AWS S3, MinIO, Ceph…), private. Either way nobody reaches them but
# through a view that checks who may see them first (apps.core.downloads): a local file is
# streamed, a stored object is a redirect to a signed URL that expires FILE_URL_EXPIRE_SECONDS
# later.
FILE_STORAGE = env.str("FILE_STORAGE", default="local")
FILE_URL_EXPIRE_SECONDS = env.int("FILE_URL_EXPIRE_SECONDS", default=60)
if FILE_STORAGE == "local":
    DEFAULT_FILE_STORAGE_CONFIG = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif FILE_STORAGE == "s3":
    DEFAULT_FILE_STORAGE_CONFIG = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            # Empty: AWS itself. MinIO and the like: their address, e.g. http://minio:9000.
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            # Empty: boto3 finds credentials itself (instance role, AWS_PROFILE…).
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="") or None,
            "location": env.str("AWS_LOCATION", default=""),  # a key prefix in a shared bucket
            "signature_version": "s3v4",
            # Private objects, signed short-lived URLs, never a public or custom-domain URL.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": FILE_URL_EXPIRE_SECONDS,
            "custom_domain": None,
            # Two uploads of "report.pdf" are two objects, as on disk.
            "file_overwrite": False,
        },
    }
else:
    raise ImproperlyConfigured(f"FILE_STORAGE must be local or s3, not {FILE_STORAGE!r}.")
STORAGES = {
    "default": DEFAULT_FILE_STORAGE_CONFIG,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Attachments are never served from MEDIA_URL: a view checks who may see the ticket first.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
ATTACHMENT_MAX_PER_MESSAGE = env.int("ATTACHMENT_MAX_PER_MESSAGE", default=10)
ATTACHMENT_ALLOWED_TYPES = env.list(
    "ATTACHMENT_ALLOWED_TYPES",
    default=[
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "application/pdf",
        "text/plain",
        "text/csv",
        "application/zip",
        "application/json",
        "message/rfc822",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ],
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Text people type (apps.core.text): descriptions, comments and notes are capped at
# TEXT_MAX_CHARS, article bodies (Markdown) at ARTICLE_MAX_CHARS; longer logs go in a file.
TEXT_MAX_CHARS = env.int("TEXT_MAX_CHARS", default=100_000)
ARTICLE_MAX_CHARS = env.int("ARTICLE_MAX_CHARS", default=100_000)
# Article Markdown longer or more bracket-heavy than a few thousand characters is rendered in a
# child process killed after this long (apps.knowledge.rendering): refused as too complex then.
MARKDOWN_RENDER_SECONDS = env.float("MARKDOWN_RENDER_SECONDS", default=2.0)

# Tracking numbers are "<prefix>-<number>"; the number is the ticket id plus this offset, so
# it never changes and needs no counter table.
TICKET_REFERENCE_PREFIX = env.str("TICKET_REFERENCE_PREFIX", default="SB")
TICKET_REFERENCE_OFFSET = 10000
# Cost figures (teams' hourly cost times the time logged) are written in this currency.
COST_CURRENCY = env.str("COST_CURRENCY", default="EUR")

# --- Abuse limits. The client's address is read by apps.core.clientip: REMOTE_ADDR, or with
# TRUSTED_PROXY_COUNT proxies in front (load balancer, ingress), the X-Forwarded-For entry the
# outermost of them wrote. Never more than you have: a client could then pick its own address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Password sign-in (site, admin, API token), by django-axes: after AXES_FAILURE_LIMIT wrong
# passwords for one address from one client, that pair is locked for AXES_COOLOFF_MINUTES.
# Counted per pair so one attacker cannot lock a colleague out from elsewhere. Counts are kept
# in the database; a successful sign-in or a password reset clears them.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "apps.core.clientip.client_network"
AXES_USERNAME_CALLABLE = "apps.accounts.lockout.username_of"
AXES_LOCKOUT_CALLABLE = "apps.accounts.lockout.locked_out_response"
AXES_VERBOSE = False
# E-mail-sending public forms (sign-in link, password reset, a subtask link's re-send) and the
# anonymous help centre, by django-ratelimit ("count/period", period s, m, h or d). Counts live
# in the cache: with Redis they are exact across processes; without it they are approximate.
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_USE_CACHE = "default"
RATELIMIT_FAIL_OPEN = True  # a Redis outage must not refuse every sign-in-link request
# Per e-mail address (the inbox), across those forms.
RATELIMIT_MAIL_PER_ADDRESS = env.str("RATELIMIT_MAIL_PER_ADDRESS", default="5/h")
# Per client address, across those forms. Mind offices behind one NAT address.
RATELIMIT_MAIL_PER_CLIENT = env.str("RATELIMIT_MAIL_PER_CLIENT", default="30/h")
# Anonymous "Did this help?" answers and "This solved it" clicks, per client and per article.
RATELIMIT_KB_VOTES_PER_CLIENT = env.str("RATELIMIT_KB_VOTES_PER_CLIENT", default="30/h")
RATELIMIT_KB_VOTES_PER_ARTICLE = env.str("RATELIMIT_KB_VOTES_PER_ARTICLE", default="60/h")
# Anonymous article views, searches and suggestion views counted per client: past it the
# pages still answer, the figures stop counting.
RATELIMIT_KB_COUNTS_PER_CLIENT = env.str("RATELIMIT_KB_COUNTS_PER_CLIENT", default="200/h")

# --- Cache: Redis when configured, else a file cache the web and worker processes share.
# Nothing the desk needs lives only in the cache (sessions are in the database, the routing
# rule version is rebuilt when missing), so a Redis outage must read as a cache miss, never as
# a 500 or a hang: django-redis swallows connection errors (IGNORE_EXCEPTIONS, logged) and
# gives up on a dead server after CACHE_TIMEOUT seconds.
REDIS_URL = env.str("REDIS_URL", default="")
CACHE_TIMEOUT = env.float("CACHE_TIMEOUT", default=0.5)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "sb",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": CACHE_TIMEOUT,
                "SOCKET_TIMEOUT": CACHE_TIMEOUT,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
# Said explicitly because it matters for outages: sessions never depend on the cache.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Celery: Redis when REDIS_URL is set; otherwise kombu's file-system transport, a real
# broker that needs no server, so `make run` still runs a worker and beat.
# (The host in "filesystem://localhost//" means nothing; without one kombu warns at every start.)
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://localhost//")
CELERY_RESULT_BACKEND = env.str(
    "CELERY_RESULT_BACKEND", default=REDIS_URL or f"file://{VAR_DIR / 'celery' / 'results'}"
)
# How long a publish may wait for a broker that does not answer: a saved ticket or reply must
# not hang on it (apps.core.queue logs the failure; the outbox and the SLA sweep retry later).
BROKER_TIMEOUT = env.float("BROKER_TIMEOUT", default=2.0)
# Redis re-delivers a task nobody acknowledged within this many seconds (acks_late: a worker
# that died mid-task). It must exceed any countdown/ETA we schedule (none today: the outbox
# keeps its retries in the database) and the task time limit (CELERY_TASK_TIME_LIMIT, 120 s),
# or a task still running would be delivered twice. Tasks are idempotent anyway; an hour
# keeps duplicates rare and a lost task's delay bounded.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
        "socket_connect_timeout": BROKER_TIMEOUT,
        "socket_timeout": max(BROKER_TIMEOUT, 5.0),
        # Opening a connection to publish: one quick retry (a stale pooled socket after a
        # Redis restart), then give up instead of kombu's default of retrying for seconds.
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.2,
    }
    if REDIS_URL
    else {
        "data_folder_in": str(VAR_DIR / "celery" / "broker"),
        "data_folder_out": str(VAR_DIR / "celery" / "broker"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        # Broadcast (worker control) messages too, or kombu writes them to ./control.
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
)
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_TIMEOUT
# A worker or beat started before Redis keeps trying to connect rather than exiting.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Any .delay() outside apps.core.queue: retry a publish twice, quickly, then raise.
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# A publish of a task whose result is kept first subscribes to its result on Redis; by default
# that retries 20 times, about 19 s when Redis is down. Bound it like the broker.
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = BROKER_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = max(BROKER_TIMEOUT, 5.0)
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_RESULT_EXPIRES = 3600
# Crontab schedules read in the desk's time zone (the Monday digest goes at 07:00 local time);
# interval schedules and task ETAs are unaffected.
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "apps.core.tasks.worker_heartbeat", "schedule": 30.0},
    # The outbox: re-publish due e-mail (lost tasks, retries), take back claims of dead workers.
    "outbox-sweep": {"task": "apps.core.tasks.outbox_sweep_task", "schedule": 60.0},
    # The text of e-mail sent more than OUTBOX_KEEP_SENT_BODY_DAYS ago (the rows stay).
    "outbox-sent-bodies-clear": {
        "task": "apps.core.tasks.outbox_sent_bodies_clear_task",
        "schedule": 24 * 60 * 60.0,
    },
    # SLA: warn, breach and escalate whatever came due since the last minute.
    "sla-sweep": {"task": "apps.sla.tasks.sla_sweep_task", "schedule": 60.0},
    # API Idempotency-Key records older than IDEMPOTENCY_KEY_TTL_HOURS.
    "tickets-idempotency-keys-purge": {
        "task": "apps.tickets.tasks.idempotency_keys_purge_task",
        "schedule": 60 * 60.0,
    },
    "subtasks-overdue-reminders": {
        "task": "apps.subtasks.tasks.send_overdue_reminders",
        "schedule": 15 * 60.0,
    },
    # E-mail in: read new mail from every IMAP mailbox; finish what a crash left half done.
    "mail-poll": {"task": "apps.mail.tasks.mailboxes_poll_task", "schedule": 60.0},
    "mail-sweep": {"task": "apps.mail.tasks.inbound_sweep_task", "schedule": 5 * 60.0},
    # Insights: each ticket change refreshes its figures, but some bypass the services (the
    # demo's backdating, a data migration, an admin's fix in a shell): refresh tickets whose
    # updated_at is past their figures', or that have none yet (insights just installed).
    "insights-facts-stale": {
        "task": "apps.insights.tasks.facts_refresh_stale_task",
        "schedule": 15 * 60.0,
    },
    # Mentor review: last week's tickets to every sponsor, Monday 07:00 (once per sponsor).
    "reviews-mentoring-digest": {
        "task": "apps.reviews.mentoring.tasks.mentoring_digest_task",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
}
# Monitoring sends this in X-Health-Token to read /healthz/'s details (staff see them signed in).
HEALTH_TOKEN = env.str("HEALTH_TOKEN", default="")
# Prometheus scrapes /metrics with "Authorization: Bearer <METRICS_TOKEN>"; empty: 404.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# /healthz/ reports the worker as stale when its last heartbeat is older than this.
WORKER_HEARTBEAT_STALE_SECONDS = 120

# --- E-mail: SMTP in production; by default every message is written to var/mail as a file.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Switchboard <support@switchboard.local>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds each SMTP step (connect, each command) may take before the attempt counts as a
# temporary failure. Below the task's soft time limit, so a hanging server is a retry.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# --- E-mail in (apps.mail): replies go to MAIL_REPLY_TO with a signed "+m<id>-<sig>" tag (the
# From address when empty); the mailbox behind it must deliver plus-addresses to Switchboard.
MAIL_REPLY_TO = env.str("MAIL_REPLY_TO", default="")
# Seals mailbox passwords in the database (apps.core.sealed); SECRET_KEY when empty.
CREDENTIALS_KEY = env.str("CREDENTIALS_KEY", default="")
# A message larger than this is stored and quarantined, never parsed (bytes).
MAIL_MAX_MESSAGE_BYTES = env.int("MAIL_MAX_MESSAGE_BYTES", default=40 * 1024 * 1024)
# Messages one sender may send in an hour, and e-mailed messages one ticket takes in an hour,
# before the rest are set aside as "ignored" (a mail loop, a flood); an admin can accept them.
MAIL_MAX_PER_SENDER_PER_HOUR = env.int("MAIL_MAX_PER_SENDER_PER_HOUR", default=30)
MAIL_MAX_PER_TICKET_PER_HOUR = env.int("MAIL_MAX_PER_TICKET_PER_HOUR", default=20)
# Who may open a ticket by mail when no mailbox names the address it came to:
# "anyone" (an account is made for a new sender), "domains" (known organisations' domains),
# "known" (people who already have an account).
MAIL_UNKNOWN_SENDERS = env.str("MAIL_UNKNOWN_SENDERS", default="anyone")
# IMAP: how long one mailbox poll may wait on the server, and how many messages it takes a run.
MAIL_IMAP_TIMEOUT = env.int("MAIL_IMAP_TIMEOUT", default=30)
MAIL_IMAP_BATCH = env.int("MAIL_IMAP_BATCH", default=200)

# --- Outbox (apps.core.outbox): every e-mail is stored, then sent after commit by a worker.
# A temporary failure (SMTP 4xx, refused, timed out) is retried after 1 min, 2, 4… capped at
# OUTBOX_RETRY_MAX_SECONDS, up to OUTBOX_MAX_ATTEMPTS (defaults: about six hours of tries);
# then, or at once on a permanent one (5xx, a broken header), the message is marked failed.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=12)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=60)
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=3600)
# A claim older than this belongs to a worker that died mid-send and is taken back. Must exceed
# EMAIL_TIMEOUT + CELERY_TASK_TIME_LIMIT (`manage.py check` fails otherwise), so a slow but
# living worker is never doubled.
OUTBOX_STALE_CLAIM_SECONDS = env.int("OUTBOX_STALE_CLAIM_SECONDS", default=300)
# The sweep re-publishes messages due for longer than this (their first task was lost, or a
# retry is due); fresher ones are most likely still in the queue.
OUTBOX_REPUBLISH_AFTER_SECONDS = 60
OUTBOX_SWEEP_BATCH = 500
# Sent e-mail keeps its text this long (for an admin to read what went out), then only its
# envelope: who, when, the subject and the thread a reply belongs to.
OUTBOX_KEEP_SENT_BODY_DAYS = env.int("OUTBOX_KEEP_SENT_BODY_DAYS", default=90)
# /healthz/ reports the outbox unwell when a due message has waited longer than this.
OUTBOX_OVERDUE_ALERT_SECONDS = env.int("OUTBOX_OVERDUE_ALERT_SECONDS", default=15 * 60)

# --- REST API
# How long an API client may retry a create or reply with the same Idempotency-Key.
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)
# JSON bodies (apps.core.api.parsers): deeper nesting or a larger body answers 400 / 413.
API_JSON_MAX_DEPTH = env.int("API_JSON_MAX_DEPTH", default=20)
API_JSON_MAX_BYTES = env.int("API_JSON_MAX_BYTES", default=1024 * 1024)
REST_FRAMEWORK = {
    # Token first: an anonymous or bad-token call then gets 401 with "WWW-Authenticate: Token".
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Ordering only by the fields a view declares (ordering_fields), never by "__all__".
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "apps.core.api.filters.DeclaredOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    # Documents the error answers every operation may give (400, 401, 403, 404, 429, …).
    "DEFAULT_SCHEMA_CLASS": "apps.core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "apps.tickets.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"api_token": env.str("API_TOKEN_THROTTLE", default="20/hour")},
    # Throttles read the client's address as apps.core.clientip does (DRF's own get_ident,
    # for any throttle not built on apps.core.ratelimits.ClientRateThrottle).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Switchboard API",
    "DESCRIPTION": "Tickets, comments and attachments of the Switchboard support desk.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Group the docs by resource ("tickets", "knowledge", …) rather than all under "v1".
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.tickets.api.schema.ticket_shape_by_reader",
    ],
    # Several apps have a "status"; name the ticket's enums so the schema's names stay stable.
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "apps.tickets.models.Status",
        "TicketPriorityEnum": "apps.tickets.models.Priority",
        "SubtaskStatusEnum": "apps.subtasks.models.Status",
        "ProblemStatusEnum": "apps.problems.models.ProblemStatus",
        "TicketImpactEnum": "apps.tickets.models.Impact",
        "TicketUrgencyEnum": "apps.tickets.models.Urgency",
    },
}

# Web, worker and beat log alike (config.celery hands the worker's logging to this): plain lines,
# or with LOG_FORMAT=json (production's default) one JSON object per line, each with the request
# id of the request it belongs to and, in the worker, the task's id (apps.core.logs).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "apps.core.logs.ContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "apps.core.logs.JsonLogFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Browser policies, sent by production (config.settings.production adds the middleware);
# defined here so tests can switch them on. Nothing inline, nothing from another origin.
CONTENT_SECURITY_POLICY_STRICT = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Swagger UI draws its icons from data: URLs.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Powerful browser features the desk never uses: refused to the page and any frame in it.
PERMISSIONS_POLICY_NONE = {
    feature: []
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# --- Error reporting (apps.core.errorreporting): Sentry when SENTRY_DSN is set, else nothing.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from apps.core import errorreporting

    errorreporting.init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        release=env.str("SENTRY_RELEASE", default=""),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
