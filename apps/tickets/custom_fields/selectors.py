"""The custom fields in force, read from the database once per change, not once per ticket.

Every intake form, every new ticket and every routing decision asks which fields exist; they
change when an admin edits one. So each process keeps the list, with each field's category
ids, and re-reads it when the version in the shared cache moves (any save or delete of a field
or of its categories moves it: ``receivers``)."""

import threading
import uuid

from django.core.cache import cache

from .models import CustomField

VERSION_KEY = "custom-fields:version"
_local = threading.local()


def active_fields() -> list[CustomField]:
    """The active fields in order, each with ``category_ids`` (empty: asked for every ticket)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    if getattr(_local, "version", None) != version or version is None:
        fields = list(CustomField.objects.filter(is_active=True).prefetch_related("categories"))
        for field in fields:
            field.category_ids = frozenset(c.pk for c in field.categories.all())
        _local.version, _local.fields = version, fields
    return _local.fields


def fields_forget() -> None:
    """Every process re-reads the fields on its next question."""
    cache.delete(VERSION_KEY)


def fields_for(category) -> list[CustomField]:
    """The active fields asked for tickets of ``category`` (those of every category too)."""
    pk = getattr(category, "pk", None)
    return [f for f in active_fields() if not f.category_ids or pk in f.category_ids]
