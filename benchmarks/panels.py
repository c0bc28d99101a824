"""Several panels (issue 14): a poll cycle over 3 panels, and ⚖️ Compare over 3 catalogs.

    python -m benchmarks.panels [--keys 50] [--orders 100] [--cards 200]

Poll: 3 fake panels on their own ports; each of `keys` users links all three (3 × keys panel
keys) and has `orders` open orders on each. One `StatusPoller.run_cycle()` over real HTTP must
make Σ over keys of ⌈open / 100⌉ status requests, each sent to its own panel.

Compare: three 5,000-service catalogs (the benchmark catalog with different prices); the time
of one card's comparison against the other two with their similarity indexes built (the bot
builds one per catalog version, on the first comparison), and the time to build one.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import tempfile
import time
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from cryptography.fernet import Fernet

from benchmarks._common import median, percentile
from bot.panel.parsing import parse_services
from bot.services.catalog_index import CatalogIndex
from bot.services.compare import SimilarIndex, SimilarIndexCache
from bot.services.panel_clients import PanelClients
from bot.services.poller import StatusPoller, polling_clients
from bot.storage import KeyCipher, OrderDraft, Storage
from tests.fakes.panel import FakePanel
from tests.fakes.panel_catalog import make_services

PANELS = 3
INTERVAL = 60.0


def _key(panel: int, user: int) -> str:
    return f"bench-panels-{panel}-{user:04d}-0123456789abcdef"


async def _populate(storage: Storage, panels: list[FakePanel], n_keys: int, per_key: int) -> None:
    for user in range(n_keys):
        user_id = 20_000 + user
        await storage.users.touch(user_id, username=None, first_name=f"Bench {user}")
        for p, panel in enumerate(panels):
            key = _key(p, user)
            panel.add_key(key)
            slot = await storage.accounts.add(user_id, key, label=f"P{p}", url=panel.url)
            drafts = [
                OrderDraft(
                    service_id=1,
                    service_name_text="Instagram Takipçi",
                    service_type="Default",
                    link=f"https://instagram.com/p/bench_{p}_{user}_{i}",
                    quantity=100,
                    cost=Decimal("1.25"),
                    currency_text="USD",
                )
                for i in range(per_key)
            ]
            batch = f"bench{user_id}_{p}"
            rows = await storage.orders.create_drafts(user_id, batch, drafts, panel_slot=slot)
            await storage.orders.claim(batch, user_id)
            pairs = [(o.id, panel.create_order(key, 1, o.link or "", 100)) for o in rows]
            await storage.orders.mark_placed_many(pairs)


async def _poll(n_keys: int, per_key: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        storage = await Storage.open(
            Path(tmp) / "bench.sqlite3", KeyCipher([Fernet.generate_key()])
        )
        panels = [FakePanel(first_order_id=1 + 10_000_000 * p) for p in range(PANELS)]
        try:
            for panel in panels:
                await panel.start()
            async with httpx.AsyncClient(
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=20)
            ) as http:
                await _populate(storage, panels, n_keys, per_key)
                poller = StatusPoller(
                    storage,
                    polling_clients(
                        PanelClients(
                            panels[0].url,
                            http,
                            30.0,
                            trusted_urls=frozenset(panel.url for panel in panels),
                        )
                    ),
                    interval=INTERVAL,
                )
                for panel in panels:
                    panel.clear_log()
                report = await poller.run_cycle()
                per_panel = [panel.count("status") for panel in panels]
        finally:
            for panel in panels:
                await panel.stop()
            await storage.close()
    assert report is not None
    return {
        "panels": PANELS,
        "keys_per_panel": n_keys,
        "open_per_key": per_key,
        "orders": PANELS * n_keys * per_key,
        "expected_requests": PANELS * n_keys * math.ceil(per_key / 100),
        "requests": sum(per_panel),
        "requests_per_panel": per_panel,
        "cycle_s": report.seconds,
    }


def _catalogs() -> list[CatalogIndex]:
    raw = make_services(5000)
    return [
        CatalogIndex(
            parse_services([dict(s, rate=str(Decimal(str(s["rate"])) * (1 + k))) for s in raw])
        )
        for k in range(PANELS)
    ]


def compare(cards: int = 200) -> dict[str, Any]:
    catalogs = _catalogs()
    started = time.perf_counter()
    SimilarIndex(catalogs[1].services)
    build = time.perf_counter() - started
    cache = SimilarIndexCache()
    for catalog in catalogs:
        cache.get(catalog)
    rng = random.Random(14)
    times: list[float] = []
    found = 0
    for _ in range(cards):
        card = rng.choice(catalogs[0].services)
        t0 = time.perf_counter()
        for other in catalogs[1:]:
            found += len(cache.get(other).similar_to(card))
        times.append(time.perf_counter() - t0)
    return {
        "catalogs": PANELS,
        "services": len(catalogs[0]),
        "cards": cards,
        "similar_found": found,
        "index_build_ms": build * 1000,
        "card_median_ms": median(times) * 1000,
        "card_p95_ms": percentile(times, 0.95) * 1000,
        "card_max_ms": max(times) * 1000,
    }


def run(n_keys: int = 50, per_key: int = 100, cards: int = 200) -> dict[str, Any]:
    return {"poll": asyncio.run(_poll(n_keys, per_key)), "compare": compare(cards)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.panels", description=__doc__)
    parser.add_argument("--keys", type=int, default=50)
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--cards", type=int, default=200)
    args = parser.parse_args(argv)
    result = run(args.keys, args.orders, args.cards)
    poll, cmp_ = result["poll"], result["compare"]
    print(
        f"poll: {poll['panels']} panels × {poll['keys_per_panel']} keys × "
        f"{poll['open_per_key']} open = {poll['orders']:,} orders; requests "
        f"{poll['requests']} (expected {poll['expected_requests']}, per panel "
        f"{poll['requests_per_panel']}); cycle {poll['cycle_s']:.2f} s"
    )
    print(
        f"compare: {cmp_['catalogs']} × {cmp_['services']:,} services; per card median "
        f"{cmp_['card_median_ms']:.2f} ms, p95 {cmp_['card_p95_ms']:.2f} ms, max "
        f"{cmp_['card_max_ms']:.2f} ms; index build {cmp_['index_build_ms']:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
