"""Writes to subtasks: create, change, finish, comment, templates, overrides, links.

Every change to a subtask is recorded on its ticket's history (``subtask_*`` events) so
"who closed the data fix?" has an answer next to everything else that happened to the ticket.
"""

from .links import subtask_link_resend, subtask_link_revoke
from .overrides import resolve_override_create
from .subtasks import (
    READY_MESSAGE,
    subtask_comment_add,
    subtask_create,
    subtask_delete,
    subtask_transition,
    subtask_update,
)
from .templates import template_apply

__all__ = [
    "READY_MESSAGE",
    "resolve_override_create",
    "subtask_comment_add",
    "subtask_create",
    "subtask_delete",
    "subtask_link_resend",
    "subtask_link_revoke",
    "subtask_transition",
    "subtask_update",
    "template_apply",
]
