"""Importing people from a CSV file into organisations and teams: all rows or none.

Columns: email, full_name, organisation, team (a team's slug, optional), role (requester,
agent or lead; empty means requester). A person is found by e-mail address and updated, never
duplicated; a new person gets no password and signs in with a link or a password reset. The
work is done in batches, so 20,000 rows cost a few dozen queries, not a few per row.
"""

import csv
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower

from apps.core.errors import ApplicationError

from .models import Membership, Organisation, Team, User

log = logging.getLogger(__name__)

COLUMNS = ("email", "full_name", "organisation", "team", "role")
ROLES = ("requester", "agent", "lead")
MAX_ROWS = 50_000
BATCH = 1000
MAX_ERRORS = 100  # a wrong file can have an error per row: the first ones say what is wrong


class PeopleImportError(ApplicationError):
    """The file cannot be imported; ``errors`` lists each problem with its line."""

    def __init__(self, errors: list[str]):
        shown = errors[:MAX_ERRORS]
        more = f" (and {len(errors) - len(shown)} more)" if len(errors) > len(shown) else ""
        super().__init__(f"{len(errors)} problems{more}: nothing was imported.", field="file")
        self.errors = shown


@dataclass
class _Row:
    line: int
    email: str
    full_name: str
    organisation: Organisation | None
    team: Team | None
    role: str


@dataclass
class PeopleImportResult:
    """What the import did (or, in a dry run, would do): e-mail addresses per outcome."""

    dry_run: bool
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    seats_added: list[str] = field(default_factory=list)  # "email → team (role)"
    seats_changed: list[str] = field(default_factory=list)


