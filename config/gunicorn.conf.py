"""gunicorn's settings for the production web process (`gunicorn -c config/gunicorn.conf.py`).

Read from the environment, like the rest of the desk; every value can also be overridden with
GUNICORN_CMD_ARGS. The README (Running in production) says how to size them.
"""

import multiprocessing
import os

wsgi_app = "config.wsgi:application"

# Behind a load balancer or in a container the port is the platform's; every interface so the
# balancer can reach us (HOST=127.0.0.1 when a proxy on the same machine is the only client).
# Reviewed (B104): binding all interfaces is the point in a container; HOST narrows it.
bind = [f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"]  # nosec B104

# Processes x threads = requests served at once, and PostgreSQL connections held at most
# (mind max_connections across web nodes and workers). 2 x cores + 1 is gunicorn's rule of
# thumb, capped: past a dozen processes a node is memory-bound, and more nodes scale better.
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * multiprocessing.cpu_count() + 1, 12))
# Threads let a process read a slow client's upload or wait on the database for one request
# while serving another; two keep the connection count modest.
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "2"))

# A request that runs longer than this has its process restarted (and answers 502 upstream).
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
# On SIGTERM (a deploy, `docker stop`): stop accepting, finish what is in flight, then exit.
graceful_timeout = int(os.environ.get("WEB_GRACEFUL_TIMEOUT", "30"))
# Keep idle connections from the load balancer a few seconds (set it above the balancer's
# own idle timeout when it reuses connections, so it is never the one surprised).
keepalive = int(os.environ.get("WEB_KEEPALIVE", "5"))
# Recycle each process after this many requests (jittered, so not all at once): slow leaks in
# any library cannot grow for weeks.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10

# Load the Django app once in the master, then fork: workers start in milliseconds (so
# max_requests recycling is cheap), share the loaded code's memory, and a broken
# configuration stops `gunicorn` at once instead of looping through crashing workers.
# The price: a code change needs a restart (SIGHUP does not reload the code), and anything
# the import opened must not be shared across the fork — see pre_fork.
preload_app = True


def pre_fork(server, worker):
    """Nothing the master may have opened while loading the app (a database connection, a
    pooled Redis socket) is inherited: each worker opens its own on first use."""
    from django.db import connections

    connections.close_all()


# Prometheus (apps.core.metrics): with PROMETHEUS_MULTIPROC_DIR set, every process writes its
# figures to files there and /metrics adds them up, whichever process answers the scrape.
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def on_starting(server):
    """Start from the figures of living processes only: a previous run's files would add its
    totals to ours (files of a Celery worker still running beside us are kept)."""
    if not _metrics_dir:
        return
    os.makedirs(_metrics_dir, exist_ok=True)
    for name in os.listdir(_metrics_dir):
        pid = name.rsplit("_", 1)[-1].removesuffix(".db")
        if name.endswith(".db") and pid.isdigit() and not _alive(int(pid)):
            os.remove(os.path.join(_metrics_dir, name))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def child_exit(server, worker):
    """A recycled process's live gauges go with it (its counters stay in the totals)."""
    if _metrics_dir:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


# No control socket (gunicornc): it lives in $HOME, which a container's user may not write and
# two gunicorns of one user would share. Signals do the same (TERM, HUP, TTIN/TTOU).
control_socket_disable = True

# Logs: the access log to stdout, one JSON object per request with its X-Request-ID (the same
# id as the application's own log lines), unless LOG_FORMAT=plain; gunicorn's own to stderr.
accesslog = "-"
errorlog = "-"
_json = os.environ.get("LOG_FORMAT", "json") == "json"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "access": {"()": "apps.core.logs.AccessJsonFormatter"}
        if _json
        else {"format": "%(message)s"},
        "error": {"()": "apps.core.logs.JsonLogFormatter"}
        if _json
        else {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "access": {
            "class": "logging.StreamHandler",
            "formatter": "access",
            "stream": "ext://sys.stdout",
        },
        "error": {
            "class": "logging.StreamHandler",
            "formatter": "error",
            "stream": "ext://sys.stderr",
        },
    },
    # Django's LOGGING takes the root logger over once the app is loaded.
    "root": {"handlers": ["error"], "level": "INFO"},
    "loggers": {
        "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        "gunicorn.error": {"handlers": ["error"], "level": "INFO", "propagate": False},
    },
}
# The plain access line also names the request id.
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s" %({x-request-id}o)s'
# Proxies' X-Forwarded-* are trusted from this machine only unless FORWARDED_ALLOW_IPS says
# more (gunicorn reads that variable itself); Django reads X-Forwarded-Proto on its own.
