"""`python -m benchmarks linkguard` runs at tiny sizes and flags what it should (no timings)."""

from __future__ import annotations

from benchmarks.__main__ import main


def test_linkguard_benchmark_runs_small(capsys: object) -> None:
    argv = ["linkguard", "--lines", "30", "--history", "40", "--open", "20", "--runs", "1"]
    assert main([*argv, "--engines", "sqlite"]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    # 30 lines: 3 repeat the line before; of the other 27, every third names an open page.
    assert "sqlite: 30 lines, 10 with an open order, 3 repeated" in out
    assert "open-order lookup and match" in out
