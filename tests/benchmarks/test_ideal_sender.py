"""Benchmark 1's ideal sender (benchmarks/latency.py): what Telegram's window alone allows."""

from __future__ import annotations

import pytest

from benchmarks.latency import PANEL_LATENCY, StepTiming, ideal_latencies, summarize_runs
from benchmarks.suite import _ideal_row


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
