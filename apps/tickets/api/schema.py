"""Schema corrections drf-spectacular cannot infer from the serializers alone."""


def ticket_shape_by_reader(result, generator, request, public):
    """A ticket answers in the desk's shape (``Ticket``) to agents working it and in the
    portal's (``PortalTicketSerializer``) to anyone else who may read it (its requester): the
    desk-only fields are therefore documented as present for agents only, not required."""
    from .serializers import PortalTicketSerializer

    desk = result.get("components", {}).get("schemas", {}).get("Ticket")
    if not desk:
        return result
    portal_fields = set(PortalTicketSerializer().fields)
    required = desk.get("required", [])
    desk_only = [name for name in required if name not in portal_fields]
    desk["required"] = [name for name in required if name in portal_fields]
    if desk_only:
        desk["description"] = (
            "A ticket. Agents working it also get "
            + ", ".join(desk_only)
            + "; its requester gets the portal's fields instead (with the public comments)."
        )
    return result
