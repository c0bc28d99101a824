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

log = logging.getLogger(__name__)

IDS_PER_LINE = 10


def unsaved_texts(t: Translator, unsaved: Unsaved) -> list[str]:
    """Every placed id, exactly (no ranges, no "…"): split over messages when long."""
    ids = list(unsaved.placed)
    if not ids:
        return []
    if len(ids) == 1:
        lines = [
            t._(
                "⚠️ Placed on the panel: #{id} — not saved here yet; do not order it again.",
                id=ids[0],
            )
        ]
    else:
        lines = [
            t._(
                "⚠️ {n} orders placed on the panel — not saved here yet; do not order them again:",
                n=t.number(len(ids)),
            )
        ]
        lines.extend(
            ", ".join(f"#{i}" for i in ids[start : start + IDS_PER_LINE])
            for start in range(0, len(ids), IDS_PER_LINE)
        )
    if unsaved.journaled:
        lines.append(
            t._(
                "My database refused the write. The ids are kept in a journal and will show "
                "in /orders once the database accepts writes again."
            )
        )
    else:
        lines.append(
            t._(
                "My database refused the write and the journal could not be written either. "
                "Keep this message: here these orders may later show as unknown."
            )
        )
    return ui.split("\n".join(lines))


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
