"""The price watch's buttons: under a digest push, on Settings' threshold menu, on a card."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks.menu import Menu
from bot.callbacks.prices import MutePrices, PriceCard, SetPriceThreshold
from bot.i18n import Translator
from bot.keyboards.layout import button, markup

# A digest names at most this many services by a button (the rest are in /prices).
MAX_CARDS = 20


def price_cards(cards: Sequence[tuple[int, int]]) -> InlineKeyboardMarkup | None:
    """Under a price digest: "#101" opens that service's card on its panel, four per row."""
    buttons = [
        button(f"#{service_id}", PriceCard(slot, service_id))
        for slot, service_id in cards[:MAX_CARDS]
    ]
    return markup([buttons[i : i + 4] for i in range(0, len(buttons), 4)]) if buttons else None


def threshold_menu(
    t: Translator, presets: Sequence[Decimal], current: Decimal
) -> InlineKeyboardMarkup:
    """The thresholds offered (✅ on the current one), one row; « Back to Settings."""
    row = [
        button(("✅ " if p == current else "") + f"{t.decimal(p)}%", SetPriceThreshold(int(p)))
        for p in presets
    ]
    return markup([row, [button(t._("« Back"), Menu("settings"))]])


def price_mute_button(
    t: Translator, slot: int, service_id: int, category: int, page: int, *, muted: bool
) -> InlineKeyboardButton:
    """On a watched service's card: 🔕 its price alerts, or 🔔 when they are muted."""
    label = t._("🔔 Unmute price alerts") if muted else t._("🔕 Mute price alerts")
    return button(label, MutePrices(slot, service_id, category, page, mute=not muted))
