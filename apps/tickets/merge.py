"""Merging a duplicate into the ticket that stays: one conversation, one set of people, one
place to work it. The duplicate keeps its own history, is closed as a duplicate and its page
leads to the ticket it joined; its requester is told where their request went."""

import dataclasses

from django.template.loader import render_to_string

from apps.accounts.models import User
from apps.core.errors import ApplicationError
from apps.core.outbox import outbox_enqueue

from . import extensions
from . import history as h
from .events import declare, event_record, ticket_transaction
from .models import Attachment, Comment, Follower, Resolution, Status, Ticket
from .permissions import can_work
from .services import followers_add, ticket_update


@declare("merged_into", "merged the ticket into another", hidden=["target_id"])
@dataclasses.dataclass(frozen=True)
class MergedInto:
    target_id: int
    target: str  # "SB-10432 Till 4 will not start"

    def describe(self, event) -> str:
        return f"Merged into {self.target}{h.by(event)}: its messages and people moved there"


@declare("merged_from", "merged another ticket into this one", hidden=["source_id"])
@dataclasses.dataclass(frozen=True)
class MergedFrom:
    source_id: int
    source: str
    messages: int = 0
    files: int = 0

    def describe(self, event) -> str:
        moved = f"{self.messages} message{'s' if self.messages != 1 else ''}"
        if self.files:
            moved += f" and {h.files(self.files)}"
        return f"{self.source} was merged into this ticket{h.by(event)} ({moved} moved here)"


def merge_target(ticket: Ticket) -> Ticket:
    """Where a merged ticket's page leads: the end of the chain (a ticket merged into one that
    was merged again leads to the last)."""
    seen = {ticket.pk}
    while ticket.merged_into_id and ticket.merged_into_id not in seen:
        seen.add(ticket.merged_into_id)
        ticket = Ticket.objects.get(pk=ticket.merged_into_id)
    return ticket


def _locked_pair(source: Ticket, target: Ticket) -> tuple[Ticket, Ticket]:
    # Always in id order, so two agents merging the same pair opposite ways cannot deadlock.
    rows = {
        t.pk: t
        for t in Ticket.objects.select_for_update(of=("self",))
        .select_related("requester", "team")
        .filter(pk__in=[source.pk, target.pk])
        .order_by("pk")
    }
    return rows[source.pk], rows[target.pk]


def _check(source: Ticket, target: Ticket, actor: User) -> None:
    if source.pk == target.pk:
        raise ApplicationError("A ticket cannot be merged into itself.", field="target")
    if not (can_work(actor, source) and can_work(actor, target)):
        raise ApplicationError(
            "Merge only tickets you may work, both of them.", field="target", code="forbidden"
        )
    if source.merged_into_id:
        raise ApplicationError(f"{source.reference} was merged already.", field="target")
    if target.merged_into_id:
        into = merge_target(target)
        raise ApplicationError(
            f"{target.reference} was itself merged into {into.reference}: merge into that one.",
            field="target",
        )
    if target.status == Status.CLOSED:
        raise ApplicationError(
            f"{target.reference} is closed: merge it into this ticket instead.", field="target"
        )


@ticket_transaction()
def ticket_merge(*, source: Ticket, target: Ticket, actor: User) -> Ticket:
    """Move the duplicate's thread, files, followers (its requester among them) and, through
    the merge steps of feature apps, its subtasks to ``target``; close it as a duplicate."""
    source, target = _locked_pair(source, target)
    _check(source, target, actor)
    messages = Comment.objects.filter(ticket=source).update(ticket=target)
    files = Attachment.objects.filter(ticket=source).update(ticket=target)
    for step in extensions.merge_steps():
        step(source=source, target=target, actor=actor)
    people = [source.requester, *User.objects.filter(followed_tickets__ticket=source)]
    followers_add(ticket=target, users=people, actor=actor, source="merge")
    Follower.objects.filter(ticket=source).delete()
    event_record(
        ticket=source,
        payload=MergedInto(target_id=target.pk, target=f"{target.reference} {target.subject}"),
        actor=actor,
    )
    event_record(
        ticket=target,
        payload=MergedFrom(
            source_id=source.pk,
            source=f"{source.reference} {source.subject}",
            messages=messages,
            files=files,
        ),
        actor=actor,
    )
    if source.is_active:
        ticket_update(
            ticket=source,
            actor=actor,
            data={"status": Status.CLOSED, "resolution": Resolution.DUPLICATE},
        )
    Ticket.objects.filter(pk=source.pk).update(merged_into=target)
    source.merged_into = target
    _tell_requester(source, target)
    return target


def _tell_requester(source: Ticket, target: Ticket) -> None:
    person = source.requester
    if not (person.is_active and person.takes_mail):
        return
    context = {"person": person, "source": source, "target": target}
    outbox_enqueue(
        kind="ticket_merged",
        to=person.email,
        subject=f"[{target.reference}] Your request {source.reference} continues here",
        body=render_to_string("tickets/mail/merged.txt", context),
        dedupe_key=f"ticket-merged:{source.pk}:{target.pk}",
        ticket_reference=target.reference,
        thread=f"ticket:{target.pk}",
        recipient=person,
    )
