"""Validating, storing, ordering, importing and exporting rules (writes; each one recorded)."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.accounts.models import Team, User
from apps.core.errors import ApplicationError
from apps.core.text import single_line_problem
from apps.tickets import actions as ticket_actions

from .conditions import conditions_clean
from .engine import bump_version
from .models import Rule, RuleRevision

RULE_FIELDS = ("name", "description", "enabled", "conditions", "actions", "stop_processing")


def actions_clean(actions, *, where: str = "Actions") -> list[dict]:
    """Each action must be registered and its parameters valid (a team that still exists…)."""
    if actions in (None, ""):
        return []
    if not isinstance(actions, list):
        raise ApplicationError(f"{where}: must be a list of actions.", field="actions")
    cleaned = []
    for index, spec in enumerate(actions, start=1):
        here = f"{where}, action {index}"
        if not isinstance(spec, dict) or not isinstance(spec.get("action"), str):
            raise ApplicationError(f"{here}: say which action to apply.", field="actions")
        try:
            action = ticket_actions.get(spec["action"])
            params = action.validate(spec.get("params") or {})
        except ApplicationError as exc:
            raise ApplicationError(f"{here}: {exc.message}", field="actions") from None
        cleaned.append({"action": action.name, "params": params})
    return cleaned


def rule_clean(data: dict, *, where: str = "") -> dict:
    """Validate a rule's fields; messages name the rule and the field at fault."""
    name = str(data.get("name") or "").strip()
    prefix = where or (f"Rule “{name}”" if name else "Rule")
    if not name:
        raise ApplicationError(f"{prefix}: a name is required.", field="name")
    if len(name) > 120:
        raise ApplicationError(f"{prefix}: the name is longer than 120 characters.", field="name")
    if single_line_problem(name):
        raise ApplicationError(f"{prefix}: the name {single_line_problem(name)}.", field="name")
    try:
        conditions = conditions_clean(data.get("conditions"), where=f"{prefix}, conditions")
    except ApplicationError as exc:
        raise ApplicationError(exc.message, field="conditions") from None
    return {
        "name": name,
        "description": str(data.get("description") or ""),
        "enabled": bool(data.get("enabled", True)),
        "stop_processing": bool(data.get("stop_processing", False)),
        "conditions": conditions,
        "actions": actions_clean(data.get("actions"), where=f"{prefix}, actions"),
    }


def snapshot(rule: Rule) -> dict:
    return {
        "name": rule.name,
        "description": rule.description,
        "position": rule.position,
        "enabled": rule.enabled,
        "stop_processing": rule.stop_processing,
        "conditions": rule.conditions,
        "actions": rule.actions,
    }


def _revision(rule: Rule, actor, change: str, fields=()) -> None:
    RuleRevision.objects.create(
        rule=rule if change != "deleted" else None,
        rule_name=rule.name,
        change=change,
        changed_fields=list(fields),
        snapshot=snapshot(rule),
        changed_by=actor,
    )


def _changed():
    """Every process recompiles at its next ticket. Bumped now (this process, this
    transaction) and again after commit, so a process that compiled the old rows in between
    cannot keep them."""
    bump_version()
    transaction.on_commit(bump_version)


def _unique_name(name: str, exclude: int | None = None) -> None:
    if Rule.objects.filter(name__iexact=name).exclude(pk=exclude).exists():
        raise ApplicationError(f"There is already a rule called “{name}”.", field="name")


