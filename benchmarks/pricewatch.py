"""What the price watch costs the panels (issue 24 part 1): `services` calls per hour.

    python -m benchmarks pricewatch [--users 100] [--panels 3] [--hours 24] [--services 1000]
                                    [--browsing 0.1]

The bot's real services (`open_deps`) against `panels` fake panels over real HTTP. Every user
links every panel and has ordered one service on each (and starred three on the default), so
every panel account is watched. The watch's cycle runs once per PRICE_WATCH_SECONDS of a moved
clock (never waited for); between two cycles a share `browsing` of the users reads their
default panel's catalog as /services would. Two set-ups:

- own keys: each user has their own key on each panel (users × panels keys);
- shared keys: all users share one key per panel (a reseller's team).

Per hour: the watch's `services` calls (what the cycle fetched itself), all `services` calls
the panels saw (the users' reads included), and the keys watched.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

from bot import app as bot_app
from bot.config import load_settings
from bot.deps import Deps
from bot.logs import SecretRegistry
from bot.storage.models import OrderDraft
from tests.fakes.panel import FakePanel
from tests.fakes.panel_catalog import make_services

FIRST_USER = 41_000
HOUR = 3600.0


class MovedClock:
    """Wall time plus an offset the benchmark moves: storage, caches and the watch age by it."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


def _key(uid: int, panel: int, shared: bool) -> str:
    return f"bench-watch-{panel}-{'team' if shared else uid}-0123456789abcdef"


async def _link(deps: Deps, panels: Sequence[FakePanel], uid: int, shared: bool) -> None:
    """`uid` links every panel and has one placed order on each (service 1 + panel number)."""
    await deps.access.allow(uid)
    for n, panel in enumerate(panels):
        key = _key(uid, n, shared)
        panel.add_key(key, balance="1000")
        if n == 0:
            await deps.accounts.link(uid, key)
        else:
            await deps.accounts.add_panel(uid, key, label=f"p{n}", url=panel.url, custom=True)
        draft = OrderDraft(1 + n, f"Service {1 + n}", "Default", "https://x.y/z", 100, Decimal(1))
        orders = deps.storage.orders
        [row] = await orders.create_drafts(uid, f"w{uid}-{n}", [draft], panel_slot=n + 1)
        assert (await orders.claim(f"w{uid}-{n}", uid)).won
        await orders.mark_placed_many([(row.id, uid * 10 + n)])
    for service_id in (2, 3, 4):
        await deps.storage.favourites.add(uid, service_id, limit=10)


async def _hour(
    deps: Deps, panels: Sequence[FakePanel], clock: MovedClock, users: Sequence[int], share: float
) -> dict[str, int]:
    """One period: the users' reads at random moments, a price change, then the cycle."""
    before = sum(p.count("services") for p in panels)
    browsing = random.sample(list(users), k=round(len(users) * share))
    for uid in browsing:
        clock.offset += HOUR / (len(browsing) + 1)
        await deps.catalog.get(uid)
    await deps.prices.settle()
    for panel in panels:  # some watched service moves on every panel each hour
        service = random.randint(1, 4)
        panel.change_service(service, rate=f"{random.randint(100, 2000) / 100:.2f}")
    clock.offset = (clock.offset // HOUR + 1) * HOUR  # the next cycle, one period on
    report = await deps.prices.run_cycle()
    return {
        "watch_calls": report.calls,
        "all_calls": sum(p.count("services") for p in panels) - before,
        "keys": report.keys,
        "reused": report.reused,
        "pushes": report.pushes,
    }


async def measure(
    users: int, panels: int, hours: int, services: int, share: float, *, shared: bool
) -> list[dict[str, int]]:
    fakes = [FakePanel(make_services(services)) for _ in range(panels)]
    for fake in fakes:
        await fake.start()
    clock = MovedClock()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = load_settings(
                bot_token="123:bench",
                panel_api_url=fakes[0].url,
                database_path=Path(tmp) / "bench.sqlite3",
                encryption_key=Fernet.generate_key().decode(),
                allow_custom_panels=True,
                allow_private_panels=True,
                max_panels_per_user=max(panels, 3),
            )
            deps = await bot_app.open_deps(settings, SecretRegistry(), clock=clock)
            try:
                ids = [FIRST_USER + i for i in range(users)]
                for uid in ids:
                    await _link(deps, fakes, uid, shared)
                await deps.prices.run_cycle()  # the first look: snapshots, no pushes
                return [await _hour(deps, fakes, clock, ids, share) for _ in range(hours)]
            finally:
                await deps.aclose()
    finally:
        for fake in fakes:
            await fake.stop()


def summary(rows: Sequence[dict[str, int]]) -> dict[str, Any]:
    return {
        "keys": max(r["keys"] for r in rows),
        "watch_calls_per_hour_max": max(r["watch_calls"] for r in rows),
        "watch_calls_per_hour_median": statistics.median(r["watch_calls"] for r in rows),
        "all_services_calls_per_hour_median": statistics.median(r["all_calls"] for r in rows),
        "pushes_per_hour_median": statistics.median(r["pushes"] for r in rows),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks pricewatch")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--panels", type=int, default=3)
    parser.add_argument("--hours", type=int, default=24)
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--browsing", type=float, default=0.1)
    args = parser.parse_args(argv)
    random.seed(24)
    print(
        f"{args.users} users on {args.panels} panels ({args.services} services each), "
        f"{args.hours} h, {args.browsing:.0%} of the users read a catalog each hour"
    )
    for shared in (False, True):
        rows = asyncio.run(
            measure(
                args.users, args.panels, args.hours, args.services, args.browsing, shared=shared
            )
        )
        name = "shared keys (one per panel)" if shared else "own keys (one per user and panel)"
        print(f"{name:<36} {summary(rows)}")
    return 0
