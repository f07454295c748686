"""Templates: one click by an agent, or a routing rule through the ticket action registry."""

import pytest
from django.core import mail

from apps.accounts.models import User
from apps.core.errors import ApplicationError
from apps.subtasks.models import Subtask
from apps.tickets import actions
from apps.tickets.models import TicketEvent

from .factories import template_with_items


def test_the_action_is_registered_with_the_active_templates_as_choices(db):
    template = template_with_items()
    action = actions.get("create_subtasks_from_template")
    (param,) = action.params
    assert param.kind == "choice"
    assert (str(template.pk), template.name) in list(param.choices)


def test_a_rule_applies_a_template_once_even_if_it_fires_twice(
    ticket, django_capture_on_commit_callbacks
):
    template = template_with_items()
    with django_capture_on_commit_callbacks(execute=True):
        said = actions.action_apply(
            name="create_subtasks_from_template",
            ticket=ticket,
            params={"template": str(template.pk)},
            source="rule: Price data",
        )
    assert said == "added 3 subtasks from “Wrong data after a bug”"
    titles = list(ticket.subtasks.values_list("title", "blocking"))
    assert titles == [
        ("Correct the wrong records", True),
        ("Announce a workaround", True),
        ("Add an automated test", False),
    ]
    # The e-mail address became a password-less collaborator who got their link.
    dan = User.objects.get(email="dan.data@example.com")
    assert not dan.has_usable_password()
    assert not dan.is_agent
    assert any(dan.email in m.to for m in mail.outbox)
    added = TicketEvent.objects.filter(ticket=ticket, kind="subtask_added")
    assert {e.data["source"] for e in added} == {"rule: Price data"}

    actions.action_apply(
        name="create_subtasks_from_template", ticket=ticket, params={"template": template.name}
    )
    assert Subtask.objects.filter(ticket=ticket).count() == 3


@pytest.mark.parametrize("value", ["9999", "No such template", ""])
def test_unknown_templates_are_refused_naming_the_parameter(db, value):
    template_with_items()
    action = actions.get("create_subtasks_from_template")
    with pytest.raises(ApplicationError) as refused:
        action.validate({"template": value})
    assert refused.value.field == "template"


def test_a_retired_template_is_no_longer_accepted(db):
    template = template_with_items()
    template.is_active = False
    template.save()
    with pytest.raises(ApplicationError, match="no active subtask template"):
        actions.get("create_subtasks_from_template").validate({"template": str(template.pk)})
