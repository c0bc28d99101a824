"""The notice for orders the panel placed but the database would not record.

Sent before anything else after a confirm, from the service's in-memory answer only: no
database read or write stands between the user and the ids they must not order again.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.handlers import ui
from bot.i18n import Translator
from bot.services.placements import Unsaved
from bot.views.unsaved import unsaved_texts

log = logging.getLogger(__name__)


async def tell_unsaved(update: Update, t: Translator, unsaved: Unsaved | None) -> None:
    """Send the notice as new messages (an edit could fail on an old message)."""
    if unsaved is None:
        return
    for text in unsaved_texts(t, unsaved):
        try:
            await ui.send(update, text)
        except TelegramError:
            # The ids are in the log and the journal; the next part must not be skipped.
            log.warning("could not send the unsaved-orders notice", exc_info=True)
