"""A triager turns a decision into a rule; switching it on at once is an admin's change to a
rule, so it needs what the Django admin needs — staff and routing.change_rule — not is_staff."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from apps.routing.models import Rule
from apps.tickets.services import ticket_create
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def triaged(desk, requester):
    return ticket_create(
        requester=requester,
        subject="Card terminal declines every card",
        description="Since the update.",
        category=desk["card"],
    )


def make_rule(triager, ticket, desk):
    return signed_in(triager).post(
        reverse("routing:rule-from-ticket", args=[ticket.reference]),
        {
            "name": "Cards to Payments",
            "use_category": "on",
            "team": desk["payments"].pk,
            "tier": 1,
            "enabled": "on",
        },
    )


@pytest.mark.parametrize(
    ("staff", "perm", "enabled"),
    [(False, False, False), (True, False, False), (False, True, False), (True, True, True)],
)
def test_switching_on_needs_staff_and_the_change_permission(
    desk, triager, triaged, staff, perm, enabled
):
    triager.is_staff = staff
    triager.save(update_fields=["is_staff"])
    if perm:
        triager.user_permissions.add(Permission.objects.get(codename="change_rule"))

    response = make_rule(triager, triaged, desk)

    assert response.status_code == 302
    assert Rule.objects.get(name="Cards to Payments").enabled is enabled
