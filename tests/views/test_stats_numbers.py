"""/stats with amounts a panel can cause (issue 19 item 12): a month-on-month change of 1e29 %
is shown, not a crash."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from bot.i18n import Catalogs
from bot.services.stats import SpendingReport
from bot.views.stats import stats_text


def test_a_huge_change_from_last_month_is_shown() -> None:
    t = Catalogs.load().translator("en")
    report = SpendingReport(
        days=(dt.date(2026, 12, 7),),
        series=(),
        this_month={"USD": Decimal("999999999999E+15")},  # 1e18 per 1000 × ~1e12
        last_month={"USD": Decimal("0.01")},
        top_services=(),
    )
    text = stats_text(t, report)
    assert "$999,999,999,999,000,000,000,000,000.00 this month" in text
    assert "(+9,999,999,999,990,000,000,000,000,000,000%)" in text
