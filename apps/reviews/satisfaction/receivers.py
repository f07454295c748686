"""Registrations of this part of reviews (called from ``apps.reviews.receivers``): the "rated"
event, the rating links of the "resolved" e-mail, and the ticket panels."""

from django.template.loader import render_to_string


def rating_mail_links(*, ticket, person, event) -> str:
    """The one-click links of the "resolved" e-mail: for its requester only (a follower's say
    is not the requester's)."""
    from .links import CHANGEABLE_FOR, finished_at, rating_url
    from .models import Score

    if person.pk != ticket.requester_id or finished_at(ticket) is None:
        return ""
    context = {
        "good": rating_url(ticket=ticket, person=person, score=Score.GOOD),
        "bad": rating_url(ticket=ticket, person=person, score=Score.BAD),
        "comment": rating_url(ticket=ticket, person=person),
        "days": CHANGEABLE_FOR.days,
    }
    return render_to_string("reviews/satisfaction/mail/rating_links.txt", context)


def register() -> None:
    from apps.tickets import extensions

    from . import events  # noqa: F401  (declares "rated")
    from .views import agent_panel_context, portal_panel_context

    extensions.mail_addition("satisfaction", ["ticket_resolved"], rating_mail_links)
    extensions.ticket_panel(
        extensions.Panel(
            name="satisfaction",
            template="reviews/satisfaction/portal_panel.html",
            context=portal_panel_context,
            audience="requester",
            order=10,
        )
    )
    extensions.ticket_panel(
        extensions.Panel(
            name="satisfaction-agent",
            template="reviews/satisfaction/agent_panel.html",
            context=agent_panel_context,
            audience="agent",
            order=12,
        )
    )
