"""`python -m benchmarks webapp` runs at a tiny size and produces numbers (no timing asserts)."""

from __future__ import annotations

import math

from benchmarks import webapp
from tests.browser.conftest import chromium_path, no_browser


async def test_the_webapp_benchmark_measures_every_figure() -> None:
    if chromium_path() is None:
        no_browser("no Chromium found: apt-get install chromium, or set CHROMIUM_PATH")
    result = await webapp.measure(services=120, panels=2, runs=1)
    assert 0 < result["payload_one_panel_bytes"] < result["payload_all_panels_bytes"]
    assert result["last_results"] >= 0
    assert result["keystrokes"] == sum(len(q) for q in webapp.QUERIES)
    for key in ("tti_cold_ms", "tti_warm_ms", "keystroke_median_ms", "search_script_max_ms"):
        assert math.isfinite(result[key]) and result[key] > 0, key
