"""Benchmark 1c at a tiny size: both runs produce figures and the suite turns them into rows."""

from __future__ import annotations

import math

from benchmarks import backlog, latency, suite


def test_backlog_benchmark_produces_figures_and_rows() -> None:
    result = backlog.run(n_users=3, pushes=40, rate=15.0, after=1.0)
    queued, reference = result["backlog"], result["reference"]
    for figures in (queued, reference):
        assert figures["steps_pushed"] == figures["steps_answered"] == 3 * len(latency.SCRIPT)
        assert figures["wrong_answers"] == 0
        assert math.isfinite(figures["p99_s"]) and figures["reply_rate_msg_s"] > 0
    assert 0 < queued["pushes_during"] + queued["pushes_after"] <= 40
    assert "pushes_during" not in reference  # no backlog, no pushes
    rows = suite.rows({"backlog": result})
    # 7: against the ideal with pushes (judged) and without them (shown only).
    assert [r.benchmark.split(" ")[0] for r in rows] == ["1c"] * 7
    assert any("ideal" in r.figure and "×" in r.value for r in rows)
    assert all(r.value and "n/a" not in r.value for r in rows)
    table = backlog.format_table(result)
    assert "with backlog" in table and "pushes/s after" in table
