"""Helpers for the API tests: a signed-in API client, and a ticket already in a team's queue."""

from rest_framework.test import APIClient

from apps.tickets.services import ticket_create, ticket_update


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def queued_ticket(requester, team, *, agent=None, subject="Till 3 will not print receipts"):
    """Opened by the requester (as the services do it), then placed in ``team``'s queue."""
    ticket = ticket_create(
        requester=requester, subject=subject, description="The printer light is green."
    )
    ticket_update(ticket=ticket, actor=agent, data={"team": team})
    return ticket


def tickets_url(ticket=None, *rest: str) -> str:
    if ticket is None:
        return "/api/v1/tickets/"
    return "/".join(["/api/v1/tickets", ticket.reference, *rest]) + "/"
