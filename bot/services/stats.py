"""Spending at a glance (/stats): per day, per panel, per currency; never mixing currencies."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from bot.panel.models import Status
from bot.panel.text import PanelText, PanelWords
from bot.storage.spending import SpendingRepo, SpendRow

DAYS = 30
TOP_SERVICES = 5
# The panel gives the money of these back (or never took it): they are not spending.
_NOT_SPENT = frozenset({Status.CANCELED.value, Status.REFUNDED.value})


@dataclass(frozen=True, slots=True)
class DailySeries:
    """One panel's spend in one currency, one amount per day of `SpendingReport.days`."""

    panel: str
    currency: str
    amounts: tuple[Decimal, ...]

    @property
    def total(self) -> Decimal:
        return sum(self.amounts, Decimal(0))


@dataclass(frozen=True, slots=True)
class ServiceSpend:
    service_id: int
    # The panel's name for the service as stored; views read `name` (`PanelText`).
    name_text: str
    currency: str
    amount: Decimal
    orders: int

    name = PanelWords("name_text", PanelText)


@dataclass(frozen=True, slots=True)
class SpendingReport:
    days: tuple[dt.date, ...]  # the last DAYS days in the user's zone, oldest first
    series: tuple[DailySeries, ...]  # every (panel, currency) that spent in those days
    this_month: dict[str, Decimal]  # currency → spent since the 1st of this month
    last_month: dict[str, Decimal]  # currency → spent in the whole previous month
    top_services: tuple[ServiceSpend, ...]  # the biggest spends over the DAYS days
    statuses: dict[str, int] = field(default_factory=dict)  # status → placed orders

    @property
    def currencies(self) -> tuple[str, ...]:
        return tuple(sorted({s.currency for s in self.series}))

    @property
    def spent_anything(self) -> bool:
        return any(s.total for s in self.series)


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _previous_month_start(day: dt.date) -> dt.date:
    first = _month_start(day)
    return _month_start(first - dt.timedelta(days=1))


def window_start(now: dt.datetime, days: int = DAYS) -> dt.datetime:
    """Where the rows a report needs begin: the older of DAYS days ago and last month's 1st."""
    today = now.date()
    oldest = min(today - dt.timedelta(days=days - 1), _previous_month_start(today))
    return dt.datetime.combine(oldest, dt.time(), tzinfo=now.tzinfo)


def build_report(
    rows: Iterable[SpendRow],
    *,
    now: dt.datetime,
    panel_name: Callable[[str], str],
    statuses: dict[str, int] | None = None,
    days: int = DAYS,
) -> SpendingReport:
    """Group placed orders by day (in `now`'s zone), panel and currency."""
    zone = now.tzinfo or dt.UTC
    today = now.date()
    window = tuple(today - dt.timedelta(days=days - 1 - i) for i in range(days))
    index = {day: i for i, day in enumerate(window)}
    this_first, last_first = _month_start(today), _previous_month_start(today)

    per_day: dict[tuple[str, str], list[Decimal]] = {}
    this_month: dict[str, Decimal] = defaultdict(Decimal)
    last_month: dict[str, Decimal] = defaultdict(Decimal)
    services: dict[tuple[int, str], ServiceSpend] = {}
    for row in rows:
        if row.status in _NOT_SPENT:
            continue
        day = dt.datetime.fromtimestamp(row.placed_at, zone).date()
        if day > today:
            continue
        if day >= this_first:
            this_month[row.currency] += row.amount
        elif day >= last_first:
            last_month[row.currency] += row.amount
        slot = index.get(day)
        if slot is None:
            continue
        key = (panel_name(row.panel), row.currency)
        per_day.setdefault(key, [Decimal(0)] * days)[slot] += row.amount
        seen = services.get((row.service_id, row.currency))
        services[(row.service_id, row.currency)] = ServiceSpend(
            row.service_id,
            row.service_name,
            row.currency,
            (seen.amount if seen else Decimal(0)) + row.amount,
            (seen.orders if seen else 0) + 1,
        )
    series = tuple(
        DailySeries(panel, currency, tuple(amounts))
        for (panel, currency), amounts in sorted(per_day.items(), key=lambda kv: kv[0])
    )
    return SpendingReport(
        days=window,
        series=series,
        this_month=dict(this_month),
        last_month=dict(last_month),
        top_services=_top_services(services.values()),
        statuses=dict(statuses or {}),
    )


def _top_services(services: Iterable[ServiceSpend]) -> tuple[ServiceSpend, ...]:
    """The TOP_SERVICES biggest spends. Amounts in different currencies do not compare: the
    ranking is within each currency, then the currencies take turns, so each one's biggest
    spends make the list."""
    ranked: dict[str, list[ServiceSpend]] = defaultdict(list)
    for spend in services:
        ranked[spend.currency].append(spend)
    for spends in ranked.values():
        spends.sort(key=lambda s: (-s.amount, s.service_id))
    top: list[ServiceSpend] = []
    for depth in range(TOP_SERVICES):
        for currency in sorted(ranked):
            if depth < len(ranked[currency]) and len(top) < TOP_SERVICES:
                top.append(ranked[currency][depth])
    return tuple(top)


class StatsService:
    __slots__ = ("_clock", "_panel_name", "_spending")

    def __init__(
        self,
        spending: SpendingRepo,
        *,
        panel_name: Callable[[str], str],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._spending = spending
        self._panel_name = panel_name
        self._clock = clock

    async def report(self, user_id: int, zone: dt.tzinfo = dt.UTC) -> SpendingReport:
        now = dt.datetime.fromtimestamp(self._clock(), zone)
        rows = await self._spending.placed_since(user_id, window_start(now).timestamp())
        statuses = await self._spending.status_counts(user_id)
        return build_report(rows, now=now, panel_name=self._panel_name, statuses=statuses)
