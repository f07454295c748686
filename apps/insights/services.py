"""Writes of insights: a lead's weekly volume goal for their team."""

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Team, User
from apps.core.errors import ApplicationError

from .models import VolumeGoal

MAX_GOAL = 1_000_000


def may_set_goal(user: User, team: Team) -> bool:
    """Leads of the team and admins set its goals (admins as in ``scope``: staff too)."""
    return bool(user.is_superuser or user.is_staff or team.pk in user.led_team_ids)


@transaction.atomic
def volume_goal_set(
    *, team: Team, tickets_per_week: int | None, high_only: bool, actor: User
) -> VolumeGoal | None:
    """Set the team's weekly goal (of every ticket, or of High and Urgent ones with
    ``high_only``); 0 or empty clears it. Returns the goal, None once cleared."""
    if not may_set_goal(actor, team):
        raise ApplicationError(
            f"Only a lead of {team} sets its goals.", field="team", code="forbidden"
        )
    if tickets_per_week in (None, "", 0):
        VolumeGoal.objects.filter(team=team, high_priority_only=high_only).delete()
        return None
    if (
        isinstance(tickets_per_week, bool)
        or not isinstance(tickets_per_week, int)
        or not 0 < tickets_per_week <= MAX_GOAL
    ):
        raise ApplicationError(
            "The goal is a whole number of tickets a week, e.g. 50.", field="tickets_per_week"
        )
    goal, _ = VolumeGoal.objects.update_or_create(
        team=team,
        high_priority_only=high_only,
        defaults={"tickets_per_week": tickets_per_week, "set_by": actor, "set_at": timezone.now()},
    )
    return goal
