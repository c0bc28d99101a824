"""Access requests (bot/handlers/gate.py)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.callbacks.admin import DecideAccess
from bot.callbacks.gate import RequestAccess
from bot.i18n import Translator
from bot.keyboards.layout import button, markup


def access_request(t: Translator) -> InlineKeyboardMarkup:
    return markup([[button(t._("🙋 Request access"), RequestAccess())]])


def access_decision(t: Translator, user_id: int) -> InlineKeyboardMarkup:
    return markup(
        [
            [
                button(t._("✅ Approve"), DecideAccess(user_id, approve=True)),
                button(t._("❌ Reject"), DecideAccess(user_id, approve=False)),
            ]
        ]
    )
