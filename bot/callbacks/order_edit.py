"""Back, ✏️ Edit and the quick answers of the ordering dialog (bot/handlers/order_edit.py)."""

from __future__ import annotations

from bot.callbacks.dialog import QuestionButton
from bot.callbacks.previews import PreviewButton


class EditAnswer(PreviewButton, action="e"):
    """✏️ Edit of one answer (`field`) on a single-order preview: closes that preview."""

    field: str


class QuestionBack(QuestionButton, action="eb"):
    """« Back at an order question: to the previous question (from an Edit: to a new preview)."""


class QuickQuantity(QuestionButton, action="q"):
    """A quick quantity (min, 1K, 5K, 10K, max) at the quantity question."""

    quantity: int


class LastLink(QuestionButton, action="ql"):
    """A link used before for this service: the local id of the order it came from (the link
    itself may not fit in 64 bytes; ownership is checked again when it is pressed)."""

    order_id: int
