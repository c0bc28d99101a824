"""The /stats chart: spend per day over the last 30 days, per panel, one panel per currency.

Drawn for a phone: Telegram shows a photo about 360 points wide, so the picture is 1080 px wide
(3 pixels a point) and its text is sized to read at about 12 points there, 36 px here.

matplotlib is imported here, inside the function, and only when a chart is drawn: it costs
about 30 MB and half a second, which an idle bot should not pay. The Agg canvas and a `Figure`
built directly (not pyplot) keep no global state, so a chart may be drawn in a worker thread.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bot.i18n import Translator
from bot.services.stats import SpendingReport

DPI = 150
WIDTH_INCHES = 7.2  # 1080 px
HEIGHT_PER_CURRENCY_INCHES = 5.2  # 780 px a plot
# Points at 150 dpi: 17 pt is 35 px, about 12 points on a phone's screen.
TEXT_POINTS = 17
TITLE_POINTS = 19
# Leading days without any spend are left out, down to a week at the least.
MIN_DAYS_SHOWN = 7
LABEL_EVERY_DAYS = 5


@dataclass(frozen=True, slots=True)
class Chart:
    png: bytes
    # What was drawn, for tests and captions: currency → [(panel, amount per day)].
    series: dict[str, list[tuple[str, list[float]]]]
    # The x-axis labels as drawn ("" between labelled days); the last one is today's.
    day_labels: tuple[str, ...] = ()


def first_day_shown(report: SpendingReport) -> int:
    """Index of the first day drawn: the first with any spend, or a week before today."""
    spent = [i for i in range(len(report.days)) if any(s.amounts[i] for s in report.series)]
    latest_start = max(len(report.days) - MIN_DAYS_SHOWN, 0)
    return min(spent[0], latest_start) if spent else latest_start


def axis_number(t: Translator, value: float) -> str:
    """A tick value with at most 2 decimals and no trailing zeros, as the language writes it."""
    amount = Decimal(f"{float(value):.2f}")
    whole = amount.to_integral_value()
    return t.decimal(whole if amount == whole else amount.normalize())


def day_labels(t: Translator, days: tuple[dt.date, ...]) -> tuple[str, ...]:
    """Every LABEL_EVERY_DAYS-th day counted back from today, and today named as such."""
    last = len(days) - 1
    labels = [
        t.day(day) if (last - i) % LABEL_EVERY_DAYS == 0 else "" for i, day in enumerate(days)
    ]
    if days:
        labels[last] = t._("today\n{day}", day=t.day(days[last]))
    return tuple(labels)


def spend_chart(t: Translator, report: SpendingReport) -> Chart:
    """Stacked daily bars, one stack segment per panel, one plot per currency."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    currencies = report.currencies or ("",)
    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_PER_CURRENCY_INCHES * len(currencies)), dpi=DPI)
    # Fixed margins: matplotlib's automatic layouts cost about a third of the drawing time.
    figure.subplots_adjust(left=0.17, right=0.97, bottom=0.16, top=0.88, hspace=0.5)
    FigureCanvasAgg(figure)
    axes_list = figure.subplots(len(currencies), 1, squeeze=False)[:, 0]
    start = first_day_shown(report)
    labels = day_labels(t, report.days[start:])
    drawn: dict[str, list[tuple[str, list[float]]]] = {}
    for axes, currency in zip(axes_list, currencies, strict=True):
        drawn_here = _draw_currency(t, axes, report, currency, start, labels)
        if drawn_here:
            drawn[currency] = drawn_here
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return Chart(buffer.getvalue(), drawn, labels)


def _draw_currency(
    t: Translator,
    axes: Any,
    report: SpendingReport,
    currency: str,
    start: int,
    labels: tuple[str, ...],
) -> list[tuple[str, list[float]]]:
    """One currency's stacked bars, its axes in the user's language; what was drawn."""
    from matplotlib.ticker import FuncFormatter

    positions = list(range(len(labels)))
    bottoms = [0.0] * len(positions)
    drawn: list[tuple[str, list[float]]] = []
    for series in report.series:
        if series.currency != currency:
            continue
        values = [float(a) for a in series.amounts[start:]]
        axes.bar(positions, values, bottom=bottoms, label=series.panel, width=0.8)
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
        drawn.append((series.panel, values))
    axes.set_title(
        t.plain("Spend per day ({currency})", currency=currency or "?"), fontsize=TITLE_POINTS
    )
    axes.set_ylabel(currency or "?", fontsize=TEXT_POINTS)
    # The language's number format on the axis: "0,8" in Turkish, "1,000" in English.
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: axis_number(t, value)))
    ticks = [i for i, label in enumerate(labels) if label]
    axes.set_xticks(ticks, [labels[i] for i in ticks], fontsize=TEXT_POINTS)
    axes.tick_params(axis="y", labelsize=TEXT_POINTS)
    axes.grid(axis="y", alpha=0.3)
    # Headroom above the tallest stack, where the legend can sit clear of the bars.
    axes.set_ylim(0, max([*bottoms, 0.0]) * 1.25 or 1.0)
    if drawn:
        axes.legend(fontsize=TEXT_POINTS, loc="best")
    return drawn
