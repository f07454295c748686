"""Prometheus metrics: what the desk does (requests, tasks, tickets) and what waits (the outbox,
the sweeps), served at ``/metrics`` to a scraper that sends ``Authorization: Bearer
<METRICS_TOKEN>``.

Counters and histograms live in the process that observes them. gunicorn and the Celery worker
run several processes, so with ``PROMETHEUS_MULTIPROC_DIR`` set (config/gunicorn.conf.py sets it
up) each process writes its figures to files there and a scrape adds them up; without it the
process's own registry is served. Backlogs are not counted as they change but read when
scraped (``DeskCollector``): a count kept per process would drift, a query does not.

Nothing here imports another app: apps report to it (tickets count what they open, sweeps say
when they ran).
"""

import os
import time

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

# Seconds: most pages answer in tens of milliseconds; a report or export may take seconds.
REQUEST_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
TASK_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1, 5, 15, 30, 60, 120)

REQUEST_SECONDS = Histogram(
    "switchboard_http_request_duration_seconds",
    "Time to answer a request, by the URL name it resolved to (not the path: ids would "
    "make a series per ticket).",
    ["view", "method", "status"],
    buckets=REQUEST_BUCKETS,
)
TASKS = Counter(
    "switchboard_celery_tasks",
    "Celery tasks run, by task name and how they ended (success, failure, retry).",
    ["task", "state"],
)
TASK_SECONDS = Histogram(
    "switchboard_celery_task_duration_seconds",
    "Time a Celery task ran, by task name.",
    ["task"],
    buckets=TASK_BUCKETS,
)
TASK_FAILURES = Counter(
    "switchboard_celery_task_failures",
    "Celery tasks that raised, by task name and exception class.",
    ["task", "exception"],
)
TICKETS_CREATED = Counter(
    "switchboard_tickets_created", "Tickets opened, by channel (committed only).", ["channel"]
)

# When each periodic job last ran (epoch seconds in the cache, shared by every process).
LAST_RUN_KEY = "switchboard:last-run:{}"


# --- Requests ---------------------------------------------------------------------------------


def view_label(request) -> str:
    """The URL name the request resolved to (``namespace:name``); paths that resolved to no
    named view share one label each, so a scan of random paths adds no series."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name or "unnamed"
    if request.path.startswith(settings.STATIC_URL):
        return "static"
    return "unmatched"


class MetricsMiddleware:
    """Right after RequestIdMiddleware: times everything below it, static files included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        REQUEST_SECONDS.labels(
            view=view_label(request),
            method=request.method if request.method in KNOWN_METHODS else "other",
            status=f"{response.status_code // 100}xx",
        ).observe(time.perf_counter() - started)
        return response


KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


# --- Celery tasks (config.celery connects these to the signals) -----------------------------

_task_started: dict[str, float] = {}


def task_started(*, task_id: str) -> None:
    _task_started[task_id] = time.perf_counter()


def task_finished(*, task_id: str, task_name: str, state: str | None) -> None:
    started = _task_started.pop(task_id, None)
    if started is not None:
        TASK_SECONDS.labels(task=task_name).observe(time.perf_counter() - started)
    TASKS.labels(task=task_name, state=(state or "unknown").lower()).inc()


def task_failed(*, task_name: str, exception: BaseException | None) -> None:
    TASK_FAILURES.labels(task=task_name, exception=type(exception).__name__).inc()


# --- Reported by apps -------------------------------------------------------------------------


def ticket_created(*, channel: str) -> None:
    TICKETS_CREATED.labels(channel=channel).inc()


def record_run(name: str) -> None:
    """A periodic job (its name in CELERY_BEAT_SCHEDULE) ran now: scrapes show how late the
    next one is."""
    cache.set(LAST_RUN_KEY.format(name), time.time(), timeout=None)


# --- Read at scrape time ----------------------------------------------------------------------


def _periodic(now: float) -> dict[str, tuple[float, float]]:
    """{job: (last run, seconds later than its schedule)} of the jobs that report their runs."""
    every = {
        name: float(entry["schedule"])
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        if isinstance(entry["schedule"], int | float)
    }
    found = cache.get_many([LAST_RUN_KEY.format(name) for name in every])
    result = {}
    for name, period in every.items():
        last = found.get(LAST_RUN_KEY.format(name))
        if last is not None:
            result[name] = (last, max(now - last - period, 0.0))
    return result


class DeskCollector:
    """Gauges computed when scraped: the outbox backlog and the periodic jobs' lag."""

    def collect(self):
        from .outbox import outbox_backlog  # models: only once the apps are loaded

        backlog = outbox_backlog()
        messages = GaugeMetricFamily(
            "switchboard_outbox_messages", "Outbox e-mails by state.", labels=["state"]
        )
        for state in ("pending", "sending", "failed"):
            messages.add_metric([state], backlog[state])
        yield messages
        yield GaugeMetricFamily(
            "switchboard_outbox_oldest_pending_age_seconds",
            "Age of the oldest e-mail waiting to be sent (0 when none waits).",
            value=backlog["oldest_pending_age_seconds"],
        )
        yield GaugeMetricFamily(
            "switchboard_outbox_overdue_seconds",
            "How long the longest-due e-mail has waited past its send time.",
            value=backlog["overdue_seconds"],
        )
        periodic = _periodic(time.time())
        last = GaugeMetricFamily(
            "switchboard_periodic_last_run_timestamp_seconds",
            "When a periodic job (the SLA sweep, the outbox sweep) last ran.",
            labels=["job"],
        )
        lag = GaugeMetricFamily(
            "switchboard_periodic_lag_seconds",
            "How much later than its schedule a periodic job is now (0: on time); "
            "grows while beat or the workers are down.",
            labels=["job"],
        )
        for name, (ran, late) in sorted(periodic.items()):
            last.add_metric([name], ran)
            lag.add_metric([name], late)
        yield last
        yield lag


class _ThisProcess:
    """The process's own registry, for a desk run without PROMETHEUS_MULTIPROC_DIR."""

    def collect(self):
        yield from REGISTRY.collect()


def scrape() -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(DeskCollector())
    return generate_latest(registry)


def may_scrape(request) -> bool:
    """Only the scraper that sends the configured token; 404 when none is configured."""
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404
    scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and bool(sent) and constant_time_compare(sent, token)


@never_cache
def metrics(request):
    if not may_scrape(request):
        response = HttpResponse("A valid bearer token is required.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(scrape(), content_type=CONTENT_TYPE_LATEST)
