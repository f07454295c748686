"""Switchboard benchmarks: `make bench` runs every bench/bench_*.py against PostgreSQL.

Each module exposes ``run() -> dict[str, float]`` (figure name → value) and seeds the data it
needs itself, in bulk, reusing what an earlier run left in the bench database. Figures are printed
and merged into bench/results.json.
"""

import timeit


def cpu_reference_ms() -> float:
    """A fixed pure-Python loop, timed: how fast this machine runs Python right now. A shared
    machine's speed moves (on the one these figures come from, by up to 1.7 times within
    seconds); the bench prints this before and after each part so figures can be read with it."""
    return min(timeit.repeat("sum(i * i for i in range(10_000))", number=100, repeat=3)) * 1000


def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile: of 30 requests, the 29th fastest."""
    ordered = sorted(values)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]
