"""The /stats chart is a real PNG with one series per panel, one plot per currency."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal

from bot.i18n import Catalogs
from bot.services.stats import build_report
from bot.storage.spending import SpendRow
from bot.views.spend_chart import (
    DPI,
    HEIGHT_PER_CURRENCY_INCHES,
    MIN_DAYS_SHOWN,
    WIDTH_INCHES,
    axis_number,
    spend_chart,
)
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
        round(WIDTH_INCHES * DPI),
        round(HEIGHT_PER_CURRENCY_INCHES * DPI) * 2,  # two currencies, two plots
    )
    assert 5_000 < len(chart.png) < 500_000
    assert {cur: [p for p, _ in s] for cur, s in chart.series.items()} == {
        "USD": ["A", "B"],
        "TRY": ["A"],
    }
    usd = dict(chart.series["USD"])
    assert usd["A"][-1] == 2.0 and usd["B"][-4] == 1.5 and sum(usd["B"]) == 1.5


def test_drawn_for_a_phone_today_labelled_empty_leading_days_trimmed() -> None:
    """About 1080 px wide (a phone shows it about 360 points wide); today carries its date,
    and the 25 empty days before the first spend are not drawn (a week is the least shown)."""
    rows = [_row(4, "0.8", "A"), _row(0, "2", "A")]
    report = build_report(rows, now=NOW, panel_name=lambda p: p)
    chart = spend_chart(Catalogs.load().translator("tr"), report)
    size = image_size(chart.png)
    assert size is not None and size[0] == 1080
    assert len(chart.day_labels) == MIN_DAYS_SHOWN == len(chart.series["USD"][0][1])
    assert chart.day_labels[-1] == "bugün\n29 Kas"
    assert chart.day_labels[-6] == "24 Kas"
    english = spend_chart(Catalogs.load().translator("en"), report)
    assert english.day_labels[-1] == "today\n29 Nov"
    # Spend from 20 days ago: the days from there on are drawn, none before.
    older = build_report([_row(20, "1", "A")], now=NOW, panel_name=lambda p: p)
    assert len(spend_chart(Catalogs.load().translator("en"), older).day_labels) == 21


def test_the_axis_numbers_follow_the_language() -> None:
    tr, en = Catalogs.load().translator("tr"), Catalogs.load().translator("en")
    assert axis_number(tr, 0.8) == "0,8" and axis_number(tr, 1234.5) == "1.234,5"
    assert axis_number(en, 0.8) == "0.8" and axis_number(en, 1000.0) == "1,000"
    assert axis_number(en, 0.0) == "0" and axis_number(en, 2.25) == "2.25"


def test_matplotlib_is_not_imported_until_a_chart_is_drawn() -> None:
    """Idle memory: loading the bot (handlers, views) must not import matplotlib."""
    code = "import sys, bot.app; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
