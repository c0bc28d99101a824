"""Bulk previews (bot/handlers/bulk.py); `batch` is the draft's token."""

from __future__ import annotations

from bot.callbacks.previews import PreviewButton


class BulkLinesButton(PreviewButton):
    """A button placing the `first` lines of bulk preview `batch` (0: all)."""

    first: int


class ConfirmBulk(PreviewButton, action="bk"):
    """Confirm every line of a bulk preview."""


class DiscardBulk(PreviewButton, action="bd"):
    """✖️ Cancel under a bulk preview: nothing is placed."""


class ConfirmBulkFirst(BulkLinesButton, action="bf"):
    """Place only the `first` lines of a bulk preview (the ones the balance covers)."""


class BulkAnyway(BulkLinesButton, action="ka"):
    """⚠️ Order anyway under a bulk preview that warned of links with open orders (or twice in
    the list); `first` lines only, as its Confirm offered (0: all)."""


class BulkAgain(PreviewButton, action="ba"):
    """Check an expired or closed bulk list again."""
