"""The Mini App's orders list: status filters, search, cards, Refill, Cancel and Refresh.

An order is always addressed by our own row id, and every action goes to that order's own
panel (`TrackingService` with the order pinned to its panel account), never by a bare panel
order id that another of the user's panels may hold too. Eligibility (status, the service's
and the panel's refill and cancel support, a refill still pending) is the chat card's.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from bot.deps import Deps
from bot.panel.errors import PanelError
from bot.services.accounts import NoKey
from bot.services.tracking import OrderAction
from bot.storage.models import Order
from bot.views.errors import button_expired
from bot.views.order_history import action_line, refresh_note
from bot.webapp.calls import Asker, OrderRequest, OrdersRequest, Refusal, refusal_of
from bot.webapp.order_views import card_json, order_row_json

# Orders one page of the list shows (a phone screen scrolls; "More" asks for the next).
APP_PAGE_SIZE = 20


@dataclass(slots=True)
class OrderList:
    deps: Deps

    async def page(self, caller: Asker, asked: OrdersRequest) -> dict[str, Any]:
        """A page of the user's orders under a status filter, or those a search finds."""
        names = await self.deps.accounts.names(caller.id)
        search = asked.q.strip()
        if search:
            found = await self.deps.tracking.search(caller.id, search, limit=APP_PAGE_SIZE)
            orders, total, page, pages = found.orders, found.total, 0, 1
        else:
            history = await self.deps.tracking.history(
                caller.id, asked.filter, asked.page, APP_PAGE_SIZE
            )
            orders, total = history.orders, history.total
            page, pages = history.page, history.pages
        return {
            "orders": [order_row_json(caller.t, o, names) for o in orders],
            "total": total,
            "page": page,
            "pages": pages,
        }

    async def _order(self, caller: Asker, asked: OrderRequest) -> Order:
        order = await self.deps.tracking.order(caller.id, asked.id)
        if order is None:
            # Someone else's, or gone: no more than an old button would say.
            raise Refusal(HTTPStatus.NOT_FOUND, "not_found", button_expired(caller.t))
        return order

    async def _card(self, caller: Asker, order: Order, note: str | None) -> dict[str, Any]:
        actions = await self.deps.tracking.card_actions(caller.id, order)
        names = await self.deps.accounts.names(caller.id)
        panel = names.get(order.panel_slot, "") if len(names) > 1 else ""
        return card_json(caller.t, order, actions, panel, note)

    async def card(self, caller: Asker, asked: OrderRequest) -> dict[str, Any]:
        return await self._card(caller, await self._order(caller, asked), None)

    async def refresh(self, caller: Asker, asked: OrderRequest) -> dict[str, Any]:
        """The card's Refresh: the order's status from its own panel."""
        order = await self._order(caller, asked)
        try:
            line = await self.deps.tracking.refresh(caller.id, order)
        except (NoKey, PanelError) as exc:
            raise refusal_of(caller.t, exc) from None
        fresh = await self.deps.tracking.order(caller.id, order.id) or order
        return await self._card(caller, fresh, refresh_note(caller.t, line))

    async def act(self, caller: Asker, asked: OrderRequest, action: OrderAction) -> dict[str, Any]:
        """Refill or Cancel from the card, on the order's own panel; the card with the outcome."""
        tracking = self.deps.tracking
        order = await self._order(caller, asked)
        pid = order.panel_order_id
        if pid is None:
            raise Refusal(HTTPStatus.CONFLICT, "no_panel_id", button_expired(caller.t))
        request = tracking.refill if action is OrderAction.REFILL else tracking.cancel
        try:
            results = await request(caller.id, [pid], {pid: order.panel_slot})
        except (NoKey, PanelError) as exc:
            raise refusal_of(caller.t, exc) from None
        note = action_line(caller.t, results[0], action)
        fresh = await tracking.order(caller.id, order.id) or order
        return await self._card(caller, fresh, note)
