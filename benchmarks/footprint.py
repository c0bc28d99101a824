"""Footprint (benchmark 5): start-up time and idle memory of the real bot process.

    python -m benchmarks footprint [--quick] [--runs N]

Start-up is measured from spawning `python -m bot` to the fake Telegram server receiving the
first getUpdates (settings loaded, database migrated, command menu published). RSS is VmRSS from
/proc/<pid>/status one second after that, with nothing to do. The RSS after load is taken by the
latency benchmark from its own bot process.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks._common import BotProcess, median
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram

IDLE_SETTLE_S = 1.0


async def _one() -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="smm-bench-") as tmp:
        async with (
            FakeTelegram() as telegram,
            FakePanel() as panel,
            BotProcess(telegram, panel, Path(tmp)) as proc,
        ):
            # Idle means idle: let start-up work (jobs scheduled, first poll) finish.
            await asyncio.sleep(IDLE_SETTLE_S)
            return proc.startup_s, proc.rss_mib()


def run(runs: int = 5) -> dict[str, Any]:
    """Start-up in seconds and RSS in MiB: medians over `runs` fresh processes."""

    async def go() -> list[tuple[float, float]]:
        return [await _one() for _ in range(runs)]

    samples = asyncio.run(go())
    return {
        "runs": runs,
        "startup_s": median([s for s, _ in samples]),
        "startup_max_s": max(s for s, _ in samples),
        "rss_idle_mib": median([r for _, r in samples]),
        "samples": [{"startup_s": s, "rss_idle_mib": r} for s, r in samples],
    }


def format_table(result: dict[str, Any]) -> str:
    return (
        f"start-up to first getUpdates: {result['startup_s'] * 1000:.0f} ms median "
        f"(worst {result['startup_max_s'] * 1000:.0f} ms) of {result['runs']} runs\n"
        f"RSS idle: {result['rss_idle_mib']:.1f} MiB"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks footprint", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2 runs")
    parser.add_argument("--runs", type=int, default=None)
    args = parser.parse_args(argv)
    print(format_table(run(args.runs or (2 if args.quick else 5))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
