"""Bulk previews (bot/handlers/bulk.py); `batch` is the draft's token."""

from __future__ import annotations

from dataclasses import dataclass

from bot.callbacks.base import Action, CallbackData


class BulkAction(Action):
    """This feature's action codes: the first segment of its buttons' data."""

    BULK_CONFIRM = "bk"
    BULK_DISCARD = "bd"
    BULK_CONFIRM_FIRST = "bf"
    BULK_AGAIN = "ba"


@dataclass(frozen=True)
class ConfirmBulk(CallbackData, action=BulkAction.BULK_CONFIRM):
    batch: str


@dataclass(frozen=True)
class DiscardBulk(CallbackData, action=BulkAction.BULK_DISCARD):
    batch: str


@dataclass(frozen=True)
class ConfirmBulkFirst(CallbackData, action=BulkAction.BULK_CONFIRM_FIRST):
    """Place only the `first` lines of a bulk preview (the ones the balance covers)."""

    batch: str
    first: int


@dataclass(frozen=True)
class BulkAgain(CallbackData, action=BulkAction.BULK_AGAIN):
    """Check an expired or closed bulk list again."""

    batch: str
