"""How far an order is, and when it should finish (issue 24 item 4). No Telegram in here.

Progress is what the panel reports: delivered = quantity − remains (of every run of a drip-feed
order), as a share of the quantity. The expected duration of an order comes from, in turn:

1. the median time from submit to completion of the user's own completed orders of the same
   service on the same panel account, when there are at least `MIN_OWN_ORDERS` (the newest
   `OWN_ORDERS_READ` of them count: a provider's speed changes);
2. the panel's `average_time` for the service (`bot/panel/durations.py`), from the catalog the
   bot already holds: a card never costs a `services` call;
3. nothing: no estimate is shown rather than a guess.

An open order's estimated finish is its submit time plus that duration.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.panel.models import TERMINAL_STATUSES, Service
from bot.services.catalog import CatalogService
from bot.storage.models import Order, SubmitState
from bot.storage.orders import OrdersRepo

MIN_OWN_ORDERS = 3
OWN_ORDERS_READ = 20


class DurationSource(StrEnum):
    OWN = "own"  # the median of the user's own completed orders
    PANEL = "panel"  # the panel's average_time


@dataclass(frozen=True, slots=True)
class Duration:
    seconds: float
    source: DurationSource
    samples: int = 0  # OWN: how many completed orders the median is of


@dataclass(frozen=True, slots=True)
class Eta:
    """When an open order should finish (epoch seconds), and from what."""

    finish_at: float
    duration: Duration
    late: bool = False  # the finish time has passed and the order is still open


@dataclass(frozen=True, slots=True)
class Progress:
    delivered: int
    total: int

    @property
    def percent(self) -> int:
        """Whole per cent, rounded down: 100 only when all of it is delivered."""
        return 0 if self.total <= 0 else min(100, self.delivered * 100 // self.total)


def progress_of(order: Order) -> Progress | None:
    """Delivered of the total, when the panel reported what remains; None before that."""
    if order.quantity is None or order.quantity <= 0 or order.remains is None:
        return None
    total = order.quantity * (order.runs or 1)
    delivered = min(total, max(0, total - order.remains))
    return Progress(delivered, total)


def is_open(order: Order) -> bool:
    """Placed and not final: the only orders an estimated finish means something for."""
    return order.submit_state is SubmitState.PLACED and order.status not in TERMINAL_STATUSES


async def expected_duration(
    orders: OrdersRepo, user_id: int, slot: int, service_id: int, service: Service | None
) -> Duration | None:
    """How long an order of `service_id` on panel account `slot` should take (see above);
    `service` is the catalog's entry for it, when the bot holds one."""
    own = await orders.completion_times(user_id, slot, service_id, newest=OWN_ORDERS_READ)
    if len(own) >= MIN_OWN_ORDERS:
        return Duration(statistics.median(own), DurationSource.OWN, len(own))
    if service is not None and service.average_minutes is not None:
        return Duration(service.average_minutes * 60.0, DurationSource.PANEL)
    return None


@dataclass(frozen=True, slots=True)
class ProgressService:
    orders: OrdersRepo
    catalog: CatalogService

    async def etas(self, user_id: int, orders: Sequence[Order]) -> dict[int, Eta]:
        """Order id → estimated finish of each open order among `orders` that has one. One
        history read per (panel, service), the panel's average from the cached catalog."""
        durations: dict[tuple[int, int], Duration | None] = {}
        found: dict[int, Eta] = {}
        now = self.orders.now()
        for order in orders:
            if not is_open(order):
                continue
            key = (order.panel_slot, order.service_id)
            if key not in durations:
                service = await self._cached_service(user_id, *key)
                durations[key] = await expected_duration(
                    self.orders, user_id, order.panel_slot, order.service_id, service
                )
            duration = durations[key]
            if duration is not None:
                finish = (order.submitted_at or order.created_at) + duration.seconds
                found[order.id] = Eta(finish, duration, late=finish < now)
        return found

    async def eta(self, user_id: int, order: Order) -> Eta | None:
        return (await self.etas(user_id, [order])).get(order.id)

    async def _cached_service(self, user_id: int, slot: int, service_id: int) -> Service | None:
        index = await self.catalog.cached(user_id, slot)
        return None if index is None else index.get(service_id)
