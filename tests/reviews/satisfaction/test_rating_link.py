"""The one-click rating link of the "resolved" e-mail, from the requester's side and from an
attacker's: it rates without signing in, once per ticket (a second use changes that rating),
only by POST, only the ticket it was sent for, only for its requester, for seven days, and only
for the resolution it was sent about."""

import re
from datetime import timedelta

import pytest
from django.core import signing as django_signing
from django.test import Client
from django.urls import reverse

from apps.core import signing
from apps.insights.models import TicketFact
from apps.reviews.satisfaction.links import SALT, rating_token
from apps.reviews.satisfaction.models import Kudos, Rating
from apps.reviews.satisfaction.services import rating_submit
from apps.subtasks.links import SALT as SUBTASK_SALT
from apps.tickets.models import Status, TicketEvent
from apps.tickets.services import (
    comment_add,
    followers_add,
    ticket_create,
    ticket_take,
    ticket_update,
)
from tests.factories import UserFactory

from .conftest import T0, links_of, open_and_resolve, resolved_mail

pytestmark = pytest.mark.django_db


def link(token: str) -> str:
    return reverse("reviews:rating_link", args=[token])


def world_state():
    """What opening a link must not change."""
    return (
        list(Rating.objects.values_list()),
        list(Kudos.objects.values_list()),
        TicketEvent.objects.count(),
    )


def post_as_a_browser(url: str, **data):
    """An anonymous browser with CSRF checks on: it opens the page, then sends its form."""
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(url)
    assert page.status_code == 200
    token = page.cookies["csrftoken"].value
    return browser.post(url, {"csrfmiddlewaretoken": token, **data})


# --- The e-mail ----------------------------------------------------------------------------------


def test_the_resolved_email_carries_the_links_for_the_requester_only(
    clock, requester, agent, team, triage_team
):
    follower = UserFactory(email="fred@example.com", full_name="Fred Follower")
    ticket = ticket_create(requester=requester, subject="Till 3 frozen", description="Frozen.")
    followers_add(ticket=ticket, users=[follower], actor=agent)
    ticket_update(ticket=ticket, actor=agent, data={"team": team})
    ticket_take(ticket=ticket, agent=agent)
    ticket_update(ticket=ticket, actor=agent, data={"status": Status.RESOLVED})

    body = resolved_mail(ticket, requester).body  # the outbox row, as it is sent
    good, bad, comment = links_of(body)
    assert "Good, I'm satisfied" in body
    assert "Bad, I'm unsatisfied" in body
    assert "Or add a comment" in body
    assert "no need to sign in.\n\n— Switchboard" in body  # above the sign-off
    for token, score in ((good, "good"), (bad, "bad"), (comment, "")):
        payload = signing.read_token(token, salt=SALT, max_age=60)
        assert payload["t"] == ticket.pk
        assert payload["u"] == requester.pk
        assert payload["s"] == score
    # The follower hears of the resolution, but the requester's say is not theirs to give.
    assert links_of(resolved_mail(ticket, follower).body) == []


def test_opening_a_link_changes_nothing_and_preselects_its_choice(resolved, requester):
    _good, bad, comment = links_of(resolved_mail(resolved, requester).body)
    before = world_state()

    page = Client().get(link(bad))

    assert page.status_code == 200
    assert world_state() == before  # mail scanners open links: a GET never rates
    html = page.content.decode()
    assert re.search(r'<input[^>]*value="bad"[^>]*checked', html)
    assert not re.search(r'<input[^>]*value="good"[^>]*checked', html)
    assert page.context["autosubmit"] is True  # the script sends it once, for a person
    assert 'src="/static/js/rating.js"' in html
    assert "<script>" not in html  # no inline script (the CSP refuses them)
    # The comment link chooses nothing: no automatic sending.
    assert Client().get(link(comment)).context["autosubmit"] is False


