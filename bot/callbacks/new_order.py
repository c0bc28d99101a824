"""The ordering dialog's questions and its preview (bot/handlers/new_order.py)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.callbacks.base import Action, CallbackData
from bot.callbacks.dialog import QuestionButton


class NewOrderAction(Action):
    """This feature's action codes: the first segment of its buttons' data."""

    ORDER_SERVICE = "os"
    DRIPFEED = "df"
    ORDER_SKIP = "sk"
    LIST_DONE = "id"
    LIST_EDIT = "ie"
    CHOOSE_VALUE = "iv"
    NO_DRIPFEED = "nd"
    CONFIRM = "ok"
    DISCARD = "no"
    REORDER = "ro"


@dataclass(frozen=True)
class OrderService(CallbackData, action=NewOrderAction.ORDER_SERVICE):
    """🛒 Order on a service card."""

    service_id: int


@dataclass(frozen=True)
class DripfeedChoice(QuestionButton, action=NewOrderAction.DRIPFEED):
    """Yes/No of the drip-feed question, or the ⏱ Drip-feed switch at the quantity question."""

    yes: bool


@dataclass(frozen=True)
class SkipQuestion(QuestionButton, action=NewOrderAction.ORDER_SKIP):
    """Skip of an optional order question."""


@dataclass(frozen=True)
class FinishList(QuestionButton, action=NewOrderAction.LIST_DONE):
    """✅ Done under a list question: the lines collected so far are the answer."""


class ListChange(StrEnum):
    """What a `ListEdit` button does to the lines a list question collected."""

    UNDO = "undo"  # ↩️ Remove the last message: its lines leave the list
    RESTART = "restart"  # 🗑 Start over: every collected line goes
    SHOW = "show"  # 📄 Show all: every collected line (a file when long)


@dataclass(frozen=True)
class ListEdit(QuestionButton, action=NewOrderAction.LIST_EDIT):
    """A button under a list question; `change` is a `ListChange` value (another one, from
    a forged or newer button, does nothing)."""

    change: str


@dataclass(frozen=True)
class ChooseValue(QuestionButton, action=NewOrderAction.CHOOSE_VALUE):
    """One of a question's fixed values (a Subscriptions delay), as if it had been typed."""

    value: int


@dataclass(frozen=True)
class OrderWithoutDripfeed(CallbackData, action=NewOrderAction.NO_DRIPFEED):
    """A fresh preview of a refused drip-feed order (local order id), without drip-feed."""

    order_id: int


@dataclass(frozen=True)
class ConfirmOrder(CallbackData, action=NewOrderAction.CONFIRM):
    batch: str


@dataclass(frozen=True)
class DiscardOrder(CallbackData, action=NewOrderAction.DISCARD):
    batch: str


@dataclass(frozen=True)
class Reorder(CallbackData, action=NewOrderAction.REORDER):
    order_id: int
