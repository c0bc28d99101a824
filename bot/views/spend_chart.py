"""The /stats chart: spend per day over the last 30 days, per panel, one panel per currency.

matplotlib is imported here, inside the function, and only when a chart is drawn: it costs
about 30 MB and half a second, which an idle bot should not pay. The Agg canvas and a `Figure`
built directly (not pyplot) keep no global state, so a chart may be drawn in a worker thread.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from bot.i18n import Translator
from bot.services.stats import SpendingReport

WIDTH_INCHES = 8.0
HEIGHT_PER_CURRENCY_INCHES = 3.2
DPI = 100


@dataclass(frozen=True, slots=True)
class Chart:
    png: bytes
    # What was drawn, for tests and captions: currency → [(panel, amount per day)].
    series: dict[str, list[tuple[str, list[float]]]]


def spend_chart(t: Translator, report: SpendingReport) -> Chart:
    """Stacked daily bars, one stack segment per panel, one plot per currency."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    currencies = report.currencies or ("",)
    figure = Figure(
        figsize=(WIDTH_INCHES, HEIGHT_PER_CURRENCY_INCHES * len(currencies)),
        dpi=DPI,
    )
    # Fixed margins: matplotlib's automatic layouts cost about a third of the drawing time.
    figure.subplots_adjust(left=0.08, right=0.98, bottom=0.1, top=0.9, hspace=0.35)
    FigureCanvasAgg(figure)
    axes_list = figure.subplots(len(currencies), 1, squeeze=False)[:, 0]
    labels = [day.strftime("%d.%m") for day in report.days]
    positions = list(range(len(report.days)))
    drawn: dict[str, list[tuple[str, list[float]]]] = {}
    for axes, currency in zip(axes_list, currencies, strict=True):
        bottoms = [0.0] * len(positions)
        for series in report.series:
            if series.currency != currency:
                continue
            values = [float(a) for a in series.amounts]
            axes.bar(positions, values, bottom=bottoms, label=series.panel, width=0.8)
            bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
            drawn.setdefault(currency, []).append((series.panel, values))
        axes.set_title(
            t._(
                "Spend per day, last {days} days ({currency})",
                days=len(report.days),
                currency=currency or "?",
            ),
            fontsize=10,
        )
        axes.set_xticks(positions[::3], labels[::3], fontsize=8)
        axes.tick_params(axis="y", labelsize=8)
        axes.grid(axis="y", alpha=0.3)
        if drawn.get(currency):
            axes.legend(fontsize=8, loc="upper left")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return Chart(buffer.getvalue(), drawn)
