"""The custom fields in force, read once per change rather than once per ticket
(``apps.core.processcache``): every intake form, new ticket and routing decision asks which
fields exist; any save or delete of a field or of its categories re-reads them."""

from apps.core.processcache import ProcessCache

from .models import CustomField


def _load() -> list[CustomField]:
    fields = list(CustomField.objects.filter(is_active=True).prefetch_related("categories"))
    for field in fields:
        field.category_ids = frozenset(c.pk for c in field.categories.all())
    return fields


FIELDS = ProcessCache("custom-fields:version", _load)


def active_fields() -> list[CustomField]:
    """The active fields in order, each with ``category_ids`` (empty: asked for every ticket)."""
    return FIELDS.get()


def fields_forget() -> None:
    FIELDS.forget()


def fields_for(category) -> list[CustomField]:
    """The active fields asked for tickets of ``category`` (those of every category too)."""
    pk = getattr(category, "pk", None)
    return [f for f in active_fields() if not f.category_ids or pk in f.category_ids]


def register() -> None:
    FIELDS.forget_on_change(CustomField, m2m=[CustomField.categories.through])
