"""Classic-script panels (issue 20): polling a single-status panel and a bulk placed line by line.

    python -m benchmarks.classic [--orders 1000] [--keys 10] [--lines 100] [--rps 5]

Poll: `--orders` open orders over `--keys` keys on a panel that answers `status` one order at a
time (tests/fakes/panel_classic.py). The poller runs cycles of STATUS_POLL_SECONDS = 60 until
every order was checked once; each cycle asks at most 60 × rps orders. The pacer's waits run on
a virtual clock (they are what PANEL_MAX_RPS costs, not work), so "paced wall time" is the real
time spent plus the waits the pacer asked for.

Bulk: `--lines` lines placed on that panel through `PanelClient.add_orders`: one add_bulk probe,
then one `add` per line at `--rps` requests a second, in real time.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
from cryptography.fernet import Fernet

from benchmarks.poller import populate
from bot.panel.client import PanelClient
from bot.panel.models import NewOrder
from bot.services.capabilities import PanelPacer
from bot.services.panel_clients import PanelClients
from bot.services.poller import StatusPoller, polling_clients
from bot.storage import KeyCipher, Storage
from tests.fakes.panel_classic import ClassicPanel

INTERVAL = 60.0


class _Virtual:
    """A clock the pacer's sleeps advance instead of waiting."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        # Sleepers overlap: time reaches the latest wake-up, it does not add up their waits.
        self.now = max(self.now, self.now + seconds)
        await asyncio.sleep(0)


async def _poll(n_orders: int, n_keys: int, rps: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        storage = await Storage.open(
            Path(tmp) / "bench.sqlite3", KeyCipher([Fernet.generate_key()])
        )
        try:
            async with ClassicPanel() as panel, httpx.AsyncClient() as http:
                await populate(storage, panel, n_orders, n_keys)
                clock = _Virtual()
                pacer = PanelPacer(rps, clock=clock, sleep=clock.sleep)
                factory = PanelClients(panel.url, http, 30.0, pacer=pacer)
                poller = StatusPoller(
                    storage, polling_clients(factory), interval=INTERVAL, clock=clock, max_rps=rps
                )
                cycles: list[tuple[int, float]] = []
                while True:
                    panel.clear_log()
                    before, started = clock.now, time.perf_counter()
                    await poller.run_cycle()
                    spent = time.perf_counter() - started + clock.now - before
                    cycles.append((panel.count("status"), spent))
                    clock.now = max(clock.now, clock.now + INTERVAL - spent)
                    unpolled = await storage.db.fetchone(
                        "SELECT COUNT(*) FROM orders WHERE polled_at IS NULL"
                    )
                    if unpolled is None or unpolled[0] == 0 or len(cycles) > 50:
                        break
        finally:
            await storage.close()
    return {"orders": n_orders, "keys": n_keys, "rps": rps, "cycles": cycles}


async def _bulk(n_lines: int, rps: float) -> dict[str, Any]:
    async with ClassicPanel() as panel, httpx.AsyncClient() as http:
        panel.add_key("bench-classic-key-0123456789", balance="1000000")
        orders = [NewOrder(1, f"https://instagram.com/p/bench{i}", 100) for i in range(n_lines)]
        client = PanelClient(
            panel.url, "bench-classic-key-0123456789", http=http, pacer=PanelPacer(rps)
        )
        started = time.perf_counter()
        results = await client.add_orders(orders)
        seconds = time.perf_counter() - started
    return {
        "lines": n_lines,
        "placed": sum(1 for r in results if r.ok),
        "add": panel.count("add"),
        "add_bulk": panel.count("add_bulk"),
        "bulk_with_orders": panel.bulk_calls(),
        "seconds": seconds,
    }


def run(
    n_orders: int = 1000, n_keys: int = 10, n_lines: int = 100, rps: float = 5.0
) -> dict[str, Any]:
    return {
        "poll": asyncio.run(_poll(n_orders, n_keys, rps)),
        "bulk": asyncio.run(_bulk(n_lines, rps)),
    }


def format_table(result: dict[str, Any]) -> str:
    poll, bulk = result["poll"], result["bulk"]
    rows = [
        (
            "open orders / keys / PANEL_MAX_RPS",
            f"{poll['orders']} / {poll['keys']} / {poll['rps']:g}",
        )
    ]
    for n, (requests, seconds) in enumerate(poll["cycles"], start=1):
        rows.append((f"poll cycle {n}: requests, paced wall time", f"{requests}, {seconds:.1f} s"))
    rows += [
        ("bulk lines placed line by line", f"{bulk['placed']} of {bulk['lines']}"),
        ("bulk requests: add / add_bulk (probe)", f"{bulk['add']} / {bulk['add_bulk']}"),
        ("add_bulk carrying orders", f"{bulk['bulk_with_orders']}"),
        ("bulk wall time", f"{bulk['seconds']:.1f} s"),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value:>16}" for name, value in rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.classic", description=__doc__)
    options: tuple[tuple[str, type[float], float], ...] = (
        ("--orders", int, 1000),
        ("--keys", int, 10),
        ("--lines", int, 100),
        ("--rps", float, 5.0),
    )
    for flag, kind, default in options:
        parser.add_argument(flag, type=kind, default=default)
    args = parser.parse_args(argv)
    print(format_table(run(args.orders, args.keys, args.lines, args.rps)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
