"""The main menu and the way back to it."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks.menu import Menu
from bot.i18n import Translator
from bot.keyboards.layout import button, markup


def main_menu(t: Translator) -> InlineKeyboardMarkup:
    return markup(
        [
            [
                button(t._("🛍 Services"), Menu("services")),
                button(t._("➕ New order"), Menu("order")),
            ],
            [
                button(t._("📦 Bulk order"), Menu("bulk")),
                button(t._("📋 My orders"), Menu("orders")),
            ],
            [
                button(t._("💰 Balance"), Menu("balance")),
                button(t._("🔗 Panels"), Menu("panels")),
            ],
            [
                button(t._("📈 Stats"), Menu("stats")),
                button(t._("⚙️ Settings"), Menu("settings")),
            ],
        ]
    )


def back_to_menu(t: Translator) -> list[InlineKeyboardButton]:
    return [button(t._("« Menu"), Menu("home"))]
