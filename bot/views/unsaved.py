"""The notice for orders the panel placed but the database would not record.

Every placed id is listed exactly: the user must not order them again, and this message may be
the only record they get of them.
"""

from __future__ import annotations

from bot.i18n import Translator
from bot.services.placements import Unsaved
from bot.views.text import split

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
    return split("\n".join(lines))
