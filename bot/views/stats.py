"""/stats in words: this month against last, the top services, orders by status."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from bot.i18n import Translator
from bot.services.stats import SpendingReport
from bot.views.order_history import STATUS_NAMES
from bot.views.text import clip, esc

CAPTION_LIMIT = 1024


def chart_caption(t: Translator, report: SpendingReport) -> str:
    return t._("📈 Your spending over the last {days} days", days=len(report.days))


def no_spending(t: Translator) -> str:
    return t._(
        "📈 No orders were placed in the last 30 days or this month, so there is nothing to "
        "chart yet."
    )


def _change(t: Translator, now: Decimal, before: Decimal, currency: str) -> str:
    line = t._(
        "{currency}: {now} this month, {before} last month",
        currency=esc(currency or "?"),
        now=t.money(now, currency),
        before=t.money(before, currency),
    )
    if before:
        percent = (now - before) / before * 100
        # to_integral_value, not quantize: quantize raises past 28 digits (a panel's 1e18 rate).
        whole = abs(percent).to_integral_value(ROUND_HALF_UP)
        line += f" ({'+' if percent >= 0 else '−'}{t.number(whole)}%)"
    return line


def stats_text(t: Translator, report: SpendingReport) -> str:
    lines = [t._("<b>📈 Spending</b>"), ""]
    currencies = sorted(set(report.this_month) | set(report.last_month))
    if currencies:
        lines.append(t._("<b>This month against last month</b>"))
        for currency in currencies:
            now = report.this_month.get(currency, Decimal(0))
            before = report.last_month.get(currency, Decimal(0))
            lines.append("• " + _change(t, now, before, currency))
        lines.append("")
    if report.series:
        lines.append(t._("<b>Last {days} days, per panel</b>", days=len(report.days)))
        for series in report.series:
            lines.append(f"• {esc(series.panel)}: {t.money(series.total, series.currency)}")
        lines.append("")
    if report.top_services:
        lines.append(t._("<b>Top services by spend</b>"))
        for spend in report.top_services:
            orders = t.ngettext("{n} order", "{n} orders", spend.orders)
            lines.append(
                f"• {t.money(spend.amount, spend.currency)} · {esc(spend.name)} "
                f"#{spend.service_id} ({orders})"
            )
        lines.append("")
    if report.statuses:
        lines.append(t._("<b>Orders by status</b>"))
        for status, count in sorted(report.statuses.items(), key=lambda kv: (-kv[1], kv[0])):
            name = STATUS_NAMES.get(status)
            label = t._(name) if name else (esc(status) or t._("not known yet"))
            lines.append(f"• {label}: {t.number(count)}")
    return clip("\n".join(lines).strip())
