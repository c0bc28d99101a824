"""Every inline keyboard of the bot, built in one place from typed callback data."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import Action, encode
from bot.i18n import Translator

# Telegram allows 100 buttons; phones show about 8 rows comfortably.
PAGE_SIZE = 8

LANGUAGE_NAMES = {"en": "English", "tr": "Türkçe"}


def button(text: str, action: Action, *args: int | str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=encode(action, *args))


def markup(rows: Sequence[Sequence[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(r) for r in rows if r])


def main_menu(t: Translator) -> InlineKeyboardMarkup:
    return markup(
        [
            [
                button(t._("🛍 Services"), Action.MENU, "services"),
                button(t._("➕ New order"), Action.MENU, "order"),
            ],
            [
                button(t._("📦 Bulk order"), Action.MENU, "bulk"),
                button(t._("📋 My orders"), Action.MENU, "orders"),
            ],
            [
                button(t._("💰 Balance"), Action.MENU, "balance"),
                button(t._("⚙️ Settings"), Action.MENU, "settings"),
            ],
        ]
    )


def back_to_menu(t: Translator) -> list[InlineKeyboardButton]:
    return [button(t._("« Menu"), Action.MENU, "home")]


def settings_menu(t: Translator, *, has_key: bool, notifications: bool) -> InlineKeyboardMarkup:
    key_row = (
        [
            button(t._("🔑 Change API key"), Action.MENU, "setkey"),
            button(t._("🗑 Delete API key"), Action.MENU, "deletekey"),
        ]
        if has_key
        else [button(t._("🔑 Add API key"), Action.MENU, "setkey")]
    )
    notify = t._("🔔 Notifications: on") if notifications else t._("🔕 Notifications: off")
    return markup(
        [
            key_row,
            [button(t._("🌐 Language"), Action.MENU, "language")],
            [button(notify, Action.NOTIFY_TOGGLE)],
            back_to_menu(t),
        ]
    )


def languages(current: str) -> InlineKeyboardMarkup:
    return markup(
        [
            [
                button(("✅ " if code == current else "") + name, Action.LANGUAGE, code)
                for code, name in LANGUAGE_NAMES.items()
            ]
        ]
    )


def access_request(t: Translator) -> InlineKeyboardMarkup:
    return markup([[button(t._("🙋 Request access"), Action.ACCESS_REQUEST)]])


def access_decision(t: Translator, user_id: int) -> InlineKeyboardMarkup:
    return markup(
        [
            [
                button(t._("✅ Approve"), Action.ACCESS_DECIDE, user_id, 1),
                button(t._("❌ Reject"), Action.ACCESS_DECIDE, user_id, 0),
            ]
        ]
    )


def pager(
    t: Translator, page: int, pages: int, action: Action, *prefix: int | str
) -> list[InlineKeyboardButton]:
    """Prev / "page x/y" / Next; the middle button is inert (it re-renders the same page)."""
    if pages <= 1:
        return []
    row = []
    if page > 0:
        row.append(button(t._("‹ Prev"), action, *prefix, page - 1))
    row.append(button(f"{page + 1}/{pages}", action, *prefix, page))
    if page < pages - 1:
        row.append(button(t._("Next ›"), action, *prefix, page + 1))
    return row


def cancel_dialog(t: Translator) -> InlineKeyboardMarkup:
    return markup([[button(t._("✖️ Cancel"), Action.DIALOG_CANCEL)]])
