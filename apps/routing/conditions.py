"""What a rule can look at (ticket and requester fields) and how it compares them.

Facts are read once per evaluation into a flat dict of case-folded strings, so each condition
is one dict lookup and one string or set operation.
"""

from dataclasses import dataclass

from django.db.models.functions import Lower

from apps.core.errors import ApplicationError
from apps.tickets.custom_fields.models import FieldKind
from apps.tickets.custom_fields.selectors import active_fields
from apps.tickets.custom_fields.services import custom_values_of
from apps.tickets.models import Category, Channel, Location, Priority, Product, Ticket

from .safe_regex import MAX_TEXT_LENGTH, regex_compile


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str  # "lookup", "choice", "text", "bool"
    model: type | None = None
    choices: tuple[tuple[str, str], ...] = ()


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("category", "Category", "lookup", Category),
        Field("location", "Location", "lookup", Location),
        Field("product", "Product / tool", "lookup", Product),
        Field("channel", "Channel", "choice", choices=tuple(Channel.choices)),
        Field("intake_address", "E-mailed to (mailbox address)", "text"),
        Field(
            "priority",
            "Priority",
            "choice",
            choices=tuple((str(v), label) for v, label in Priority.choices),
        ),
        Field("subject", "Subject", "text"),
        Field("description", "Description", "text"),
        Field("text", "Subject or description", "text"),
        Field("requester_email", "Requester e-mail", "text"),
        Field("requester_domain", "Requester e-mail domain", "text"),
        Field("requester_organisation", "Requester organisation", "text"),
        Field("requester_department", "Requester department", "text"),
        Field("requester_site", "Requester site", "text"),
        Field("requester_vip", "Requester is VIP", "bool", choices=(("yes", "Yes"), ("no", "No"))),
    )
}


def _custom_fields() -> dict[str, Field]:
    """The admin's custom fields (``cf_<key>``): a choice compares its options, the others
    their text (a number in plain digits, a date as YYYY-MM-DD)."""
    fields = {}
    for custom in active_fields():
        if custom.kind == FieldKind.CHOICE:
            options = tuple((o.casefold(), o) for o in custom.options)
            fields[custom.name] = Field(custom.name, custom.label, "choice", choices=options)
        else:
            fields[custom.name] = Field(custom.name, custom.label, "text")
    return fields


def all_fields() -> dict[str, Field]:
    """What rules may look at: the ticket's and requester's fields, then the custom fields."""
    return {**FIELDS, **_custom_fields()}


OPERATORS: dict[str, str] = {
    "equals": "equals",
    "in": "is one of",
    "not_in": "is not one of",
    "contains": "contains",
    "starts_with": "starts with",
    "regex": "matches regex",
    "is_empty": "is empty",
}
LIST_OPERATORS = ("in", "not_in")


def ticket_facts(ticket: Ticket) -> dict[str, str]:
    """Everything rules may look at, as case-folded strings (one read of the ticket)."""
    requester = ticket.requester
    subject = ticket.subject.casefold()
    description = ticket.description[:MAX_TEXT_LENGTH].casefold()
    return {
        "category": ticket.category.name.casefold() if ticket.category_id else "",
        "location": ticket.location.name.casefold() if ticket.location_id else "",
        "product": ticket.product.name.casefold() if ticket.product_id else "",
        "channel": ticket.channel,
        "intake_address": ticket.intake_address.casefold(),
        "priority": str(ticket.priority),
        "subject": subject,
        "description": description,
        "text": f"{subject}\n{description}",
        "requester_email": requester.email.casefold(),
        "requester_domain": requester.email_domain,
        "requester_organisation": requester.organisation_name.casefold(),
        "requester_department": requester.department.casefold(),
        "requester_site": requester.site.casefold(),
        "requester_vip": "yes" if requester.is_vip else "no",
        **{name: value.casefold() for name, value in custom_values_of(ticket).items()},
    }


def _as_list(value) -> list[str]:
    if isinstance(value, str):
        value = [v for part in value.splitlines() for v in part.split(",")]
    if not isinstance(value, list | tuple):
        value = [value]
    return [str(v).strip() for v in value if str(v).strip()]


