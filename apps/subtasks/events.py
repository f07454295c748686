"""The ticket events subtasks record: one kind per thing that happens to a subtask."""

from dataclasses import dataclass, field

from apps.tickets import history as h
from apps.tickets.events import declare


@dataclass(frozen=True)
class _Subtask:
    subtask_id: int
    title: str

    @property
    def named(self) -> str:
        return f"subtask “{self.title}”"


@declare("subtask_added", "added a subtask")
@dataclass(frozen=True)
class Added(_Subtask):
    assignee: str = ""
    blocking: bool = False
    source: str = ""

    def describe(self, event) -> str:
        text = h.capitalised(f"{self.named} added")
        text += f" for {self.assignee}" if self.assignee else ""
        text += " (blocks resolving)" if self.blocking else ""
        return text + h.by(event, self.source)


@declare("subtask_changed", "changed a subtask")
@dataclass(frozen=True)
class Changed(_Subtask):
    fields: list[str]

    def describe(self, event) -> str:
        what = h.join(h.field_name(f) for f in self.fields)
        return h.capitalised(f"{self.named} changed") + (f" ({what})" if what else "") + h.by(event)


@declare("subtask_removed", "removed a subtask")
@dataclass(frozen=True)
class Removed(_Subtask):
    pass

    def describe(self, event) -> str:
        return h.capitalised(f"{self.named} removed") + h.by(event)


@dataclass(frozen=True)
class _Moved(_Subtask):
    note: str = ""

    verb = "updated"

    def describe(self, event) -> h.Line:
        return h.Line(h.capitalised(f"{self.named} {self.verb}") + h.by(event), detail=self.note)


@declare("subtask_open", "reopened a subtask")
@dataclass(frozen=True)
class Reopened(_Moved):
    verb = "reopened"
    pass


@declare("subtask_in_progress", "started a subtask")
@dataclass(frozen=True)
class Started(_Moved):
    verb = "started"
    pass


@declare("subtask_done", "completed a subtask")
@dataclass(frozen=True)
class Done(_Moved):
    verb = "completed"
    pass


@declare("subtask_wont_do", "declined a subtask")
@dataclass(frozen=True)
class WontDo(_Moved):
    verb = "declined (won't do)"
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

    def describe(self, event) -> h.Line:
        who = h.actor_name(event) or "The assignee"
        text = f"{who} wrote on {self.named}"
        if self.filenames:
            text += f" (attached {h.join(self.filenames)})"
        return h.Line(text, detail=self.message)


@declare("subtask_link_revoked", "revoked a subtask link")
@dataclass(frozen=True)
class LinkRevoked(_Subtask):
    resent: bool = False

    def describe(self, event) -> str:
        text = f"Link to {self.named} revoked{h.by(event)}"
        return text + ("; a new one was sent" if self.resent else "")


@declare("subtask_reminded", "reminded the assignee of an overdue subtask")
@dataclass(frozen=True)
class Reminded(_Subtask):
    to: str = ""

    def describe(self, event) -> str:
        return f"{self.to or 'The assignee'} reminded that {self.named} is overdue"


@declare("subtask_manager_notified", "told the assignee's manager of an overdue subtask")
@dataclass(frozen=True)
class ManagerNotified(_Subtask):
    manager: str = ""

    def describe(self, event) -> str:
        return f"{self.manager or 'The manager'} told that {self.named} is overdue"


@declare("subtasks_overridden", "resolved with open subtasks (lead's override)")
@dataclass(frozen=True)
class Overridden:
    reason: str
    open_subtasks: list[str]
    override_id: int

    def describe(self, event) -> h.Line:
        text = f"Resolving allowed with open subtasks {h.quoted(self.open_subtasks)}"
        return h.Line(text + h.by(event) + " (lead's override)", detail=self.reason)


@declare("subtasks_kept_open", "resolved with subtasks left open on purpose")
@dataclass(frozen=True)
class KeptOpen:
    open_subtasks: list[str]
    note: str = ""

    def describe(self, event) -> h.Line:
        text = f"Resolved with subtasks {h.quoted(self.open_subtasks)} left open on purpose"
        return h.Line(text + h.by(event), detail=self.note)


@declare("subtasks_cancelled", "cancelled the open subtasks on resolving")
@dataclass(frozen=True)
class Cancelled:
    cancelled_subtasks: list[str]
    note: str = ""

    def describe(self, event) -> h.Line:
        text = f"Open subtasks {h.quoted(self.cancelled_subtasks)} cancelled on resolving"
        return h.Line(text + h.by(event), detail=self.note)
