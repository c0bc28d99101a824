"""Buttons under notifications (bot/handlers/notifications.py)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks.new_order import Reorder
from bot.callbacks.notifications import DigestOrders, MuteOrder, OpenCard
from bot.callbacks.order_history import RefillOrder
from bot.i18n import Translator
from bot.keyboards.layout import MAX_BUTTONS, button, markup
from bot.keyboards.resolutions import settle_unknown_rows


def mute_button(t: Translator, order_id: int, *, muted: bool, card: bool) -> InlineKeyboardButton:
    """🔕 Mute (no more pushes about the order) or, once muted, 🔔 Unmute."""
    if muted:
        return button(t._("🔔 Unmute"), MuteOrder(order_id, mute=False, card=card))
    return button(t._("🔕 Mute"), MuteOrder(order_id, mute=True, card=card))


def notification(
    t: Translator,
    *,
    order_id: int | None = None,
    digest_id: int | None = None,
    muted: bool = False,
    mute: bool = True,
    settle: bool = False,
    reorder: bool = False,
    refill: bool = False,
) -> InlineKeyboardMarkup | None:
    """Under a push: the order's card (opened as a new message) and, with `mute`, 🔕 (🔔 when
    `muted`); or a digest's list. `settle`: the order's outcome is unknown (its buttons);
    `reorder`/`refill`: the card's 🔁 Reorder and ♻️ Refill (a finished order)."""
    if digest_id is not None:
        return markup([[button(t._("📋 List them"), DigestOrders(digest_id))]])
    if order_id is None:
        return None
    row = [button(t._("📄 Open order"), OpenCard(order_id))]
    if mute:
        row.append(mute_button(t, order_id, muted=muted, card=False))
    again = [button(t._("🔁 Reorder"), Reorder(order_id))] if reorder else []
    if refill:
        again.append(button(t._("♻️ Refill"), RefillOrder(order_id)))
    return markup([*(settle_unknown_rows(t, order_id) if settle else []), row, again])


def digest_orders(t: Translator, entries: Sequence[tuple[str, int]]) -> InlineKeyboardMarkup | None:
    """Under "📋 List them": a card button per order (label, local id), four per row."""
    buttons = [button(label, OpenCard(local_id)) for label, local_id in entries[:MAX_BUTTONS]]
    return markup([buttons[i : i + 4] for i in range(0, len(buttons), 4)]) if buttons else None
