"""Schemathesis against /api/schema/: every operation, as an agent lead and as an admin, with
generated valid input (answers must match the schema) and invalid input (never a 500).

Runs in-process against the WSGI app, inside the test's transaction, on a small desk: a ticket
with a comment and a subtask, an article, a routing rule. Path parameters are sometimes the ids
of those rows, so the answers with real (and null) fields are checked too. Bounded: a few dozen
examples per operation, no deadline per example (CI machines vary), ~1 minute in all.
"""

import logging
import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis import checks as sc

from apps.accounts.services import api_token_issue
from apps.routing import rules
from apps.subtasks.models import SubtaskKind
from apps.subtasks.services import subtask_create
from apps.tickets.services import comment_add, ticket_create, ticket_update
from tests.factories import CategoryFactory, TeamFactory, UserFactory, agent_of
from tests.knowledge.factories import ArticleFactory

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("SCHEMA_FUZZ_EXAMPLES", "10"))
CONFORMANCE = [
    sc.not_a_server_error,
    sc.status_code_conformance,
    sc.content_type_conformance,
    sc.response_schema_conformance,
]


@pytest.fixture
def wsgi_app():
    """The WSGI app, keeping the test's database connection (and transaction) across requests,
    as Django's test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    quiet = logging.getLogger("django.request")
    level, quiet.level = quiet.level, logging.CRITICAL  # thousands of expected 4xx
    yield get_wsgi_application()
    quiet.level = level
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def desk():
    team = TeamFactory(name="Service Desk", slug="service-desk")
    TeamFactory(name="Triage", slug="triage", is_triage=True)
    lead = agent_of(team, email="lead@example.com", full_name="Lee Lead", lead=True, tier=2)
    requester = UserFactory(email="rita@example.com", full_name="Rita Requester")
    category = CategoryFactory(name="Cannot sign in")
    ticket = ticket_create(requester=requester, subject="VPN drops", description="Since Monday.")
    ticket_update(ticket=ticket, actor=None, data={"team": team.pk})
    comment_add(ticket=ticket, author=requester, body="Still broken.")
    kind = SubtaskKind.objects.get_or_create(name="Data fix")[0]
    subtask = subtask_create(ticket=ticket, actor=lead, title="Fix the data", kind=kind)
    article = ArticleFactory(title="Reset your password", section=None)
    rule = rules.rule_create(
        actor=None,
        data={
            "name": "Urgent first",
            "conditions": {"all": [{"field": "subject", "op": "contains", "value": "urgent"}]},
            "actions": [{"action": "set_priority", "params": {"priority": 4}}],
        },
    )
    return {
        "lead": lead,
        "ids": {
            "/api/v1/tickets/{key}": ticket.reference,
            "/api/v1/tickets/{reference}": ticket.reference,
            "/api/v1/sla/tickets/{key}": ticket.reference,
            "/api/v1/subtasks/{id}": subtask.pk,
            "/api/v1/knowledge/articles/{id}": article.pk,
            "/api/v1/routing/rules/{id}": rule.pk,
            "/api/v1/categories/{id}": category.pk,
            "/api/v1/teams/{id}": team.pk,
        },
    }


def known_path_parameters(path: str, ids: dict) -> dict | None:
    for prefix, value in ids.items():
        if path.startswith(prefix):
            name = prefix.rsplit("{", 1)[1].rstrip("}")
            return {name: value}
    return None


def fuzz(schema, *, mode: GenerationMode, token: str, checks, ids: dict) -> dict[str, str]:
    failures = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        known = known_path_parameters(operation.path, ids)
        strategies = [operation.as_strategy(generation_mode=mode)]
        if known and mode == GenerationMode.POSITIVE:
            strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=known))
        for strategy in strategies:

            @given(case=strategy)
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            def run(case):
                case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=checks)

            try:
                run()
            except Unsatisfiable:
                pass  # nothing to make invalid in this operation (no body, no typed parameter)
            except (Exception, BaseExceptionGroup) as error:  # the report names the operation
                failures[f"{operation.label} ({mode.value})"] = str(error)[:4000]
    return failures


def report(failures: dict[str, str]) -> str:
    return "\n\n".join(f"== {label}\n{text}" for label, text in failures.items())


def test_the_api_answers_as_its_schema_says_and_never_500(wsgi_app, desk):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    token = api_token_issue(user=desk["lead"]).key
    failures = fuzz(
        schema, mode=GenerationMode.POSITIVE, token=token, checks=CONFORMANCE, ids=desk["ids"]
    )
    failures |= fuzz(
        schema,
        mode=GenerationMode.NEGATIVE,
        token=token,
        checks=[sc.not_a_server_error],
        ids=desk["ids"],
    )
    assert not failures, report(failures)


def test_admin_calls_never_500(wsgi_app, desk):
    """An admin reaches the routing rules and every ticket: bad input there is 4xx too."""
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    admin = UserFactory(email="ada@example.com", is_staff=True, is_superuser=True)
    token = api_token_issue(user=admin).key
    failures = fuzz(
        schema, mode=GenerationMode.POSITIVE, token=token, checks=CONFORMANCE, ids=desk["ids"]
    )
    failures |= fuzz(
        schema,
        mode=GenerationMode.NEGATIVE,
        token=token,
        checks=[sc.not_a_server_error],
        ids=desk["ids"],
    )
    assert not failures, report(failures)
