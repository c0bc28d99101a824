"""Settling an order whose outcome is unknown (bot/handlers/resolutions.py)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks.order_history import OrderCard
from bot.callbacks.resolutions import FoundOnPanel, NotPlaced, NotPlacedYes
from bot.i18n import Translator
from bot.keyboards.layout import button, markup


def settle_unknown_rows(t: Translator, order_id: int) -> list[list[InlineKeyboardButton]]:
    """An order whose outcome is unknown: the user says what the panel shows. One button a
    row: both are long in Turkish."""
    return [
        [button(t._("🔎 I found it on the panel"), FoundOnPanel(order_id))],
        [button(t._("✖️ It was not placed"), NotPlaced(order_id))],
    ]


def confirm_not_placed(t: Translator, order_id: int) -> InlineKeyboardMarkup:
    return markup(
        [
            [button(t._("✅ Yes, it was not placed"), NotPlacedYes(order_id))],
            [button(t._("✖️ No"), OrderCard(order_id))],
        ]
    )
