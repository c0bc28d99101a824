"""`python -m benchmarks failover [--rounds N]`: how long a standby takes to resume.

Two real `python -m bot` processes on one PostgreSQL (pgserver, the `test` extra), the fake
Telegram and panel; the leader is killed -9 in the middle of a confirm and in the middle of an
outbox drain, `rounds` times (tests/failover.py, the same scenario the test runs). A failover
is the time from the kill to the standby's first poll of Telegram; FAILOVER_SECONDS is 4 there.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks._common import median
from benchmarks._pg import BenchPostgres


def run(rounds: int = 3) -> dict[str, Any]:
    from tests.failover import FAILOVER_SECONDS, run_failovers

    async def go() -> list[float]:
        server = BenchPostgres()
        try:
            with tempfile.TemporaryDirectory(prefix="smm-bench-failover-") as tmp:
                return await run_failovers(Path(tmp), server, rounds)
        finally:
            server.stop()

    kills = asyncio.run(go())
    return {
        "kills": len(kills),
        "median_s": median(kills),
        "max_s": max(kills),
        "failover_seconds": FAILOVER_SECONDS,
        "samples": kills,
    }


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks failover", description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="2 kills per round")
    args = parser.parse_args(list(argv))
    result = run(args.rounds)
    print(
        f"failover over {result['kills']} kills -9: median {result['median_s']:.2f} s, "
        f"max {result['max_s']:.2f} s (FAILOVER_SECONDS = {result['failover_seconds']:g})"
    )
    return 0
