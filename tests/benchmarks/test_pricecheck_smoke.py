"""`python -m benchmarks pricecheck` measures placings: every confirm it times reaches the panel
with the calls its case names. Since the open-order warning, a second order on the benchmark's
one link stopped before the panel, and the benchmark timed refusals (1.6 ms, no call)."""

from __future__ import annotations

from benchmarks.pricecheck import measure


async def test_every_case_places_its_orders_with_the_calls_it_names() -> None:
    rows = await measure(services=50, latency=0.0, runs=2, users=3)
    calls = {row["case"]: row["calls"] for row in rows}
    assert calls == {
        "single, without the charge read (before)": {"add": 1},
        "single, catalog < PRICE_CHECK_SECONDS": {"add": 1, "status": 1},
        "single, catalog older: re-read": {"add": 1, "services": 1, "status": 1},
        "bulk 100, without the charge read (before)": {"add_bulk": 1},
        "bulk 100, with the multi-status read": {"add_bulk": 1, "status": 1},
        "3 users, one key, old catalog": {"add": 3, "services": 1, "status": 3},
    }
