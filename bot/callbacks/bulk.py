"""Bulk previews (bot/handlers/bulk.py); `batch` is the draft's token."""

from __future__ import annotations

from bot.callbacks.base import CallbackData


class ConfirmBulk(CallbackData, action="bk"):
    batch: str


class DiscardBulk(CallbackData, action="bd"):
    batch: str


class ConfirmBulkFirst(CallbackData, action="bf"):
    """Place only the `first` lines of a bulk preview (the ones the balance covers)."""

    batch: str
    first: int


class BulkAnyway(CallbackData, action="ka"):
    """⚠️ Order anyway under a bulk preview that warned of links with open orders (or twice in
    the list); `first` lines only, as its Confirm offered (0: all)."""

    batch: str
    first: int


class BulkAgain(CallbackData, action="ba"):
    """Check an expired or closed bulk list again."""

    batch: str
