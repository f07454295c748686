"""Demo figures: every ticket's fact, computed once the other apps' demos are done, and the
service desk's weekly goal (seed 000 tracked "critical tickets a week" against one)."""

from .facts import facts_rebuild
from .models import TicketFact, VolumeGoal


def populate(demo: dict) -> None:
    # The other demos backdate tickets with queryset updates after opening them through the
    # services, which the reaction never sees: compute every fact from the rows as they stand.
    written = facts_rebuild()
    resolved = TicketFact.objects.exclude(resolved_at=None).count()
    desk = demo.get("teams", {}).get("service-desk")
    if desk is not None:
        lead = next((user for user, tier in demo["agents"]["service-desk"] if tier > 1), None)
        VolumeGoal.objects.create(team=desk, tickets_per_week=20, set_by=lead)
        VolumeGoal.objects.create(
            team=desk, tickets_per_week=8, high_priority_only=True, set_by=lead
        )
    demo["stdout"].write(f"  insights: figures of {written} tickets ({resolved} resolved)")
