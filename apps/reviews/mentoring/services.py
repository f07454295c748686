"""The weekly mentor review: the writes. Leads pair sponsors with techs; techs say in a line
what they did on each ticket they touched; sponsors keep a private coaching note per ticket,
suggest articles, and mark requesters' praise as kudos; the Monday digest goes to each sponsor
once."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Membership, Team, User
from apps.core.errors import ApplicationError
from apps.core.outbox import outbox_enqueue
from apps.core.text import long_text, single_line
from apps.tickets.models import Comment, Ticket

from ..satisfaction.models import Kudos
from ..satisfaction.services import kudos_from_reply
from .models import MAX_TECHS, Pairing, ReviewEntry
from .selectors import digests_for_week, is_admin, touched_ever, touched_in_week
from .weeks import last_week, week_last_day, week_of

SUMMARY_MAX = 200  # ReviewEntry.summary's max_length


# --- Pairings --------------------------------------------------------------------------------


def may_pair(user: User, team: Team) -> bool:
    return is_admin(user) or team.pk in user.led_team_ids


def _check_people(*, team: Team, sponsor: User, techs: list[User], pairing: Pairing | None):
    if sponsor is None:
        raise ApplicationError("Choose the sponsor.", field="sponsor")
    if not techs:
        raise ApplicationError("Choose at least one tech for the sponsor.", field="techs")
    if len({t.pk for t in techs}) != len(techs):
        raise ApplicationError("Each tech once, please.", field="techs")
    if len(techs) > MAX_TECHS:
        raise ApplicationError(
            f"A sponsor mentors at most {MAX_TECHS} techs: {len(techs)} chosen.", field="techs"
        )
    if sponsor.pk in {t.pk for t in techs}:
        raise ApplicationError(f"{sponsor} cannot sponsor themself.", field="techs")
    seated = set(
        Membership.objects.filter(
            team=team, user__in=[sponsor, *techs], user__is_active=True
        ).values_list("user_id", flat=True)
    )
    for person, field in [(sponsor, "sponsor"), *((t, "techs") for t in techs)]:
        if person.pk not in seated:
            raise ApplicationError(f"{person} is not an agent of {team}.", field=field)
    others = Pairing.objects.filter(team=team, is_active=True)
    if pairing is not None:
        others = others.exclude(pk=pairing.pk)
    if others.filter(sponsor=sponsor).exists():
        raise ApplicationError(
            f"{sponsor} already sponsors techs in {team}: add these to that pairing.",
            field="sponsor",
        )
    taken = others.filter(techs__in=techs).select_related("sponsor").first()
    if taken is not None:
        tech = next(t for t in techs if taken.techs.filter(pk=t.pk).exists())
        raise ApplicationError(
            f"{tech} already has a sponsor in {team}: {taken.sponsor}. A tech has one sponsor "
            "per team; change that pairing first.",
            field="techs",
        )


def _lock_team(team: Team) -> Team:
    """Pairings of a team are written one at a time, so two leads pairing the same tech at
    once cannot both pass the "one sponsor per team" check."""
    return Team.objects.select_for_update().get(pk=team.pk)


@transaction.atomic
def pairing_create(*, actor: User, team: Team, sponsor: User, techs: Iterable[User]) -> Pairing:
    """Pair a sponsor with up to MAX_TECHS techs of the team (a lead of the team, or admin)."""
    techs = list(techs)
    if not may_pair(actor, team):
        raise ApplicationError(f"Only a lead of {team} pairs its people.", code="forbidden")
    team = _lock_team(team)
    _check_people(team=team, sponsor=sponsor, techs=techs, pairing=None)
    pairing = Pairing.objects.create(team=team, sponsor=sponsor, created_by=actor)
    pairing.techs.set(techs)
    return pairing


@transaction.atomic
def pairing_update(
    *,
    actor: User,
    pairing: Pairing,
    sponsor: User,
    techs: Iterable[User],
    is_active: bool = True,
) -> Pairing:
    """Change a pairing's sponsor or techs, or end it (``is_active=False``); its team stays."""
    techs = list(techs)
    if not may_pair(actor, pairing.team):
        raise ApplicationError(f"Only a lead of {pairing.team} pairs its people.", code="forbidden")
    team = _lock_team(pairing.team)
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    if is_active:
        _check_people(team=team, sponsor=sponsor, techs=techs, pairing=pairing)
        pairing.sponsor = sponsor
        pairing.techs.set(techs)
    pairing.is_active = is_active
    pairing.save(update_fields=["sponsor", "is_active"])
    return pairing


# --- Entries ---------------------------------------------------------------------------------


def _check_touched(*, tech: User, ticket: Ticket, week: datetime.date) -> None:
    touched = touched_in_week(tech_ids=[tech.pk], week=week).get(tech.pk, [])
    if all(t.ticket.pk != ticket.pk for t in touched):
        raise ApplicationError(
            f"{ticket.reference} is not among the tickets {tech} touched that closed in the "
            f"week of {week.day} {week:%B %Y}.",
            field="ticket",
            code="not_touched",
        )


