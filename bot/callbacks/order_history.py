"""The orders list and an order's card (bot/handlers/order_history.py); `order_id` is the
local order id, panel ids only where said."""

from __future__ import annotations

from bot.callbacks.base import CallbackData


class OrderCard(CallbackData, action="oc"):
    order_id: int


class OrdersPage(CallbackData, action="op"):
    filter: str
    page: int


class RefreshOrder(CallbackData, action="or"):
    order_id: int


class RefillOrder(CallbackData, action="rf"):
    order_id: int


class CancelOrder(CallbackData, action="ca"):
    """🛑 Cancel order on a card: asks first."""

    order_id: int


class CancelOrderYes(CallbackData, action="cy"):
    order_id: int


class StatusOf(CallbackData, action="st"):
    """📊 Status under results sent before they carried the local order (`OpenCard`): the
    panel's id alone, so an id stored on several panels asks which one."""

    panel_order_id: int


class PanelOrdersFilter(CallbackData, action="pf"):
    """/orders with several panels: only panel account `slot`'s orders (0: every panel)."""

    slot: int
