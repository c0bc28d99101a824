"""What the price check at Confirm costs (issue 19 item 2): calls and time per confirm.

    python -m benchmarks pricecheck [--services 5000] [--latency 0.05] [--runs 10] [--users 20]

The bot's real services (`open_deps`) against a fake panel over real HTTP answering every
request `latency` seconds late, with a `services`-sized catalog. Per confirm, the panel calls
made (counted by the fake panel) and the median time of `confirm`:

- single, catalog younger than PRICE_CHECK_SECONDS: `add` + one `status` (the charge read);
- single, catalog older: + one `services` re-read;
- the same without the charge read (what main did before), for the difference;
- a 100-line bulk: `add_bulk` + one multi-status `status` for the batch;
- `users` users of one key confirming at once with an old catalog: `services` calls in all.

The catalog's age is moved on the cache's clock, never waited for.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any
from unittest.mock import patch

from cryptography.fernet import Fernet

from bot import app as bot_app
from bot.config import load_settings
from bot.deps import Deps
from bot.logs import SecretRegistry
from bot.services import bulk_orders, ordering
from tests.fakes.panel import FakePanel
from tests.fakes.panel_catalog import make_services

KEY = "bench-pricecheck-0123456789abcdef"
UID = 31_000
SERVICE = 1
QUANTITY = 1000


class Links:
    """A new link for every order: the same link again would stop at the open-order warning
    (an order already open on it), and the confirm would measure a refusal, not a placing."""

    def __init__(self) -> None:
        self.made = 0

    def __call__(self) -> str:
        self.made += 1
        return f"https://instagram.com/bench{self.made}"


class MovedClock:
    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset


async def _timed(
    panel: FakePanel, call: Callable[[], Awaitable[Any]]
) -> tuple[float, dict[str, int]]:
    """Seconds `call` took and the panel calls it made, by action."""
    panel.clear_log()
    start = time.perf_counter()
    await call()
    elapsed = time.perf_counter() - start
    counts: dict[str, int] = {}
    for request in panel.requests:
        counts[request.action or "?"] = counts.get(request.action or "?", 0) + 1
    if not counts.keys() & {"add", "add_bulk"}:
        raise RuntimeError(f"the confirm placed nothing (panel calls: {counts or 'none'})")
    return elapsed, counts


def _values(links: Links) -> dict[str, Any]:
    return {"link": links(), "quantity": QUANTITY}


async def _single(
    deps: Deps, panel: FakePanel, clock: MovedClock, links: Links, *, stale: bool
) -> Any:
    preview = await deps.ordering.prepare(UID, SERVICE, _values(links))
    if stale:
        clock.offset += deps.settings.price_check_seconds + 1
    return await _timed(panel, lambda: deps.ordering.confirm(UID, preview.batch))


async def _bulk(deps: Deps, panel: FakePanel, links: Links, lines: int) -> Any:
    text = "\n".join(f"{SERVICE} | {links()} | 100" for _ in range(lines))
    draft = await deps.bulk.preview(UID, text)
    assert draft.batch is not None
    return await _timed(panel, lambda: deps.bulk.confirm(UID, draft.batch or ""))


async def _crowd(
    deps: Deps, panel: FakePanel, clock: MovedClock, links: Links, users: int
) -> dict[str, int]:
    ids = [UID + 1 + i for i in range(users)]
    batches = []
    for uid in ids:
        await deps.access.allow(uid)
        await deps.accounts.link(uid, KEY)
        batches.append((await deps.ordering.prepare(uid, SERVICE, _values(links))).batch)
    clock.offset += deps.settings.price_check_seconds + 1
    confirms = [deps.ordering.confirm(uid, b) for uid, b in zip(ids, batches, strict=True)]
    _, counts = await _timed(panel, lambda: asyncio.gather(*confirms))
    return counts


def _row(name: str, samples: Sequence[tuple[float, dict[str, int]]]) -> dict[str, Any]:
    return {
        "case": name,
        "median_ms": round(statistics.median(s[0] for s in samples) * 1000, 1),
        "calls": samples[-1][1],
    }


async def measure(services: int, latency: float, runs: int, users: int) -> list[dict[str, Any]]:
    async with FakePanel(make_services(services)) as panel:
        panel.add_key(KEY, balance="1000000")
        with tempfile.TemporaryDirectory() as tmp:
            settings = load_settings(
                bot_token="123:bench",
                panel_api_url=panel.url,
                database_path=Path(tmp) / "bench.sqlite3",
                encryption_key=Fernet.generate_key().decode(),
            )
            deps = await bot_app.open_deps(settings, SecretRegistry())
            try:
                clock = MovedClock()
                deps.catalog.cache._clock = clock  # the catalog's age, moved instead of waited
                await deps.access.allow(UID)
                await deps.accounts.link(UID, KEY)
                await deps.catalog.get(UID)
                panel.latency = latency
                links = Links()
                rows = await _cases(deps, panel, clock, links, runs)
                crowd = await _crowd(deps, panel, clock, links, users)
                rows.append({"case": f"{users} users, one key, old catalog", "calls": crowd})
                return rows
            finally:
                await deps.aclose()


async def _cases(
    deps: Deps, panel: FakePanel, clock: MovedClock, links: Links, runs: int
) -> list[dict[str, Any]]:
    fresh = [await _single(deps, panel, clock, links, stale=False) for _ in range(runs)]
    stale = [await _single(deps, panel, clock, links, stale=True) for _ in range(runs)]
    bulk = [await _bulk(deps, panel, links, 100) for _ in range(runs)]

    async def no_read(*_: Any) -> None:
        return None

    async def no_reads(*_: Any) -> dict[int, Any]:
        return {}

    # What main did before: the same confirms without the charge read after placing.
    with (
        patch.object(ordering, "charge_after_add", new=no_read),
        patch.object(bulk_orders, "charges_after_add", new=no_reads),
    ):
        before = [await _single(deps, panel, clock, links, stale=False) for _ in range(runs)]
        bulk_before = [await _bulk(deps, panel, links, 100) for _ in range(runs)]
    return [
        _row("single, without the charge read (before)", before),
        _row("single, catalog < PRICE_CHECK_SECONDS", fresh),
        _row("single, catalog older: re-read", stale),
        _row("bulk 100, without the charge read (before)", bulk_before),
        _row("bulk 100, with the multi-status read", bulk),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks pricecheck")
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--users", type=int, default=20)
    args = parser.parse_args(argv)
    rows = asyncio.run(measure(args.services, args.latency, args.runs, args.users))
    print(f"{args.services} services, panel answers {args.latency * 1000:.0f} ms late")
    for row in rows:
        timing = f"{row['median_ms']:8.1f} ms" if "median_ms" in row else " " * 11
        calls = ", ".join(f"{k} {v}" for k, v in sorted(row["calls"].items()))
        print(f"{row['case']:<45} {timing}  calls: {calls}")
    return 0
