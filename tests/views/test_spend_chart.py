"""The /stats chart is a real PNG with one series per panel, one plot per currency."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal

from bot.i18n import Catalogs
from bot.services.stats import build_report
from bot.storage.spending import SpendRow
from bot.views.spend_chart import DPI, HEIGHT_PER_CURRENCY_INCHES, WIDTH_INCHES, spend_chart
from tests.fakes.telegram_models import image_size

NOW = dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC)


def _row(days_ago: int, amount: str, panel: str, currency: str = "USD") -> SpendRow:
    return SpendRow(
        placed_at=(NOW - dt.timedelta(days=days_ago)).timestamp(),
        panel=panel,
        currency=currency,
        amount=Decimal(amount),
        status="Completed",
        service_id=1,
        service_name="Followers",
    )


def test_the_chart_is_a_png_with_every_panels_series() -> None:
    rows = [_row(0, "2", "A"), _row(3, "1.5", "B"), _row(1, "40", "A", "TRY")]
    report = build_report(rows, now=NOW, panel_name=lambda p: p)
    chart = spend_chart(Catalogs.load().translator("tr"), report)
    assert chart.png.startswith(b"\x89PNG\r\n\x1a\n")
    assert image_size(chart.png) == (
        int(WIDTH_INCHES * DPI),
        int(HEIGHT_PER_CURRENCY_INCHES * DPI) * 2,  # two currencies, two plots
    )
    assert 5_000 < len(chart.png) < 500_000
    assert {cur: [p for p, _ in s] for cur, s in chart.series.items()} == {
        "USD": ["A", "B"],
        "TRY": ["A"],
    }
    usd = dict(chart.series["USD"])
    assert usd["A"][-1] == 2.0 and usd["B"][-4] == 1.5 and sum(usd["B"]) == 1.5


def test_matplotlib_is_not_imported_until_a_chart_is_drawn() -> None:
    """Idle memory: loading the bot (handlers, views) must not import matplotlib."""
    code = "import sys, bot.app; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
