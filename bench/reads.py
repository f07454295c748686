"""What the desk's read pages cost on a seeded desk: p50/p95 over ~30 requests each, through
Django's test client, for the agents who read them (a tier-1 agent of one team, a lead of
several teams, an admin), plus the SQL queries of one request of each."""

import os
import statistics
import time
from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.tickets.models import Status, Ticket
from bench import cpu_reference_ms, p95

REQUESTS = int(os.environ.get("BENCH_REQUESTS") or 30)
DEEP_API_PAGES = 40  # the API page read through cursors: 1,000 tickets down the list


def read_figures(desk: dict, *, suffix: str) -> dict[str, float]:
    clients = {who: _client(desk[who]) for who in ("agent", "lead", "admin", "triager")}
    ticket = (
        Ticket.objects.filter(team=desk["teams"]["bench-service-desk"], status=Status.OPEN)
        .order_by("-id")
        .first()
    )
    pages: dict[str, tuple[str, str]] = {
        "queue_page": ("agent", "/desk/"),
        "queue_lead": ("lead", "/desk/"),
        "queue_admin": ("admin", "/desk/"),
        "queue_priority_filter": ("lead", "/desk/?priority=4"),
        "queue_priority_sort": ("lead", "/desk/?sort=priority"),
        "queue_sla_sort": ("lead", "/desk/?sort=sla"),
        "queue_100_rows": ("lead", "/desk/?per=100"),
        "queue_any_status": ("lead", "/desk/?status="),
        "queue_deep_page": ("lead", "/desk/?page=40"),
        "triage": ("triager", "/routing/triage/"),
        "api_list": ("lead", "/api/v1/tickets/"),
        "api_list_agent": ("agent", "/api/v1/tickets/"),
        "ticket_search": ("lead", "/desk/?q=printer&status="),
        "ticket_search_no_match": ("lead", "/desk/?q=quokka&status="),
        "api_search": ("lead", "/api/v1/tickets/?q=printer"),
        "ticket_page": ("agent", f"/desk/tickets/{ticket.reference}/"),
    }
    deep = _deep_api_url(clients["lead"])
    if deep:
        pages["api_deep_cursor"] = ("lead", deep)
    figures: dict[str, float] = {}
    for name, (who, url) in pages.items():
        try:
            figures.update(_timed(name, suffix, lambda c=clients[who], u=url: _get(c, u)))
        except Exception as error:  # a page broken today loses only its own figures
            print(f"   !! {name}: {type(error).__name__}: {error}", flush=True)
    return figures


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _get(client: Client, url: str):
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return response


def _deep_api_url(client: Client) -> str | None:
    """The URL of the API list's page DEEP_API_PAGES down, following ``next`` links."""
    url = "/api/v1/tickets/"
    for _ in range(DEEP_API_PAGES):
        url = _get(client, url).json().get("next")
        if not url:
            return None
    return url.split("testserver", 1)[-1]


def _timed(name: str, suffix: str, call: Callable) -> dict[str, float]:
    for _ in range(3):  # warm up: URL resolver, templates, the database's cache
        call()
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        call()
    p50, high = statistics.median(timings), p95(timings)
    print(
        f"   {name:<24} p50 {p50:8.1f} ms  p95 {high:8.1f} ms  {len(queries):3d} queries"
        f"  (CPU reference {cpu_reference_ms():.0f} ms)"
    )
    return {
        f"{name}_p50_ms_{suffix}": p50,
        f"{name}_p95_ms_{suffix}": high,
        f"{name}_queries_{suffix}": float(len(queries)),
    }
