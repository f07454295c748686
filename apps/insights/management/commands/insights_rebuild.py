"""``manage.py insights_rebuild [--stale] [--batch N]``: recompute leads' ticket figures."""

from django.core.management.base import BaseCommand, CommandError

from apps.insights.facts import facts_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the figures (TicketFact rows) of every ticket, a batch of ids per statement. "
        "Run it once on an existing desk after installing insights to fill the table; after "
        "that each ticket change keeps its row current, and a beat task every 15 minutes "
        "catches up with changes made around the services (--stale does what it does)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale",
            action="store_true",
            help="Only tickets without figures, or changed since their figures were computed.",
        )
        parser.add_argument(
            "--batch", type=int, default=2000, help="Tickets per statement (default 2000)."
        )

    def handle(self, *args, stale=False, batch=2000, **options):
        if batch < 1:
            raise CommandError("--batch must be at least 1.")
        which = "stale tickets" if stale else "every ticket"
        self.stdout.write(f"Recomputing the figures of {which}…")
        written = facts_rebuild(batch=batch, stale_only=stale, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Done: {written} ticket figures written."))
