"""The Mini App's figures (issue 23): catalog payload, time to interactive, keystroke to results.

    python -m benchmarks webapp [--services 5000] [--panels 3] [--runs 5]

The bot (in this process, tests.harness) with its Mini App on 127.0.0.1 and `panels` fake panels
of `services` services each (tests.fakes.panel_catalog.make_services), one user linked to all;
headless Chromium (Debian's, through Playwright) opens the page as Telegram would.

- payload: the gzipped bytes of `GET api/catalog` for one panel of `services` services, and for
  all `panels` panels (what the page loads);
- time to interactive: from the navigation's start to the catalog searchable, all panels
  loaded; the first open reads the panels' catalogs (cold), the next ones the bot's cache (warm);
- keystroke to results: typing queries one character at a time into the search box over the
  `panels` x `services` services in the page, from the input event to the results drawn and
  the next frame painted.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from collections.abc import Sequence
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

from tests.browser.conftest import PHONE, STAND_IN, TELEGRAM_SCRIPT, chromium_path
from tests.fakes.panel import FakePanel
from tests.fakes.panel_catalog import make_services
from tests.harness import running_bot
from tests.miniapp import WEBAPP_URL, MiniApp, running_miniapp

USER = 32_000
QUERIES = ("instagram takipci", "tiktok begeni", "#4242", "youtube hizli premium", "zzz")
# Types one character, then waits for the results to be drawn and a frame painted.
_KEYSTROKE_JS = """async ([text]) => {
  const box = document.getElementById("catalog-search");
  box.value = "";
  box.dispatchEvent(new Event("input"));
  const times = [];
  for (const ch of text) {
    const start = performance.now();
    box.value += ch;
    box.dispatchEvent(new Event("input", { bubbles: true }));
    await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
    times.push([performance.now() - start, window.miniApp.catalogStats.lastRefreshMs]);
  }
  return times;
}"""


async def _payload(app: MiniApp, user_id: int) -> int:
    """Gzipped bytes of the catalog's answer, as they cross the wire."""
    async with app.client() as http:
        answer = await http.get(
            "api/catalog", headers={**app.headers(user_id), "Accept-Encoding": "gzip"}
        )
        answer.raise_for_status()
        assert answer.headers.get("Content-Encoding") == "gzip"
        return answer.num_bytes_downloaded


async def _open(context: Any, app: MiniApp) -> tuple[Any, float]:
    page = await context.new_page()
    await page.goto(app.page_url(app.init_data(USER)))
    await page.wait_for_selector("#page-catalog[data-loaded='true']", timeout=60_000)
    return page, float(await page.evaluate("window.miniApp.catalogLoadedAt"))


async def _browse(app: MiniApp, runs: int) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    path = chromium_path()
    if path is None:
        raise SystemExit("no Chromium: apt-get install chromium (or set CHROMIUM_PATH)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=path, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        context = await browser.new_context(viewport=PHONE)
        await context.route(
            TELEGRAM_SCRIPT,
            lambda route: route.fulfill(path=STAND_IN, content_type="text/javascript"),
        )
        page, cold = await _open(context, app)
        await page.close()
        warm = []
        for _ in range(runs):
            page, ready = await _open(context, app)
            warm.append(ready)
            await page.close()
        page, _ = await _open(context, app)
        pairs: list[list[float]] = []
        for query in QUERIES:
            pairs += await page.evaluate(_KEYSTROKE_JS, [query])
        services = await page.evaluate("window.miniApp.catalogStats")
        times = await page.evaluate("window.miniApp.catalogTimes")
        await browser.close()
    keystrokes = sorted(p[0] for p in pairs)
    scripts = sorted(p[1] for p in pairs)
    return {
        "fetch_ms": times["fetchMs"],
        "load_ms": times["loadMs"],
        "search_script_median_ms": statistics.median(scripts),
        "search_script_max_ms": scripts[-1],
        "tti_cold_ms": cold,
        "tti_warm_ms": statistics.median(warm),
        "keystroke_median_ms": statistics.median(keystrokes),
        "keystroke_p95_ms": keystrokes[int(0.95 * (len(keystrokes) - 1))],
        "keystroke_max_ms": keystrokes[-1],
        "keystrokes": len(keystrokes),
        "last_results": services["results"],
    }


async def measure(services: int, panels: int, runs: int) -> dict[str, Any]:
    catalog = make_services(services)
    async with AsyncExitStack() as stack:
        fakes = [await stack.enter_async_context(FakePanel(catalog)) for _ in range(panels - 1)]
        presets = ",".join(f"P{n + 2}={fake.url}" for n, fake in enumerate(fakes))
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        harness = await stack.enter_async_context(
            running_bot(folder, webapp_url=WEBAPP_URL, panels=presets, log_level="WARNING")
        )
        harness.panel.set_services(catalog)
        app = await stack.enter_async_context(running_miniapp(harness))
        await harness.member(USER, key="bench-key")
        await harness.member(USER + 1, key="bench-key")
        for n, fake in enumerate(fakes):
            fake.add_key(f"bench-key-{n}", balance="1000")
            await harness.deps.panels.add(
                USER, f"bench-key-{n}", url=fake.url, name=f"P{n + 2}", custom=False
            )
        one_panel = await _payload(app, USER + 1)
        every_panel = await _payload(app, USER)
        figures = await _browse(app, runs)
    return {
        "services": services,
        "panels": panels,
        "payload_one_panel_bytes": one_panel,
        "payload_all_panels_bytes": every_panel,
        **figures,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks webapp")
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--panels", type=int, default=3)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    result = asyncio.run(measure(args.services, args.panels, args.runs))
    n, p = result["services"], result["panels"]
    print(f"Mini App, {p} panels x {n:,} services, headless Chromium at 390x844")
    print(f"catalog payload, 1 panel, gzipped   {result['payload_one_panel_bytes'] / 1024:8.1f} KB")
    print(
        f"catalog payload, {p} panels, gzipped  {result['payload_all_panels_bytes'] / 1024:8.1f} KB"
    )
    print(f"time to interactive, cold           {result['tti_cold_ms']:8.0f} ms")
    print(f"time to interactive, warm (median)  {result['tti_warm_ms']:8.0f} ms")
    print(
        f"  of which: catalog call {result['fetch_ms']:.0f} ms, "
        f"indexing in the page {result['load_ms']:.0f} ms"
    )
    print(
        f"keystroke to results ({result['keystrokes']} keys)    median "
        f"{result['keystroke_median_ms']:.1f} ms, p95 {result['keystroke_p95_ms']:.1f} ms, "
        f"max {result['keystroke_max_ms']:.1f} ms"
    )
    print(
        f"  of which search and drawing: median {result['search_script_median_ms']:.1f} ms, "
        f"max {result['search_script_max_ms']:.1f} ms (the rest: waiting for the next frame)"
    )
    return 0
