"""The ticket events the SLA app records."""

from dataclasses import dataclass

from apps.tickets import history as h
from apps.tickets.events import declare


@declare("sla_policy_applied", "applied an SLA policy")
@dataclass(frozen=True)
class PolicyApplied:
    policy: str
    policy_id: int
    source: str = ""

    def describe(self, event) -> str:
        return f"SLA policy “{self.policy}” applied{h.by(event, self.source)}"


@dataclass(frozen=True)
class _ClockNews:
    target: str
    policy: str
    due: str = ""

    news = "changed"

    def describe(self, event) -> str:
        due = f", due {self.due}" if self.due else ""
        return f"SLA {self.target.lower()} target {self.news} (policy “{self.policy}”{due})"


@declare("sla_warning", "warned that an SLA target is close")
@dataclass(frozen=True)
class Warning(_ClockNews):
    news = "is close"
    pass


@declare("sla_breached", "recorded a breached SLA target")
@dataclass(frozen=True)
class Breached(_ClockNews):
    news = "breached"
    pass


CLOCK_NEWS = {"sla_warning": Warning, "sla_breached": Breached}


@declare("sla_step", "ran an SLA escalation step")
@dataclass(frozen=True)
class StepRan:
    target: str
    action: str
    outcome: str = ""
    error: str = ""

    def describe(self, event) -> str:
        action = h.action_label(self.action)
        text = f"SLA escalation step for the {self.target.lower()} target: {action}"
        if self.error:
            return f"{text} failed ({self.error})"
        return f"{text} ({self.outcome})" if self.outcome else text
