"""The top bar: a bell with the number of unread notifications for everyone signed in (one
cheap query, "99+" past 99), the e-mail settings link, and navigation entries only for the
people who can use them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.tickets.models import Notification
from tests.conftest import signed_in
from tests.factories import TeamFactory, UserFactory, agent_of

pytestmark = pytest.mark.django_db


def unread(user, ticket, count):
    Notification.objects.bulk_create(
        Notification(user=user, ticket=ticket, kind="test", message="Look") for _ in range(count)
    )


def bar(client, url_name="portal:tickets") -> str:
    html = client.get(reverse(url_name)).content.decode()
    return html[html.index('<header class="topbar">') : html.index("</header>")]


def test_the_bell_says_how_many_are_unread(ticket, customer, tier1):
    unread(customer, ticket, 3)
    unread(tier1, ticket, 1)
    Notification.objects.create(
        user=customer, ticket=ticket, kind="test", message="Seen", read_at="2024-01-01T00:00Z"
    )

    requester_bar = bar(signed_in(customer))
    agent_bar = bar(signed_in(tier1), "workspace:queue")

    assert 'aria-label="Notifications, 3 unread"' in requester_bar
    assert '<span class="bell-count" aria-hidden="true">3</span>' in requester_bar
    assert 'aria-label="Notifications, 1 unread"' in agent_bar


def test_read_notices_do_not_count_and_none_unread_shows_no_figure(ticket, customer):
    unread(customer, ticket, 2)
    Notification.objects.filter(user=customer).update(read_at="2024-01-01T00:00Z")

    html = bar(signed_in(customer))

    assert 'aria-label="Notifications"' in html
    assert "bell-count" not in html


def test_past_ninety_nine_the_badge_says_99_plus(ticket, customer):
    unread(customer, ticket, 140)

    html = bar(signed_in(customer))

    assert '<span class="bell-count" aria-hidden="true">99+</span>' in html
    assert 'aria-label="Notifications, more than 99 unread"' in html


def test_the_badge_costs_one_query_whatever_the_number(ticket, customer):
    client = signed_in(customer)
    client.get(reverse("portal:tickets"))

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("portal:tickets"))
        return [q["sql"] for q in captured.captured_queries]

    none = queries()
    unread(customer, ticket, 500)
    many = queries()

    assert len(many) == len(none)
    [count] = [sql for sql in many if "tickets_notification" in sql]
    assert "COUNT(" in count
    assert "LIMIT 100" in count


def test_the_bar_links_to_the_email_settings(customer):
    html = bar(signed_in(customer))

    assert f'href="{reverse("accounts:email-settings")}"' in html


def test_a_signed_out_visitor_has_no_bell(client):
    html = client.get(reverse("accounts:login")).content.decode()

    assert "notification-bell" not in html


def test_a_requester_without_tasks_sees_neither_my_tasks_nor_desk_entries(customer):
    html = bar(signed_in(customer))

    for entry in ("My tasks", "Triage", "Queue", "Held by me", "Reports"):
        assert f">{entry}<" not in html, entry
    assert ">My requests<" in html


def test_triage_is_only_in_the_bar_of_the_triage_team(tier1):
    triager = agent_of(TeamFactory(name="Triage", slug="triage", is_triage=True))

    assert ">Triage<" not in bar(signed_in(tier1), "workspace:queue")
    assert ">Triage<" in bar(signed_in(triager), "workspace:queue")


def test_a_collaborator_with_a_task_sees_my_tasks(ticket, tier1):
    from apps.subtasks.models import SubtaskKind
    from apps.subtasks.services import subtask_create

    collaborator = UserFactory(email="cole@example.com")
    assert ">My tasks<" not in bar(signed_in(collaborator))

    subtask_create(
        ticket=ticket,
        actor=tier1,
        title="Fix the till's loyalty table",
        kind=SubtaskKind.objects.first(),
        assignee_user=collaborator,
    )

    assert ">My tasks<" in bar(signed_in(collaborator))
