"""Demo of satisfaction: requesters rated most of the demo's resolved tickets (about seven in
ten good, some with words that become kudos, some bad with a complaint), a lead shared a few
kudos with a manager, and the demo requester's ticket resolved an hour ago is left unrated: its
"resolved" e-mail (in the outbox and the mail output) carries rating links that work, without
signing in.

The ratings are written in bulk with their history events (a few hundred services calls would
slow the seed for nothing); the insights demo, after this one, computes the figures."""

import dataclasses
import random
import re
from datetime import timedelta

from django.utils import timezone

from apps.core.errors import ApplicationError
from apps.core.models import OutboxMessage
from apps.tickets.models import Status, Ticket, TicketEvent
from apps.tickets.services import comment_add, ticket_create, ticket_take, ticket_update

from .events import Rated
from .links import finished_at
from .models import Kudos, KudosSource, Rating, Score, Via
from .services import VIA_WORDS, WORDS, kudos_share, ticket_agent

RESPONSE_RATE = 0.6
GOOD_SHARE = 0.7

PRAISE = [
    "{agent} fixed it in ten minutes, before the lunch rush. Thank you!",
    "Very patient with me on the phone, and explained what went wrong. Great service.",
    "Thank you {agent}! Everything works again and you even checked back the next day.",
    "Quick, friendly and it works. Couldn't ask for more.",
    "{agent} kept me posted the whole time; I always knew what was happening.",
    "Saved our Saturday: the tills were back before we opened.",
    "Clear instructions, worked first time. Thanks a lot.",
]
COMPLAINTS = [
    "It took three days and I had to chase twice.",
    "The problem came back the next morning.",
    "Nobody told me it was waiting on me; I only found out by calling.",
    "The answer did not match my question, I had to explain everything again.",
]


def populate(demo: dict) -> None:
    rng = random.Random(2048)
    now = timezone.now()
    done = list(
        Ticket.objects.filter(status__in=(Status.RESOLVED, Status.CLOSED))
        .exclude(resolved_at=None)
        .select_related("assignee", "holder", "team", "requester")
        .order_by("pk")
    )
    ratings = []
    for ticket in done:
        if rng.random() > RESPONSE_RATE:
            continue
        ratings.append(_rating(rng, ticket, now))
    Rating.objects.bulk_create(ratings)
    Kudos.objects.bulk_create(
        Kudos(
            ticket_id=r.ticket_id,
            agent=r.agent,
            team=r.team,
            source=KudosSource.RATING,
            rating=r,
            text=r.comment,
            created_at=r.updated_at,
        )
        for r in ratings
        if r.score == Score.GOOD and r.comment
    )
    TicketEvent.objects.bulk_create(_event(r) for r in ratings)
    shared = _share(demo)
    showcase = _showcase(demo)
    good = sum(r.score == Score.GOOD for r in ratings)
    demo["stdout"].write(
        f"  satisfaction: {len(ratings)} ratings of {len(done)} resolved tickets "
        f"({good} good), {Kudos.objects.count()} kudos, {shared} shared with a manager"
    )
    if showcase is not None:
        demo["stdout"].write(
            f"  satisfaction: rate {showcase.reference} from its e-mail, signed out: "
            f"{_link_in_mail(showcase)}"
        )


def _rating(rng: random.Random, ticket: Ticket, now) -> Rating:
    agent = ticket_agent(ticket)
    good = rng.random() < GOOD_SHARE
    if good:
        name = agent.get_short_name() if agent else "the team"
        comment = rng.choice(PRAISE).format(agent=name) if rng.random() < 0.45 else ""
    else:
        comment = rng.choice(COMPLAINTS) if rng.random() < 0.6 else ""
    done = finished_at(ticket)
    # Rated within the week it may be, mostly within hours of the e-mail.
    at = min(done + timedelta(hours=rng.triangular(0.1, 24 * 6, 2)), now)
    return Rating(
        ticket=ticket,
        rated_by=ticket.requester,
        score=Score.GOOD if good else Score.BAD,
        comment=comment,
        via=Via.EMAIL if rng.random() < 0.8 else Via.PORTAL,
        agent=agent,
        team=ticket.team,
        created_at=at,
        updated_at=at,
    )


