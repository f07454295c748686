"""An admin builds an SLA policy in the browser: a target in working days, and an escalation
step whose parameter fields follow the action chosen."""

import pytest

from apps.sla.models import Policy
from apps.tickets.models import Priority
from tests.factories import PASSWORD

from .factories import OFFICE_HOURS, calendar_with

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_step_shows_the_fields_of_the_chosen_action(open_page, admin_user):
    calendar_with("Berlin office", OFFICE_HOURS)
    page = open_page("/accounts/sign-in/")
    page.fill("#id_username", admin_user.email)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_load_state()

    page.goto("/admin/sla/policy/add/")
    page.fill("#id_name", "Shops")
    page.select_option("#id_calendar", label="Berlin office")
    page.fill("#id_target_resolution_2_0", "2")
    page.select_option("#id_target_resolution_2_1", "days")
    page.click("text=Add another Escalation step")
    row = page.locator("#steps-0")

    row.locator("select[name='steps-0-action']").select_option(label="Set priority")
    assert row.locator("[data-action='set_priority']").is_visible()
    assert not row.locator("[data-action='notify']").is_visible()
    assert not row.locator(".action-params-for").first.is_visible()

    row.locator("select[name='steps-0-action']").select_option(label="Notify people")
    assert row.get_by_label("Message").is_visible()
    assert not row.locator("[data-action='set_priority']").is_visible()

    row.locator("select[name='steps-0-action']").select_option(label="Set priority")
    row.locator("select[name='steps-0-parameters_set_priority__priority']").select_option("4")
    row.locator("input[name='steps-0-delay_0']").fill("30")
    page.click("input[name='_save']")
    page.wait_for_load_state()

    policy = Policy.objects.get(name="Shops")
    assert policy.targets.get().minutes == 960
    step = policy.steps.get()
    assert (step.action, step.params, step.delay_minutes) == (
        "set_priority",
        {"priority": Priority.URGENT},
        30,
    )
