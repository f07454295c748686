"""Numbers people (or probes) type: "²", "¹", a 25-digit id. Every page and API route answers
them with a 4xx (or shows nothing), never a 500.

The test walks every URL pattern rather than a list someone keeps, so a new route is covered.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from apps.tickets.models import Ticket

from .conftest import signed_in

pytestmark = pytest.mark.django_db

HOSTILE = ["²", "1¹", "٣", "99999999999999999999999"]
QUERY = "page={v}&per_page={v}&assignee={v}&category={v}&weeks={v}&team={v}&tier={v}&priority={v}"


def _routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith(("admin/", "api/docs", "api/schema")):
                continue  # Django's and drf-spectacular's own pages
            yield from _routes(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def _fill(route: str, value: str) -> str | None:
    """The route with every parameter set to ``value`` (int parameters get the long number)."""
    if route.startswith("^") or "(?P" in route:
        return None  # regex routes (DRF's format suffixes) are reached through their plain form
    path = re.sub(r"<int:\w+>", "99999999999999999999999", route)
    path = re.sub(r"<(?:str|slug|path):\w+>|<\w+>", value, path)
    return "/" + path


@pytest.mark.parametrize("value", HOSTILE)
def test_no_route_answers_a_hostile_number_with_a_server_error(value, lead, requester, team):
    Ticket.objects.create(requester=requester, subject="Till", description="Broken", team=team)
    clients = {"lead": signed_in(lead), "requester": signed_in(requester)}
    failures = []
    for route in _routes():
        path = _fill(route, value)
        if path is None:
            continue
        for who, client in clients.items():
            response = client.get(f"{path}?{QUERY.format(v=value)}")
            unhealthy = path == "/healthz/" and response.status_code == 503  # no worker here
            if response.status_code >= 500 and not unhealthy:
                failures.append(f"{who} GET {path}: {response.status_code}")
    assert not failures, "\n".join(failures)
