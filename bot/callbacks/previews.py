"""The base of the buttons under a preview, a single order's or a bulk list's, that act on it by
`batch`, the draft's token: ✏️ Edit (bot/callbacks/order_edit.py), 🕒 Later and its time and
repeat questions (schedules.py), and the bulk list's buttons (bulk.py)."""

from __future__ import annotations

from bot.callbacks.base import CallbackData


class PreviewButton(CallbackData):
    """A button under preview `batch`."""

    batch: str
