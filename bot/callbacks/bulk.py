"""Bulk previews (bot/handlers/bulk.py); `batch` is the draft's token."""

from __future__ import annotations

from bot.callbacks.base import CallbackData


class BulkButton(CallbackData):
    """A button under bulk preview `batch`."""

    batch: str


class BulkLinesButton(BulkButton):
    """A button placing the `first` lines of bulk preview `batch` (0: all)."""

    first: int


class ConfirmBulk(BulkButton, action="bk"):
    """Confirm every line of a bulk preview."""


class DiscardBulk(BulkButton, action="bd"):
    """✖️ Cancel under a bulk preview: nothing is placed."""


class ConfirmBulkFirst(BulkLinesButton, action="bf"):
    """Place only the `first` lines of a bulk preview (the ones the balance covers)."""


class BulkAnyway(BulkLinesButton, action="ka"):
    """⚠️ Order anyway under a bulk preview that warned of links with open orders (or twice in
    the list); `first` lines only, as its Confirm offered (0: all)."""


class BulkAgain(BulkButton, action="ba"):
    """Check an expired or closed bulk list again."""
