"""Ratings and kudos: the reads, each limited to what the reader may see."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from apps.accounts.models import Team, User
from apps.tickets.models import Ticket

from ..mentoring.models import Pairing
from .models import Kudos, KudosShare, Rating

PERIODS = {
    "4_weeks": ("Last 4 weeks", 28),
    "quarter": ("Last 13 weeks", 91),
    "year": ("Last 12 months", 365),
    "all": ("All time", None),
}
DEFAULT_PERIOD = "quarter"


def _sees_all(user: User) -> bool:
    return user.is_superuser or user.is_staff


def _is_sponsor(user: User) -> bool:
    """Whether the person mentors anyone now (asked once per request: kept on the user)."""
    if not hasattr(user, "_sponsors_techs"):
        user._sponsors_techs = Pairing.objects.filter(sponsor_id=user.pk, is_active=True).exists()
    return user._sponsors_techs


def _mentored_q(user: User) -> Q:
    """Kudos of the techs this person mentors (an active pairing)."""
    techs = Pairing.techs.through.objects.filter(
        pairing__sponsor_id=user.pk, pairing__is_active=True, user_id=OuterRef("agent_id")
    )
    return Q(Exists(techs))


def kudos_for(user: User) -> QuerySet[Kudos]:
    """The kudos this person may read: admins every team's, a lead their teams', a sponsor
    those of the techs they mentor; nobody else any. Newest first, shaped for a list."""
    kudos = Kudos.objects.select_related(
        "ticket", "ticket__requester", "agent", "team", "marked_by"
    ).order_by("-created_at", "-id")
    if not user.is_authenticated or not user.is_active:
        return kudos.none()
    if _sees_all(user):
        return kudos
    if not user.is_agent:
        return kudos.none()
    q = Q(pk__in=[])
    if user.led_team_ids:
        q |= Q(team_id__in=user.led_team_ids)
    if _is_sponsor(user):
        q |= _mentored_q(user)
    return kudos.filter(q)


def may_read_kudos(user: User) -> bool:
    """Whether the kudos page is for this person (a lead, a sponsor or an admin)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if _sees_all(user) or user.led_team_ids:
        return True
    return user.is_agent and _is_sponsor(user)


def may_share(user: User) -> bool:
    """Leads (and admins) share kudos upward; a sponsor reads them."""
    return user.is_authenticated and user.is_active and (_sees_all(user) or bool(user.led_team_ids))


def period_start(period: str, *, today: date | None = None) -> datetime | None:
    """The first instant of a period of the kudos page (None: all time)."""
    days = PERIODS.get(period, PERIODS[DEFAULT_PERIOD])[1]
    if days is None:
        return None
    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    return datetime.combine(first, time.min, tzinfo=timezone.get_current_timezone())


def kudos_filtered(
    *, user: User, team_id: int | None = None, agent_id: int | None = None, period: str = ""
) -> QuerySet[Kudos]:
    kudos = kudos_for(user)
    if team_id:
        kudos = kudos.filter(team_id=team_id)
    if agent_id:
        kudos = kudos.filter(agent_id=agent_id)
    start = period_start(period or DEFAULT_PERIOD)
    if start is not None:
        kudos = kudos.filter(created_at__gte=start)
    # When each was last shared upward (None: never), in the same query.
    last_share = KudosShare.kudos.through.objects.filter(kudos_id=OuterRef("pk")).order_by(
        "-kudosshare__sent_at"
    )
    return kudos.annotate(last_shared=Subquery(last_share.values("kudosshare__sent_at")[:1]))


@dataclass
class AgentKudos:
    agent: User | None
    teams: list[str] = field(default_factory=list)
    kudos: list[Kudos] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.kudos)


def kudos_by_agent(kudos: QuerySet[Kudos]) -> list[AgentKudos]:
    """The kudos grouped per agent, most praised first (one query)."""
    groups: dict[int | None, AgentKudos] = {}
    for item in kudos:
        group = groups.setdefault(item.agent_id, AgentKudos(agent=item.agent))
        group.kudos.append(item)
        if item.team and item.team.name not in group.teams:
            group.teams.append(item.team.name)
    return sorted(
        groups.values(),
        key=lambda g: (-g.count, g.agent is None, str(g.agent or "").lower()),
    )


def kudos_filter_choices(user: User) -> tuple[list[Team], list[User]]:
    """The teams and agents the page's filters offer: those of the kudos the reader sees."""
    visible = kudos_for(user).order_by()
    teams = Team.objects.filter(pk__in=visible.values("team_id")).order_by("name")
    agents = User.objects.filter(pk__in=visible.values("agent_id")).order_by("full_name", "email")
    return list(teams), list(agents)


def shares_for(user: User, *, limit: int = 20) -> list[KudosShare]:
    """The recent shares the reader sent or whose kudos they may read, with their recipients
    and kudos count (two queries)."""
    visible = kudos_for(user).order_by().values("pk")
    mine = KudosShare.objects.filter(Q(sent_by_id=user.pk) | Q(kudos__in=visible)).values("pk")
    # Counted apart from the filter above, so a share counts all its kudos.
    shares = (
        KudosShare.objects.filter(pk__in=mine)
        .select_related("sent_by")
        .prefetch_related("recipients")
        .annotate(kudos_count=Count("kudos", distinct=True))
        .order_by("-sent_at", "-id")
    )
    return list(shares[:limit])


def share_candidates() -> QuerySet[User]:
    """The managers offered as recipients: active people others report to, with an address."""
    reports = User.objects.filter(manager_id=OuterRef("pk"), is_active=True)
    return (
        User.objects.filter(is_active=True, email_bounced_at__isnull=True)
        .exclude(email="")
        .filter(Exists(reports))
        .order_by("full_name", "email")
    )


def recipients_by_address(addresses: list[str]) -> tuple[list[User], list[str]]:
    """The active people with these e-mail addresses (however they are capitalised), and the
    addresses no active person has. One query; the caller bounds the number of addresses."""
    wanted = {a.strip().lower() for a in addresses if a.strip()}
    if not wanted:
        return [], []
    match = Q()
    for address in wanted:
        match |= Q(email__iexact=address)
    found = list(User.objects.filter(match, is_active=True))
    missing = sorted(wanted - {u.email.lower() for u in found})
    return found, missing


def rating_of(ticket: Ticket) -> Rating | None:
    return Rating.objects.select_related("agent").filter(ticket=ticket).first()
