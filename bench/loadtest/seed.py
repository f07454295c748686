"""The load test's desk: the demo's people, teams, rules and policies, plus a history of tickets.

``python -m bench.loadtest.seed --tickets N [--quick]`` with the desk's environment (production
settings, its own database). The full form runs ``seed_demo`` (about 100 s: every demo ticket
goes through the services) and then writes N more tickets with COPY (``bench.bulk_seed``). The
quick form (CI) runs only what the demo configures, the N tickets, then the demo's articles and
collaborator tasks on those tickets: a smaller desk in a fraction of the time.
"""

import argparse
import random
import time

import django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=3000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    django.setup()
    started = time.perf_counter()
    if args.quick:
        _quick_desk(tickets=args.tickets)
    else:
        from django.core.management import call_command

        call_command("seed_demo", verbosity=0)
        _bulk_tickets(args.tickets)
    print(f"loadtest seed: desk ready in {time.perf_counter() - started:.1f} s", flush=True)


def _quick_desk(*, tickets: int) -> None:
    """The demo's configure steps, the tickets, then the populate steps that need no demo
    ticket (articles) or work on any ticket (collaborator tasks)."""
    from django.apps import apps
    from django.db import transaction

    from apps.core.management.commands import seed_demo

    modules = [seed_demo.Command._demo_module(c.name) for c in apps.get_app_configs()]
    modules = [m for m in modules if m is not None]
    demo: dict = {"logins": [], "stdout": _Quiet()}
    with seed_demo._tasks_run_inline(), transaction.atomic():
        for module in modules:
            if hasattr(module, "configure"):
                module.configure(demo)
        _bulk_tickets(tickets)
        for module in modules:
            if module.__name__ in QUICK_POPULATE:
                module.populate(demo)


QUICK_POPULATE = ("apps.knowledge.demo", "apps.subtasks.demo")


class _Quiet:
    """The demo's progress lines go to stdout; the quick desk says only how long it took."""

    def write(self, *args, **kwargs) -> None:
        pass


def _bulk_tickets(count: int) -> None:
    """``count`` tickets spread over the demo's teams like bench_queue's desk, with comments
    and SLA clocks, written with COPY."""
    from apps.accounts.models import Team, User
    from apps.tickets.models import Category, Location, Product

    from .. import bulk_seed

    teams = {team.slug: team for team in Team.objects.prefetch_related("memberships__user")}
    agents = {slug: [m.user for m in team.memberships.all()] for slug, team in teams.items()}
    agents = {slug: people for slug, people in agents.items() if people}
    desk = {
        "teams": teams,
        "team_shares": [(slug, teams[slug].name, 1.0) for slug in agents],
        "agents": agents,
        "requesters": list(User.objects.filter(team_memberships__isnull=True, is_staff=False)),
        "categories": list(Category.objects.all()),
        "locations": list(Location.objects.all()),
        "products": list(Product.objects.all()),
    }
    written = bulk_seed.seed(rng=random.Random(10), desk=desk, count=count, comments_per_ticket=2)
    print(f"loadtest seed: {written}", flush=True)


if __name__ == "__main__":
    main()
