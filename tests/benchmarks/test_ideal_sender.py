"""Benchmark 1's ideal sender (benchmarks/latency.py): what Telegram's window alone allows."""

from __future__ import annotations

import pytest

from benchmarks.latency import (
    PANEL_LATENCY,
    StepTiming,
    ideal_latencies,
    steady_pushes,
    summarize_runs,
)
from benchmarks.suite import _backlog_ideal_rows, _ideal_row


def step(pushed: float, *, calls: int = 0, outputs: int = 1) -> StepTiming:
    return StepTiming("s", 0.0, 0.0, 0.0, calls, pushed=pushed, outputs=outputs)


def test_without_congestion_the_ideal_is_the_panel_time() -> None:
    steps = [step(i * 0.5, calls=i % 2) for i in range(10)]
    assert ideal_latencies(steps) == pytest.approx([PANEL_LATENCY * (i % 2) for i in range(10)])


def test_a_burst_waits_for_the_window_30_per_second() -> None:
    # 61 answers due at once: 30 now, 30 a second later, the last one two seconds later.
    ideal = ideal_latencies([step(0.0) for _ in range(61)])
    assert ideal.count(0.0) == 30 and ideal.count(1.0) == 30 and ideal[-1] == 2.0


def test_a_step_is_done_when_its_last_output_is_sent() -> None:
    # Step 0 has 31 outputs: its 31st waits a second behind its own first 30; step 1, due at
    # 0.5 s, goes in the same second (0.5 s after it arrived).
    ideal = ideal_latencies([step(0.0, outputs=31), step(0.5)])
    assert ideal == [1.0, 0.5]


def test_the_summary_of_runs_keeps_what_the_ideal_row_needs() -> None:
    """1a's row reads the summary of runs: it printed "n/a" while the summary dropped them."""
    run = {"sustained": {"raw_p99_s": 0.5, "ideal_raw_p99_s": 0.4}}
    summary = summarize_runs({"ours": [run, run], "baseline": []})
    row = _ideal_row("1a", summary["sustained"])
    assert row.value == "500 ms / 400 ms = 1.25×" and row.met is True


def test_pushes_sent_before_a_reply_hold_their_places_for_a_second() -> None:
    # 30 pushes go at once (no reply is due yet); a reply due at 0.5 s waits for the window.
    ideal = ideal_latencies([step(0.5)], pushes=[0.0] * 30)
    assert ideal == [pytest.approx(0.5)]


def test_a_reply_goes_before_a_push_due_at_the_same_moment() -> None:
    # 29 places taken at 0; one left at 0.5 s, where a push and the reply are both due.
    ideal = ideal_latencies([step(0.5)], pushes=[0.0] * 29 + [0.5, 0.5])
    assert ideal == [0.0]


def test_without_pushes_the_ideal_is_the_replies_only_one() -> None:
    steps = [step(i * 0.01, calls=i % 4, outputs=1 + i % 2) for i in range(200)]
    assert ideal_latencies(steps, pushes=()) == ideal_latencies(steps)
    assert ideal_latencies(steps, pushes=steady_pushes(12.0, 0.0, 3.0)) != ideal_latencies(steps)


def test_steady_pushes_are_even_at_the_rate() -> None:
    pushes = steady_pushes(12.0, 10.0, 12.0)
    assert len(pushes) == 24
    assert pushes[0] == 10.0 and pushes[1] == pytest.approx(10.0 + 1 / 12)


def test_1c_is_judged_against_the_ideal_with_pushes_and_shows_the_replies_only_one() -> None:
    # The bot at 0.9 s; the ideal at 0.8 s with 12 pushes/s, 0.6 s with none.
    figures = dict(raw_p99_s=0.9, ideal_raw_p99_s=0.8, ideal_pushes_per_s=12.0)
    figures["ideal_replies_only_raw_p99_s"] = 0.6
    judged, shown = _backlog_ideal_rows("1c", figures)
    assert "12 pushes/s" in judged.figure and judged.met is True
    assert shown.value == "900 ms / 600 ms = 1.50×" and shown.met is None
    # A results.json from before: one row, against the only ideal it has.
    (old,) = _backlog_ideal_rows("1c", {"raw_p99_s": 0.9, "ideal_raw_p99_s": 0.6})
    assert old.met is False
