"""What the panel really charged for orders just placed. No Telegram in here.

The preview shows a cost the bot computed from the catalog's rate; the panel bills by its own
price at the moment of `add`. Right after placing, one `status` read (a multi-status read for a
bulk batch, 100 ids a request) brings the panel's `charge`, so the result can say when the two
differ. It is a read after the money moved: its failure changes nothing about the order (it was
placed; the poller reads the charge later), and it is never a reason to send anything again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from bot.panel.client import PanelClient
from bot.panel.errors import PanelError
from bot.panel.models import OrderStatus
from bot.storage.orders import OrdersRepo

log = logging.getLogger(__name__)

# Panels round a charge to their own number of decimals (often 2, some round up): a difference
# up to one cent is rounding, anything past it is a different price.
ROUNDING = Decimal("0.01")
# The user waits on "Submitting…" meanwhile: past this the result goes without the charge.
CHARGE_READ_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Charge:
    """The panel's charge for one placed order, beside the cost the preview showed."""

    shown: Decimal
    charged: Decimal
    currency: str | None = None

    @property
    def differs(self) -> bool:
        """The panel took another amount than the preview showed, beyond rounding."""
        return abs(self.charged - self.shown) > ROUNDING


async def charge_after_add(client: PanelClient, panel_order_id: int) -> OrderStatus | None:
    """The order's status right after `add` (one `status` call); None when it cannot be read."""
    try:
        async with asyncio.timeout(CHARGE_READ_SECONDS):
            return await client.status(panel_order_id)
    except (PanelError, TimeoutError) as exc:
        log.info("no charge after placing: %s", type(exc).__name__)
        return None


async def charges_after_add(
    client: PanelClient, panel_order_ids: Sequence[int]
) -> dict[int, OrderStatus]:
    """Statuses of a bulk batch's placed orders (one call per 100 ids); the readable ones."""
    if not panel_order_ids:
        return {}
    try:
        async with asyncio.timeout(CHARGE_READ_SECONDS):
            answers = await client.statuses(panel_order_ids)
    except (PanelError, TimeoutError) as exc:
        log.info("no charges after a bulk batch: %s", type(exc).__name__)
        return {}
    return {pid: st for pid, st in answers.items() if isinstance(st, OrderStatus)}


def charge_of(shown: Decimal, status: OrderStatus | None) -> Charge | None:
    """The comparison when the panel said what it charged; None when it did not.

    A charge of 0 for a priced order is not said either: some panels fill the charge in
    only once the order starts, and "charged $0.00" would be a false alarm."""
    if status is None or status.charge is None:
        return None
    if status.charge == 0 and shown > 0:
        return None
    return Charge(shown, status.charge, status.currency_text)


async def remember_charges(orders: OrdersRepo, charges: Iterable[tuple[int, Decimal]]) -> None:
    """Store the charges on the rows (cards and /orders show them); a refused write is only
    logged: the poller stores the same charge at its next read."""
    pairs = list(charges)
    if not pairs:
        return
    try:
        await orders.set_charges(pairs)
    except Exception:
        log.warning("could not store %d charge(s) read after placing", len(pairs), exc_info=True)
