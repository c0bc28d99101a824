"""What the duplicate-link guard costs on a 1,000-line bulk (issue 24 item 3).

    python -m benchmarks linkguard [--lines 1000] [--history 20000] [--open 2000] [--runs 15]
                                   [--engines sqlite,postgres]

One user with `history` orders on one panel (`open` of them still open, the rest completed), in
the bot's own database through its repositories, on each engine (PostgreSQL: a local pgserver,
the `test` extra). A pasted list of `lines` lines over a 5,000-service catalog: a third of them
name a page that has an open order (written with `www.`, a trailing slash and tracking
parameters), one in ten repeats an earlier line. Per run, the median and slowest time of:

- the page keys of every line (`bot.links.link_key`), the part of the in-list check that is new;
- `parse_bulk` as a whole (its in-list duplicate check included), for scale;
- the open-order lookup (`bot.services.link_guard.open_on_links`: one indexed query per 500
  pages, then the same-service / same-kind match against the catalog).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

from bot.links import link_key
from bot.panel.parsing import parse_services
from bot.services.bulk_lines import parse_bulk
from bot.services.catalog_index import CatalogIndex
from bot.services.link_guard import open_on_links
from bot.storage import KeyCipher, OrderDraft, StatusUpdate, Storage
from tests.fakes.panel_catalog import make_services

UID = 41_000
SLOT = 1


def _page(i: int) -> str:
    return f"https://instagram.com/p/bench{i:06d}"


def _bulk_text(lines: int, open_pages: int, catalog: CatalogIndex) -> str:
    """`lines` order lines: every third names an open page (in a share button's spelling), every
    tenth repeats the line before it, the rest are new pages."""
    services = [s for s in catalog.services if s.type == "Default"][:50]
    rows: list[str] = []
    for i in range(lines):
        service = services[i % len(services)]
        if i % 10 == 9:
            rows.append(rows[-1])
            continue
        if i % 3 == 0:
            # The open order's own service: the seed gave page p the service p % 50.
            service = services[(i % open_pages) % len(services)]
            link = _page(i % open_pages).replace("https://", "http://www.")
            link += "/?utm_source=ig_web_copy_link&igshid=MzRlODBiNWFlZA=="
        else:
            link = f"https://instagram.com/p/new{i:06d}"
        rows.append(f"{service.id} | {link} | {max(service.min, 100)}")
    return "\n".join(rows)


async def _seed(storage: Storage, history: int, open_orders: int, catalog: CatalogIndex) -> None:
    await storage.users.touch(UID, username=None, first_name="Bench")
    services = [s for s in catalog.services if s.type == "Default"][:50]
    chunk = 1000
    for start in range(0, history, chunk):
        drafts = [
            OrderDraft(
                service_id=services[i % len(services)].id,
                service_name_text=services[i % len(services)].name_text,
                service_type="Default",
                link=_page(i),
                quantity=100,
                cost=Decimal("1.00"),
                line_no=i - start + 1,
            )
            for i in range(start, min(start + chunk, history))
        ]
        batch = f"seed{start}"
        rows = await storage.orders.create_drafts(UID, batch, drafts, panel_slot=SLOT)
        assert (await storage.orders.claim(batch, UID)).won
        await storage.orders.mark_placed_many([(o.id, 1_000_000 + o.id) for o in rows])
        done = [o for i, o in enumerate(rows, start=start) if i >= open_orders]
        await storage.orders.update_statuses(
            [StatusUpdate(o.id, "Completed", "Completed", None, None, 0, None) for o in done],
            polled_at=time.time(),
        )


async def _timed(runs: int, step: Callable[[], Awaitable[Any]]) -> list[float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        await step()
        times.append(time.perf_counter() - began)
    return times


async def _measure(target: str, args: argparse.Namespace, catalog: CatalogIndex) -> dict[str, Any]:
    storage = await Storage.open(target, KeyCipher([Fernet.generate_key()]))
    try:
        await _seed(storage, args.history, args.open, catalog)
        text = _bulk_text(args.lines, args.open, catalog)
        preview = parse_bulk(text, catalog, max_lines=args.lines)
        wanted = [(line.service, line.link) for line in preview.valid if line.service]
        links = [link for _, link in wanted if link]

        async def keys() -> None:
            for link in links:
                link_key(link)

        async def parse() -> None:
            parse_bulk(text, catalog, max_lines=args.lines)

        async def lookup() -> list[Any]:
            return await open_on_links(storage.orders, UID, SLOT, catalog, wanted)

        found = await lookup()
        return {
            "lines": len(wanted),
            "flagged_open": sum(1 for match in found if match is not None),
            "flagged_twice": sum(1 for line in preview.valid if line.duplicate_of),
            "keys": await _timed(args.runs, keys),
            "parse": await _timed(args.runs, parse),
            "lookup": await _timed(args.runs, lookup),
        }
    finally:
        await storage.close()


def _catalog() -> CatalogIndex:
    return CatalogIndex(parse_services(make_services(5000)))


async def _run(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    catalog = _catalog()
    results: dict[str, dict[str, Any]] = {}
    for engine in args.engines.split(","):
        if engine == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                results[engine] = await _measure(str(Path(tmp) / "bench.db"), args, catalog)
        elif engine == "postgres":
            from benchmarks._pg import BenchPostgres

            server = BenchPostgres()
            try:
                async with server.database() as url:
                    results[engine] = await _measure(url, args, catalog)
            finally:
                server.stop()
        else:
            raise SystemExit(f"unknown engine {engine!r}")
    return results


def _ms(samples: Sequence[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} ms (max {max(samples) * 1000:.1f})"


def format_results(results: dict[str, dict[str, Any]]) -> str:
    out = []
    for engine, r in results.items():
        out += [
            f"{engine}: {r['lines']} lines, {r['flagged_open']} with an open order, "
            f"{r['flagged_twice']} repeated",
            f"  page keys of every line:       {_ms(r['keys'])}",
            f"  parse_bulk (in-list check in): {_ms(r['parse'])}",
            f"  open-order lookup and match:   {_ms(r['lookup'])}",
        ]
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks linkguard", description=__doc__)
    sizes = {"--lines": 1000, "--history": 20_000, "--open": 2000, "--runs": 15}
    for flag, default in sizes.items():
        parser.add_argument(flag, type=int, default=default)
    parser.add_argument("--engines", default="sqlite,postgres")
    args = parser.parse_args(argv)
    print(format_results(asyncio.run(_run(args))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
