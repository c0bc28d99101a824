"""A few seconds of the soak run (benchmarks/soak.py): the invariants must hold."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from benchmarks.soak import SoakConfig, parse_args, run_soak


@pytest.mark.parametrize("in_process", [False, True], ids=["process", "in-process"])
async def test_short_soak_keeps_every_invariant(tmp_path: Path, in_process: bool) -> None:
    config = SoakConfig(
        in_process=in_process,
        seconds=3,
        users=6,
        seed=7,
        poll_seconds=0.5,
        max_actions_per_second=20,
        rss_every=1,
        # Generous: a reply late on a loaded machine is not what this smoke test is about.
        reply_timeout=8,
        panel_fault_every=(0.1, 0.4),
        telegram_fault_every=(0.5, 1.0),
        workdir=tmp_path,
        # However slow the machine, the run goes on until it has exercised the bot.
        min_actions=10,
        min_confirms=1,
        max_seconds=90,
    )
    out = io.StringIO()
    report = await run_soak(config, out)
    text = out.getvalue()
    failed = [c for c in report.checks if c.ok is False]
    assert not failed, text
    assert report.ok and "soak PASSED" in text
    names = {c.name for c in report.checks}
    assert {"no order placed twice", "every confirmed order recorded", "outbox drained"} <= names
    # It did exercise the bot: actions, confirmed orders, injected faults.
    stats = report.stats
    assert sum(stats.actions.values()) >= 10, text
    assert stats.confirms > 0 and stats.panel_requests["add"] + stats.panel_requests["add_bulk"]
    assert sum(stats.panel_faults.values()) > 0 and sum(stats.telegram_faults.values()) > 0
    assert len(stats.rss_kb) >= 2 and all(kb > 10_000 for _, kb in stats.rss_kb)
    # The bot's log was read: start-up and shutdown write INFO records in both modes.
    assert sum(n for (level, _), n in report.logs.by_level_logger.items() if level == "INFO")


def test_cli_length_options() -> None:
    assert parse_args(["--seconds", "3"]).seconds == 3
    assert parse_args(["--minutes", "2", "--users", "4"]).seconds == 120
    assert parse_args([]).seconds == 600 and parse_args([]).users == 30
    assert not parse_args([]).in_process and parse_args(["--in-process"]).in_process
    assert parse_args(["--tracemalloc"]).in_process
