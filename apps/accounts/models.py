"""People and the teams they work in.

Anyone can be a requester or a collaborator on a subtask; being an agent means being a member of
a team at a tier, and a team lead is a member flagged as lead. Admins are Django staff.
"""

import json
import re

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def parse_email_domains(text: str) -> list[str]:
    """The domains an admin typed: one per line (or comma-separated), or a JSON list.
    Lower-cased, without a leading "@", duplicates dropped, order kept."""
    text = (text or "").strip()
    if text.startswith("["):
        try:
            items = json.loads(text)
        except ValueError:
            raise ValidationError("Not a valid JSON list of domains.") from None
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ValidationError("A JSON list of domains must hold strings only.")
    else:
        items = re.split(r"[\s,;]+", text)
    domains = []
    for item in items:
        domain = item.strip().lower().lstrip("@").rstrip(".")
        if domain and domain not in domains:
            domains.append(domain)
    return domains


class Organisation(models.Model):
    """A company whose people ask us for help. People whose e-mail domain it lists may sign up
    themselves; whether they see each other's requests is the organisation's choice."""

    name = models.CharField(max_length=120, unique=True)
    email_domains = models.TextField(
        blank=True,
        help_text="Addresses at these domains may sign up as requesters of this organisation. "
        'One per line, or a JSON list (["example.com", "shop.example.com"]). Empty: no '
        "self sign-up.",
    )
    requesters_share_tickets = models.BooleanField(
        "requesters see each other's requests",
        default=False,
        help_text="Requesters of this organisation may read (not answer) each other's "
        "requests and their public replies. Internal notes stay with support.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def domain_list(self) -> list[str]:
        try:
            return parse_email_domains(self.email_domains)
        except ValidationError:
            return []

    def clean(self):
        domains = parse_email_domains(self.email_domains)
        bad = [d for d in domains if not DOMAIN_RE.match(d)]
        if bad:
            raise ValidationError({"email_domains": f"Not a domain: {', '.join(bad)}."})
        # One domain, one organisation: otherwise a sign-up could not say where it belongs.
        for other in Organisation.objects.exclude(pk=self.pk).exclude(email_domains=""):
            taken = sorted(set(domains) & set(other.domain_list))
            if taken:
                raise ValidationError(
                    {"email_domains": f"{', '.join(taken)} already belongs to {other.name}."}
                )
        self.email_domains = "\n".join(domains)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """Signs in with an e-mail address. Collaborators may have no password at all."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    # Requester attributes that routing rules and SLA policies look at.
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    department = models.CharField(max_length=120, blank=True)
    site = models.CharField(max_length=120, blank=True)
    is_vip = models.BooleanField("VIP", default=False)
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "admin", default=False, help_text="May sign in to the Django admin."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    # API tokens issued before this stop working (apps.accounts.authentication).
    password_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A mail server said this address cannot take mail (a bounce): notifications skip it until
    # an admin clears the date (after the person's address is fixed).
    email_bounced_at = models.DateTimeField("e-mail bounced", null=True, blank=True)
    email_bounce_reason = models.CharField(max_length=300, blank=True)
    # The e-mails this person turned off: keys of apps.core.mailchoices (the outbox obeys them).
    mail_opt_outs = models.JSONField("e-mails turned off", default=list, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self):
        return self.full_name or self.email

    def save(self, *args, **kwargs):
        # set_password() leaves the new raw password in _password until the save: every way of
        # changing it (reset, admin, `changepassword`) comes through here. A hash upgrade at
        # sign-in clears _password first, so it does not count as a change.
        if self._password is not None:
            self.password_changed_at = timezone.now()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "password" in update_fields:
                kwargs["update_fields"] = {*update_fields, "password_changed_at"}
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return (self.full_name or self.email).split(" ")[0]

    @property
    def takes_mail(self) -> bool:
        return bool(self.email) and self.email_bounced_at is None

    @property
    def email_domain(self) -> str:
        return self.email.rsplit("@", 1)[-1].lower()

    @property
    def organisation_name(self) -> str:
        """What routing conditions and SLA policies compare: "" when there is none."""
        return self.organisation.name if self.organisation_id else ""

    @cached_property
    def memberships(self) -> list["Membership"]:
        """This user's team seats, read once per request (or from a ``with_seats`` prefetch,
        so a list of people costs one query, not one per person)."""
        if not self.pk:
            return []
        if "team_memberships" in getattr(self, "_prefetched_objects_cache", {}):
            return list(self.team_memberships.all())
        return list(self.team_memberships.select_related("team"))

    @cached_property
    def team_ids(self) -> set[int]:
        return {m.team_id for m in self.memberships}

    @cached_property
    def led_team_ids(self) -> set[int]:
        return {m.team_id for m in self.memberships if m.is_lead}

    @property
    def is_agent(self) -> bool:
        return bool(self.memberships) or self.is_superuser

    @property
    def is_lead(self) -> bool:
        return bool(self.led_team_ids) or self.is_superuser

    @property
    def role(self) -> str:
        if self.is_superuser or self.is_staff:
            return "admin"
        if self.led_team_ids:
            return "lead"
        if self.memberships:
            return "agent"
        return "requester"


class Team(models.Model):
    """A group that owns problems. The triage team receives what no routing rule claims."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    email = models.EmailField(blank=True, help_text="Shared inbox notified about the team's queue.")
    description = models.TextField(blank=True)
    is_triage = models.BooleanField(
        default=False, help_text="Tickets that no routing rule sends elsewhere wait here."
    )
    members = models.ManyToManyField(User, through="Membership", related_name="teams")
    # These three are how a team works, not features bolted on, so they stay here rather than
    # in one-to-one rows of the apps that read them: "triage" is read by tickets (a new
    # ticket's first team) as well as routing, and tiers are part of the ticket core (whether
    # the first agent holds the ticket, and whether tier 3 may talk to the requester, decide
    # who may see and reply to a ticket in tickets.permissions). Each is one flag read on
    # every ticket page; a row per app would cost a join there and buy nothing.
    touch_and_hold = models.BooleanField(
        "touch and hold",
        default=False,
        help_text="The agent who first accepts a ticket stays its holder through every "
        "escalation (sees it, is told of each change, may talk to the requester).",
    )
    allow_direct_support = models.BooleanField(
        "direct support",
        default=False,
        help_text="At tier 3, this team's agents may reply to the requester directly.",
    )
    # Time and cost (apps.tickets.timekeeping): what an hour of the team's work costs, and
    # whether its people must say how long a reply, note or subtask took.
    hourly_cost = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="What an hour of this team's work costs (in the desk's currency); empty: "
        "time is counted, cost is not.",
    )
    time_entry = models.CharField(
        "time spent",
        max_length=10,
        choices=[
            ("optional", "Asked, optional"),
            ("required", "Required on every reply and note"),
            ("off", "Not asked"),
        ],
        default="optional",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_triage"], condition=models.Q(is_triage=True), name="one_triage_team"
            )
        ]

    def __str__(self):
        return self.name


class Tier(models.IntegerChoices):
    ONE = 1, "Tier 1"
    TWO = 2, "Tier 2"
    THREE = 3, "Tier 3"


class Membership(models.Model):
    """A user's seat in a team: the tier they work at, and whether they lead the team."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="team_memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, default=Tier.ONE)
    is_lead = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "team"], name="one_seat_per_team")]
        ordering = ["team__name", "tier"]

    def __str__(self):
        return f"{self.user} in {self.team} ({self.get_tier_display()})"


def with_seats(users: models.QuerySet) -> models.QuerySet:
    """People with their team seats loaded in one query, for code that asks many of them what
    they may do (``team_ids``, ``is_agent``, permissions)."""
    seats = Membership.objects.select_related("team")
    return users.prefetch_related(models.Prefetch("team_memberships", queryset=seats))
