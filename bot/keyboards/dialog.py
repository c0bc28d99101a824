"""✖️ Cancel of one dialog run (bot/handlers/dialog.py)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks.dialog import CancelDialog
from bot.i18n import Translator
from bot.keyboards.layout import button, markup


def dialog_cancel_button(t: Translator, instance: str) -> InlineKeyboardButton:
    """✖️ Cancel of one dialog run (`instance`): it never cancels a later dialog."""
    return button(t._("✖️ Cancel"), CancelDialog(instance))


def cancel_dialog(t: Translator, instance: str) -> InlineKeyboardMarkup:
    return markup([[dialog_cancel_button(t, instance)]])
