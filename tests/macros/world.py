"""The agent tools of the permission matrix's world (tests/test_permission_matrix.py): a personal
macro and a saved view of the agent, and of the other agent."""

from apps.macros.models import Macro, Scope
from apps.tickets.models import SavedView

ABSENT = 99_999_999


def agent_tools_world(people: dict) -> dict:
    """URL kwargs by (object kind, object) for the macro and saved-view routes."""
    kwargs = {}
    for key, role in (("own", "agent"), ("other", "other_agent")):
        macro = Macro.objects.create(
            name=f"Macro of {role}", body="Hello", scope=Scope.PERSONAL, owner=people[role]
        )
        view = SavedView.objects.create(user=people[role], name="Urgent", query="priority=4")
        kwargs[("macro", key)] = {"pk": macro.pk}
        kwargs[("saved_view", key)] = {"pk": view.pk}
    kwargs[("macro", "absent")] = {"pk": ABSENT}
    kwargs[("saved_view", "absent")] = {"pk": ABSENT}
    return kwargs