def test_a_post_with_the_link_rates_without_signing_in(resolved, requester, agent, team):
    good, _, _ = links_of(resolved_mail(resolved, requester).body)

    answer = post_as_a_browser(link(good), score="good", comment="Quick and kind, thank you!")

    assert answer.status_code == 302
    rating = Rating.objects.get(ticket=resolved)
    assert (rating.score, rating.comment, rating.via) == (
        "good",
        "Quick and kind, thank you!",
        "email",
    )
    assert (rating.rated_by, rating.agent, rating.team) == (requester, agent, team)
    event = TicketEvent.objects.get(ticket=resolved, kind="rated")
    assert event.actor == requester
    assert event.data["rating"] == "Good"
    assert TicketFact.objects.get(ticket=resolved).satisfied is True  # the figures follow
    # Back on the page: thanked, the rating shown, nothing sent by itself again.
    page = Client().get(link(good))
    assert page.context["rating"] == rating
    assert page.context["autosubmit"] is False


def test_using_a_link_again_changes_the_one_rating(resolved, requester, agent):
    good, bad, comment = links_of(resolved_mail(resolved, requester).body)
    client = Client()
    client.post(link(good), {"score": "good"})
    client.post(link(good), {"score": "good"})  # a double click: nothing new
    client.post(link(bad), {"score": "bad", "comment": "It froze again the next day."})

    [rating] = Rating.objects.filter(ticket=resolved)
    assert (rating.score, rating.comment) == ("bad", "It froze again the next day.")
    events = list(TicketEvent.objects.filter(ticket=resolved, kind="rated"))
    assert len(events) == 2
    assert events[1].changes == {"rating": {"before": "Good", "after": "Bad"}}
    assert TicketFact.objects.get(ticket=resolved).satisfied is False

    client.post(link(comment), {"score": "good", "comment": "Fixed for good now."})
    assert Rating.objects.filter(ticket=resolved).count() == 1
    assert Rating.objects.get(ticket=resolved).score == "good"


def test_after_seven_days_the_link_says_it_has_expired(resolved, requester, clock):
    good, _, _ = links_of(resolved_mail(resolved, requester).body)
    clock.move_to(T0 + timedelta(days=6, hours=23))
    assert Client().get(link(good)).status_code == 200

    clock.move_to(T0 + timedelta(days=7, minutes=1))
    page = Client().get(link(good))
    answer = Client().post(link(good), {"score": "good"})

    assert page.status_code == answer.status_code == 410
    assert "This link has expired" in page.content.decode()
    assert not Rating.objects.exists()


def test_a_rating_given_in_time_cannot_be_changed_after_seven_days(resolved, requester, clock):
    good, bad, _ = links_of(resolved_mail(resolved, requester).body)
    Client().post(link(good), {"score": "good"})
    clock.move_to(T0 + timedelta(days=8))

    assert Client().post(link(bad), {"score": "bad"}).status_code == 410
    assert Rating.objects.get(ticket=resolved).score == "good"


def test_after_a_reopen_the_old_link_no_longer_works(resolved, requester, agent, clock):
    old_good, _, _ = links_of(resolved_mail(resolved, requester).body)
    clock.move_to(T0 + timedelta(hours=2))
    comment_add(ticket=resolved, author=requester, body="It froze again.")  # reopens it
    resolved.refresh_from_db()
    assert resolved.status == Status.OPEN

    page = Client().get(link(old_good))
    assert page.status_code == 400
    assert "reopened" in page.content.decode()

    clock.move_to(T0 + timedelta(hours=3))
    ticket_update(ticket=resolved, actor=agent, data={"status": Status.RESOLVED})
    # Resolved again: the first e-mail's link stays dead, the new e-mail's works.
    assert Client().post(link(old_good), {"score": "good"}).status_code == 400
    assert not Rating.objects.exists()
    new_good, _, _ = links_of(resolved_mail(resolved, requester).body)
    assert new_good != old_good
    assert Client().post(link(new_good), {"score": "good"}).status_code == 302
    assert Rating.objects.get(ticket=resolved).score == "good"


