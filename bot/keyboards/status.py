"""/status and /cancelorder with typed ids (bot/handlers/status.py)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup

from bot.callbacks.order_history import OrderCard
from bot.callbacks.status import CancelManyNo, CancelManyYes, WhichPanel
from bot.i18n import Translator
from bot.keyboards.layout import PAGE_SIZE, button, markup


def confirm_cancel_many(t: Translator, token: str) -> InlineKeyboardMarkup:
    return markup(
        [
            [
                button(t._("✅ Yes, cancel them"), CancelManyYes(token)),
                button(t._("✖️ No"), CancelManyNo(token)),
            ]
        ]
    )


def order_links(t: Translator, entries: Sequence[tuple[str, int]]) -> InlineKeyboardMarkup | None:
    """Buttons opening order cards: (reference, local id) pairs, at most one page; the
    reference is the panel's id, with its panel's name when the user has several."""
    if not entries:
        return None
    buttons = [
        button(t._("📦 #{id}", id=ref), OrderCard(local_id))
        for ref, local_id in entries[:PAGE_SIZE]
    ]
    # Named references are longer: two a row then, so a phone shows them whole.
    per_row = 2 if any(" · " in ref for ref, _ in entries) else 4
    return markup([buttons[i : i + per_row] for i in range(0, len(buttons), per_row)])


def which_panel(
    t: Translator, token: str, panels: Sequence[tuple[int, str]]
) -> InlineKeyboardMarkup:
    """One button per panel (slot, name) that holds a typed id, one a row: names are long."""
    return markup([[button(name, WhichPanel(token, slot))] for slot, name in panels])