def _check_choice(field: Field, value: str, where: str) -> str:
    """Accept a choice by key or label ("3" or "High"); store the key."""
    for key, label in field.choices:
        if value.casefold() in (key.casefold(), label.casefold()):
            return key
    if field.kind == "bool" and value.casefold() in ("true", "1"):
        return "yes"
    if field.kind == "bool" and value.casefold() in ("false", "0"):
        return "no"
    allowed = ", ".join(label for _, label in field.choices)
    raise ApplicationError(f"{where}: “{value}” is not a {field.label.lower()} ({allowed}).")


def _check_lookup(field: Field, values: list[str], where: str) -> None:
    wanted = [v.casefold() for v in values]
    known = {
        n.casefold()
        for n in field.model.objects.annotate(key=Lower("name"))
        .filter(key__in=wanted)
        .values_list("name", flat=True)
    }
    missing = [v for v in values if v.casefold() not in known]
    if missing:
        raise ApplicationError(f"{where}: there is no {field.label.lower()} called “{missing[0]}”.")


def condition_clean(node: dict, *, where: str, check_lookups: bool = True) -> dict:
    """Validate one condition and return it normalised; the message says which one is wrong."""
    if not isinstance(node, dict):
        raise ApplicationError(f"{where}: a condition must be an object.")
    field = all_fields().get(node.get("field"))
    if field is None:
        raise ApplicationError(f"{where}: unknown field “{node.get('field')}”.")
    op = node.get("op")
    if op not in OPERATORS:
        raise ApplicationError(f"{where}: unknown operator “{op}”.")
    where = f"{where} ({field.label} {OPERATORS[op]})"
    if op == "is_empty":
        return {"field": field.name, "op": op}
    if op in LIST_OPERATORS:
        value = _as_list(node.get("value"))
        if not value:
            raise ApplicationError(f"{where}: give at least one value.")
    else:
        value = node.get("value")
        value = "" if value is None else str(value).strip()
        if not value:
            raise ApplicationError(f"{where}: a value is required.")
    if op == "regex":
        try:
            regex_compile(value)
        except ApplicationError as exc:
            raise ApplicationError(f"{where}: {exc.message}") from None
    elif field.kind in ("choice", "bool") and op in ("equals", *LIST_OPERATORS):
        value = (
            [_check_choice(field, v, where) for v in value]
            if isinstance(value, list)
            else _check_choice(field, value, where)
        )
    elif field.kind == "lookup" and check_lookups and op in ("equals", *LIST_OPERATORS):
        _check_lookup(field, value if isinstance(value, list) else [value], where)
    return {"field": field.name, "op": op, "value": value}


def conditions_clean(tree, *, where: str = "Conditions", check_lookups: bool = True) -> dict:
    """Validate a whole tree of all/any groups; an empty tree matches every ticket."""
    if tree in (None, {}, ""):
        return {"all": []}
    if not isinstance(tree, dict) or len(tree) != 1 or next(iter(tree)) not in ("all", "any"):
        raise ApplicationError(f'{where}: a group must be {{"all": [...]}} or {{"any": [...]}}.')
    mode, items = next(iter(tree.items()))
    if not isinstance(items, list):
        raise ApplicationError(f"{where}: “{mode}” must hold a list.")
    cleaned = []
    for index, item in enumerate(items, start=1):
        here = f"{where}, item {index}"
        if isinstance(item, dict) and ("all" in item or "any" in item):
            cleaned.append(conditions_clean(item, where=here, check_lookups=check_lookups))
        else:
            cleaned.append(condition_clean(item, where=here, check_lookups=check_lookups))
    return {mode: cleaned}


def conditions_describe(tree: dict) -> str:
    """The tree in words, for lists and the decision log."""
    mode, items = next(iter((tree or {"all": []}).items()))
    if not items:
        return "every ticket"
    fields = all_fields()
    parts = []
    for item in items:
        if "field" not in item:
            parts.append(f"({conditions_describe(item)})")
            continue
        field = fields.get(item["field"]) or Field(item["field"], item["field"], "text")
        value = item.get("value")
        if item["op"] == "is_empty":
            parts.append(f"{field.label} is empty")
            continue
        labels = dict(field.choices)
        values = value if isinstance(value, list) else [value]
        shown = ", ".join(labels.get(v, v) for v in values)
        parts.append(f"{field.label} {OPERATORS[item['op']]} “{shown}”")
    return f" {'and' if mode == 'all' else 'or'} ".join(parts)
