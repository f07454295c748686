"""The load test's intake figures (bench/loadtest/intake.py): percentiles, the phase's summary
from its POSTs and the worker's last send, and when a run may write the benchmark's figure.
Pure functions: no services needed."""

import json

import pytest

from bench.loadtest import run
from bench.loadtest.intake import Post, drained, percentile, summarize


def test_percentiles_interpolate_between_ranks():
    assert percentile([], 50) is None
    assert percentile([7.0], 99) == 7.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([4.0, 1.0, 3.0, 2.0], 100) == 4.0  # unordered input
    assert percentile(list(range(1, 101)), 95) == pytest.approx(95.05)


def made(started: float, ended: float, n: int) -> Post:
    return Post(started, ended, 201, ticket_id=n, reference=f"SB-{10000 + n}")


def test_intake_per_s_runs_from_the_first_post_until_the_worker_finished():
    posts = [made(100.0, 100.2, 1), made(100.1, 100.4, 2), made(109.5, 110.0, 3)]
    posts.append(Post(105.0, 105.1, 500, error="Server Error"))

    figures = summarize(posts, finished=112.0)

    assert figures["tickets_created"] == 3
    assert figures["errors"] == 1
    assert figures["error_samples"] == [{"status": 500, "body": "Server Error"}]
    assert figures["accepted_per_s"] == 0.3  # 3 in the 10 s of POSTs
    assert figures["worker_lag_seconds"] == 2.0  # after the last answer, at 110.0
    assert figures["intake_per_s"] == 0.25  # 3 in the 12 s until the worker was done
    assert figures["p50_ms"] == pytest.approx(250.0)


def test_mail_sent_before_the_last_answer_costs_no_lag():
    figures = summarize([made(0.0, 1.0, 1), made(0.5, 2.0, 2)], finished=1.5)

    assert figures["worker_lag_seconds"] == 0.0
    assert figures["intake_per_s"] == 1.0


def test_no_intake_figure_without_the_worker_done():
    figures = summarize([made(0.0, 1.0, 1)], finished=None)

    assert figures["intake_per_s"] is None
    assert figures["worker_lag_seconds"] is None


def test_drained_means_nothing_pending_or_being_sent():
    assert drained({"counts": {"sent": 5, "failed": 1}})
    assert not drained({"counts": {"sent": 5, "pending": 1}})
    assert not drained({"counts": {"sent": 5, "sending": 1}})


@pytest.mark.parametrize(
    ("quick", "seconds", "written"), [(False, 60, True), (True, 60, False), (False, 10, False)]
)
def test_only_a_full_length_run_writes_the_benchmark_figure(
    tmp_path, monkeypatch, quick, seconds, written
):
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"zeta": 1, "api_create_ms_p50": 43.0}))
    monkeypatch.setattr(run, "BENCH_RESULTS", results)

    run.record_benchmark(
        {"quick": quick, "intake_seconds": seconds}, {"intake_per_s": 21.5, "p95_ms": 310.0}
    )

    kept = json.loads(results.read_text())
    if written:
        assert kept == {
            "api_create_ms_p50": 43.0,
            "intake_api_p95_ms": 310.0,
            "intake_per_s": 21.5,
            "zeta": 1,
        }
        assert list(kept) == sorted(kept)
    else:
        assert kept == {"zeta": 1, "api_create_ms_p50": 43.0}
