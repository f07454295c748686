"""The active SLA policies with their targets, read once per change rather than for every
ticket: each process keeps them and re-reads when the version in the shared cache moves (any
save or delete of a policy or a target moves it: ``register``)."""

import threading
import uuid

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .models import Policy, Target

VERSION_KEY = "sla-policies:version"
_local = threading.local()


def active_policies() -> list[Policy]:
    """The active policies in the order they are tried, their targets loaded."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    if version is None or getattr(_local, "version", None) != version:
        policies = list(
            Policy.objects.filter(is_active=True)
            .order_by("position", "id")
            .prefetch_related("targets")
        )
        _local.version, _local.policies = version, policies
    return _local.policies


def policies_forget() -> None:
    """Every process re-reads the policies on its next question."""
    cache.delete(VERSION_KEY)


def _forget(**kwargs) -> None:
    # Now, and again once committed: a process that re-read them in between saw the old rows.
    policies_forget()
    transaction.on_commit(policies_forget)


def register() -> None:
    for model in (Policy, Target):
        post_save.connect(
            _forget, sender=model, dispatch_uid=f"sla-policies-saved-{model.__name__}"
        )
        post_delete.connect(
            _forget, sender=model, dispatch_uid=f"sla-policies-deleted-{model.__name__}"
        )
