"""The rules compiler and matcher: pure functions over plain data, no writes.

The enabled rules are compiled once per process into a single generated Python function (one
``if`` per rule, each in its own ``try`` so a failing rule is recorded and skipped) and kept with
the rule-set version they were built from. Every evaluation reads that version from the shared
Django cache (Redis in production, a file cache by default) and recompiles only when an admin
changed something, so every web and worker process follows a change at its very next ticket.
When the cache does not answer (Redis down), there is no shared version: each process then
rebuilds from the database at most every ``LOCAL_TTL`` seconds, so tickets are still routed by
the current rules, a few seconds late at worst.
"""

import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache

from .conditions import FIELDS, LIST_OPERATORS
from .safe_regex import regex_compile, regex_search

VERSION_KEY = "routing:rules-version"
# Without a shared version (the cache is down), how long a process trusts its compiled rules.
LOCAL_TTL = 10.0


@dataclass(frozen=True)
class CompiledRule:
    id: int | None
    name: str
    conditions: dict
    actions: tuple[dict, ...]
    stop: bool


@dataclass
class Outcome:
    matched: list[CompiledRule]
    errors: list[dict]
    evaluated: int


# Each rule becomes one Python expression over the facts dict: no per-condition function calls,
# and cheap tests run before costly ones inside a group (conditions are pure, so the order
# cannot change the answer, only how soon it is known). Every value from a rule is passed in
# as a bound constant, never written into the source.

_COST = {
    "is_empty": 0,
    "equals": 0,
    "in": 0,
    "not_in": 0,
    "starts_with": 1,
    "contains": 2,
    "regex": 9,
}


CUSTOM = re.compile(r"cf_[a-z][a-z0-9_]*")


class _Source:
    def __init__(self):
        self.constants: dict[str, object] = {"_search": _memo_search}
        self.patterns: dict[str, str] = {}

    def pattern(self, value: str) -> str:
        """One compiled object per distinct pattern, so a run's memo serves every rule."""
        if value not in self.patterns:
            self.patterns[value] = self.constant(regex_compile(value))
        return self.patterns[value]

    def constant(self, value) -> str:
        name = f"_k{len(self.constants)}"
        self.constants[name] = value
        return name

    def condition(self, node: dict) -> tuple[int, str]:
        name, op, value = node["field"], node["op"], node.get("value")
        if name in FIELDS:
            fact = f"_v_{name}"  # a local read once per run (name is one of FIELDS' keys)
        elif CUSTOM.fullmatch(name):
            fact = f"f.get({name!r}, '')"  # an admin's custom field: absent on older tickets
        else:
            raise ValueError(f"unknown field {name!r}")
        if op == "is_empty":
            expression = f"not {fact}"
        elif op == "regex":
            expression = f"_search({self.pattern(value)}, {fact}, _memo)"
        elif op in LIST_OPERATORS:
            values = self.constant(frozenset(str(v).casefold() for v in value))
            expression = f"{fact} {'in' if op == 'in' else 'not in'} {values}"
        elif op in ("equals", "contains", "starts_with"):
            text = self.constant(str(value).casefold())
            expression = {
                "equals": f"{fact} == {text}",
                "contains": f"{text} in {fact}",
                "starts_with": f"{fact}.startswith({text})",
            }[op]
        else:
            raise ValueError(f"unknown operator {op!r}")
        return _COST[op], expression

    def group(self, tree: dict) -> tuple[int, str]:
        if not isinstance(tree, dict) or len(tree) != 1:
            raise ValueError('a group must be {"all": [...]} or {"any": [...]}')
        mode, items = next(iter(tree.items()))
        if mode not in ("all", "any"):
            raise ValueError(f"unknown group {mode!r}")
        parts = sorted(
            (self.group(i) if ("all" in i or "any" in i) else self.condition(i) for i in items),
            key=lambda part: part[0],
        )
        if not parts:
            # An empty "any" matches nothing; an empty "all" everything (a catch-all rule).
            return 0, "True" if mode == "all" else "False"
        joiner = " and " if mode == "all" else " or "
        return max(p[0] for p in parts) + 1, "(" + joiner.join(p[1] for p in parts) + ")"


