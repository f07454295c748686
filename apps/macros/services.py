"""Writes of macros: an agent's own macros, and applying a macro with the reply it came with."""

from django.core.exceptions import ValidationError

from apps.accounts.models import User
from apps.core.errors import ApplicationError
from apps.tickets.models import Comment, Ticket
from apps.tickets.permissions import can_work
from apps.tickets.services import ticket_update

from .models import Macro, Scope
from .selectors import macro_get_usable

EDITABLE = ("name", "body", "internal", "set_status", "set_priority", "add_tags")


def _validated(macro: Macro) -> Macro:
    try:
        macro.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise ApplicationError(messages[0], field=field) from None
    return macro


def macro_create(*, owner: User, data: dict) -> Macro:
    """A personal macro of ``owner`` (team and global ones are made in the admin)."""
    if not owner.is_agent:
        raise ApplicationError("Only agents have macros.", code="forbidden")
    macro = Macro(owner=owner, scope=Scope.PERSONAL, **{k: data[k] for k in EDITABLE if k in data})
    _validated(macro).save()
    return macro


def macro_update(*, macro: Macro, actor: User, data: dict) -> Macro:
    if macro.scope != Scope.PERSONAL or macro.owner_id != actor.pk:
        raise ApplicationError("You can change only your own macros.", code="forbidden")
    for name in EDITABLE:
        if name in data:
            setattr(macro, name, data[name])
    _validated(macro).save()
    return macro


def macro_delete(*, macro: Macro, actor: User) -> None:
    if macro.scope != Scope.PERSONAL or macro.owner_id != actor.pk:
        raise ApplicationError("You can delete only your own macros.", code="forbidden")
    macro.delete()


def macro_apply(*, ticket: Ticket, comment: Comment, actor: User, value: str) -> dict:
    """Apply the field changes of the macro ``value`` names, as ``actor``, with the reply just
    added (the reply service calls this in its transaction: a refusal takes the reply back).
    Only a macro the actor may use, on a ticket they work; one written as an internal note
    never goes to the requester."""
    macro = macro_get_usable(user=actor, macro_id=value)
    if macro is None or not can_work(actor, ticket):
        raise ApplicationError(
            "That macro is not available to you.", field="macro", code="forbidden"
        )
    if macro.internal and not comment.is_internal:
        raise ApplicationError(
            f"“{macro.name}” is written for colleagues: send it as an internal note.",
            field="macro",
        )
    data = {}
    if macro.set_status:
        data["status"] = macro.set_status
    if macro.set_priority:
        data["priority"] = macro.set_priority
    if macro.tag_names:
        present = list(ticket.tags.values_list("name", flat=True))
        data["tags"] = sorted({*present, *macro.tag_names})
    if not data:
        return {}
    return ticket_update(ticket=ticket, actor=actor, data=data, source=f"macro “{macro.name}”")
