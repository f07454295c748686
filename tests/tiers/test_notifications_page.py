"""The notifications page: newest first, 25 a page, unread ones marked; each notice opens its
ticket where the reader may see it (and is read from then on); "Mark read" and "Mark all as
read" touch only one's own notices."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.tickets.models import Notification
from apps.tickets.services import ticket_update
from tests.conftest import signed_in
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def notices(user, ticket, count, *, read=False):
    """``count`` notices, the first the oldest, a minute apart."""
    start = timezone.now() - timedelta(days=1)
    return Notification.objects.bulk_create(
        Notification(
            user=user,
            ticket=ticket,
            kind="test",
            message=f"Notice number {n}",
            created_at=start + timedelta(minutes=n),
            read_at=start if read else None,
        )
        for n in range(count)
    )


def is_unread(notice) -> bool:
    notice.refresh_from_db()
    return notice.read_at is None


def test_newest_first_twenty_five_a_page(ticket, tier1):
    notices(tier1, ticket, 30)
    client = signed_in(tier1)

    first = client.get(reverse("tiers:notifications")).content.decode()
    second = client.get(reverse("tiers:notifications") + "?page=2").content.decode()

    assert first.count('class="notice unread"') == 25
    assert first.index("Notice number 29") < first.index("Notice number 5<")
    assert "Notice number 4<" not in first
    assert "Page 1 of 2" in first
    assert "?page=2" in first
    assert second.count('class="notice unread"') == 5
    assert "Notice number 0<" in second
    assert "Notice number 29" not in second


def test_unread_notices_are_marked_and_read_ones_are_not(ticket, tier1):
    [read] = notices(tier1, ticket, 1, read=True)
    [unread] = notices(tier1, ticket, 1)
    Notification.objects.filter(pk=unread.pk).update(message="Fresh news")
    Notification.objects.filter(pk=read.pk).update(message="Old news")

    page = signed_in(tier1).get(reverse("tiers:notifications")).content.decode()

    fresh = page[page.index(f'id="notice-{unread.pk}"') - 40 : page.index("Fresh news")]
    old = page[page.index(f'id="notice-{read.pk}"') - 40 : page.index("Old news")]
    assert 'class="notice unread"' in fresh
    assert "Unread:" in fresh
    assert 'class="notice"' in old
    assert "Unread:" not in old
    assert page.count(">Mark read</button>") == 1  # only the unread one offers it


@pytest.mark.parametrize("count", [2, 60])
def test_the_page_costs_the_same_queries_for_few_and_many(
    count, ticket, tier1, customer, desk, django_assert_max_num_queries
):
    # Tickets of several kinds: the team's, one moved away, the reader's own request.
    moved = TicketFactory(requester=customer)
    own = TicketFactory(requester=tier1)
    for index in range(count):
        notices(tier1, (ticket, moved, own)[index % 3], 1)
    client = signed_in(tier1)
    client.get(reverse("tiers:notifications"))  # the session is loaded once

    # Session, user, page count, page rows, the reader's seats, the top bar's unread count.
    with django_assert_max_num_queries(6):
        response = client.get(reverse("tiers:notifications"))

    assert response.status_code == 200


def test_opening_a_notice_marks_it_read_and_goes_to_the_ticket(ticket, tier1, customer):
    [agent_notice] = notices(tier1, ticket, 1)
    [requester_notice] = notices(customer, ticket, 1)

    to_desk = signed_in(tier1).get(reverse("tiers:notification-open", args=[agent_notice.pk]))
    to_portal = signed_in(customer).get(
        reverse("tiers:notification-open", args=[requester_notice.pk])
    )

    assert to_desk.status_code == 302
    assert to_desk["Location"] == reverse("workspace:ticket", args=[ticket.reference])
    assert to_portal["Location"] == reverse("portal:ticket", args=[ticket.reference])
    assert not is_unread(agent_notice)
    assert not is_unread(requester_notice)


def test_the_page_links_each_notice_through_its_opener(ticket, tier1):
    [notice] = notices(tier1, ticket, 1)

    page = signed_in(tier1).get(reverse("tiers:notifications")).content.decode()

    assert f'href="{reverse("tiers:notification-open", args=[notice.pk])}"' in page


def test_mark_read_marks_that_one_only(ticket, tier1):
    first, second = notices(tier1, ticket, 2)
    client = signed_in(tier1)

    response = client.post(reverse("tiers:notifications-read"), {"id": first.pk, "page": 2})

    assert response.status_code == 302
    assert response["Location"] == reverse("tiers:notifications") + "?page=2"
    assert not is_unread(first)
    assert is_unread(second)


def test_mark_read_with_htmx_swaps_the_notice_and_the_badge(ticket, tier1):
    first, _ = notices(tier1, ticket, 2)

    response = signed_in(tier1).post(
        reverse("tiers:notifications-read"), {"id": first.pk}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert f'<li class="notice" id="notice-{first.pk}">' in html  # no longer "unread"
    assert ">Mark read</button>" not in html
    assert 'hx-swap-oob="true"' in html
    assert 'aria-label="Notifications, 1 unread"' in html


def test_mark_all_as_read_leaves_other_peoples_notices_alone(ticket, tier1, tier2):
    mine = notices(tier1, ticket, 3)
    [theirs] = notices(tier2, ticket, 1)

    signed_in(tier1).post(reverse("tiers:notifications-read"))

    assert not any(is_unread(n) for n in mine)
    assert is_unread(theirs)


def test_someone_elses_notice_is_not_found_and_stays_unread(ticket, tier1, tier2):
    [theirs] = notices(tier2, ticket, 1)
    client = signed_in(tier1)

    marked = client.post(reverse("tiers:notifications-read"), {"id": theirs.pk})
    marked_htmx = client.post(
        reverse("tiers:notifications-read"), {"id": theirs.pk}, HTTP_HX_REQUEST="true"
    )
    opened = client.get(reverse("tiers:notification-open", args=[theirs.pk]))
    nonsense = client.post(reverse("tiers:notifications-read"), {"id": "1 OR 1=1"})

    assert marked.status_code == marked_htmx.status_code == opened.status_code == 404
    assert nonsense.status_code == 404
    assert is_unread(theirs)


def test_a_moved_ticket_is_named_not_linked_and_can_still_be_marked_read(ticket, tier1, payments):
    [notice] = notices(tier1, ticket, 1)
    ticket_update(ticket=ticket, actor=None, data={"team": payments}, source="test move")
    client = signed_in(tier1)

    page = client.get(reverse("tiers:notifications")).content.decode()
    opened = client.get(reverse("tiers:notification-open", args=[notice.pk]))

    assert reverse("tiers:notification-open", args=[notice.pk]) not in page
    assert ">Mark read</button>" in page
    assert opened["Location"] == reverse("tiers:notifications")  # no ticket page to go to
    assert not is_unread(notice)


def test_the_page_links_to_the_email_settings(tier1):
    page = signed_in(tier1).get(reverse("tiers:notifications")).content.decode()

    assert f'href="{reverse("accounts:email-settings")}"' in page
