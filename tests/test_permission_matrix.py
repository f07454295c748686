"""Every route, for every kind of person and object, answers as its declared policy says.

The routes come from the URL resolver, not from a list someone keeps: a new route without a
policy in ``permission_policies.POLICIES`` fails ``test_every_route_declares_a_policy`` with its
name, and a policy whose route is gone fails too. Pages and API reads are requested with GET;
POST-only routes are POSTed (empty) by the people who must not use them, and nothing may change.
"""

import re

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.knowledge.models import Article, ArticleFile, ArticleStatus, Audience, Revision
from apps.macros.models import Macro
from apps.mail.models import InboundMessage
from apps.problems.models import Problem, ProblemLink
from apps.reviews.satisfaction.links import rating_token
from apps.reviews.satisfaction.models import KudosShare, Rating
from apps.routing.models import Rule
from apps.subtasks.links import link_token
from apps.subtasks.models import Subtask, SubtaskAttachment, SubtaskComment, SubtaskKind
from apps.tickets.models import (
    Attachment,
    Category,
    Comment,
    Location,
    Notification,
    Product,
    SavedView,
    Status,
    Ticket,
    TicketEvent,
)

from .factories import TeamFactory, TicketFactory, UserFactory, agent_of
from .macros.world import agent_tools_world
from .permission_policies import OBJECTS, POLICIES, ROLES, allowed
from .reviews.scoring.world import scoring_world

SKIPPED = ("admin/", "api/docs", "api/schema")  # Django's and drf-spectacular's own guards
ABSENT = 99_999_999


