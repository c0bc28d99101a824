"""Poll-cycle benchmark: 10,000 open orders over 100 keys, one cycle against the fake panel.

    python -m benchmarks.poller [--orders N] [--keys N]

Builds a temporary SQLite database with the orders placed through the real submit protocol, then
times `StatusPoller.run_cycle()` over real HTTP on 127.0.0.1. The first cycle sees every order for
the first time (every row is written); the second runs after all orders completed on the panel
(every order leaves the poll set; each user's completions are queued as one digest covering them
all, `completion_cycle_queued` counts the orders covered). Panel requests per
cycle must equal Σ over keys of ⌈orders / 100⌉.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import tempfile
import time
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from cryptography.fernet import Fernet

from bot.services.panel_clients import PanelClients
from bot.services.poller import StatusPoller, polling_clients
from bot.storage import KeyCipher, OrderDraft, Storage
from tests.fakes.panel import FakePanel

INTERVAL = 60.0


def key_of(index: int) -> str:
    return f"bench-poll-key-{index:04d}-0123456789abcdef"


async def populate(
    storage: Storage, panel: FakePanel, n_orders: int, n_keys: int, first_user: int = 10_000
) -> list[int]:
    """Users with keys and their placed orders, spread evenly; returns the user ids."""
    users = []
    per_key = [n_orders // n_keys + (1 if i < n_orders % n_keys else 0) for i in range(n_keys)]
    for index, count in enumerate(per_key):
        user_id = first_user + index
        users.append(user_id)
        key = key_of(index)
        panel.add_key(key)
        await storage.users.touch(user_id, username=None, first_name=f"Bench {index}")
        await storage.accounts.set(user_id, key)
        if not count:
            continue
        drafts = [
            OrderDraft(
                service_id=1,
                service_name_text="Instagram Takipçi",
                service_type="Default",
                link=f"https://instagram.com/p/bench_{index}_{i}",
                quantity=100,
                cost=Decimal("1.25"),
                currency_text="USD",
            )
            for i in range(count)
        ]
        batch = f"bench{user_id}"
        rows = await storage.orders.create_drafts(user_id, batch, drafts)
        await storage.orders.claim(batch, user_id)
        pairs = [(o.id, panel.create_order(key, 1, o.link or "", 100)) for o in rows]
        await storage.orders.mark_placed_many(pairs)
    return users


async def _measure(n_orders: int, n_keys: int, database: str | None = None) -> dict[str, Any]:
    """`database`: a PostgreSQL URL; None: a temporary SQLite file."""
    with tempfile.TemporaryDirectory() as tmp:
        target: Path | str = database if database is not None else Path(tmp) / "bench.sqlite3"
        storage = await Storage.open(target, KeyCipher([Fernet.generate_key()]))
        try:
            async with (
                FakePanel() as panel,
                httpx.AsyncClient(
                    limits=httpx.Limits(max_connections=100, max_keepalive_connections=20)
                ) as http,
            ):
                setup_started = time.perf_counter()
                await populate(storage, panel, n_orders, n_keys)
                setup = time.perf_counter() - setup_started
                clock = _Clock()
                poller = StatusPoller(
                    storage,
                    polling_clients(PanelClients(panel.url, http, 30.0)),
                    interval=INTERVAL,
                    clock=clock,
                )
                panel.clear_log()
                first = await poller.run_cycle()
                first_requests = panel.count("status")

                for order in panel.orders.values():
                    order.status, order.remains = "Completed", 0
                clock.now += INTERVAL
                panel.clear_log()
                second = await poller.run_cycle()
                second_requests = panel.count("status")
                queued = await storage.outbox.pending_count()
        finally:
            await storage.close()
    assert first is not None and second is not None
    per_key = math.ceil(n_orders / n_keys)
    expected = n_keys * math.ceil(per_key / 100) if n_orders % n_keys == 0 else None
    return {
        "orders": n_orders,
        "keys": n_keys,
        "expected_requests": expected,
        "setup_s": setup,
        "first_cycle_requests": first_requests,
        "first_cycle_s": first.seconds,
        "first_cycle_changed": first.changed,
        "completion_cycle_requests": second_requests,
        "completion_cycle_s": second.seconds,
        "completion_cycle_queued": second.queued,
        "outbox_pending": queued,
    }


class _Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def run(n_orders: int = 10_000, n_keys: int = 100) -> dict[str, Any]:
    """Run the benchmark and return its figures (times in seconds)."""
    return asyncio.run(_measure(n_orders, n_keys))


def run_postgres(n_orders: int = 10_000, n_keys: int = 100) -> dict[str, Any]:
    """The same on PostgreSQL (pgserver, the `test` extra, default durability)."""
    from benchmarks._pg import BenchPostgres

    async def go() -> dict[str, Any]:
        server = BenchPostgres()
        try:
            async with server.database() as url:
                return await _measure(n_orders, n_keys, url)
        finally:
            server.stop()

    return asyncio.run(go())


def format_table(result: dict[str, Any]) -> str:
    rows = [
        ("open orders / keys", f"{result['orders']} / {result['keys']}"),
        ("expected requests", f"{result['expected_requests']}"),
        ("cycle 1 requests", f"{result['first_cycle_requests']}"),
        ("cycle 1 wall time", f"{result['first_cycle_s']:.2f} s"),
        ("cycle 1 rows changed", f"{result['first_cycle_changed']}"),
        ("completion cycle requests", f"{result['completion_cycle_requests']}"),
        ("completion cycle wall time", f"{result['completion_cycle_s']:.2f} s"),
        ("notifications queued", f"{result['completion_cycle_queued']}"),
        ("setup (not timed)", f"{result['setup_s']:.1f} s"),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value:>14}" for name, value in rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.poller", description=__doc__)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--keys", type=int, default=100)
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args(argv)
    runner = run_postgres if args.engine == "postgres" else run
    print(format_table(runner(args.orders, args.keys)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
