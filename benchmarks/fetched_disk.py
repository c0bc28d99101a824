"""The event loop while fetched updates are kept on a slow disk (bot/fetched.py).

    python -m benchmarks fetched_disk [--fsync-ms 20] [--batches 40] [--webhooks 40]

In process: the fetched-updates file in a temporary folder, each fsync made `fsync_ms` slower
(a busy disk: the real fsync, then a sleep on the thread that made it). The poller's way,
`batches` batches kept one after another (each awaited before the next getUpdates would confirm
it, then its updates marked handled), runs beside `webhooks` webhook updates kept at once (one
POST each), while a task on the loop ticks every millisecond, as the bot's other users would
want it to. Reported: the wall time, how late the latest tick came (the longest the loop was
held) and the p99 of that, the ticks, and how long keeping one batch took (p50, max).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks._common import percentile, run_main
from bot.fetched import FetchedUpdates

TICK = 0.001


def _update(update_id: int) -> dict[str, Any]:
    return {"update_id": update_id, "message": {"message_id": update_id, "text": "/help"}}


async def _tick(lateness: list[float]) -> None:
    """Another user's work: how late each of its turns comes."""
    while True:
        due = time.monotonic() + TICK
        await asyncio.sleep(TICK)
        lateness.append(max(0.0, time.monotonic() - due))


async def _keep(fetched: FetchedUpdates, first: int, size: int, took: list[float]) -> None:
    """One batch kept (timed), then handled."""
    started = time.monotonic()
    await fetched.fetched([_update(first + n) for n in range(size)])
    took.append(time.monotonic() - started)
    for n in range(size):
        fetched.handled(first + n)


async def _poll(fetched: FetchedUpdates, batches: int, took: list[float]) -> None:
    for batch in range(batches):
        await _keep(fetched, 1 + batch * 3, 3, took)


async def run(args: Any) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="bench-fetched-"))
    real_fsync = os.fsync

    def slow_fsync(fd: Any) -> None:
        real_fsync(fd)
        time.sleep(args.fsync_ms / 1000)

    fetched = FetchedUpdates(folder / "bot.sqlite3.updates")
    lateness: list[float] = []
    took: list[float] = []
    os.fsync = slow_fsync  # a busy disk under this process only
    ticker = asyncio.create_task(_tick(lateness))
    started = time.monotonic()
    try:
        hooks = [_keep(fetched, 100_000 + n, 1, took) for n in range(args.webhooks)]
        await asyncio.gather(_poll(fetched, args.batches, took), *hooks)
        wall = time.monotonic() - started
    finally:
        ticker.cancel()
        await fetched.aclose()
        os.fsync = real_fsync
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "fsync_ms": args.fsync_ms,
        "wall_s": wall,
        "loop_held_max_ms": max(lateness, default=wall) * 1000,
        "loop_held_p99_ms": percentile(lateness, 0.99) * 1000,
        "ticks": len(lateness),
        "keep_p50_ms": percentile(took, 0.5) * 1000,
        "keep_max_ms": max(took) * 1000,
    }


def show(result: dict[str, Any]) -> str:
    return "\n".join(
        f"{name:<18}{value:>10.1f}" if isinstance(value, float) else f"{name:<18}{value:>10}"
        for name, value in result.items()
    )


def main(argv: Sequence[str] | None = None) -> int:
    return run_main(
        argv, "fetched_disk", __doc__, run, show, fsync_ms=20.0, batches=40, webhooks=40
    )
