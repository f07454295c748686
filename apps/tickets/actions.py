"""The registry of named ticket actions.

Routing rules, SLA escalation steps and people all change tickets through these, so a feature
app extends what rules and timers can do by registering an action from its ``AppConfig.ready()``
(subtasks: "create subtasks from a template"; SLA: "apply SLA policy") instead of being imported.

An action has typed parameters (so an admin form can offer the right widget and a stored rule
can be validated before it runs), a ``clean`` that checks stored parameters and an ``apply`` that
changes the ticket and returns one line saying what it did.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from apps.accounts.models import Team, Tier, User
from apps.core.errors import ApplicationError
from apps.core.numbers import as_id, is_id

from .models import Priority, Ticket


class LazyChoices:
    """A parameter's choices read from the database when a form or validator asks, not at
    start-up (subtask templates, open problems): ``rows()`` gives (value, label) pairs."""

    def __init__(self, name: str, rows: Callable[[], list[tuple[str, str]]]):
        self.name, self.rows = name, rows

    def __iter__(self):
        return iter(self.rows())

    def __len__(self):
        return len(self.rows())

    def __bool__(self):
        return True

    def __contains__(self, value):
        return any(value in row for row in self.rows())

    def __hash__(self):
        return hash(self.name)

    def __eq__(self, other):
        return isinstance(other, LazyChoices) and other.name == self.name


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # "team", "user", "users", "tier", "priority", "tags", "text", "choice"
    label: str
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class TicketAction:
    name: str
    label: str
    # apply(*, ticket, params, actor, source) -> what it did; or ``fields`` below.
    apply: Callable[..., str] | None = None
    params: tuple[Param, ...] = ()
    clean: Callable[[dict], dict] = field(default=lambda params: params)
    # For actions that only set ticket fields: fields(ticket, params) -> the ``ticket_update``
    # data. Routing merges these across a ticket's matched rules into one update.
    fields: Callable[[Ticket, dict], dict] | None = None

    def validate(self, params: dict) -> dict:
        """Check stored parameters; ApplicationError names the one at fault."""
        if not isinstance(params, dict):
            raise ApplicationError(f"{self.label}: parameters must be an object.", field=self.name)
        known = {p.name for p in self.params}
        for key in params:
            if key not in known:
                raise ApplicationError(f"{self.label}: unknown parameter “{key}”.", field=key)
        for param in self.params:
            if param.required and params.get(param.name) in (None, "", []):
                raise ApplicationError(
                    f"{self.label}: “{param.label}” is required.", field=param.name
                )
        return self.clean(params)


_registry: dict[str, TicketAction] = {}


def register(action: TicketAction) -> None:
    _registry[action.name] = action


def get(name: str) -> TicketAction:
    try:
        return _registry[name]
    except KeyError:
        raise ApplicationError(
            f"There is no ticket action called “{name}”.", field="action"
        ) from None


def action_label(name: str) -> str:
    """The action's label, or its stored name when no installed app registers it."""
    action = _registry.get(name)
    return action.label if action else name


def all_actions() -> list[TicketAction]:
    return sorted(_registry.values(), key=lambda a: a.label)


class ActionNames:
    """Stored actions in words — "Set priority: High", "Notify people: Lena Fischer" — for admin
    pages. ``load`` the actions a page shows first: names are then read with one query per kind
    of thing named (teams, people, each choice list), whatever the number of actions."""

    def __init__(self, specs=()):
        self._ids: dict[str, set[int]] = {"team": set(), "user": set()}
        self._names: dict[str, dict] = {}
        self.load(specs)

    def load(self, specs) -> "ActionNames":
        for spec in specs:
            action = _registry.get(spec.get("action", ""))
            params = spec.get("params") or {}
            for param in action.params if action else ():
                values = params.get(param.name)
                values = values if isinstance(values, list) else [values]
                kind = "user" if param.kind in ("user", "users") else param.kind
                if kind in self._ids:
                    self._ids[kind].update(as_id(v) for v in values if is_id(v))
        self._names.pop("team", None)
        self._names.pop("user", None)
        return self

    def describe(self, spec: dict) -> str:
        name = spec.get("action", "")
        action = _registry.get(name)
        if action is None:
            return f"{name or 'No action'} (not installed)"
        params = spec.get("params") or {}
        shown = []
        for param in action.params:
            value = params.get(param.name)
            if value in (None, "", []):
                continue
            text = self._value_text(param, value)
            shown.append(text if not shown else f"{param.label.lower()} {text}")
        return f"{action.label}: {'; '.join(shown)}" if shown else action.label

    def describe_all(self, specs) -> str:
        return "; ".join(self.describe(spec) for spec in specs) or "—"

    def _value_text(self, param: Param, value) -> str:
        if param.kind in ("team", "user", "users"):
            kind = "team" if param.kind == "team" else "user"
            values = value if isinstance(value, list) else [value]
            wanted = {as_id(v) for v in values if is_id(v)}
            if not wanted <= self._ids[kind]:  # not loaded beforehand: read them now
                self._ids[kind] |= wanted
                self._names.pop(kind, None)
            names = self._lookup(kind)
            return ", ".join(names.get(as_id(v), f"a deleted {kind}") for v in values)
        if param.kind in ("tier", "priority", "choice"):
            labels = self._choices(param)
            return labels.get(str(value), f"{value} (no longer offered)")
        if param.kind == "tags":
            return ", ".join(value) if isinstance(value, list) else str(value)
        return f"“{value}”"

    def _lookup(self, kind: str) -> dict:
        if kind not in self._names:
            ids = self._ids[kind]
            if kind == "team":
                rows = Team.objects.filter(pk__in=ids).values_list("pk", "name", "name")
            else:
                rows = User.objects.filter(pk__in=ids).values_list("pk", "full_name", "email")
            self._names[kind] = {pk: name or email for pk, name, email in rows}
        return self._names[kind]

    def _choices(self, param: Param) -> dict:
        key = f"choices:{param.kind}:{param.name}:{id(param.choices)}"
        if key not in self._names:
            choices = {"tier": Tier.choices, "priority": Priority.choices}.get(
                param.kind, param.choices
            )
            self._names[key] = {str(value): label for value, label in choices}
        return self._names[key]