@transaction.atomic
def entry_summarise(
    *, actor: User, week: datetime.date, ticket: Ticket, summary: str, passed_on: bool
) -> ReviewEntry:
    """The tech's one line on a ticket they touched in the week (or "passed it on"). Only the
    tech writes it: their sponsor reads it."""
    week = week_of(week)
    _check_touched(tech=actor, ticket=ticket, week=week)
    summary = single_line(summary, "summary", SUMMARY_MAX, required=False)
    if not summary and not passed_on:
        raise ApplicationError(
            "Say in one line what you did, or tick “I passed it on without working it”.",
            field="summary",
        )
    entry, _ = ReviewEntry.objects.update_or_create(
        week=week,
        tech=actor,
        ticket=ticket,
        defaults={"summary": summary, "passed_on": bool(passed_on), "updated_at": timezone.now()},
    )
    return entry


def may_coach(user: User, tech: User) -> bool:
    """The tech's sponsor, a lead of a team where the tech is paired, or an admin; never the
    tech themself (the note is for the sponsor's 1:1, not for the tech to read)."""
    if not user.is_authenticated or user.pk == tech.pk:
        return False
    if is_admin(user):
        return True
    paired = Pairing.objects.filter(is_active=True, techs=tech)
    return (
        paired.filter(sponsor=user).exists() or paired.filter(team__in=user.led_team_ids).exists()
    )


@transaction.atomic
def entry_coach(
    *,
    actor: User,
    week: datetime.date,
    tech: User,
    ticket: Ticket,
    coaching_note: str,
    suggest_article: bool,
) -> ReviewEntry:
    """The sponsor's private note on one ticket of the tech's week, and whether the ticket
    holds a reusable solution worth an article (the tech sees only that suggestion)."""
    if not may_coach(actor, tech):
        raise ApplicationError(
            f"Only {tech}'s sponsor or a lead of their team coaches them.", code="forbidden"
        )
    week = week_of(week)
    _check_touched(tech=tech, ticket=ticket, week=week)
    note = long_text(coaching_note, "coaching_note", required=False)
    entry, _ = ReviewEntry.objects.update_or_create(
        week=week,
        tech=tech,
        ticket=ticket,
        defaults={
            "coaching_note": note,
            "coached_by": actor,
            "suggest_article": bool(suggest_article),
            "updated_at": timezone.now(),
        },
    )
    return entry


# --- Kudos -----------------------------------------------------------------------------------


def may_mark_kudos(user: User, ticket: Ticket) -> bool:
    """A lead of the ticket's team, an admin, or a sponsor one of whose techs touched it."""
    if not user.is_authenticated or not user.is_active:
        return False
    if is_admin(user) or (ticket.team_id and ticket.team_id in user.led_team_ids):
        return True
    tech_ids = Pairing.objects.filter(is_active=True, sponsor=user).values_list("techs", flat=True)
    return touched_ever(tech_ids=[pk for pk in tech_ids if pk], ticket=ticket)


def reply_mark_kudos(*, actor: User, comment: Comment) -> Kudos:
    """Collect a requester's public reply as kudos for the ticket's agent."""
    if not may_mark_kudos(actor, comment.ticket):
        raise ApplicationError(
            "Only a lead of the ticket's team, or the sponsor of a tech who worked it, marks "
            "its replies as kudos.",
            code="forbidden",
        )
    return kudos_from_reply(comment=comment, actor=actor)


# --- The Monday digest -----------------------------------------------------------------------


def week_url(week: datetime.date) -> str:
    return settings.SITE_URL + reverse("reviews:mentoring_week_of", args=[week.isoformat()])


@transaction.atomic
def digest_send(*, week: datetime.date | None = None) -> int:
    """Store each sponsor's digest of ``week`` (default: last week) in the outbox: per tech
    the tickets they touched that closed, with their summary. Exactly once per sponsor and
    week, however often it runs (the outbox's dedupe key). Returns how many were stored now.
    A sponsor whose techs touched nothing that week gets nothing."""
    week = week_of(week or last_week())
    stored = 0
    for digest in digests_for_week(week):
        sponsor = digest.sponsor
        if not digest.ticket_count or not sponsor.takes_mail:
            continue
        context = {
            "sponsor": sponsor,
            "digest": digest,
            "week": week,
            "last_day": week_last_day(week),
            "url": week_url(week),
        }
        message = outbox_enqueue(
            kind="mentoring_digest",
            to=sponsor.email,
            subject=render_to_string("reviews/mentoring/email/digest_subject.txt", context).strip(),
            body=render_to_string("reviews/mentoring/email/digest.txt", context),
            dedupe_key=f"mentoring-digest:{sponsor.pk}:{week.isoformat()}",
            recipient=sponsor,
        )
        stored += message is not None
    return stored
