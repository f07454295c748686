"""What a figure is about: a period and the tickets' dimensions, limited to what the reader may see.

Every selector of insights takes a ``Scope``; pages, the API and the exports build it from the
request with ``scope_from_params``, which keeps a reader to their own teams (admins: every team)
and says in plain words what is wrong with a date or a filter.
"""

import datetime
from dataclasses import dataclass, replace

from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import User
from apps.core.errors import ApplicationError
from apps.core.numbers import as_id

PERIODS = {
    "week": "This week",
    "last_week": "Last week",
    "4_weeks": "Last 4 weeks",
    "month": "This month",
    "last_month": "Last month",
    "quarter": "This quarter",
    "last_quarter": "Last quarter",
    "12_weeks": "Last 12 weeks",
    "custom": "Dates…",
}
DIMENSIONS = ("team", "tier", "category", "product", "location", "priority", "root_cause")
MAX_DAYS = 366 * 2


@dataclass(frozen=True)
class Scope:
    start: datetime.date  # first day, inclusive
    end: datetime.date  # last day, inclusive
    team_ids: tuple[int, ...] | None = None  # None: every team (admins)
    tier: int | None = None
    category: int | None = None
    product: int | None = None
    location: int | None = None
    priority: int | None = None
    root_cause: int | None = None
    period: str = "custom"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Scope":
        """The period of the same length just before, same filters (for trends)."""
        return replace(
            self,
            start=self.start - datetime.timedelta(days=self.days),
            end=self.start - datetime.timedelta(days=1),
            period="custom",
        )

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[start of the first day, start of the day after the last) in the desk's time zone."""
        zone = timezone.get_current_timezone()
        start = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=zone)
        end = datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min)
        return start, end.replace(tzinfo=zone)

    def fact_filter(self, *, prefix: str = "") -> Q:
        """The dimension filters on TicketFact rows (``prefix``: "fact__" from Ticket)."""
        q = Q()
        if self.team_ids is not None:
            q &= Q(**{f"{prefix}team_id__in": self.team_ids})
        for name in ("tier", "category", "product", "location", "priority", "root_cause"):
            value = getattr(self, name)
            if value is not None:
                field = name if name in ("tier", "priority") else f"{name}_id"
                q &= Q(**{f"{prefix}{field}": value})
        return q

    def created_in(self, *, prefix: str = "") -> Q:
        start, end = self.bounds()
        return self.fact_filter(prefix=prefix) & Q(
            **{f"{prefix}created_at__gte": start, f"{prefix}created_at__lt": end}
        )

    def resolved_in(self, *, prefix: str = "") -> Q:
        start, end = self.bounds()
        return self.fact_filter(prefix=prefix) & Q(
            **{f"{prefix}resolved_at__gte": start, f"{prefix}resolved_at__lt": end}
        )

    def as_params(self) -> dict[str, str]:
        """The query parameters that give this scope back (links, exports, drill-downs)."""
        params = {"period": self.period}
        if self.period == "custom":
            params |= {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.team_ids is not None and len(self.team_ids) == 1:
            params["team"] = str(self.team_ids[0])
        for name in DIMENSIONS[1:]:
            value = getattr(self, name)
            if value is not None:
                params[name] = str(value)
        return params


def visible_team_ids(user: User) -> tuple[int, ...] | None:
    """The teams whose figures a reader sees: admins every team (None), others their own."""
    if user.is_superuser or user.is_staff:
        return None
    return tuple(sorted(user.team_ids))


def _period_dates(period: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    monday = today - datetime.timedelta(days=today.weekday())
    quarter_start = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    if period == "week":
        return monday, today
    if period == "last_week":
        return monday - datetime.timedelta(days=7), monday - datetime.timedelta(days=1)
    if period == "4_weeks":
        return today - datetime.timedelta(days=27), today
    if period == "12_weeks":
        return today - datetime.timedelta(days=83), today
    if period == "month":
        return today.replace(day=1), today
    if period == "last_month":
        last = today.replace(day=1) - datetime.timedelta(days=1)
        return last.replace(day=1), last
    if period == "quarter":
        return quarter_start, today
    if period == "last_quarter":
        end = quarter_start - datetime.timedelta(days=1)
        return datetime.date(end.year, end.month - 2, 1), end
    raise ApplicationError(f"Unknown period {period!r}.", field="period")


def _date(value: str, field: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        raise ApplicationError(
            f"“{value}” is not a date: write it as YYYY-MM-DD, e.g. 2026-10-01.", field=field
        ) from None


def scope_from_params(params, *, user: User, default_period: str = "12_weeks") -> Scope:
    """A Scope from query parameters (``period`` or ``start``/``end``, and dimension ids)."""
    today = timezone.localdate()
    period = params.get("period") or (
        "custom" if params.get("start") or params.get("end") else default_period
    )
    if period == "custom":
        start = _date(params.get("start") or "", "start")
        end = _date(params.get("end") or today.isoformat(), "end")
    else:
        start, end = _period_dates(period, today)
    if end < start:
        raise ApplicationError("The period ends before it starts.", field="end")
    if (end - start).days > MAX_DAYS:
        raise ApplicationError("Choose a period of at most two years.", field="start")
    visible = visible_team_ids(user)
    team_ids = visible
    if params.get("team"):
        team = as_id(params["team"])
        if team is None or (visible is not None and team not in visible):
            raise ApplicationError("You cannot see that team's figures.", field="team")
        team_ids = (team,)
    filters = {}
    for name in DIMENSIONS[1:]:
        raw = params.get(name)
        if raw:
            value = as_id(raw)
            if value is None:
                raise ApplicationError(
                    f"Not a valid {name.replace('_', ' ')}: {raw!r}.", field=name
                )
            filters[name] = value
    return Scope(start=start, end=end, team_ids=team_ids, period=period, **filters)
