"""Bulk previews and results (bot/handlers/bulk.py)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup

from bot.callbacks.bulk import BulkAgain, BulkAnyway, ConfirmBulk, ConfirmBulkFirst, DiscardBulk
from bot.callbacks.menu import Menu
from bot.callbacks.notifications import OpenCard
from bot.i18n import Translator
from bot.keyboards.layout import button, markup
from bot.keyboards.menu import back_to_menu


def bulk_again(t: Translator, batch: str) -> InlineKeyboardMarkup:
    """Under a bulk preview that can no longer be confirmed: the same list, checked again."""
    return markup([[button(t._("🔄 Make a new preview"), BulkAgain(batch))], back_to_menu(t)])


def bulk_preview(
    t: Translator,
    batch: str,
    count: int,
    *,
    affordable: int | None = None,
    anyway: bool = False,
) -> InlineKeyboardMarkup:
    """Confirm all valid lines; when the balance covers only the first `affordable` of them,
    confirm just those (none: only Cancel) — the panel would refuse a whole chunk of 100.
    `anyway`: the preview warned of links with open orders (or twice in the list); its
    Confirm places nothing, the ⚠️ Order anyway row under it does."""
    cancel = [button(t._("✖️ Cancel"), DiscardBulk(batch))]
    first = 0
    if affordable is not None and affordable < count:
        if affordable < 1:
            return markup([cancel])
        label = t.ngettext(
            # ≤ 32 characters on a phone: the preview's text says why only these.
            "✅ Confirm the first {n} order",
            "✅ Confirm the first {n} orders",
            affordable,
        )
        confirm = button(label, ConfirmBulkFirst(batch, affordable))
        first = affordable
    else:
        label = t.ngettext("✅ Confirm {n} valid order", "✅ Confirm {n} valid orders", count)
        confirm = button(label, ConfirmBulk(batch))
    extra = [[button(t._("⚠️ Order anyway"), BulkAnyway(batch, first))]] if anyway else []
    return markup([[confirm], *extra, cancel])


def bulk_done(t: Translator, unknown: Sequence[tuple[int, int]] = ()) -> InlineKeyboardMarkup:
    """Under a bulk result; `unknown` (line number, local order id) of the lines whose outcome
    is unknown: a button to each one's card, where the user settles it (the first 12)."""
    cards = [
        button(t._("❔ Line {n}", n=line), OpenCard(order_id)) for line, order_id in unknown[:12]
    ]
    card_rows = [cards[i : i + 4] for i in range(0, len(cards), 4)]
    return markup([*card_rows, [button(t._("📋 My orders"), Menu("orders"))], back_to_menu(t)])
