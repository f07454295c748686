"""Admins write SLA policies in hours and working days, tick priorities and statuses, and pick
escalation actions with their parameters by name; the desk stores business minutes and
registry actions, and says in words what is wrong with a bad value."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from apps.sla.models import EscalationStep, Holiday, Policy, Target
from apps.tickets.models import Priority
from tests.conftest import signed_in

from .conftest import FR, NR, RES
from .factories import calendar_with
from .test_admin import inline

pytestmark = pytest.mark.django_db


def cell(metric: str, priority: int, amount, unit: str) -> dict:
    key = f"target_{metric}_{priority}"
    return {f"{key}_0": str(amount), f"{key}_1": unit}


def policy_post(calendar, *, targets=(), steps=(), **fields) -> dict:
    data = {
        "name": "Shops",
        "position": "10",
        "is_active": "on",
        "calendar": str(calendar.pk),
        "warn_percent": "75",
        "organisation": "",
        "pause_statuses": ["pending"],
        **inline("steps", list(steps)),
    }
    for target in targets:
        data.update(cell(*target))
    data.update(fields)
    return data


def step(action: str, delay=("", "minutes"), metric="", **params) -> dict:
    row = {"metric": metric, "delay_0": str(delay[0]), "delay_1": delay[1], "action": action}
    row.update({f"parameters_{action}__{name}": value for name, value in params.items()})
    return row


def errors(response) -> list:
    """What the admin page complains about, for a failing assertion's message."""
    if response.context is None:
        return []
    formsets = [f.formset.errors for f in response.context["inline_admin_formsets"]]
    return [response.context["adminform"].form.errors, *formsets]


@pytest.fixture
def admin_client(admin_user):
    return signed_in(admin_user)


def test_targets_in_hours_and_working_days_are_stored_as_business_minutes(
    admin_client, office, lead
):
    response = admin_client.post(
        reverse("admin:sla_policy_add"),
        policy_post(
            office,
            priorities=[str(Priority.HIGH), str(Priority.URGENT)],
            pause_statuses=["pending", "new"],
            targets=[
                (FR, Priority.URGENT, 30, "minutes"),
                (NR, Priority.URGENT, "1.5", "hours"),
                (RES, Priority.URGENT, 4, "hours"),
                (RES, Priority.HIGH, 2, "days"),
            ],
            steps=[
                step("set_priority", delay=(1, "hours"), metric=RES, priority=Priority.URGENT),
                step("notify", users=[str(lead.pk)], message="Store is waiting"),
            ],
        ),
    )

    assert response.status_code == 302, errors(response)
    policy = Policy.objects.get(name="Shops")
    assert sorted(policy.priorities) == [Priority.HIGH, Priority.URGENT]
    assert sorted(policy.pause_statuses) == ["new", "pending"]
    targets = {(t.metric, t.priority): t.minutes for t in policy.targets.all()}
    # Berlin office works 09:00 to 17:00: a working day is 8 hours.
    assert targets == {
        (FR, Priority.URGENT): 30,
        (NR, Priority.URGENT): 90,
        (RES, Priority.URGENT): 240,
        (RES, Priority.HIGH): 960,
    }
    steps = [(s.metric, s.delay_minutes, s.action, s.params) for s in policy.steps.all()]
    assert steps == [
        ("", 0, "notify", {"users": [lead.pk], "team": None, "message": "Store is waiting"}),
        (RES, 60, "set_priority", {"priority": Priority.URGENT}),
    ]


def test_the_editor_shows_stored_minutes_back_in_friendly_units_and_names(
    admin_client, standard, lead
):
    EscalationStep.objects.create(
        policy=standard, delay_minutes=120, action="notify", params={"users": [lead.pk]}
    )

    page = admin_client.get(reverse("admin:sla_policy_change", args=[standard.pk])).content.decode()

    def shown(metric, priority):
        key = f"target_{metric}_{priority}"
        amount = re.search(rf'name="{key}_0" value="([^"]*)"', page).group(1)
        unit = re.search(rf'name="{key}_1"[^>]*>.*?<option value="(\w+)"[^>]*selected', page, re.S)
        return amount, unit.group(1)

    assert shown(RES, Priority.NORMAL) == ("2", "days")  # 960 minutes in an 8 h day
    assert shown(NR, Priority.NORMAL) == ("4", "hours")
    assert shown(FR, Priority.URGENT) == ("30", "minutes")
    assert "Berlin office 8 h" in page
    assert re.search(rf'<option value="{lead.pk}" selected>Lee Lead</option>', page)
    assert '<option value="notify" selected>Notify people</option>' in page
    assert 'name="steps-0-delay_0" value="2"' in page


