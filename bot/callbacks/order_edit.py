"""Back, ✏️ Edit and the quick answers of the ordering dialog (bot/handlers/order_edit.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.callbacks.base import Action, CallbackData
from bot.callbacks.dialog import QuestionButton


class OrderEditAction(Action):
    """This feature's action codes: the first segment of its buttons' data."""

    EDIT_ANSWER = "e"
    QUESTION_BACK = "eb"
    QUICK_QUANTITY = "q"
    LAST_LINK = "ql"


@dataclass(frozen=True)
class EditAnswer(CallbackData, action=OrderEditAction.EDIT_ANSWER):
    """✏️ Edit of one answer (`field`) on a single-order preview: closes that preview."""

    batch: str
    field: str


@dataclass(frozen=True)
class QuestionBack(QuestionButton, action=OrderEditAction.QUESTION_BACK):
    """« Back at an order question: to the previous question (from an Edit: to a new preview)."""


@dataclass(frozen=True)
class QuickQuantity(QuestionButton, action=OrderEditAction.QUICK_QUANTITY):
    """A quick quantity (min, 1K, 5K, 10K, max) at the quantity question."""

    quantity: int


@dataclass(frozen=True)
class LastLink(QuestionButton, action=OrderEditAction.LAST_LINK):
    """A link used before for this service: the local id of the order it came from (the link
    itself may not fit in 64 bytes; ownership is checked again when it is pressed)."""

    order_id: int
