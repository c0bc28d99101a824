"""The ordering dialog's questions and its preview (bot/handlers/new_order.py)."""

from __future__ import annotations

from enum import StrEnum

from bot.callbacks.base import CallbackData
from bot.callbacks.dialog import QuestionButton


class OrderService(CallbackData, action="os"):
    """🛒 Order on a service card."""

    service_id: int


class DripfeedChoice(QuestionButton, action="df"):
    """Yes/No of the drip-feed question, or the ⏱ Drip-feed switch at the quantity question."""

    yes: bool


class SkipQuestion(QuestionButton, action="sk"):
    """Skip of an optional order question."""


class FinishList(QuestionButton, action="id"):
    """✅ Done under a list question: the lines collected so far are the answer."""


class ListChange(StrEnum):
    """What a `ListEdit` button does to the lines a list question collected."""

    UNDO = "undo"  # ↩️ Remove the last message: its lines leave the list
    RESTART = "restart"  # 🗑 Start over: every collected line goes
    SHOW = "show"  # 📄 Show all: every collected line (a file when long)


class ListEdit(QuestionButton, action="ie"):
    """A button under a list question; `change` is a `ListChange` value (another one, from
    a forged or newer button, does nothing)."""

    change: str


class ChooseValue(QuestionButton, action="iv"):
    """One of a question's fixed values (a Subscriptions delay), as if it had been typed."""

    value: int


class OrderWithoutDripfeed(CallbackData, action="nd"):
    """A fresh preview of a refused drip-feed order (local order id), without drip-feed."""

    order_id: int


class ConfirmOrder(CallbackData, action="ok"):
    batch: str


class DiscardOrder(CallbackData, action="no"):
    batch: str


class OrderAnyway(CallbackData, action="oa"):
    """⚠️ Order anyway: confirm a preview that warned of an open order on the same link
    (issue 24 item 3); its plain Confirm places nothing."""

    batch: str


class Reorder(CallbackData, action="ro"):
    order_id: int
