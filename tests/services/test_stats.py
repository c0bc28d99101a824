"""/stats' numbers: per day in the user's zone, per panel, per currency, never mixed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.services.stats import DAYS, build_report, window_start
from bot.storage.spending import SpendRow

NOW = dt.datetime(2026, 11, 29, 21, 36, tzinfo=dt.UTC)


def row(
    when: dt.datetime,
    amount: str,
    *,
    panel: str = "",
    currency: str = "USD",
    status: str | None = "Completed",
    service: int = 1,
) -> SpendRow:
    return SpendRow(
        placed_at=when.timestamp(),
        panel=panel,
        currency=currency,
        amount=Decimal(amount),
        status=status,
        service_id=service,
        service_name=f"Service {service}",
    )


def named(panel: str) -> str:
    return panel or "home"


def test_daily_series_per_panel_and_currency_never_mixed() -> None:
    rows = [
        row(NOW - dt.timedelta(days=1), "1.50"),
        row(NOW - dt.timedelta(days=1), "2.25", panel="Other"),
        row(NOW, "3", panel="Other"),
        row(NOW, "100", currency="TRY", service=2),
    ]
    report = build_report(rows, now=NOW, panel_name=named)
    assert len(report.days) == DAYS and report.days[-1] == NOW.date()
    by_key = {(s.panel, s.currency): s for s in report.series}
    assert set(by_key) == {("home", "USD"), ("Other", "USD"), ("home", "TRY")}
    assert by_key[("home", "USD")].amounts[-2] == Decimal("1.50")
    assert by_key[("Other", "USD")].amounts[-2:] == (Decimal("2.25"), Decimal("3"))
    assert by_key[("home", "TRY")].total == Decimal("100")
    assert report.this_month == {"USD": Decimal("6.75"), "TRY": Decimal("100")}
    assert report.currencies == ("TRY", "USD")


def test_canceled_and_refunded_orders_are_not_spending() -> None:
    rows = [
        row(NOW, "5", status="Canceled"),
        row(NOW, "7", status="Refunded"),
        row(NOW, "2", status="Partial"),
        row(NOW, "1", status=None),
    ]
    report = build_report(rows, now=NOW, panel_name=named)
    assert report.this_month == {"USD": Decimal("3")}


def test_days_are_the_users_days() -> None:
    """21:36 UTC on the 29th is 00:36 on the 30th in Istanbul: the spend moves to the 30th."""
    late = dt.datetime(2026, 11, 29, 21, 36, tzinfo=dt.UTC)
    zone = ZoneInfo("Europe/Istanbul")
    now = dt.datetime(2026, 11, 30, 1, 0, tzinfo=zone)
    report = build_report([row(late, "4")], now=now, panel_name=named)
    assert report.days[-1] == dt.date(2026, 11, 30)
    assert report.series[0].amounts[-1] == Decimal("4")


def test_this_month_against_last_month() -> None:
    rows = [
        row(dt.datetime(2026, 10, 2, tzinfo=dt.UTC), "10"),  # last month, outside 30 days
        row(dt.datetime(2026, 10, 31, tzinfo=dt.UTC), "5"),
        row(dt.datetime(2026, 11, 1, tzinfo=dt.UTC), "1"),
    ]
    report = build_report(rows, now=NOW, panel_name=named)
    assert report.last_month == {"USD": Decimal("15")}
    assert report.this_month == {"USD": Decimal("1")}
    assert window_start(NOW) == dt.datetime(2026, 10, 1, tzinfo=dt.UTC)


def test_top_services_rank_within_each_currency() -> None:
    rows = [row(NOW, "1", service=s) for s in (1, 1, 1)]
    rows += [row(NOW, "50", service=2), row(NOW, "900", currency="TRY", service=3)]
    top = build_report(rows, now=NOW, panel_name=named).top_services
    assert [(s.service_id, s.currency, s.amount, s.orders) for s in top] == [
        (3, "TRY", Decimal("900"), 1),
        (2, "USD", Decimal("50"), 1),
        (1, "USD", Decimal("3"), 3),
    ]
