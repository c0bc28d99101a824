"""The admin's answers (bot/handlers/admin.py)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.callbacks.menu import Menu
from bot.i18n import Translator
from bot.keyboards.layout import button, markup


def start_button(t: Translator) -> InlineKeyboardMarkup:
    """Under "Good news: an admin gave you access": opens the main menu, like /start."""
    return markup([[button(t._("▶️ Start"), Menu("home"))]])
