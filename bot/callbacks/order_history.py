"""The orders list and an order's card (bot/handlers/order_history.py); `order_id` is the
local order id, panel ids only where said."""

from __future__ import annotations

from dataclasses import dataclass

from bot.callbacks.base import Action, CallbackData


class OrderHistoryAction(Action):
    """This feature's action codes: the first segment of its buttons' data."""

    ORDER_CARD = "oc"
    ORDERS_PAGE = "op"
    ORDER_REFRESH = "or"
    ORDER_REFILL = "rf"
    ORDER_CANCEL = "ca"
    ORDER_CANCEL_YES = "cy"
    STATUS_OF = "st"
    PANEL_ORDERS = "pf"


@dataclass(frozen=True)
class OrderCard(CallbackData, action=OrderHistoryAction.ORDER_CARD):
    order_id: int


@dataclass(frozen=True)
class OrdersPage(CallbackData, action=OrderHistoryAction.ORDERS_PAGE):
    filter: str
    page: int


@dataclass(frozen=True)
class RefreshOrder(CallbackData, action=OrderHistoryAction.ORDER_REFRESH):
    order_id: int


@dataclass(frozen=True)
class RefillOrder(CallbackData, action=OrderHistoryAction.ORDER_REFILL):
    order_id: int


@dataclass(frozen=True)
class CancelOrder(CallbackData, action=OrderHistoryAction.ORDER_CANCEL):
    """🛑 Cancel order on a card: asks first."""

    order_id: int


@dataclass(frozen=True)
class CancelOrderYes(CallbackData, action=OrderHistoryAction.ORDER_CANCEL_YES):
    order_id: int


@dataclass(frozen=True)
class StatusOf(CallbackData, action=OrderHistoryAction.STATUS_OF):
    """📊 Status under results sent before they carried the local order (`OpenCard`): the
    panel's id alone, so an id stored on several panels asks which one."""

    panel_order_id: int


@dataclass(frozen=True)
class PanelOrdersFilter(CallbackData, action=OrderHistoryAction.PANEL_ORDERS):
    """/orders with several panels: only panel account `slot`'s orders (0: every panel)."""

    slot: int
