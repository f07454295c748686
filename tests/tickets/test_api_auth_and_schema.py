"""Getting into the API (token or session), the lookups, and the published schema."""

import pytest
from django.core.cache import cache
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from apps.tickets.models import Category

from ..factories import PASSWORD
from .api_support import api_as, queued_ticket, tickets_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()  # the token endpoint's throttle counts in the cache


def test_a_token_from_email_and_password_opens_the_api(requester, team):
    ticket = queued_ticket(requester, team)
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"email": "RITA@example.com", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    again = client.post(
        "/api/v1/auth/token/", {"email": requester.email, "password": PASSWORD}, format="json"
    )
    assert again.json()["token"] == token  # the same token, not a new one per call
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    listed = client.get(tickets_url()).json()["results"]
    assert [t["reference"] for t in listed] == [ticket.reference]


def test_a_wrong_password_gets_no_token(requester):
    response = APIClient().post(
        "/api/v1/auth/token/", {"email": requester.email, "password": "guess"}, format="json"
    )
    assert response.status_code == 400
    assert "do not match" in response.json()["non_field_errors"][0]
    malformed = APIClient().post("/api/v1/auth/token/", {"email": "rita"}, format="json")
    assert set(malformed.json()) == {"email", "password"}


def test_an_inactive_account_gets_no_token(requester):
    requester.is_active = False
    requester.save(update_fields=["is_active"])
    response = APIClient().post(
        "/api/v1/auth/token/", {"email": requester.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400


def test_guessing_passwords_is_throttled(requester):
    client = APIClient()
    codes = [
        client.post(
            "/api/v1/auth/token/", {"email": requester.email, "password": f"x{n}"}, format="json"
        ).status_code
        for n in range(21)
    ]
    assert codes[-1] == 429


def test_anonymous_callers_are_turned_away():
    client = APIClient()
    anonymous = client.get(tickets_url())
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"] == "Token"
    assert client.get("/api/v1/categories/").status_code == 401
    bad_token = APIClient(HTTP_AUTHORIZATION="Token not-a-token")
    assert bad_token.get(tickets_url()).status_code == 401


def test_lookups_offer_the_active_entries(requester, lookups, team):
    Category.objects.create(name="Fax machine", is_active=False)
    client = api_as(requester)
    categories = client.get("/api/v1/categories/").json()
    assert [c["name"] for c in categories] == ["Cannot sign in"]
    assert client.get("/api/v1/locations/").json() == [
        {"id": lookups["location"].pk, "name": "Berlin office"}
    ]
    assert [p["name"] for p in client.get("/api/v1/products/").json()] == ["Store POS"]
    assert {"id": team.pk, "name": "Service Desk", "slug": "service-desk", "is_triage": False} in (
        client.get("/api/v1/teams/").json()
    )
    assert client.post("/api/v1/categories/", {"name": "Mine"}).status_code == 405


def test_the_schema_and_docs_are_served(requester):
    schema = APIClient().get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/tickets/{key}/comments/" in schema.content
    assert APIClient().get("/api/docs/").status_code == 200


def generate_schema(patterns=None) -> tuple[dict, list[str]]:
    """The schema as /api/schema/ builds it, checked against the OpenAPI spec, and every
    warning or error drf-spectacular raised on the way (an untyped field, a guessed
    parameter, a clashing enum name)."""
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    validate_schema(schema)
    return schema, [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]


def test_the_tickets_api_schema_is_clean():
    schema, problems = generate_schema([path("api/v1/", include("apps.tickets.api.urls"))])
    assert problems == []
    assert "/api/v1/tickets/{key}/take/" in schema["paths"]


def test_the_whole_api_schema_generates_without_errors_or_warnings():
    schema, problems = generate_schema()
    assert problems == []
    assert schema["openapi"].startswith("3")