def _routes(resolver=None, prefix="", namespace=""):
    """(name, parameter names) of every URL pattern, by its reversible name."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith(SKIPPED):
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry, route, inner)
        elif isinstance(entry, URLPattern) and not route.startswith(SKIPPED):
            params = tuple(p for p in entry.pattern.regex.groupindex if p != "format")
            if entry.name and not re.search(r"\\\.\(\?P<format>", str(entry.pattern)):
                yield f"{namespace}{entry.name}", params


def route_table() -> dict[str, tuple[str, ...]]:
    return dict(_routes())


def test_every_route_declares_a_policy_and_every_policy_has_a_route():
    routes = route_table()
    undeclared = sorted(set(routes) - set(POLICIES))
    stale = sorted(set(POLICIES) - set(routes))
    assert not undeclared, f"Routes without a declared policy: {undeclared}"
    assert not stale, f"Policies for routes that no longer exist: {stale}"


def test_every_policy_names_the_objects_its_route_takes():
    routes = route_table()
    wrong = [
        name
        for name, params in routes.items()
        if name in POLICIES and bool(params) != bool(POLICIES[name].on)
    ]
    assert not wrong, f"Routes with parameters need on=…, those without none: {wrong}"


# -- The world ---------------------------------------------------------------------------------


def _file(model, **fields):
    return model.objects.create(
        filename="proof.txt",
        content_type="text/plain",
        size=5,
        file=ContentFile(b"proof", name="proof.txt"),
        **fields,
    )


def _inbound(ticket):
    raw = f"From: {ticket.requester.email}\r\nSubject: more\r\n\r\nFor {ticket.reference}.\r\n"
    return InboundMessage.objects.create(
        raw=raw.encode(),
        sha256=InboundMessage.digest(raw.encode()),
        size=len(raw),
        source="pipe",
        ticket=ticket,
        status="comment",
    )


@pytest.fixture
def world(db):
    """Two teams; a ticket of the requester and one of another requester in team A, one in
    team B; a subtask (with a file) per ticket, the first one for the collaborator; an
    article per audience plus a draft; a routing rule. Each object kind maps to URL kwargs."""
    team_a = TeamFactory(name="Service Desk", slug="service-desk")
    team_b = TeamFactory(name="Networks", slug="networks")
    people = {
        "anonymous": None,
        "requester": UserFactory(email="rita@example.com", organisation="Northwind"),
        "other_requester": UserFactory(email="oscar@example.com", organisation="Contoso"),
        "org_requester": UserFactory(email="olga@example.com", organisation="Northwind"),
        "collaborator": UserFactory(email="cole@example.com"),
        "other_agent": agent_of(team_b, email="nia@example.com"),
        "agent": agent_of(team_a, email="alex@example.com"),
        "lead": agent_of(team_a, email="lee@example.com", lead=True, tier=2),
        "admin": UserFactory(email="ada@example.com", is_staff=True, is_superuser=True),
    }
    outsider = UserFactory(email="bob@example.com", organisation="Fabrikam")
    tickets = {
        "own": TicketFactory(requester=people["requester"], team=team_a),
        "other": TicketFactory(requester=people["other_requester"], team=team_a),
        "other_team": TicketFactory(requester=outsider, team=team_b),
    }
    kind = SubtaskKind.objects.first()
    subtasks, kwargs = {}, {}
    for key, ticket in tickets.items():
        Comment.objects.create(ticket=ticket, author=people["admin"], body="n", is_internal=True)
        assignee = people["collaborator"] if key == "own" else outsider
        subtasks[key] = Subtask.objects.create(
            ticket=ticket, title="Fix", kind=kind, assignee_user=assignee
        )
        SubtaskComment.objects.create(subtask=subtasks[key], author=assignee, body="done?")
        ticket_file = _file(Attachment, ticket=ticket, uploaded_by=ticket.requester)
        task_file = _file(SubtaskAttachment, subtask=subtasks[key], uploaded_by=assignee)
        kwargs[("ticket", key)] = {"reference": ticket.reference, "key": ticket.reference}
        kwargs[("attachment", key)] = {"pk": ticket_file.pk}
        kwargs[("subtask", key)] = {"pk": subtasks[key].pk, "reference": ticket.reference}
        kwargs[("subtask_file", key)] = {"pk": task_file.pk}
        kwargs[("inbound", key)] = {"pk": _inbound(ticket).pk}
    absent = {
        "reference": "SB-99999999",
        "key": "SB-99999999",
        "pk": ABSENT,
        "slug": "no-such",
        "number": 1,
    }
    for on in (
        "ticket",
        "attachment",
        "subtask",
        "subtask_file",
        "inbound",
        "article",
        "article_file",
    ):
        kwargs[(on, "absent")] = absent
    kwargs[("ticket_article", "absent")] = {**absent, "reference": tickets["own"].reference}

    articles = {
        "public": {"audience": Audience.PUBLIC},
        "requesters": {"audience": Audience.REQUESTERS},
        "agents": {"audience": Audience.AGENTS},
        "team": {"audience": Audience.TEAM, "team": team_a},
        "other_team": {"audience": Audience.TEAM, "team": team_b},
        "draft": {"audience": Audience.PUBLIC, "status": ArticleStatus.DRAFT},
    }
    for key, fields in articles.items():
        fields.setdefault("status", ArticleStatus.PUBLISHED)
        article = Article.objects.create(title=f"Article {key}", slug=f"art-{key}", **fields)
        Revision.objects.create(article=article, number=1, title=article.title)
        file = _file(ArticleFile, article=article, uploaded_by=people["lead"])
        kwargs[("article", key)] = {"pk": article.pk, "slug": article.slug, "number": 1}
        kwargs[("article_file", key)] = {"pk": file.pk}
        kwargs[("ticket_article", key)] = {"reference": tickets["own"].reference, "pk": article.pk}
    rule = Rule.objects.create(name="Catch-all", conditions={"all": []}, actions=[])
    kwargs[("rule", "any")] = {"pk": rule.pk}
    kwargs[("rule", "absent")] = {"pk": ABSENT}
    lookups = {"category": Category, "location": Location, "product": Product}
    for on, model in lookups.items():
        kwargs[(on, "any")] = {"pk": model.objects.create(name=f"Some {on}").pk}
        kwargs[(on, "absent")] = {"pk": ABSENT}
    kwargs[("kpi", "any")] = {"name": "volume"}
    kwargs[("kpi", "absent")] = {"name": "no-such-figure"}
    kwargs[("team", "any")] = {"pk": team_a.pk}
    kwargs[("team", "absent")] = {"pk": ABSENT}
    token = link_token(subtask=subtasks["own"], user=people["collaborator"])
    kwargs[("link", "own")] = {"token": token, "uidb64": "MQ"}
    kwargs[("link", "absent")] = {"token": "not-a-token", "uidb64": "MQ"}
    resolved = TicketFactory(
        requester=people["requester"],
        team=team_a,
        status=Status.RESOLVED,
        resolved_at=timezone.now(),
    )
    kwargs[("rating_link", "own")] = {
        "token": rating_token(ticket=resolved, person=people["requester"], score="good")
    }
    kwargs[("rating_link", "absent")] = {"token": "not-a-token"}
    kwargs[("week", "any")] = {"week": "2024-06-03"}
    kwargs[("week", "absent")] = {"week": "2024-13-45"}
    for key, owner in (("own", "requester"), ("other", "other_requester")):
        notice = Notification.objects.create(
            user=people[owner], ticket=tickets[key], kind="test", message="Look"
        )
        kwargs[("notification", key)] = {"pk": notice.pk}
    kwargs[("notification", "absent")] = {"pk": ABSENT}
    for key, owner in (("team", team_a), ("other_team", team_b)):
        problem = Problem.objects.create(title=f"Problem of {owner}", team=owner)
        kwargs[("problem", key)] = {"reference": problem.reference}
    kwargs[("problem", "absent")] = {"reference": "PRB-99999999"}
    kwargs.update(scoring_world(people, tickets, team_a, team_b))
    kwargs.update(agent_tools_world(people))
    return {"people": people, "kwargs": kwargs, "team_a": team_a, "team_b": team_b}


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _outcome(response, *, redirect_allows: bool = False) -> str:
    status = response.status_code
    if status in (400, 401, 403, 404, 405):
        return "deny"
    if status in (301, 302, 303):
        # To the sign-in page, or away to the page this person may use (the portal or the
        # desk): either way not what was asked for, unless the route's answer is a redirect.
        to_sign_in = "/accounts/sign-in/" in response.get("Location", "")
        return "allow" if redirect_allows and not to_sign_in else "deny"
    if 200 <= status < 300:
        return "allow"
    return f"error {status}"


def _fingerprint():
    """What a forbidden POST must leave untouched."""
    return (
        list(Ticket.objects.order_by("pk").values_list()),
        list(Subtask.objects.order_by("pk").values_list()),
        list(Article.objects.order_by("pk").values_list()),
        list(Revision.objects.order_by("pk").values_list("pk", "status")),
        list(Rule.objects.order_by("pk").values_list()),
        Comment.objects.count(),
        TicketEvent.objects.count(),
        SubtaskComment.objects.count(),
        list(Rating.objects.order_by("pk").values_list()),
        KudosShare.objects.count(),
        list(Macro.objects.order_by("pk").values_list()),
        list(SavedView.objects.order_by("pk").values_list()),
        list(Notification.objects.order_by("pk").values_list("pk", "read_at")),
        list(Problem.objects.order_by("pk").values_list()),
        list(ProblemLink.objects.order_by("pk").values_list()),
    )


def test_every_route_answers_every_person_as_its_policy_declares(world, settings):
    settings.RATELIMIT_ENABLE = False  # hundreds of requests from one address are the point
    routes = route_table()
    clients = {role: _client(user) for role, user in world["people"].items()}
    failures, asserted = [], 0
    for name in sorted(routes):
        policy = POLICIES[name]
        for obj in OBJECTS.get(policy.on, [None]):
            kwargs = world["kwargs"].get((policy.on, obj), {})
            params = routes[name]
            url = reverse(name, kwargs={p: kwargs[p] for p in params})
            for role in ROLES:
                expected = allowed(policy, role, obj)
                if policy.post and expected == "allow":
                    continue  # an empty POST by someone allowed would change the world
                client = clients[role] if policy.on != "link" else _client(world["people"][role])
                if policy.post:
                    before = _fingerprint()
                    got = _outcome(client.post(url))
                    if _fingerprint() != before:
                        failures.append(f"{role} POST {name} [{obj}] changed something")
                else:
                    response = client.get(url)
                    got = _outcome(response, redirect_allows=policy.redirect)
                    if name == "healthz" and response.status_code == 503:
                        got = "allow"  # no Celery worker answers its ping here
                asserted += 1
                if got != expected:
                    verb = "POST" if policy.post else "GET"
                    failures.append(f"{role} {verb} {name} [{obj}] {url}: {got}, want {expected}")
    print(f"\nPermission matrix: {len(routes)} routes, {asserted} (route, role, object) asserted")
    assert not failures, f"{len(failures)} cells differ:\n" + "\n".join(failures)
