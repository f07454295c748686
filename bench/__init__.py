"""Switchboard benchmarks: `make bench` runs every bench/bench_*.py against PostgreSQL.

Each module exposes ``run() -> dict[str, float]`` (figure name → value) and seeds the data it
needs itself, in bulk, reusing what an earlier run left in the bench database. Figures are printed
and merged into bench/results.json.
"""
