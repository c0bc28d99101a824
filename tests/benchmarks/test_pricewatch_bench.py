"""The price watch benchmark at a tiny size: at most one `services` call per panel key and hour."""

from __future__ import annotations

from benchmarks import pricewatch


async def test_the_watch_calls_each_panel_key_at_most_once_an_hour() -> None:
    own = await pricewatch.measure(3, 2, 2, 50, 0.0, shared=False)
    assert [r["keys"] for r in own] == [6, 6]
    assert [r["watch_calls"] for r in own] == [6, 6]
    shared = await pricewatch.measure(3, 2, 2, 50, 0.0, shared=True)
    assert [r["keys"] for r in shared] == [2, 2]
    assert [r["watch_calls"] for r in shared] == [2, 2]
    # A user's read within the hour spares the cycle that key's call.
    browsed = await pricewatch.measure(3, 2, 2, 50, 1.0, shared=True)
    assert [r["watch_calls"] for r in browsed] == [1, 1]
    assert [r["all_calls"] for r in browsed] == [1 + 3, 1 + 3]
