"""A macro: a canned reply with placeholders, and the field changes sent with it."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from apps.accounts.models import Team
from apps.tickets.models import Priority, Status

from . import placeholders

TAG_MAX = 50  # as a ticket's tag


class Scope(models.TextChoices):
    PERSONAL = "personal", "Personal"
    TEAM = "team", "Team"
    GLOBAL = "global", "Everyone"


# A reply moves a ticket on to one of these; closing is a decision of its own, not a canned one.
MACRO_STATUSES = [
    (Status.OPEN, Status.OPEN.label),
    (Status.PENDING, Status.PENDING.label),
    (Status.RESOLVED, Status.RESOLVED.label),
]


def split_tags(text: str) -> list[str]:
    """Tag names from "vpn, remote-access", as tickets store them (lower case)."""
    return sorted({part.strip().lower() for part in (text or "").split(",") if part.strip()})


def tags_check(text: str) -> None:
    for name in split_tags(text):
        if not name.replace("-", "").replace("_", "").isalnum() or len(name) > TAG_MAX:
            raise ValidationError(
                {"add_tags": f"“{name[:20]}” is not a valid tag (letters, digits, - and _)."}
            )


class Macro(models.Model):
    name = models.CharField(max_length=80)
    body = models.TextField(
        help_text="Placeholders such as {{ requester.first_name }}, {{ ticket.reference }} and "
        "{{ agent.first_name }} are filled in when the macro is picked."
    )
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.PERSONAL)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="macros",
        help_text="Personal macros only: whose it is.",
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="macros",
        help_text="Team macros only: the team whose agents may use it.",
    )
    internal = models.BooleanField(
        "internal note", default=False, help_text="Sent as an internal note, not to the requester."
    )
    set_status = models.CharField("set status", max_length=20, blank=True, choices=MACRO_STATUSES)
    set_priority = models.PositiveSmallIntegerField(
        "set priority", null=True, blank=True, choices=Priority.choices
    )
    add_tags = models.CharField(
        "add tags", max_length=200, blank=True, help_text="Separate with commas."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope=Scope.PERSONAL, owner__isnull=False, team__isnull=True)
                | Q(scope=Scope.TEAM, owner__isnull=True, team__isnull=False)
                | Q(scope=Scope.GLOBAL, owner__isnull=True, team__isnull=True),
                name="macro_scope_names_its_owner_or_team",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors = {}
        if self.scope == Scope.PERSONAL and (self.owner_id is None or self.team_id):
            errors["owner"] = "A personal macro names its owner (and no team)."
        if self.scope == Scope.TEAM and (self.team_id is None or self.owner_id):
            errors["team"] = "A team macro names its team (and no owner)."
        if self.scope == Scope.GLOBAL and (self.team_id or self.owner_id):
            errors["scope"] = "A macro for everyone names neither an owner nor a team."
        unknown = placeholders.unknown_in(self.body or "")
        if unknown:
            offered = ", ".join(f"{{{{ {name} }}}}" for name in placeholders.PLACEHOLDERS)
            errors["body"] = f"Unknown placeholder {{{{ {unknown[0]} }}}}. Offered: {offered}."
        if errors:
            raise ValidationError(errors)
        tags_check(self.add_tags)

    @property
    def tag_names(self) -> list[str]:
        return split_tags(self.add_tags)

    @property
    def changes(self) -> list[str]:
        """What sending it changes besides the message, in words."""
        said = []
        if self.set_status:
            said.append(f"Status → {self.get_set_status_display()}")
        if self.set_priority:
            said.append(f"Priority → {self.get_set_priority_display()}")
        said.extend(f"+ tag {name}" for name in self.tag_names)
        return said