def test_a_forged_or_altered_link_is_refused(resolved, requester):
    good, _, _ = links_of(resolved_mail(resolved, requester).body)
    payload = signing.read_token(good, salt=SALT, max_age=60)
    altered = good[:-3] + ("AAA" if good[-3:] != "AAA" else "BBB")
    other_salt = django_signing.dumps(payload, salt=SUBTASK_SALT, compress=True)
    unsigned = good.rsplit(":", 2)[0] + ":x:y"
    for token in (altered, other_salt, unsigned, "not-a-token"):
        before = world_state()
        page = Client().get(link(token))
        answer = Client().post(link(token), {"score": "good"})
        assert page.status_code == answer.status_code == 400, token
        assert "This link cannot be used" in page.content.decode()
        assert world_state() == before


def test_a_link_for_one_ticket_never_rates_another(resolved, requester, agent, team):
    other = open_and_resolve(requester=requester, agent=agent, team=team, subject="Printer")
    good_a, _, _ = links_of(resolved_mail(resolved, requester).body)

    # Whatever the form says, the link's ticket is the one rated.
    Client().post(link(good_a), {"score": "good", "ticket": other.pk, "reference": other.reference})
    assert list(Rating.objects.values_list("ticket_id", flat=True)) == [resolved.pk]

    # A's payload pointed at B keeps A's signature: refused.
    _body, rest = good_a.split(":", 1)
    payload = signing.read_token(good_a, salt=SALT, max_age=60)
    forged_body = django_signing.dumps({**payload, "t": other.pk}, salt=SALT, compress=True)
    forged = forged_body.split(":", 1)[0] + ":" + rest
    assert Client().post(link(forged), {"score": "bad"}).status_code == 400
    assert not Rating.objects.filter(ticket=other).exists()


def test_only_the_requester_can_rate(resolved, requester, agent):
    follower = UserFactory(email="fred@example.com")
    followers_add(ticket=resolved, users=[follower], actor=agent)
    # Even a link signed with our own key, were one made for someone else, is refused.
    for person in (follower, agent):
        token = rating_token(ticket=resolved, person=person, score="bad")
        assert Client().post(link(token), {"score": "bad"}).status_code == 400
    with pytest.raises(Exception, match="Only the requester"):
        rating_submit(ticket=resolved, person=follower, score="bad", comment="", via="portal")
    assert not Rating.objects.exists()


def test_a_deactivated_requester_link_stops_working(resolved, requester):
    good, _, _ = links_of(resolved_mail(resolved, requester).body)
    requester.is_active = False
    requester.save(update_fields=["is_active"])
    assert Client().post(link(good), {"score": "good"}).status_code == 400
    assert not Rating.objects.exists()


def test_a_post_without_a_score_is_explained(resolved, requester):
    _, _, comment = links_of(resolved_mail(resolved, requester).body)
    answer = Client().post(link(comment), {"comment": "Hmm"})
    assert answer.status_code == 400
    assert "Choose Good or Bad." in answer.content.decode()
    assert not Rating.objects.exists()


def test_back_from_saving_the_page_shows_what_was_saved(resolved, requester):
    good, _, _ = links_of(resolved_mail(resolved, requester).body)
    client = Client()
    # On the "Good" link's page the requester picks Bad after all.
    answer = client.post(link(good), {"score": "bad", "comment": "Slow."})
    assert answer["Location"] == link(good) + "?saved=1"
    page = client.get(answer["Location"])
    assert page.context["form"].initial == {"score": "bad", "comment": "Slow."}
    assert "Thank you!" in page.content.decode()
    # Opened again from the e-mail later, the link's choice is offered (to change it back).
    assert client.get(link(good)).context["form"].initial["score"] == "good"
