"""The Mini App's button in the chat (issue 23): "🛍 Open catalog" on /start and /services."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo

from bot.i18n import Translator
from bot.keyboards.layout import prepend


def with_open_catalog(
    t: Translator, markup: InlineKeyboardMarkup, url: str
) -> InlineKeyboardMarkup:
    """`markup` with "🛍 Open catalog" (a web_app button: Telegram opens the Mini App at `url`)
    on top; unchanged without WEBAPP_URL. The bot answers private chats only, the only chats
    where Telegram allows a web_app button."""
    if not url:
        return markup
    return prepend(markup, [[InlineKeyboardButton(t._("🛍 Open catalog"), web_app=WebAppInfo(url))]])
