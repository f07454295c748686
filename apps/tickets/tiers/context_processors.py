"""Template context: the unread notifications badge of the top bar."""

from functools import cached_property

from .selectors import notification_unread_count

# The badge shows "99+" past this: counting stops at CAP + 1 rows, so the query stays cheap
# for someone with thousands unread.
CAP = 99


class UnreadBadge:
    """Counted when a page shows the badge, not on every request (API calls and htmx partials
    render no top bar): one query on the inbox index."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def count(self) -> int:
        return notification_unread_count(user=self.user, limit=CAP + 1)

    @property
    def label(self) -> str:
        return f"{CAP}+" if self.count > CAP else str(self.count)

    @property
    def spoken(self) -> str:
        """The link's accessible name: "Notifications, 3 unread"."""
        if not self.count:
            return "Notifications"
        return (
            f"Notifications, {'more than ' + str(CAP) if self.count > CAP else self.count} unread"
        )


def notification_badge(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notification_badge": UnreadBadge(user)}
