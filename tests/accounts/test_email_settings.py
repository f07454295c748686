"""E-mail settings: each person sees the e-mails that fit their role, all on until they turn
one off; what they send is checked against what they were offered."""

import pytest
from django.urls import reverse

from apps.accounts.models import User
from apps.subtasks.models import SubtaskKind
from apps.subtasks.services import subtask_create
from tests.conftest import signed_in
from tests.factories import TicketFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "accounts:email-settings"
REQUESTS = {"mail.request_received", "mail.request_reply", "mail.request_resolved"}
WORK = {
    "tickets.held",
    "tickets.escalated",
    "mail.requester_replied",
    "sla.warnings",
    "mail.notified",
    "subtasks.ticket_news",
}


def offered(page: str) -> set[str]:
    import re

    return set(re.findall(r'name="wanted" value="([^"]+)"', page))


def ticked(page: str) -> set[str]:
    import re

    return set(re.findall(r'name="wanted" value="([^"]+)"[^>]*\bchecked\b', page))


def opt_outs(user) -> list[str]:
    return User.objects.get(pk=user.pk).mail_opt_outs


def test_a_requester_is_offered_the_news_of_their_requests_all_on(requester):
    page = signed_in(requester).get(reverse(URL)).content.decode()

    assert offered(page) >= REQUESTS
    assert not offered(page) & WORK
    assert ticked(page) == offered(page)  # everything on until they turn it off
    assert "A reply on my request" in page
    assert "SLA" not in page
    assert "Sign-in links and password resets are always sent" in page


def test_an_agent_is_offered_the_news_of_the_tickets_they_work_too(agent):
    page = signed_in(agent).get(reverse(URL)).content.decode()

    assert offered(page) >= REQUESTS | WORK
    assert "About tickets I work on" in page


def test_a_collaborator_is_offered_the_news_of_their_tasks(agent, team):
    collaborator = UserFactory(email="cole@example.com")
    subtask_create(
        ticket=TicketFactory(team=team),
        actor=agent,
        title="Count the labels",
        kind=SubtaskKind.objects.first(),
        assignee_user=collaborator,
    )

    page = signed_in(collaborator).get(reverse(URL)).content.decode()

    assert {"subtasks.assigned", "subtasks.answers", "subtasks.reminders"} <= offered(page)
    assert "sla.warnings" not in offered(page)


def test_turning_one_off_keeps_the_rest_on(requester):
    client = signed_in(requester)
    keep = sorted(offered(client.get(reverse(URL)).content.decode()) - {"mail.request_reply"})

    response = client.post(reverse(URL), {"wanted": keep})

    assert response.status_code == 302
    assert opt_outs(requester) == ["mail.request_reply"]
    page = client.get(reverse(URL)).content.decode()
    assert ticked(page) == set(keep)
    assert "Your e-mail settings are saved." in page


def test_everything_unticked_turns_everything_off_and_back_on(requester):
    client = signed_in(requester)

    everything = offered(client.get(reverse(URL)).content.decode())

    client.post(reverse(URL), {})
    assert opt_outs(requester) == sorted(everything)

    client.post(reverse(URL), {"wanted": sorted(everything)})
    assert opt_outs(requester) == []


@pytest.mark.parametrize("key", ["mail.no_such_thing", "sla.warnings", "'); DROP TABLE x;--"])
def test_keys_not_offered_are_refused_with_a_clear_error(requester, key):
    response = signed_in(requester).post(reverse(URL), {"wanted": [key]})

    assert response.status_code == 400
    assert "is not an e-mail you can choose here" in response.content.decode()
    assert opt_outs(requester) == []  # nothing saved


def test_choices_not_offered_any_more_stay_as_they_were(requester):
    """An agent's choice survives their leaving the team (and is there when they come back)."""
    requester.mail_opt_outs = ["sla.warnings", "gone.from.the.registry"]
    requester.save(update_fields=["mail_opt_outs"])

    client = signed_in(requester)
    others = offered(client.get(reverse(URL)).content.decode()) - {"mail.request_received"}

    client.post(reverse(URL), {"wanted": ["mail.request_received"]})

    assert opt_outs(requester) == sorted({"sla.warnings", *others})


def test_each_person_changes_only_their_own(requester, other_requester):
    signed_in(requester).post(reverse(URL), {})

    assert opt_outs(other_requester) == []


def test_signed_out_visitors_are_asked_to_sign_in(client):
    response = client.get(reverse(URL))

    assert response.status_code == 302
    assert "/accounts/sign-in/" in response["Location"]
