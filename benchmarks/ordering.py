"""Ordering benchmark: browsing and bulk preview on a 5,000-service catalog.

    python -m benchmarks.ordering [--services N] [--lines N] [--runs N]

The catalog is the fake panel's generated one in wire format, read by the real parser. Timed
(median and worst of `runs`): building the `CatalogIndex`, rendering category and service pages
and a search page with the catalog handler's pure render functions (text + keyboard), and the
preview of a bulk list: `parse_bulk` (validation of every line), the preview text, and the CSV
line check. Nothing here touches the network or Telegram.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from bot.i18n import Catalogs
from bot.panel.models import Balance, Service
from bot.panel.parsing import parse_services
from bot.services.bulk_lines import parse_bulk
from bot.services.bulk_orders import BulkDraft
from bot.services.catalog_index import CatalogIndex
from bot.views.bulk import check_csv, render_preview
from bot.views.catalog import render_category_page, render_search_page, render_service_page
from tests.fakes.panel_catalog import make_services

SEARCH_QUERY = "instagram takipci"


def _time(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """(median, worst) in milliseconds; one untimed warm-up call first."""
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000, max(samples) * 1000


def bulk_text(services: Sequence[Service], n_lines: int) -> str:
    """A realistic paste: link + quantity services, mixed separators, ~5% bad lines, repeats."""
    usable = [s for s in services if s.type == "Default"]
    lines = ["# weekly orders"]
    for i in range(n_lines):
        s = usable[(i * 31) % len(usable)]
        sep = ("|", ";", ",", "\t")[i % 4]
        if i % 20 == 7:
            lines.append(f"{s.id}{sep}https://instagram.com/u{i}{sep}{s.max + 1}")  # over max
        elif i % 50 == 9:
            prev = usable[((i - 1) * 31) % len(usable)]
            lines.append(f"{prev.id}{sep}https://instagram.com/u{i - 1}{sep}{prev.min}")  # repeat
        else:
            lines.append(f"{s.id} {sep} instagram.com/u{i} {sep} {s.min * 2}")
    return "\n".join(lines)


def run(n_services: int = 5000, n_lines: int = 1000, runs: int = 15) -> dict[str, Any]:
    """Figures in milliseconds (median and worst of `runs`), plus sizes."""
    body = json.dumps(make_services(n_services)).encode()
    services = parse_services(body)
    t = Catalogs.load().translator("en")
    figures: dict[str, Any] = {"services": len(services), "lines": n_lines, "runs": runs}

    figures["index_build"] = _time(lambda: CatalogIndex(services), runs)
    index = CatalogIndex(services)
    figures["categories"] = len(index.categories)
    middle = len(index.categories) // 2
    last_page = max(0, (len(index.categories) - 1) // 8)
    figures["category_page_first"] = _time(lambda: render_category_page(index, t, 0), runs)
    figures["category_page_last"] = _time(lambda: render_category_page(index, t, last_page), runs)
    figures["service_page"] = _time(lambda: render_service_page(index, t, middle, 1), runs)
    figures["search"] = _time(lambda: index.search(SEARCH_QUERY, limit=200), runs)
    figures["search_page"] = _time(lambda: render_search_page(index, t, SEARCH_QUERY, 2), runs)

    text = bulk_text(services, n_lines)
    preview = parse_bulk(text, index, max_lines=n_lines)
    draft = BulkDraft(preview, "x" * 16, Balance(Decimal("250.00"), "USD"))
    figures["bulk_valid"] = len(preview.valid)
    figures["bulk_errors"] = len(preview.errors)
    figures["bulk_duplicates"] = sum(1 for line in preview.valid if line.duplicate_of)
    figures["bulk_parse"] = _time(lambda: parse_bulk(text, index, max_lines=n_lines), runs)
    figures["bulk_render"] = _time(lambda: render_preview(t, draft), runs)
    figures["bulk_check_csv"] = _time(lambda: check_csv(t, draft), runs)
    figures["bulk_preview_total"] = _time(
        lambda: render_preview(
            t,
            BulkDraft(parse_bulk(text, index, max_lines=n_lines), "x" * 16, draft.balance),
        ),
        runs,
    )
    return figures


_ROWS = (
    ("index_build", "CatalogIndex build"),
    ("category_page_first", "category page 1 (text + keyboard)"),
    ("category_page_last", "category page, last"),
    ("service_page", "services of a category, page 2"),
    ("search", f"search “{SEARCH_QUERY}”"),
    ("search_page", "search results page 3"),
    ("bulk_parse", "bulk: parse + validate"),
    ("bulk_render", "bulk: preview text"),
    ("bulk_check_csv", "bulk: line-check CSV"),
    ("bulk_preview_total", "bulk: parse + preview text"),
)


def format_table(figures: dict[str, Any]) -> str:
    head = (
        f"{figures['services']} services in {figures['categories']} categories; "
        f"bulk of {figures['lines']} lines ({figures['bulk_valid']} valid, "
        f"{figures['bulk_errors']} with problems, {figures['bulk_duplicates']} repeats); "
        f"{figures['runs']} runs"
    )
    width = max(len(label) for _, label in _ROWS)
    lines = [head, f"{'':<{width}}  {'median':>9}  {'worst':>9}"]
    for key, label in _ROWS:
        median, worst = figures[key]
        lines.append(f"{label:<{width}}  {median:>6.2f} ms  {worst:>6.2f} ms")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ordering", description=__doc__)
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    print(format_table(run(args.services, args.lines, args.runs)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
