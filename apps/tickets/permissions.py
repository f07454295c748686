"""Who may see and work a ticket. Every view and API endpoint asks these, nothing else."""

from django.db.models import Q

from apps.accounts.models import Tier, User

from .models import Ticket


def shares_with_colleagues(user: User) -> bool:
    """Whether the user's organisation lets its requesters read each other's requests."""
    return bool(
        user.is_authenticated
        and user.organisation_id
        and user.organisation.requesters_share_tickets
    )


def colleagues_tickets_q(user: User) -> Q:
    """Requests of the user's organisation, when it shares them; none otherwise."""
    if not shares_with_colleagues(user):
        return Q(pk__in=[])
    return Q(requester__organisation_id=user.organisation_id)


def visible_tickets_q(user: User) -> Q:
    """Tickets a user may know exist: their own requests (and their colleagues', where their
    organisation shares them), and for agents their teams' queues and anything assigned to
    them. Admins see every ticket."""
    if user.is_superuser:
        return Q()
    q = Q(requester=user)
    if shares_with_colleagues(user):
        q |= colleagues_tickets_q(user)
    if user.is_agent:
        # The holder (touch and hold) follows the ticket across teams and tiers.
        q |= Q(team__in=user.team_ids) | Q(assignee=user) | Q(holder=user)
    return q


def can_work(user: User, ticket: Ticket) -> bool:
    """May act as support on this ticket: reply, add internal notes, change fields."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.is_agent and (
        ticket.team_id in user.team_ids
        or ticket.assignee_id == user.pk
        or ticket.holder_id == user.pk
    )


def can_reply_to_requester(user: User, ticket: Ticket) -> bool:
    """May send a public reply as support. At the last tier (the team that builds the product)
    only a team allowed direct support, or the ticket's holder, talks to the requester."""
    if not can_work(user, ticket):
        return False
    if user.is_superuser or ticket.tier < Tier.THREE or ticket.holder_id == user.pk:
        return True
    return bool(ticket.team_id and ticket.team.allow_direct_support)


def is_requester(user: User, ticket: Ticket) -> bool:
    return user.is_authenticated and ticket.requester_id == user.pk


def is_follower(user: User, ticket: Ticket) -> bool:
    """Gets the public replies by e-mail and may answer them (never reads internal notes)."""
    return (
        user.is_authenticated
        and user.is_active
        and ticket.followers.filter(user_id=user.pk).exists()
    )


def is_colleague(user: User, ticket: Ticket) -> bool:
    """May read (never answer) the ticket as a colleague of its requester: same organisation,
    and the organisation shares its requests."""
    return (
        user.is_authenticated
        and not is_requester(user, ticket)
        and shares_with_colleagues(user)
        and ticket.requester.organisation_id == user.organisation_id
    )


def ticket_page_for(user: User, ticket: Ticket) -> str | None:
    """The URL name of the page where this person may open the ticket: the portal for its
    requester, the workspace for whoever may work it. None when they may not (any more): the
    ticket moved to a team they are not in, so a link would only lead to "No such ticket"."""
    if is_requester(user, ticket):
        return "portal:ticket"
    if can_work(user, ticket):
        return "workspace:ticket"
    if is_colleague(user, ticket):
        return "portal:ticket"
    return None