def _position(value) -> int | None:
    """A rule's place in the order, as sent (a number or digits), or None when not sent."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    else:
        number = -1
    if not 0 <= number <= 2_147_483_647:
        raise ApplicationError("The position is a whole number from 0.", field="position")
    return number


@transaction.atomic
def rule_create(*, actor: User | None, data: dict, position: int | None = None) -> Rule:
    cleaned = rule_clean(data)
    _unique_name(cleaned["name"])
    position = _position(position)
    if position is None:
        last = Rule.objects.order_by("-position").values_list("position", flat=True).first()
        position = (last or 0) + 10
    rule = Rule.objects.create(**cleaned, position=position, updated_by=actor)
    _revision(rule, actor, "created", RULE_FIELDS)
    _changed()
    return rule


@transaction.atomic
def rule_update(*, rule: Rule, actor: User | None, data: dict) -> Rule:
    """Change a rule; ``data`` holds every field (a whole rule, as the editor posts it)."""
    cleaned = rule_clean({**snapshot(rule), **data})
    _unique_name(cleaned["name"], exclude=rule.pk)
    locked = Rule.objects.select_for_update().get(pk=rule.pk)
    changed = [f for f, v in cleaned.items() if getattr(locked, f) != v]
    position = _position(data.get("position"))
    if position is not None and position != locked.position:
        cleaned["position"] = position
        changed.append("position")
    if not changed:
        return locked
    for field, value in cleaned.items():
        setattr(locked, field, value)
    locked.updated_at, locked.updated_by = timezone.now(), actor
    locked.save()
    _revision(locked, actor, "changed", changed)
    _changed()
    return locked


@transaction.atomic
def rule_delete(*, rule: Rule, actor: User | None) -> None:
    _revision(rule, actor, "deleted")
    rule.delete()
    _changed()


@transaction.atomic
def rule_set_enabled(*, rules, actor: User | None, enabled: bool) -> int:
    count = 0
    for rule in (
        Rule.objects.select_for_update().filter(pk__in=[r.pk for r in rules]).order_by("pk")
    ):
        if rule.enabled != enabled:
            rule.enabled, rule.updated_at, rule.updated_by = enabled, timezone.now(), actor
            rule.save(update_fields=["enabled", "updated_at", "updated_by"])
            _revision(rule, actor, "changed", ["enabled"])
            count += 1
    _changed()
    return count


@transaction.atomic
def rule_duplicate(*, rule: Rule, actor: User | None) -> Rule:
    """A disabled copy right after the original, to edit and back-test before switching on."""
    name, n = f"{rule.name} (copy)", 2
    while Rule.objects.filter(name__iexact=name).exists():
        name, n = f"{rule.name} (copy {n})", n + 1
    Rule.objects.filter(position__gt=rule.position).update(position=F("position") + 1)
    copy = Rule.objects.create(
        **{**snapshot(rule), "name": name[:120], "enabled": False, "position": rule.position + 1},
        updated_by=actor,
    )
    _revision(copy, actor, "created", RULE_FIELDS)
    _changed()
    return copy


@transaction.atomic
def rules_reorder(*, ids: list[int], actor: User | None) -> None:
    """Store a new order (drag and drop, or up/down): positions 10, 20, 30…"""
    rules = {r.pk: r for r in Rule.objects.select_for_update().order_by("pk")}
    if set(ids) != set(rules):
        raise ApplicationError("The order must list every rule exactly once.", field="ids")
    for index, pk in enumerate(ids, start=1):
        rule = rules[pk]
        if rule.position != index * 10:
            rule.position = index * 10
            rule.save(update_fields=["position"])
            _revision(rule, actor, "moved", ["position"])
    _changed()


def rule_move(*, rule: Rule, actor: User | None, direction: str) -> None:
    ids = list(Rule.objects.order_by("position", "id").values_list("pk", flat=True))
    index = ids.index(rule.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ids):
        ids[index], ids[other] = ids[other], ids[index]
        rules_reorder(ids=ids, actor=actor)


# --- Import / export ----------------------------------------------------------------------
# Ids differ between environments, so teams travel as slugs and people as e-mail addresses.

EXPORT_FORMAT = "switchboard-routing-rules/1"


def _portable(action_name: str, params: dict, *, to_ids: bool, where: str) -> dict:
    try:
        action = ticket_actions.get(action_name)
    except ApplicationError as exc:
        raise ApplicationError(f"{where}: {exc.message}", field="actions") from None
    out = dict(params)
    for param in action.params:
        value = params.get(param.name)
        if value in (None, "", []):
            continue
        if param.kind == "team":
            out[param.name] = _team_ref(value, to_ids=to_ids, where=where)
        elif param.kind == "user":
            out[param.name] = _user_ref(value, to_ids=to_ids, where=where)
        elif param.kind == "users":
            out[param.name] = [_user_ref(v, to_ids=to_ids, where=where) for v in value]
    return out


def _team_ref(value, *, to_ids: bool, where: str):
    if not to_ids:
        return Team.objects.filter(pk=value).values_list("slug", flat=True).first() or value
    pk = Team.objects.filter(slug=value).values_list("pk", flat=True).first()
    if pk is None:
        raise ApplicationError(f"{where}: there is no team “{value}”.", field="actions")
    return pk


def _user_ref(value, *, to_ids: bool, where: str):
    if not to_ids:
        return User.objects.filter(pk=value).values_list("email", flat=True).first() or value
    pk = User.objects.filter(email__iexact=str(value)).values_list("pk", flat=True).first()
    if pk is None:
        raise ApplicationError(f"{where}: there is no user “{value}”.", field="actions")
    return pk


def rules_export() -> dict:
    rules = []
    for rule in Rule.objects.order_by("position", "id"):
        data = snapshot(rule)
        data.pop("position")
        data["actions"] = [
            {
                "action": a["action"],
                "params": _portable(
                    a["action"], a.get("params", {}), to_ids=False, where=f"Rule “{rule.name}”"
                ),
            }
            for a in rule.actions
        ]
        rules.append(data)
    return {"format": EXPORT_FORMAT, "rules": rules}


@transaction.atomic
def rules_import(*, data, actor: User | None) -> int:
    """Replace the whole rule set with the file's, or change nothing and say what is wrong."""
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise ApplicationError(
            f"Not a rules file: expected “format”: “{EXPORT_FORMAT}”.", field="file"
        )
    items = data.get("rules")
    if not isinstance(items, list):
        raise ApplicationError("The file has no “rules” list.", field="file")
    cleaned, names = [], set()
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ApplicationError(f"Rule {index}: must be an object.", field="file")
        where = f"Rule {index} “{item.get('name', '')}”"
        actions = item.get("actions") or []
        if not isinstance(actions, list):
            raise ApplicationError(f"{where}, actions: must be a list.", field="file")
        item = {
            **item,
            "actions": [
                {
                    "action": a.get("action"),
                    "params": _portable(
                        a.get("action"),
                        a.get("params") or {},
                        to_ids=True,
                        where=f"{where}, action {n}",
                    ),
                }
                if isinstance(a, dict)
                else a
                for n, a in enumerate(actions, start=1)
            ],
        }
        try:
            rule = rule_clean(item, where=where)
        except ApplicationError as exc:
            raise ApplicationError(exc.message, field="file") from None
        if rule["name"].casefold() in names:
            raise ApplicationError(f"{where}: the name is used twice.", field="file")
        names.add(rule["name"].casefold())
        cleaned.append(rule)
    for rule in Rule.objects.all():
        _revision(rule, actor, "deleted")
    Rule.objects.all().delete()
    for index, rule in enumerate(cleaned, start=1):
        created = Rule.objects.create(**rule, position=index * 10, updated_by=actor)
        _revision(created, actor, "imported", RULE_FIELDS)
    _changed()
    return len(cleaned)
