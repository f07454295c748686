"""The demo makes sense to a newcomer: loaded once for this module, it holds no subtask due
before its ticket existed, no template on a ticket of an unrelated problem, no demo-only
category offered to requesters, and only event kinds the history knows."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.subtasks.models import Subtask
from apps.tickets import events
from apps.tickets.forms import TicketNewForm
from apps.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db

# The problem each demo subtask template is for.
TEMPLATE_PROBLEM = {
    "Wrong data after a bug": "Data correction",
    "Payroll correction": "Payroll discrepancy",
}


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, loaded once in a transaction that is rolled back after the module's tests
    (each test runs in a savepoint inside it)."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def test_every_kind_in_the_demo_history_is_declared():
    stored = set(TicketEvent.objects.values_list("kind", flat=True).distinct())
    assert stored
    assert stored <= set(events.declared_kinds())


def test_no_subtask_is_due_before_its_ticket_existed():
    subtasks = Subtask.objects.exclude(due_date=None).select_related("ticket")
    assert subtasks
    early = [
        (s.title, s.due_date, s.ticket.reference)
        for s in subtasks
        if s.due_date < timezone.localdate(s.ticket.created_at)
    ]
    assert early == []


def test_templates_are_only_on_tickets_of_their_problem():
    from_templates = Subtask.objects.exclude(template_item=None).select_related(
        "ticket__category", "template_item__template"
    )
    assert from_templates
    wrong = [
        (s.template_item.template.name, s.ticket.reference, str(s.ticket.category))
        for s in from_templates
        if s.ticket.category is None
        or s.ticket.category.name != TEMPLATE_PROBLEM[s.template_item.template.name]
    ]
    assert wrong == []


def test_a_requester_is_offered_no_demo_only_category():
    requester = User.objects.get(email="requester@example.com")
    offered = list(TicketNewForm().fields["category"].queryset)
    client = Client()
    client.force_login(requester)
    page = client.get("/portal/new/").content.decode()
    api = APIClient()
    api.force_authenticate(requester)
    listed = [c["name"] for c in api.get("/api/v1/categories/").json()]

    assert offered
    assert listed
    assert not [c for c in offered if "demo" in c.name.lower()]
    assert not [name for name in listed if "demo" in name.lower()]
    assert "SLA demo" not in page
    # The SLA demo ticket still carries it, for the agents watching it breach.
    assert Ticket.objects.filter(category__name__startswith="SLA demo").exists()
