"""Catalog benchmark: fetch + parse of a 5,000-service catalog from the fake panel.

    python -m benchmarks.catalog [--services N] [--runs N]

Times `PanelClient.services()` end to end over real HTTP on 127.0.0.1 (median and p90), times the
parser alone on the same bytes, and measures the memory of the parsed catalog with tracemalloc
(retained after parsing, and the peak while parsing, which includes the decoded JSON).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import time
import tracemalloc
from collections.abc import Sequence
from typing import Any

import httpx

from bot.panel.client import PanelClient
from bot.panel.parsing import parse_services
from tests.fakes.panel import FakePanel

KEY = "bench-key-0123456789abcdef"


def _percentile(samples: Sequence[float], fraction: float) -> float:
    ordered = sorted(samples)
    # Nearest-rank: with few runs an interpolated p90 would understate the tail.
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


async def _measure(n_services: int, runs: int) -> dict[str, Any]:
    async with FakePanel(FakePanel.make_services(n_services)) as fake:
        fake.add_key(KEY)
        async with PanelClient(fake.url, KEY) as client:
            await client.services()  # warm-up: connection, imports, caches
            end_to_end: list[float] = []
            for _ in range(runs):
                start = time.perf_counter()
                services = await client.services()
                end_to_end.append(time.perf_counter() - start)
        async with httpx.AsyncClient() as http:
            response = await http.post(fake.url, data={"key": KEY, "action": "services"})
            body = response.content

    parse_only: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        parse_services(body)
        parse_only.append(time.perf_counter() - start)

    gc.collect()
    tracemalloc.start()
    try:
        baseline, _ = tracemalloc.get_traced_memory()
        catalog = parse_services(body)
        retained, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(catalog) == len(services) == n_services

    return {
        "services": n_services,
        "runs": runs,
        "body_bytes": len(body),
        "fetch_parse_median_ms": statistics.median(end_to_end) * 1000,
        "fetch_parse_p90_ms": _percentile(end_to_end, 0.9) * 1000,
        "parse_median_ms": statistics.median(parse_only) * 1000,
        "parse_p90_ms": _percentile(parse_only, 0.9) * 1000,
        "catalog_retained_bytes": retained - baseline,
        "parse_peak_bytes": peak - baseline,
    }


def run(n_services: int = 5000, runs: int = 15) -> dict[str, Any]:
    """Run the benchmark and return its figures (times in ms, memory in bytes)."""
    return asyncio.run(_measure(n_services, runs))


def format_table(result: dict[str, Any]) -> str:
    mib = 1024 * 1024
    rows = [
        ("services", f"{result['services']}"),
        ("runs", f"{result['runs']}"),
        ("response body", f"{result['body_bytes'] / mib:.2f} MiB"),
        ("fetch+parse median", f"{result['fetch_parse_median_ms']:.1f} ms"),
        ("fetch+parse p90", f"{result['fetch_parse_p90_ms']:.1f} ms"),
        ("parse only median", f"{result['parse_median_ms']:.1f} ms"),
        ("parse only p90", f"{result['parse_p90_ms']:.1f} ms"),
        ("catalog retained", f"{result['catalog_retained_bytes'] / mib:.2f} MiB"),
        ("parse peak", f"{result['parse_peak_bytes'] / mib:.2f} MiB"),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value:>12}" for name, value in rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.catalog", description=__doc__)
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    print(format_table(run(args.services, args.runs)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
