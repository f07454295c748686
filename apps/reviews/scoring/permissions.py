"""Who may run a scoring round, read its results and score its cases."""

from collections.abc import Iterable

from apps.accounts.models import User

from .models import ScoredCase, ScoringRound


def is_admin(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or user.is_staff))


def may_run_rounds(user: User) -> bool:
    """May open the "new round" form: leads of any team, and admins."""
    return is_admin(user) or bool(user.is_authenticated and user.is_active and user.led_team_ids)


def leads_every(user: User, team_ids: Iterable[int]) -> bool:
    """A round is drawn from several teams only by someone who leads each of them."""
    team_ids = set(team_ids)
    return is_admin(user) or (bool(team_ids) and team_ids <= user.led_team_ids)


def may_manage_round(user: User, scoring_round: ScoringRound, team_ids: set[int]) -> bool:
    """Results, the CSV and every case of a round: a lead of one of its teams, or an admin.

    ``team_ids`` are the round's teams, read by the caller (a round's teams are an M2M)."""
    if not (user.is_authenticated and user.is_active):
        return False
    return is_admin(user) or bool(team_ids & user.led_team_ids)


def may_score(user: User, case: ScoredCase, team_ids: set[int]) -> bool:
    """A case is the reviewer's own; a lead of the round's teams (or an admin) may step in.
    The case shows internal notes: a reviewer who lost their agent seat, or left every team
    the round is drawn from, keeps no access."""
    if not (user.is_authenticated and user.is_active):
        return False
    if may_manage_round(user, case.round, team_ids):
        return True
    return case.reviewer_id == user.pk and user.is_agent and bool(team_ids & user.team_ids)