def _memo_search(compiled, text: str, memo: dict) -> bool:
    """A regex search, done once per pattern and text in one evaluation."""
    key = (compiled, text)
    found = memo.get(key)
    if found is None:
        found = memo[key] = regex_search(compiled, text)
    return found


def compile_rule(*, id, name, conditions, actions, stop) -> CompiledRule:
    return CompiledRule(
        id=id, name=name, conditions=conditions or {"all": []}, actions=tuple(actions or ()),
        stop=stop,
    )  # fmt: skip


@dataclass(frozen=True)
class RuleSet:
    version: str
    rules: tuple[CompiledRule, ...]
    run: Callable[[dict, list, list], int]


def build(rules, version: str = "") -> RuleSet:
    """Generate the one function that evaluates every rule in order.

    A rule that cannot compile (edited behind the admin's back) becomes a branch that records
    the reason, so it is reported on every decision and skipped, like a rule that errors.
    """
    rules = tuple(rules)
    source = _Source()
    lines = [
        "def _run(f, _hits, _errors):",
        "    _memo = {}",
        *(f"    _v_{name} = f[{name!r}]" for name in FIELDS),
    ]
    for index, rule in enumerate(rules):
        try:
            _, expression = source.group(rule.conditions)
        except Exception as exc:
            message = source.constant(f"cannot compile: {getattr(exc, 'message', exc)}")
            lines.append(f"    _errors.append(({index}, {message}))")
            continue
        lines += [
            "    try:",
            f"        if {expression}:",
            f"            _hits.append({index})",
            *([f"            return {index + 1}"] if rule.stop else []),
            "    except Exception as _e:",
            f"        _errors.append(({index}, _e))",
        ]
    lines.append(f"    return {len(rules)}")
    namespace = dict(source.constants)
    # Reviewed (B102): generated source holds only our names and indexes; rule values are bound as constants.
    exec(compile("\n".join(lines), "<routing rules>", "exec"), namespace)  # nosec B102
    return RuleSet(version=version, rules=rules, run=namespace["_run"])


def evaluate(rules, facts: dict) -> Outcome:
    """Which rules match, in order, honouring "stop processing"; errors skip the rule."""
    ruleset = rules if isinstance(rules, RuleSet) else build(rules)
    hits: list[int] = []
    failures: list[tuple[int, object]] = []
    evaluated = ruleset.run(facts, hits, failures)
    compiled = ruleset.rules
    return Outcome(
        matched=[compiled[i] for i in hits],
        errors=[
            {"rule_id": compiled[i].id, "rule": compiled[i].name, "error": str(error)}
            for i, error in failures
        ],
        evaluated=evaluated,
    )


# --- The per-process cache -------------------------------------------------------------------

_lock = threading.Lock()
_compiled: RuleSet | None = None
_compiled_at = 0.0  # time.monotonic() of the last build


def current_version() -> str | None:
    """The shared rule-set version; if the cache lost it, start a new one (forces a rebuild).

    None when the cache does not answer: the caller cannot know whether the rules changed.
    """
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def bump_version() -> None:
    """Tell every process that the rules changed (called after the change commits)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def _fresh(compiled: RuleSet | None, version: str | None) -> bool:
    if compiled is None:
        return False
    if version is None:  # no shared version: trust our own build for a few seconds only
        return compiled.version == "" and time.monotonic() - _compiled_at < LOCAL_TTL
    return compiled.version == version


def ruleset(loader: Callable[[], list[CompiledRule]]) -> RuleSet:
    """The compiled enabled rules, rebuilt with ``loader`` only when the version moved."""
    global _compiled, _compiled_at
    version = current_version()
    compiled = _compiled
    if _fresh(compiled, version):
        return compiled
    with _lock:
        if not _fresh(_compiled, version):
            _compiled = build(loader(), version or "")
            _compiled_at = time.monotonic()
        return _compiled


def forget_compiled() -> None:
    """Drop this process's compiled rules (as a fresh process would start)."""
    global _compiled
    _compiled = None
