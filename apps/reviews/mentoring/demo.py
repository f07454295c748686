"""Demo of the mentor review: the Service Desk lead sponsors its three agents, and last week
has tickets each of them touched, with a few summaries written, one ticket passed on, one
coaching note, and requesters' thanks to mark as kudos (one marked already).

The tickets demo spreads its tickets over five months, so few of them close in any one week:
the tickets of last week's review are played here, through the services, at their moments of
last week (as the tickets demo does)."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import F
from django.utils import timezone

from apps.core.errors import ApplicationError
from apps.core.models import OutboxMessage, OutboxStatus
from apps.tickets.models import Comment, Resolution, Status, Ticket
from apps.tickets.services import comment_add, ticket_create, ticket_take, ticket_update

from .selectors import touched_in_week
from .services import entry_coach, entry_summarise, pairing_create, reply_mark_kudos
from .weeks import last_week


@dataclass(frozen=True)
class Story:
    tech: str  # demo["people"] key of who takes it
    requester: str
    subject: str
    description: str
    reply: str
    resolution: str
    praise: str = ""  # the requester's thanks, before it is resolved
    note: str = ""  # an internal note by the tech
    passed_to: str = ""  # the tech hands it to this colleague without working it
    summary: str = ""  # the tech's one line in the review


STORIES = [
    Story(
        "agent_t1",
        "store_manager",
        "Receipt printer at till 4 prints faint text",
        "The receipts from till 4 are almost unreadable since Friday. New paper roll did not help.",
        "The print head density was reset by the last driver update. I've set it back remotely: "
        "can you print a test receipt?",
        Resolution.WORKAROUND,
        praise="Thanks so much, Tariq! Receipts are perfectly readable again, and you fixed it "
        "before the lunch rush.",
        note="Driver 3.2 resets density to 40 %. Same fix on tills 1-3 in Lille last month.",
        summary="Reset print density after the driver update (remote, 10 min).",
    ),
    Story(
        "agent_t1",
        "cashier",
        "Cannot sign in to the till after holiday",
        "I was away three weeks and now my till login says 'account expired'.",
        "Your till account expires after 21 days without a sign-in. I've reactivated it: use "
        "your usual PIN.",
        Resolution.INFORMATION,
        summary="Reactivated an expired till account; told her about the 21-day rule.",
    ),
    Story(
        "agent_t1b",
        "payroll_clerk",
        "Shared mailbox 'payroll-queries' not showing in Outlook",
        "Since the migration the payroll-queries mailbox is gone from my Outlook.",
        "The migration dropped your access to the shared mailbox. Access is back; restart "
        "Outlook and it appears within a few minutes.",
        Resolution.CHANGE,
        praise="Thank you so much Mia, it's back and I can answer the payslip questions "
        "today. Lovely quick help!",
        summary="Re-granted shared mailbox access lost in the migration.",
    ),
    Story(
        "agent_t1b",
        "warehouse",
        "Handheld scanner keeps losing Wi-Fi in aisle 12",
        "The handheld scanners drop the Wi-Fi connection in aisle 12 at the distribution centre.",
        "The access point for aisle 12 was on an old firmware. Updated it and moved the "
        "scanners to the 5 GHz network.",
        Resolution.CHANGE,
        passed_to="agent_t2",
    ),
    Story(
        "agent_t2",
        "franchise",
        "Promotion prices wrong on the tills in Bordeaux",
        "The -20 % promotion shows on the labels but the tills charge the full price.",
        "The promotion had no store list for the POS channel. I've added Store 301 and "
        "republished it: the tills take it within 15 minutes.",
        Resolution.CHANGE,
        praise="Thanks so much Sofia, the tills charge the promotion price now. That saved "
        "our Saturday!",
        note="Promotions created from the new template miss the POS channel: template to fix.",
        summary="Added the POS channel to the promotion and republished it.",
    ),
    Story(
        "agent_t2",
        "marketing",
        "Install Power BI Desktop for the campaign report",
        "I need Power BI Desktop to open the weekly campaign report.",
        "It's approved: Power BI Desktop is in the software centre for you now.",
        Resolution.INFORMATION,
    ),
]

COACHING = (
    "Did you know you can send the “Till printers: faint receipts” article from the knowledge "
    "panel instead of typing the steps? Worth writing it up: three stores had this."
)


def populate(demo: dict) -> None:
    people, teams = demo.get("people"), demo.get("teams")
    if not people or "service-desk" not in (teams or {}):
        return
    lead, desk = people["lead"], teams["service-desk"]
    techs = [people["agent_t1"], people["agent_t1b"], people["agent_t2"]]
    pairing_create(actor=lead, team=desk, sponsor=lead, techs=techs)
    week = last_week()
    played = [_play(story, i, demo, week) for i, story in enumerate(STORIES)]
    for story, (ticket, _) in zip(STORIES, played, strict=True):
        if ticket is None:
            continue
        tech = people[story.tech]
        try:
            if story.summary:
                entry_summarise(
                    actor=tech, week=week, ticket=ticket, summary=story.summary, passed_on=False
                )
            elif story.passed_to:
                entry_summarise(actor=tech, week=week, ticket=ticket, summary="", passed_on=True)
        except ApplicationError:
            pass  # resolved outside the week after all (a guard refused a step)
    first = played[0][0]
    if first is not None:
        entry_coach(
            actor=lead,
            week=week,
            tech=techs[0],
            ticket=first,
            coaching_note=COACHING,
            suggest_article=True,
        )
    praised = [praise for _, praise in played if praise is not None]
    if praised:
        reply_mark_kudos(actor=lead, comment=praised[-1])  # one shown as marked already
    _past_mail_sent(demo)
    counts = touched_in_week(tech_ids=[t.pk for t in techs], week=week)
    demo["stdout"].write(
        f"  mentoring: {lead} sponsors {', '.join(str(t) for t in techs)}; last week "
        + ", ".join(f"{t.get_short_name()} {len(counts.get(t.pk, []))}" for t in techs)
        + " tickets"
    )


def _play(story: Story, index: int, demo: dict, week) -> tuple[Ticket | None, Comment | None]:
    """Open, work and resolve one ticket at its moments of last week (weekdays, from 09:00)."""
    import time_machine  # a development dependency, like the demo itself

    people, desk = demo["people"], demo["teams"]["service-desk"]
    day = week + timedelta(days=index % 5)
    start = datetime.combine(day, time(9, 0), tzinfo=timezone.get_default_timezone())
    start += timedelta(minutes=25 * index)
    traveller = time_machine.travel(start, tick=False)
    clock = traveller.start()
    minutes = 0

    def later(step: int) -> None:
        nonlocal minutes
        minutes += step
        clock.move_to(start + timedelta(minutes=minutes))

    tech, requester = people[story.tech], people[story.requester]
    ticket, praise = None, None
    try:
        ticket = ticket_create(
            requester=requester, subject=story.subject, description=story.description
        )
        if ticket.team_id != desk.pk:
            later(10)
            ticket_update(ticket=ticket, actor=people["lead"], data={"team": desk})
        later(20)
        ticket_take(ticket=ticket, agent=tech)
        worker = tech
        if story.passed_to:
            later(15)
            worker = people[story.passed_to]
            ticket_update(ticket=ticket, actor=tech, data={"assignee": worker})
        later(30)
        comment_add(ticket=ticket, author=worker, body=story.reply)
        if story.note:
            later(5)
            comment_add(ticket=ticket, author=worker, body=story.note, internal=True)
        if story.praise:
            later(40)
            praise = comment_add(ticket=ticket, author=requester, body=story.praise)
        later(20)
        ticket_update(
            ticket=ticket,
            actor=worker,
            data={"status": Status.RESOLVED, "resolution": story.resolution},
        )
    except ApplicationError:
        pass  # a feature app refused a step: the ticket stays where it got to
    finally:
        traveller.stop()
    return ticket, praise


def _past_mail_sent(demo: dict) -> None:
    """These tickets' notifications belong to the demo's past, as the mail demo says of the
    others (it ran before this one)."""
    started_at = demo.get("started_at")
    if started_at is not None:
        OutboxMessage.objects.filter(created_at__lt=started_at, status=OutboxStatus.PENDING).update(
            status=OutboxStatus.SENT, sent_at=F("created_at")
        )