def action_apply(*, name: str, ticket: Ticket, params: dict, actor=None, source: str = "") -> str:
    """Validate and apply one action; ``source`` says on whose behalf (a rule, an SLA step)."""
    action = get(name)
    cleaned = action.validate(params)
    if action.fields is not None:
        return _update(ticket, actor, source, action.fields(ticket, cleaned))
    return action.apply(ticket=ticket, params=cleaned, actor=actor, source=source)


# --- Built-in actions -------------------------------------------------------------------------


def _team(value) -> Team:
    team = Team.objects.filter(pk=as_id(value)).first() if is_id(value) else None
    if team is None:
        raise ApplicationError(f"Team {value!r} no longer exists.", field="team")
    return team


def _agent(value) -> User:
    user = User.objects.filter(pk=as_id(value), is_active=True).first() if is_id(value) else None
    if user is None or not user.is_agent:
        raise ApplicationError(f"User {value!r} is not an active agent.", field="assignee")
    return user


def _choice(value, choices, name):
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number not in choices.values:
        raise ApplicationError(f"{value!r} is not a valid {name}.", field=name)
    return number


def _update(ticket, actor, source, data) -> str:
    from .services import ticket_update

    # Rules and timers are configured by admins: the "set tier" action may move the tier.
    changed = ticket_update(ticket=ticket, actor=actor, data=data, source=source, allow_tier=True)
    return changes_text(changed, data)


def changes_text(changes: dict, fields) -> str:
    """What an update did to ``fields``, in one line ("team → Networks")."""
    done = [f"{k} → {_shown(v['after'])}" for k, v in changes.items() if k in fields]
    return ", ".join(done) or "no change"


def _shown(value) -> str:
    return ", ".join(value) if isinstance(value, list) else str(value)


def register_builtin_actions() -> None:
    register(
        TicketAction(
            name="set_team",
            label="Set team",
            params=(Param("team", "team", "Team"),),
            clean=lambda p: {"team": _team(p["team"]).pk},
            fields=lambda ticket, params: {"team": params["team"]},  # checked by clean
        )
    )
    register(
        TicketAction(
            name="set_tier",
            label="Set tier",
            params=(Param("tier", "tier", "Tier"),),
            clean=lambda p: {"tier": _choice(p["tier"], Tier, "tier")},
            fields=lambda ticket, params: {"tier": params["tier"]},
        )
    )
    register(
        TicketAction(
            name="set_priority",
            label="Set priority",
            params=(Param("priority", "priority", "Priority"),),
            clean=lambda p: {"priority": _choice(p["priority"], Priority, "priority")},
            fields=lambda ticket, params: {"priority": params["priority"]},
        )
    )
    register(
        TicketAction(
            name="set_assignee",
            label="Assign to",
            params=(Param("assignee", "user", "Agent"),),
            clean=lambda p: {"assignee": _agent(p["assignee"]).pk},
            fields=lambda ticket, params: {"assignee": params["assignee"]},
        )
    )
    register(
        TicketAction(
            name="add_tags",
            label="Add tags",
            params=(Param("tags", "tags", "Tags"),),
            clean=_clean_tags,
            fields=lambda ticket, params: {
                "tags": sorted({t.name for t in ticket.tags.all()} | set(params["tags"]))
            },
        )
    )
    register(
        TicketAction(
            name="notify",
            label="Notify people",
            params=(
                Param("users", "users", "People", required=False),
                Param("team", "team", "Team", required=False),
                Param("message", "text", "Message", required=False),
            ),
            clean=_clean_notify,
            apply=_notify,
        )
    )


def _clean_tags(params: dict) -> dict:
    tags = params["tags"]
    if isinstance(tags, str):
        tags = [t for t in tags.replace(",", " ").split() if t]
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ApplicationError("Tags must be a list of words.", field="tags")
    return {"tags": sorted({t.strip().lower() for t in tags})}


def _clean_notify(params: dict) -> dict:
    users = params.get("users") or []
    if not isinstance(users, list):
        raise ApplicationError("People must be a list of user ids.", field="users")
    found = set(User.objects.filter(pk__in=users, is_active=True).values_list("pk", flat=True))
    missing = [u for u in users if u not in found]
    if missing:
        raise ApplicationError(f"No active user with id {missing[0]!r}.", field="users")
    team = _team(params["team"]).pk if params.get("team") else None
    if not users and team is None:
        raise ApplicationError("Notify: name people, a team, or both.", field="users")
    return {"users": users, "team": team, "message": str(params.get("message") or "")}


def _notify(*, ticket, params, actor, source) -> str:
    """Record who should hear about the ticket; the mail app sends the e-mails after commit."""
    from .events import notify

    recipients = set(params["users"])
    if params["team"]:
        recipients |= set(Team.objects.get(pk=params["team"]).members.values_list("pk", flat=True))
    notify(
        ticket=ticket,
        user_ids=recipients,
        message=params["message"],
        source=source,
        actor=actor,
    )
    return f"notified {len(recipients)} people"