def people_rows_from_csv(data: bytes | str) -> list[tuple[int, dict]]:
    """(line number, row) of a CSV file with a header line; PeopleImportError if the file is
    not such a file."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise PeopleImportError(["the file is not UTF-8 text"]) from None
    reader = csv.DictReader(io.StringIO(data))
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header and c != "team"]
    if missing:
        raise PeopleImportError([f"line 1: missing column(s) {', '.join(missing)}"])
    reader.fieldnames = header
    rows = []
    try:
        for row in reader:
            rows.append((reader.line_num, row))
            if len(rows) > MAX_ROWS:
                raise PeopleImportError([f"more than {MAX_ROWS} rows: split the file"])
    except csv.Error as exc:
        raise PeopleImportError([f"line {reader.line_num}: {exc}"]) from None
    return rows


def _parse(
    rows: Iterable[tuple[int, dict] | dict],
    organisations: dict[str, Organisation],
    teams: dict[str, Team],
) -> tuple[list[_Row], list[str]]:
    parsed, errors, seen = [], [], {}
    for index, item in enumerate(rows):
        line, row = item if isinstance(item, tuple) else (index + 2, item)
        if None in row:  # csv.DictReader puts extra cells under None
            errors.append(f"line {line}: more cells than columns")
            continue
        value = {k: (row.get(k) or "").strip() for k in COLUMNS}
        email = User.objects.normalize_email(value["email"]).lower()
        problems = []
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"not an e-mail address {value['email']!r}")
        if email in seen:
            problems.append(f"{email} is also on line {seen[email]}")
        organisation = None
        if value["organisation"]:
            organisation = organisations.get(value["organisation"].casefold())
            if organisation is None:
                problems.append(f"unknown organisation {value['organisation']!r}")
        team = None
        if value["team"]:
            team = teams.get(value["team"].lower())
            if team is None:
                problems.append(f"unknown team {value['team']!r}")
        role = value["role"].lower() or "requester"
        if role not in ROLES:
            problems.append(f"unknown role {value['role']!r} (requester, agent or lead)")
        elif role != "requester" and team is None and not value["team"]:
            problems.append(f"an {role} needs a team")
        elif role == "requester" and value["team"]:
            problems.append("a requester has no team: leave it empty, or give the role")
        if len(value["full_name"]) > 150:
            problems.append("full_name is longer than 150 characters")
        if problems:
            errors.extend(f"line {line}: {p}" for p in problems)
            continue
        seen[email] = line
        parsed.append(_Row(line, email, value["full_name"], organisation, team, role))
    return parsed, errors


def people_import(
    *, rows: Iterable[tuple[int, dict] | dict], actor: User, dry_run: bool = False
) -> PeopleImportResult:
    """Create or update everyone in ``rows`` (dicts, or (line, dict) pairs as
    ``people_rows_from_csv`` gives them), or raise PeopleImportError naming every line at
    fault and change nothing.

    An empty full_name or organisation leaves an existing person's as it is. Agent and lead
    rows give the person a seat in the team (a new seat starts at tier 1; an existing seat
    keeps its tier, and its lead flag follows the role). Nobody loses a seat here: that is
    done in the admin, where it can be seen who else is in the team."""
    organisations = {o.name.casefold(): o for o in Organisation.objects.all()}
    teams = {t.slug.lower(): t for t in Team.objects.all()}
    parsed, errors = _parse(rows, organisations, teams)
    if errors:
        raise PeopleImportError(errors)
    result = PeopleImportResult(dry_run=dry_run)
    with transaction.atomic():
        _apply(parsed, result, write=not dry_run)
        if not dry_run:
            log.info(
                "people import by %s: %d created, %d updated, %d seats added, %d changed",
                actor.email,
                len(result.created),
                len(result.updated),
                len(result.seats_added),
                len(result.seats_changed),
            )
    return result


def _apply(parsed: list[_Row], result: PeopleImportResult, *, write: bool) -> None:
    for start in range(0, len(parsed), BATCH):
        batch = parsed[start : start + BATCH]
        existing = {
            u.email_lower: u
            for u in User.objects.annotate(email_lower=Lower("email")).filter(
                email_lower__in=[r.email for r in batch]
            )
        }
        new_users, changed_users = [], []
        for row in batch:
            user = existing.get(row.email)
            if user is None:
                user = User(
                    email=row.email,
                    full_name=row.full_name,
                    organisation=row.organisation,
                    password=make_password(None),  # no password: a link or a reset
                )
                new_users.append(user)
                result.created.append(row.email)
                continue
            before = (user.full_name, user.organisation_id)
            if row.full_name:
                user.full_name = row.full_name
            if row.organisation is not None:
                user.organisation = row.organisation
            if (user.full_name, user.organisation_id) != before:
                changed_users.append(user)
                result.updated.append(row.email)
            else:
                result.unchanged.append(row.email)
        if write:
            User.objects.bulk_create(new_users, batch_size=BATCH)
            User.objects.bulk_update(changed_users, ["full_name", "organisation"], batch_size=BATCH)
        people = {**existing, **{u.email: u for u in new_users}}
        _seats([r for r in batch if r.team is not None], people, result, write=write)


def _seats(rows: list[_Row], people: dict[str, User], result, *, write: bool) -> None:
    if not rows:
        return
    user_ids = [people[r.email].pk for r in rows if people[r.email].pk]
    seats = {
        (m.user_id, m.team_id): m
        for m in Membership.objects.filter(user_id__in=user_ids, team__in={r.team for r in rows})
    }
    new_seats, changed_seats = [], []
    for row in rows:
        user = people[row.email]
        is_lead = row.role == "lead"
        seat = seats.get((user.pk, row.team.pk)) if user.pk else None
        label = f"{row.email} → {row.team.slug} ({row.role})"
        if seat is None:
            new_seats.append(Membership(user=user, team=row.team, is_lead=is_lead))
            result.seats_added.append(label)
        elif seat.is_lead != is_lead:
            seat.is_lead = is_lead
            changed_seats.append(seat)
            result.seats_changed.append(label)
    if write:
        Membership.objects.bulk_create(new_seats, batch_size=BATCH)
        Membership.objects.bulk_update(changed_seats, ["is_lead"], batch_size=BATCH)
