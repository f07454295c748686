"""`manage.py import_people people.csv [--dry-run] --actor admin@example.com`: the admin's
people import, from a shell (see apps.accounts.people_import)."""

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import User
from apps.accounts.people_import import PeopleImportError, people_import, people_rows_from_csv


class Command(BaseCommand):
    help = "Create or update people from a CSV file (email, full_name, organisation, team, role)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file with a header line")
        parser.add_argument("--dry-run", action="store_true", help="Show what would change")
        parser.add_argument(
            "--actor", required=True, help="E-mail of the admin the import is recorded for"
        )

    def handle(self, *args, file, dry_run, actor, **options):
        user = User.objects.filter(email__iexact=actor, is_staff=True, is_active=True).first()
        if user is None:
            raise CommandError(f"No active admin with the address {actor}.")
        try:
            with open(file, "rb") as fh:
                rows = people_rows_from_csv(fh.read())
            result = people_import(rows=rows, actor=user, dry_run=dry_run)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from None
        except PeopleImportError as exc:
            raise CommandError("\n".join([exc.message, *exc.errors])) from None
        verb = "Would create" if dry_run else "Created"
        self.stdout.write(
            f"{verb} {len(result.created)}, update {len(result.updated)} "
            f"({len(result.unchanged)} unchanged); seats: {len(result.seats_added)} new, "
            f"{len(result.seats_changed)} changed."
        )
        for label, items in (
            ("create", result.created),
            ("update", result.updated),
            ("seat", result.seats_added + result.seats_changed),
        ):
            for item in items:
                self.stdout.write(f"  {label}: {item}")
