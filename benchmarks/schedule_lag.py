"""How late a scheduled order is placed after its time (issue 24 part 2).

    python -m benchmarks schedule_lag [--orders 30] [--spread 15] [--check 1.0] [--latency 0.05]

The whole bot (`tests.harness.running_bot`: real PTB over the fake Bot API, the real job queue
and its scheduled-orders job every `--check` seconds, SQLite) against a fake panel over real HTTP
answering every request `--latency` seconds late. `--orders` previews are scheduled (by the same
service "🕒 Later" calls) at moments spread evenly over `--spread` seconds from a few seconds
ahead, so the runs fall at every phase of the job's tick. The lag of a run is the moment the fake
panel received its `add` minus its scheduled time: the tick's wait, the key and price checks (a
`services` call when the catalog is older than PRICE_CHECK_SECONDS), the balance call and the
`add` request itself. Real waiting: the runs are minutes of wall-clock time apart at most.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bot.storage.schedules import When
from tests.fakes.panel import Fault
from tests.harness import Harness, running_bot

KEY = "bench-schedule-0123456789abcdef"
UID = 32_000
LEAD = 3.0  # seconds between the last schedule made and the first run


async def _schedule(bot: Harness, orders: int, spread: float) -> dict[str, float]:
    """`orders` scheduled runs (link → scheduled epoch seconds)."""
    await bot.member(UID, key=KEY, balance="1000000")
    deps = bot.deps
    previews = []
    for n in range(orders):
        link = f"https://instagram.com/lag{n}"
        values = {"link": link, "quantity": 1000}
        previews.append((link, await deps.ordering.prepare(UID, 1, values)))
    start = time.time() + LEAD
    due: dict[str, float] = {}
    for n, (link, preview) in enumerate(previews):
        at = start + spread * n / max(1, orders)
        made = await deps.schedules.schedule(UID, preview.batch, When(at))
        assert made.schedule is not None, made.refusal
        due[link] = at
    return due


async def _measure(orders: int, spread: float, check: float, latency: float) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        async with running_bot(
            Path(tmp), schedule_check_seconds=check, panel_timeout_seconds=30
        ) as bot:
            bot.panel.inject(Fault.latency(latency), times=None)
            due = await _schedule(bot, orders, spread)
            # The fake panel stamps requests on the monotonic clock; runs are wall-clock times.
            wall_minus_mono = time.time() - time.monotonic()
            await bot.panel.wait_for_request("add", orders, timeout=LEAD + spread + 60)
            adds = [r for r in bot.panel.requests if r.action == "add"]
            return [r.at + wall_minus_mono - due[str(r.params["link"])] for r in adds]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks schedule_lag")
    parser.add_argument("--orders", type=int, default=30)
    parser.add_argument("--spread", type=float, default=15.0, help="seconds the runs span")
    parser.add_argument("--check", type=float, default=1.0, help="SCHEDULE_CHECK_SECONDS")
    parser.add_argument("--latency", type=float, default=0.05, help="the panel's answer delay")
    args = parser.parse_args(argv)
    lags = asyncio.run(_measure(args.orders, args.spread, args.check, args.latency))
    lags.sort()
    p95 = lags[min(len(lags) - 1, int(0.95 * len(lags)))]
    print(
        f"{len(lags)} scheduled orders, SCHEDULE_CHECK_SECONDS={args.check}, "
        f"panel latency {args.latency * 1000:.0f} ms"
    )
    print(
        f"placed after their time: median {statistics.median(lags):.2f} s, "
        f"p95 {p95:.2f} s, max {max(lags):.2f} s, min {min(lags):.2f} s"
    )
    return 0
