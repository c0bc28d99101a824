"""The API key's settings (bot/handlers/keys.py)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.callbacks.keys import DeleteKeyYes
from bot.callbacks.menu import Menu
from bot.i18n import Translator
from bot.keyboards.layout import button, markup


def confirm_delete_key(t: Translator) -> InlineKeyboardMarkup:
    """Asked before 🗑 Delete API key: it sits next to Change, and a slip must not cost the key."""
    return markup(
        [
            [
                button(t._("🗑 Yes, delete"), DeleteKeyYes()),
                button(t._("Keep it"), Menu("settings")),
            ]
        ]
    )
