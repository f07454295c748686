"""The ticket events the SLA app records."""

from dataclasses import dataclass

from apps.tickets.events import declare


@declare("sla_policy_applied", "applied an SLA policy")
@dataclass(frozen=True)
class PolicyApplied:
    policy: str
    policy_id: int
    source: str = ""


@dataclass(frozen=True)
class _ClockNews:
    target: str
    policy: str
    due: str = ""


@declare("sla_warning", "warned that an SLA target is close")
@dataclass(frozen=True)
class Warning(_ClockNews):
    pass


@declare("sla_breached", "recorded a breached SLA target")
@dataclass(frozen=True)
class Breached(_ClockNews):
    pass


CLOCK_NEWS = {"sla_warning": Warning, "sla_breached": Breached}


@declare("sla_step", "ran an SLA escalation step")
@dataclass(frozen=True)
class StepRan:
    target: str
    action: str
    outcome: str = ""
    error: str = ""
