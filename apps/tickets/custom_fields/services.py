"""Answers to custom fields: checked against their kind and categories, then stored."""

from datetime import date
from decimal import Decimal, InvalidOperation

from apps.core.errors import ApplicationError
from apps.core.text import single_line

from .models import CustomField, FieldKind, FieldValue
from .selectors import active_fields, fields_for

VALUE_MAX = 200


def _clean_one(field: CustomField, raw) -> str:
    text = single_line(raw, field.name, VALUE_MAX, required=False, label=field.label)
    if not text:
        return ""
    if field.kind == FieldKind.NUMBER:
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise ApplicationError(
                f"{field.label} is a number, e.g. 42.", field=field.name
            ) from None
        if not number.is_finite():
            raise ApplicationError(f"{field.label} is a number, e.g. 42.", field=field.name)
        return format(number.normalize(), "f")
    if field.kind == FieldKind.DATE:
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise ApplicationError(
                f"{field.label} is a date, written 2026-11-30.", field=field.name
            ) from None
    if field.kind == FieldKind.CHOICE:
        for option in field.options:
            if option.casefold() == text.casefold():
                return option
        raise ApplicationError(
            f"{field.label} is one of: {', '.join(field.options)}.", field=field.name
        )
    return text


def custom_values_clean(*, category, raw: dict) -> dict[CustomField, str]:
    """The answers for a ticket of ``category``, by field; unknown names and answers to fields
    not asked for this category are refused by name, missing required ones too."""
    asked = {field.name: field for field in fields_for(category)}
    for name in raw:
        if name not in asked:
            raise ApplicationError(f"“{name}” is not a field asked for this category.", field=name)
    cleaned = {}
    for name, field in asked.items():
        value = _clean_one(field, raw.get(name))
        if field.required and not value:
            raise ApplicationError(f"{field.label} is required.", field=name)
        if value:
            cleaned[field] = value
    return cleaned


def custom_values_set(*, ticket, values: dict[CustomField, str]) -> None:
    FieldValue.objects.bulk_create(
        [FieldValue(ticket=ticket, field=field, value=value) for field, value in values.items()]
    )


def custom_values_of(ticket) -> dict[str, str]:
    """``{"cf_<key>": value}`` of a ticket (one query; none while the desk has no fields)."""
    if not active_fields():
        return {}
    rows = FieldValue.objects.filter(ticket=ticket).values_list("field__key", "value")
    return {f"cf_{key}": value for key, value in rows}
