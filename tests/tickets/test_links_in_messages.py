"""Addresses in a request or a reply are links people can click, and nothing else a message
holds becomes markup."""

from apps.tickets.services import comment_add, ticket_create
from tests.conftest import signed_in


def test_urls_in_the_request_and_replies_are_links_and_markup_stays_text(requester, agent, team):
    ticket = ticket_create(
        requester=requester,
        subject="Till shows an error",
        description="Screenshot at https://files.example.com/till.png?size=2&x=1 please look",
    )
    ticket.team = team
    ticket.save()
    comment_add(
        ticket=ticket,
        author=requester,
        body="Also <script>alert(1)</script> and javascript:alert(2) and www.example.org/help",
    )
    page = signed_in(requester).get(f"/portal/tickets/{ticket.reference}/").content.decode()

    assert '<a href="https://files.example.com/till.png?size=2&amp;x=1" rel="nofollow">' in page
    assert '<a href="http://www.example.org/help" rel="nofollow">' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="javascript' not in page
