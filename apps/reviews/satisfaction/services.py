"""Ratings and kudos: the writes."""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from apps.accounts.models import User
from apps.core.errors import ApplicationError
from apps.core.outbox import outbox_enqueue
from apps.core.text import long_text
from apps.tickets.events import event_record, ticket_transaction
from apps.tickets.models import Comment, Ticket

from .events import Rated
from .links import CHANGEABLE_FOR, finished_at
from .models import Kudos, KudosShare, KudosSource, Rating, Score, Via

WORDS = {Score.GOOD: "Good", Score.BAD: "Bad"}
VIA_WORDS = {Via.EMAIL: "e-mail link", Via.PORTAL: "portal"}
MAX_COMMENT = 4000
MAX_RECIPIENTS = 20


def ticket_agent(ticket: Ticket):
    """The agent praise (or blame) on this ticket is for: its assignee, else its holder."""
    return ticket.assignee or ticket.holder


def rating_open_until(ticket: Ticket):
    """Until when the requester may rate this ticket (or change their rating); None while the
    ticket is active."""
    done = finished_at(ticket)
    return done + CHANGEABLE_FOR if done else None


@ticket_transaction()
def rating_submit(*, ticket: Ticket, person: User, score: str, comment: str, via: str) -> Rating:
    """Rate a resolved ticket as its requester, or change the rating while it may be changed.

    One rating per ticket: a second answer (the other link, the portal) changes it. A good
    rating with a comment is kudos for the ticket's agent; changing it to bad (or taking the
    comment away) withdraws that kudos.
    """
    if score not in Score.values:
        raise ApplicationError("Choose Good or Bad.", field="score")
    if via not in Via.values:
        raise ApplicationError("Unknown way of rating.", field="via")
    comment = long_text(comment, "comment", MAX_COMMENT, required=False)
    locked = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("team", "assignee", "holder")
        .get(pk=ticket.pk)
    )
    if not person.is_active or locked.requester_id != person.pk:
        raise ApplicationError("Only the requester can rate this ticket.", code="forbidden")
    until = rating_open_until(locked)
    if until is None:
        raise ApplicationError(
            f"{locked.reference} is not resolved: there is nothing to rate yet.", code="active"
        )
    if timezone.now() > until:
        raise ApplicationError(
            f"Ratings can be given or changed for {CHANGEABLE_FOR.days} days after a request "
            f"is resolved; {locked.reference} was resolved on {finished_at(locked):%d %b %Y}.",
            code="expired",
        )
    now = timezone.now()
    fields = {
        "rated_by": person,
        "score": score,
        "comment": comment,
        "via": via,
        "agent": ticket_agent(locked),
        "team": locked.team,
        "updated_at": now,
    }
    rating = Rating.objects.filter(ticket=locked).first()
    before = rating.score if rating else None
    if rating is None:
        rating = Rating.objects.create(ticket=locked, created_at=now, **fields)
    elif (rating.score, rating.comment) == (score, comment):
        return rating  # the same answer again (a second click, a reload): nothing happened
    else:
        for name, value in fields.items():
            setattr(rating, name, value)
        rating.save()
    _kudos_follow(rating)
    event_record(
        ticket=ticket,
        payload=Rated(
            rating_id=rating.pk,
            rating=WORDS[score],
            satisfied=score == Score.GOOD,
            channel=VIA_WORDS[via],
            with_comment=bool(comment),
        ),
        actor=person,
        changes=(
            {"rating": {"before": WORDS[before], "after": WORDS[score]}}
            if before and before != score
            else None
        ),
    )
    return rating


def _kudos_follow(rating: Rating) -> None:
    """A good rating's comment is kudos; a bad one (or no comment) is none."""
    if rating.score == Score.GOOD and rating.comment:
        Kudos.objects.update_or_create(
            rating=rating,
            defaults={
                "ticket_id": rating.ticket_id,
                "agent": rating.agent,
                "team": rating.team,
                "source": KudosSource.RATING,
                "text": rating.comment,
            },
            create_defaults={
                "ticket_id": rating.ticket_id,
                "agent": rating.agent,
                "team": rating.team,
                "source": KudosSource.RATING,
                "text": rating.comment,
                "created_at": rating.updated_at,
            },
        )
    else:
        Kudos.objects.filter(rating=rating).delete()


@transaction.atomic
def kudos_from_reply(*, comment: Comment, actor) -> Kudos:
    """Mark a requester's public reply as kudos for the ticket's agent (once per reply)."""
    ticket = comment.ticket
    if comment.is_internal or comment.author_id != ticket.requester_id:
        raise ApplicationError("Only a requester's public reply can be kudos.", field="comment")
    kudos, _ = Kudos.objects.get_or_create(
        comment=comment,
        defaults={
            "ticket": ticket,
            "agent": ticket_agent(ticket),
            "team": ticket.team,
            "source": KudosSource.REPLY,
            "text": comment.body,
            "marked_by": actor,
        },
    )
    return kudos


@transaction.atomic
def kudos_share(
    *, actor: User, kudos: Iterable[Kudos], recipients: Iterable[User], message: str = ""
) -> KudosShare:
    """E-mail a lead's choice of kudos upward: one message per recipient (exactly once), and a
    record of what went to whom. ``kudos`` must already be limited to what ``actor`` may see
    (``selectors.kudos_for``)."""
    from .selectors import may_share

    if not may_share(actor):
        raise ApplicationError("Only a team lead can share kudos.", code="forbidden")
    chosen = list(kudos)
    people = {person.pk: person for person in recipients}
    if not chosen:
        raise ApplicationError("Choose the kudos to share.", field="kudos")
    if not people:
        raise ApplicationError("Choose who gets them.", field="recipients")
    if len(people) > MAX_RECIPIENTS:
        raise ApplicationError(
            f"Share with at most {MAX_RECIPIENTS} people at a time.", field="recipients"
        )
    unreachable = [p for p in people.values() if not (p.is_active and p.takes_mail)]
    if unreachable:
        raise ApplicationError(
            f"{unreachable[0].get_full_name()} cannot be e-mailed.", field="recipients"
        )
    message = long_text(message, "message", MAX_COMMENT, required=False)
    share = KudosShare.objects.create(sent_by=actor, message=message)
    share.recipients.set(people.values())
    share.kudos.set(chosen)
    ordered = sorted(chosen, key=lambda k: (str(k.agent or ""), -k.created_at.timestamp()))
    for person in sorted(people.values(), key=lambda p: p.email.lower()):
        context = {
            "share": share,
            "person": person,
            "sender": actor,
            "kudos": ordered,
            "site_url": settings.SITE_URL,
        }
        outbox_enqueue(
            kind="kudos_share",
            to=person.email,
            subject=render_to_string(
                "reviews/satisfaction/mail/kudos_share_subject.txt", context
            ).strip(),
            body=render_to_string("reviews/satisfaction/mail/kudos_share.txt", context),
            dedupe_key=f"kudos-share:{share.pk}:{person.email.lower()}",
        )
    return share
