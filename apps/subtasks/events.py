"""The ticket events subtasks record: one kind per thing that happens to a subtask."""

from dataclasses import dataclass, field

from apps.tickets.events import declare


@dataclass(frozen=True)
class _Subtask:
    subtask_id: int
    title: str


@declare("subtask_added", "added a subtask")
@dataclass(frozen=True)
class Added(_Subtask):
    assignee: str = ""
    blocking: bool = False
    source: str = ""


@declare("subtask_changed", "changed a subtask")
@dataclass(frozen=True)
class Changed(_Subtask):
    fields: list[str]


@declare("subtask_removed", "removed a subtask")
@dataclass(frozen=True)
class Removed(_Subtask):
    pass


@dataclass(frozen=True)
class _Moved(_Subtask):
    note: str = ""


@declare("subtask_open", "reopened a subtask")
@dataclass(frozen=True)
class Reopened(_Moved):
    pass


@declare("subtask_in_progress", "started a subtask")
@dataclass(frozen=True)
class Started(_Moved):
    pass


@declare("subtask_done", "completed a subtask")
@dataclass(frozen=True)
class Done(_Moved):
    pass


@declare("subtask_wont_do", "declined a subtask")
@dataclass(frozen=True)
class WontDo(_Moved):
    pass


BY_STATUS = {"open": Reopened, "in_progress": Started, "done": Done, "wont_do": WontDo}


# How much of a message the history keeps (the whole one is on the subtask's thread).
MESSAGE_CHARS = 1000


@declare("subtask_commented", "wrote on a subtask", hidden=["files"])
@dataclass(frozen=True)
class Commented(_Subtask):
    files: int = 0
    message: str = ""
    filenames: list[str] = field(default_factory=list)
    comment_id: int | None = None


@declare("subtask_link_revoked", "revoked a subtask link")
@dataclass(frozen=True)
class LinkRevoked(_Subtask):
    resent: bool = False


@declare("subtask_reminded", "reminded the assignee of an overdue subtask")
@dataclass(frozen=True)
class Reminded(_Subtask):
    to: str = ""


@declare("subtask_manager_notified", "told the assignee's manager of an overdue subtask")
@dataclass(frozen=True)
class ManagerNotified(_Subtask):
    manager: str = ""


@declare("subtasks_overridden", "resolved with open subtasks (lead's override)")
@dataclass(frozen=True)
class Overridden:
    reason: str
    open_subtasks: list[str]
    override_id: int


@declare("subtasks_kept_open", "resolved with subtasks left open on purpose")
@dataclass(frozen=True)
class KeptOpen:
    open_subtasks: list[str]
    note: str = ""


@declare("subtasks_cancelled", "cancelled the open subtasks on resolving")
@dataclass(frozen=True)
class Cancelled:
    cancelled_subtasks: list[str]
    note: str = ""