def test_changing_only_a_step_parameter_is_saved(admin_client, standard):
    saved = EscalationStep.objects.create(
        policy=standard, delay_minutes=30, action="set_priority", params={"priority": 3}
    )
    data = policy_post(
        standard.calendar,
        name="Standard",
        targets=[(RES, Priority.NORMAL, 2, "days")],
        steps=[step("set_priority", delay=(30, "minutes"), priority=Priority.URGENT)],
    )
    data.update({"steps-INITIAL_FORMS": "1", "steps-0-id": str(saved.pk)})
    data["steps-0-policy"] = str(standard.pk)

    response = admin_client.post(reverse("admin:sla_policy_change", args=[standard.pk]), data)

    assert response.status_code == 302, errors(response)
    saved.refresh_from_db()
    assert saved.params == {"priority": Priority.URGENT}
    # Boxes left empty remove their targets.
    assert list(standard.targets.values_list("metric", "priority", "minutes")) == [
        (RES, Priority.NORMAL, 960)
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (cell(FR, Priority.HIGH, -2, "hours"), "A duration cannot be negative."),
        (cell(FR, Priority.HIGH, "soon", "hours"), "Give a number, like 4 or 1.5."),
        (
            cell(FR, Priority.HIGH, "1.5", "minutes"),
            "1.5 minutes is not a whole number of minutes.",
        ),
        (cell(FR, Priority.HIGH, 0, "hours"), "A target must be longer than zero"),
        ({"priorities": ["9"]}, "Select a valid choice. 9 is not one of the available choices."),
    ],
)
def test_a_bad_target_is_refused_with_words(admin_client, office, fields, message):
    response = admin_client.post(reverse("admin:sla_policy_add"), {**policy_post(office), **fields})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Policy.objects.exists()


def test_working_days_need_a_calendar_with_working_hours(admin_client):
    closed = calendar_with("Never open", {})
    data = policy_post(closed, targets=[(RES, Priority.LOW, 1, "days")])

    page = admin_client.post(reverse("admin:sla_policy_add"), data).content.decode()

    assert "The calendar has no working hours, so a working day has no length" in page
    assert not Target.objects.exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (step("set_priority"), "Set priority: “Priority” is required."),
        (step("notify", message="Hello"), "Notify: name people, a team, or both."),
        (step("set_team", team="999999"), "Set team: Team: Select a valid choice."),
        (step("", delay=(5, "minutes")), "Choose what this step does."),
        (step("set_tier", delay=(-5, "minutes"), tier=2), "A duration cannot be negative."),
    ],
)
def test_a_bad_escalation_step_is_refused_with_words(admin_client, office, row, message):
    response = admin_client.post(reverse("admin:sla_policy_add"), policy_post(office, steps=[row]))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Policy.objects.exists()


def test_without_script_every_parameter_says_which_action_it_belongs_to(admin_client, standard):
    page = admin_client.get(reverse("admin:sla_policy_add")).content.decode()
    empty_row = page[page.index('id="steps-empty"') :]

    assert 'data-action="set_priority"' in empty_row
    assert re.search(r'Priority <span class="action-params-for">\(Set priority\)</span>', empty_row)
    assert re.search(r'Team <span class="action-params-for">\(Notify people\)</span>', empty_row)
    assert "js/admin_action_params.js" in page


def test_the_calendar_page_lists_the_public_holidays_of_its_preset(admin_client, office):
    Holiday.objects.create(calendar=office, date="2026-12-24", name="Christmas Eve (office)")

    with time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=ZoneInfo("Europe/Berlin"))):
        page = admin_client.get(reverse("admin:sla_calendar_change", args=[office.pk]))

    text = page.content.decode()
    assert page.status_code == 200
    assert "Public holidays of DE, region BE" in text
    # Berlin's own holiday, this year and next, read-only; the hand-added day beside them.
    assert '<time datetime="2026-03-08">' in text
    assert '<time datetime="2027-03-08">' in text
    assert '<time datetime="2026-10-03">' in text
    assert "Christmas Eve (office)" in text
    assert 'name="preset_holidays"' not in text


def test_a_new_policy_pauses_while_pending_on_the_requester(admin_client):
    page = admin_client.get(reverse("admin:sla_policy_add")).content.decode()

    assert re.search(r'value="pending" id="id_pause_statuses_\d" checked', page)
    assert not re.search(r'value="open" id="id_pause_statuses_\d" checked', page)


@pytest.mark.parametrize("count", [1, 12])
def test_the_policy_editor_costs_the_same_for_few_and_many_steps(
    admin_client, standard, lead, count, django_assert_max_num_queries
):
    EscalationStep.objects.bulk_create(
        EscalationStep(
            policy=standard, delay_minutes=n, action="notify", params={"users": [lead.pk]}
        )
        for n in range(count)
    )

    # Each row offers the same teams, people, templates and policies: read once for all.
    with django_assert_max_num_queries(26):
        page = admin_client.get(reverse("admin:sla_policy_change", args=[standard.pk]))

    assert page.content.decode().count('<option value="notify" selected>') == count
