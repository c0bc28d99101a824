"""The orders list and an order's card (bot/handlers/order_history.py); `order_id` is the
local order id, panel ids only where said."""

from __future__ import annotations

from bot.callbacks.base import CallbackData


class OrderButton(CallbackData):
    """A button acting on one order: `order_id` is its local id."""

    order_id: int


class OrderCard(OrderButton, action="oc"):
    """The order's card."""


class OrdersPage(CallbackData, action="op"):
    filter: str
    page: int


class RefreshOrder(OrderButton, action="or"):
    """🔄 Refresh on a card: the panel is asked for the order's status again."""


class RefillOrder(OrderButton, action="rf"):
    """♻️ Refill on a card."""


class CancelOrder(OrderButton, action="ca"):
    """🛑 Cancel order on a card: asks first."""


class CancelOrderYes(OrderButton, action="cy"):
    """Yes under 🛑 Cancel order's question."""


class StatusOf(CallbackData, action="st"):
    """📊 Status under results sent before they carried the local order (`OpenCard`): the
    panel's id alone, so an id stored on several panels asks which one."""

    panel_order_id: int


class PanelOrdersFilter(CallbackData, action="pf"):
    """/orders with several panels: only panel account `slot`'s orders (0: every panel)."""

    slot: int
