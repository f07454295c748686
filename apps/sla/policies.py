"""The active SLA policies with their targets, read once per change rather than for every
ticket (``apps.core.processcache``): any save or delete of a policy or a target re-reads them."""

from apps.core.processcache import ProcessCache

from .models import Policy, Target


def _load() -> list[Policy]:
    return list(
        Policy.objects.filter(is_active=True).order_by("position", "id").prefetch_related("targets")
    )


POLICIES = ProcessCache("sla-policies:version", _load)


def active_policies() -> list[Policy]:
    """The active policies in the order they are tried, their targets loaded."""
    return POLICIES.get()


def policies_forget() -> None:
    POLICIES.forget()


def register() -> None:
    POLICIES.forget_on_change(Policy, Target)
