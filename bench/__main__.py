"""Run the benchmarks: `python -m bench [name ...]` (names are bench_<name>.py modules).

`make bench SIZE=1m` (BENCH_SIZE=1m) runs the queue benchmark's read figures on a million
tickets, in the database switchboard_bench_1m (seeded with COPY the first time, reused after).

With BENCH_TICKETS set (a smaller desk for trying a change out, e.g. 2000) the figures are
printed but not written to results.json.
"""

import importlib
import json
import os
import pkgutil
import sys
import time
from pathlib import Path

from bench import cpu_reference_ms

RESULTS = Path(__file__).with_name("results.json")
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/switchboard_bench"
# BENCH_SIZE=1m (make bench SIZE=1m): a desk of its own, seeded once and reused.
SIZE_DB = {"1m": "postgres://postgres@127.0.0.1:5432/switchboard_bench_1m"}


def _setup_django() -> None:
    os.environ.setdefault("DATABASE_URL", SIZE_DB.get(os.environ.get("BENCH_SIZE", ""), DEFAULT_DB))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    # Inline Celery tasks log every run at INFO: keep the figures readable.
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    _create_database(os.environ["DATABASE_URL"])
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def _create_database(url: str) -> None:
    if not url.startswith("postgres"):
        sys.exit("make bench measures PostgreSQL: set DATABASE_URL=postgres://…")
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _modules(names: list[str]) -> list[str]:
    found = sorted(
        m.name
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if m.name.startswith("bench_")
    )
    if not names:
        return found
    wanted = [f"bench_{n.removeprefix('bench_')}" for n in names]
    unknown = set(wanted) - set(found)
    if unknown:
        sys.exit(f"No such benchmark: {', '.join(sorted(unknown))}. Known: {', '.join(found)}")
    return wanted


def main(argv: list[str]) -> None:
    _setup_django()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for name in _modules(argv):
        started = time.perf_counter()
        print(f"── {name} (CPU reference {cpu_reference_ms():.0f} ms)", flush=True)
        figures = importlib.import_module(f"bench.{name}").run()
        for figure, value in figures.items():
            print(f"   {figure:<34} {value:>12,.3f}")
        print(
            f"   ({time.perf_counter() - started:.0f} s; CPU reference {cpu_reference_ms():.0f} ms)",
            flush=True,
        )
        results.update(figures)
        _write(results)  # after each benchmark: one failing later keeps these figures


def _write(results: dict) -> None:
    if os.environ.get("BENCH_TICKETS"):
        print(f"   BENCH_TICKETS is set (a reduced size): {RESULTS.name} left as it was.")
        return
    RESULTS.write_text(json.dumps(dict(sorted(results.items())), indent=2) + "\n")
    print(f"   written to {RESULTS}")


if __name__ == "__main__":
    main(sys.argv[1:])
