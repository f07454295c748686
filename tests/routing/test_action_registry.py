"""Rules apply whatever actions the registry holds, including ones other apps register."""

import pytest

from apps.core.errors import ApplicationError
from apps.routing.admin_forms import RuleAdminForm
from apps.routing.models import RootCause, RoutingDecision, TicketClassification
from apps.tickets import actions
from apps.tickets.actions import Param, TicketAction


@pytest.fixture
def stamp_action():
    """An action like the ones subtasks or SLA register from their ready()."""
    applied = []

    def apply(*, ticket, params, actor, source):
        applied.append((ticket.pk, params["label"], source))
        return f"stamped {params['label']}"

    actions.register(
        TicketAction(
            name="test_stamp", label="Stamp (test)", apply=apply,
            params=(Param("label", "choice", "Label", choices=(("red", "Red"), ("blue", "Blue"))),),
        )
    )  # fmt: skip
    yield applied
    actions._registry.pop("test_stamp")


def test_a_registered_action_is_offered_in_the_editor_and_applied_by_a_rule(
    desk, make_rule, open_ticket, stamp_action
):
    form = RuleAdminForm()
    offered = dict(form.fields["act_0_action"].choices)
    assert offered["test_stamp"] == "Stamp (test)"
    assert dict(form.fields["act_0_test_stamp__label"].choices)["red"] == "Red"

    make_rule(
        "Stamp everything", {"all": []}, [{"action": "test_stamp", "params": {"label": "red"}}]
    )
    ticket = open_ticket()

    assert stamp_action == [(ticket.pk, "red", "rule: Stamp everything")]
    assert (
        RoutingDecision.objects.get(ticket=ticket).matched[0]["actions"][0]["result"]
        == "stamped red"
    )


def test_an_unknown_action_or_missing_parameter_is_refused_on_save(desk, make_rule):
    with pytest.raises(ApplicationError, match="no ticket action called “teleport”"):
        make_rule("Bad", {"all": []}, [{"action": "teleport", "params": {}}])
    with pytest.raises(ApplicationError, match="action 1: Set team: “Team” is required"):
        make_rule("Bad", {"all": []}, [{"action": "set_team", "params": {}}])


def test_routing_registers_a_root_cause_hint_action(desk, make_rule, open_ticket):
    RootCause.objects.create(name="Expired certificate")
    make_rule("Cert hint", {"all": [{"field": "subject", "op": "contains", "value": "certificate"}]},
              [{"action": "set_root_cause_hint", "params": {"root_cause": "expired certificate"}}])  # fmt: skip

    ticket = open_ticket(subject="Certificate warning on the till")

    assert (
        TicketClassification.objects.get(ticket=ticket).root_cause_hint.name
        == "Expired certificate"
    )
    with pytest.raises(ApplicationError, match="no root cause called “Gremlins”"):
        actions.get("set_root_cause_hint").validate({"root_cause": "Gremlins"})