def _event(rating: Rating) -> TicketEvent:
    payload = Rated(
        rating_id=rating.pk,
        rating=WORDS[rating.score],
        satisfied=rating.score == Score.GOOD,
        channel=VIA_WORDS[rating.via],
        with_comment=bool(rating.comment),
    )
    return TicketEvent(
        ticket_id=rating.ticket_id,
        actor=rating.rated_by,
        kind=Rated.kind,
        data=dataclasses.asdict(payload),
        created_at=rating.created_at,
    )


def _showcase(demo: dict) -> Ticket | None:
    """The demo requester's printer, fixed this morning through the services and resolved now,
    left unrated: its "resolved" e-mail carries the rating links (for a week)."""
    import time_machine  # a development dependency, like the demo itself

    people, desk = demo.get("people", {}), demo.get("teams", {}).get("service-desk")
    requester, agent, lead = people.get("requester"), people.get("agent_t1"), people.get("lead")
    if None in (requester, agent, lead, desk):
        return None
    now = timezone.now().replace(second=0, microsecond=0)
    steps = iter(now - timedelta(minutes=m) for m in (300, 290, 240, 70))
    try:
        with time_machine.travel(next(steps), tick=False) as clock:
            ticket = ticket_create(
                requester=requester,
                subject="Label printer in the back office prints blank labels",
                description="Since this morning the shelf-label printer feeds blank labels. "
                "We need new price labels before the promotion starts tomorrow.",
                category=demo.get("categories", {}).get("Hardware fault"),
                product=demo.get("products", {}).get("Printer"),
                location=demo.get("locations", {}).get(requester.site),
            )
            clock.move_to(next(steps))
            ticket_update(ticket=ticket, actor=lead, data={"team": desk})
            clock.move_to(next(steps))
            ticket_take(ticket=ticket, agent=agent)
            comment_add(
                ticket=ticket,
                author=agent,
                body="The label template lost its font after last night's update. I've pushed "
                "it again: please print one test label.",
            )
            clock.move_to(next(steps))
            comment_add(ticket=ticket, author=requester, body="Test label is perfect, thanks!")
        # Resolved now, in the present: its e-mail is sent (to the mail output), not part of
        # the demo's past that the other demos mark as sent.
        ticket_update(ticket=ticket, actor=agent, data={"status": Status.RESOLVED})
    except ApplicationError:
        return None
    return ticket


def _link_in_mail(ticket: Ticket) -> str:
    message = (
        OutboxMessage.objects.filter(
            kind="ticket_resolved",
            ticket_reference=ticket.reference,
            to=ticket.requester.email,
        )
        .order_by("-pk")
        .first()
    )
    found = re.search(r"\S+/reviews/ratings/\S+/", message.body) if message else None
    return found.group() if found else "(no e-mail found)"


def _share(demo: dict) -> int:
    """The Service Desk lead sends last month's best words to the retail operations manager."""
    lead = demo.get("people", {}).get("lead")
    manager = demo.get("people", {}).get("manager")
    desk = demo.get("teams", {}).get("service-desk")
    if lead is None or manager is None or desk is None:
        return 0
    chosen = list(
        Kudos.objects.filter(team=desk, created_at__gte=timezone.now() - timedelta(days=30))
        .select_related("ticket", "agent", "team")
        .order_by("-created_at")[:4]
    )
    try:
        share = kudos_share(
            actor=lead,
            kudos=chosen,
            recipients=[manager],
            message="A few words from the stores this month: well deserved, team.",
        )
    except ApplicationError:
        return 0
    return share.kudos.count()
