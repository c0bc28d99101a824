"""Unknown outcomes the user settles (issue 20 item 4), without anything sent again.

An order left `unknown` (a lost answer, an unreadable one) may or may not exist on its panel,
and only the user can look. They tell the bot which it was:
- "I found it on the panel": they give the panel's order id. The id must be one the panel knows
  under the key of the order's own panel account (a `status` read, never a write) and not held
  by any order in our records on that panel, whoever's it is; then the order is tracked as if
  the panel had answered at once.
- "It was not placed": the order becomes `not_placed`, kept in the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.panel.errors import InvalidApiKey, PanelRejected
from bot.services.accounts import PanelAccounts
from bot.storage.models import Order, Settled, StatusUpdate, SubmitState
from bot.storage.orders import OrdersRepo

# Kept in the row's `error`: why a row that never had an answer is settled as not placed.
NOT_PLACED_NOTE = "the user found no such order on the panel"


class FoundOutcome(StrEnum):
    TRACKED = "tracked"  # stored with the id and the panel's status; tracked from now on
    NOT_ON_PANEL = "not_on_panel"  # the panel does not know the id for this account's key
    TAKEN = "taken"  # an order in our records on that panel already has this id
    GONE = "gone"  # not an unknown order of this user (any more): settled already


@dataclass(frozen=True, slots=True)
class FoundResult:
    outcome: FoundOutcome
    order: Order | None  # the order as stored after the attempt (None: not the user's)


class UnknownOrders:
    __slots__ = ("_accounts", "_orders")

    def __init__(self, orders: OrdersRepo, accounts: PanelAccounts) -> None:
        self._orders = orders
        self._accounts = accounts

    async def unknown_order(self, user_id: int, order_id: int) -> Order | None:
        """The user's order `order_id` while its outcome is unknown; None otherwise (callback
        data can be forged, and a settled order is settled)."""
        order = await self._orders.get(order_id)
        if order is None or order.user_id != user_id:
            return None
        return order if order.submit_state is SubmitState.UNKNOWN else None

    async def found(self, user_id: int, order_id: int, panel_order_id: int) -> FoundResult:
        """Check `panel_order_id` on the order's own panel account and store it.

        Raises `NoKey` (the account has no key any more) and `PanelError` (the panel did not
        answer, or refused the key): nothing is stored then.
        """
        order = await self.unknown_order(user_id, order_id)
        if order is None:
            return FoundResult(FoundOutcome.GONE, await self._own(user_id, order_id))
        client = await self._accounts.client(user_id, order.panel_slot)
        try:
            status = await client.status(panel_order_id)
        except InvalidApiKey:
            raise  # the key, not the id: said as for any panel work
        except PanelRejected:
            return FoundResult(FoundOutcome.NOT_ON_PANEL, order)
        update = StatusUpdate.from_panel(order.id, status)
        settled = await self._orders.settle_found(order.id, user_id, update, panel_order_id)
        fresh = await self._own(user_id, order_id)
        if settled is Settled.TAKEN:
            return FoundResult(FoundOutcome.TAKEN, fresh)
        if settled is Settled.GONE:
            return FoundResult(FoundOutcome.GONE, fresh)
        return FoundResult(FoundOutcome.TRACKED, fresh)

    async def not_placed(self, user_id: int, order_id: int) -> Order | None:
        """Mark the user's unknown order not placed; the stored order, None when it was not
        an unknown order of theirs."""
        if not await self._orders.settle_not_placed(order_id, user_id, NOT_PLACED_NOTE):
            return None
        return await self._own(user_id, order_id)

    async def _own(self, user_id: int, order_id: int) -> Order | None:
        order = await self._orders.get(order_id)
        return order if order is not None and order.user_id == user_id else None
