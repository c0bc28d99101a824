"""The Mini App's order form, bulk editor and orders list over HTTP (issue 23, pages 2 to 4).

Every endpoint is a POST with a JSON body, checked against its pydantic model, answered with
JSON. `ApiHandler` has already proved who asks (initData), refused standbys, the rate limit,
oversized bodies and anyone the chat would refuse. What each call does is in
`order_actions`, `bulk_actions` and `list_actions`, on the chat's own services.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from pydantic import BaseModel

from bot.deps import Deps
from bot.i18n import N_
from bot.services.tracking import OrderAction
from bot.webapp.api import ApiHandler, Caller, WebAppContext
from bot.webapp.bulk_actions import BulkOrders
from bot.webapp.calls import (
    AnswersRequest,
    BatchRequest,
    BulkConfirmRequest,
    ConfirmRequest,
    ListRequest,
    OrderRequest,
    OrdersRequest,
    Refusal,
    ServiceRequest,
)
from bot.webapp.list_actions import OrderList
from bot.webapp.order_actions import SingleOrders

# The words of these pages (the chat's own renderers give everything else).
TEXTS: Mapping[str, str] = {
    "order_pick": N_("Pick a service in the catalog, then order it here."),
    "order_review": N_("Review"),
    "order_confirm": N_("Confirm order"),
    # The chat's button under a preview that warned of an open order on its link.
    "order_anyway": N_("⚠️ Order anyway"),
    "order_new": N_("New order"),
    "order_change": N_("✏️ Change the answers"),
    "order_dripfeed": N_("Drip-feed: deliver in runs"),
    "order_cost": N_("Cost"),
    "order_lines": N_("{n} lines"),
    "order_working": N_("Asking the panel…"),
    "order_slow": N_("The panel is slow to answer; still waiting…"),
    "bulk_paste": N_("Paste lines, one order each: panel | service | link | quantity"),
    "bulk_add_row": N_("Add a row"),
    "bulk_remove_row": N_("Remove"),
    "bulk_panel": N_("Panel"),
    "bulk_service": N_("Service"),
    "bulk_link": N_("Link"),
    "bulk_quantity": N_("Quantity"),
    "bulk_total": N_("Total"),
    "bulk_confirm": N_("Confirm all"),
    "bulk_confirm_first": N_("Confirm the first {n}"),
    "orders_search": N_("Search by order id or link"),
    "orders_refresh": N_("Refresh"),
    "orders_refill": N_("Refill"),
    "orders_cancel": N_("Cancel order"),
    "orders_cancel_sure": N_("Cancel this order on the panel?"),
    "orders_all": N_("All"),
    "orders_open": N_("Open"),
    "orders_completed": N_("Completed"),
    "orders_canceled": N_("Canceled"),
    "orders_more": N_("More"),
    "orders_empty": N_("No orders here yet."),
}

Action = Callable[[Deps, Caller, Any], Awaitable[dict[str, Any]]]


class OrdersEndpoint(ApiHandler):
    """One POST endpoint: its request model and the action that answers it."""

    def initialize(  # type: ignore[override]
        self, ctx: WebAppContext, model: type[BaseModel], action: Action
    ) -> None:
        super().initialize(ctx)
        self._model = model
        self._action = action

    async def post(self) -> None:
        asked = self.parse(self._model)
        try:
            answer = await self._action(self.deps, self.caller, asked)
        except Refusal as refusal:
            self.set_status(refusal.status)
            self.finish(json.dumps(refusal.body()))
            return
        self.finish(json.dumps(answer))


async def _form(deps: Deps, caller: Caller, asked: ServiceRequest) -> dict[str, Any]:
    return await SingleOrders(deps).form(caller, asked)


async def _check(deps: Deps, caller: Caller, asked: AnswersRequest) -> dict[str, Any]:
    return await SingleOrders(deps).check(caller, asked)


async def _review(deps: Deps, caller: Caller, asked: AnswersRequest) -> dict[str, Any]:
    return await SingleOrders(deps).review(caller, asked)


async def _preview(deps: Deps, caller: Caller, asked: BatchRequest) -> dict[str, Any]:
    return await SingleOrders(deps).preview(caller, asked)


async def _discard(deps: Deps, caller: Caller, asked: BatchRequest) -> dict[str, Any]:
    return await SingleOrders(deps).discard(caller, asked)


async def _confirm(deps: Deps, caller: Caller, asked: ConfirmRequest) -> dict[str, Any]:
    return await SingleOrders(deps).confirm(caller, asked)


async def _bulk_check(deps: Deps, caller: Caller, asked: ListRequest) -> dict[str, Any]:
    return await BulkOrders(deps).check(caller, asked)


async def _bulk_review(deps: Deps, caller: Caller, asked: ListRequest) -> dict[str, Any]:
    return await BulkOrders(deps).review(caller, asked)


async def _bulk_confirm(deps: Deps, caller: Caller, asked: BulkConfirmRequest) -> dict[str, Any]:
    return await BulkOrders(deps).confirm(caller, asked)


async def _orders(deps: Deps, caller: Caller, asked: OrdersRequest) -> dict[str, Any]:
    return await OrderList(deps).page(caller, asked)


async def _card(deps: Deps, caller: Caller, asked: OrderRequest) -> dict[str, Any]:
    return await OrderList(deps).card(caller, asked)


async def _refresh(deps: Deps, caller: Caller, asked: OrderRequest) -> dict[str, Any]:
    return await OrderList(deps).refresh(caller, asked)


async def _refill(deps: Deps, caller: Caller, asked: OrderRequest) -> dict[str, Any]:
    return await OrderList(deps).act(caller, asked, OrderAction.REFILL)


async def _cancel(deps: Deps, caller: Caller, asked: OrderRequest) -> dict[str, Any]:
    return await OrderList(deps).act(caller, asked, OrderAction.CANCEL)


ENDPOINTS: tuple[tuple[str, type[BaseModel], Action], ...] = (
    ("api/order/form", ServiceRequest, _form),
    ("api/order/check", AnswersRequest, _check),
    ("api/order/review", AnswersRequest, _review),
    ("api/order/preview", BatchRequest, _preview),
    ("api/order/confirm", ConfirmRequest, _confirm),
    ("api/order/discard", BatchRequest, _discard),
    ("api/bulk/check", ListRequest, _bulk_check),
    ("api/bulk/review", ListRequest, _bulk_review),
    ("api/bulk/confirm", BulkConfirmRequest, _bulk_confirm),
    ("api/orders/list", OrdersRequest, _orders),
    ("api/orders/card", OrderRequest, _card),
    ("api/orders/refresh", OrderRequest, _refresh),
    ("api/orders/refill", OrderRequest, _refill),
    ("api/orders/cancel", OrderRequest, _cancel),
)


def routes(ctx: WebAppContext) -> list[tuple[str, type, dict[str, Any]]]:
    return [
        (path, OrdersEndpoint, {"ctx": ctx, "model": model, "action": action})
        for path, model, action in ENDPOINTS
    ]
