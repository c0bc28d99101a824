"""The settings menu and the language picker (bot/handlers/start.py)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.callbacks.menu import Menu
from bot.callbacks.panels import PanelsList
from bot.callbacks.prices import PriceAlertsMenu
from bot.callbacks.start import SetLanguage, ToggleNotifications
from bot.callbacks.zones import QuietMenu, ZoneMenu
from bot.i18n import Translator
from bot.keyboards.layout import button, markup
from bot.keyboards.menu import back_to_menu

LANGUAGE_NAMES = {"en": "English", "tr": "Türkçe"}


def settings_menu(
    t: Translator,
    *,
    has_key: bool,
    notifications: bool,
    zone: str = "UTC",
    quiet: str | None = None,
    price_alerts: str | None = None,
) -> InlineKeyboardMarkup:
    """`zone`: the user's time zone; `quiet`: their quiet hours ("23:00–08:00"), None: off;
    `price_alerts`: the price watch's threshold ("5"), None: no button."""
    key_row = (
        [
            button(t._("🔑 Change API key"), Menu("setkey")),
            button(t._("🗑 Delete API key"), Menu("deletekey")),
        ]
        if has_key
        else [button(t._("🔑 Add API key"), Menu("setkey"))]
    )
    notify = t._("🔔 Notifications: on") if notifications else t._("🔕 Notifications: off")
    return markup(
        [
            key_row,
            [button(t._("🔗 Panels"), PanelsList())],
            [button(t._("🌐 Language"), Menu("language"))],
            [button(notify, ToggleNotifications())],
            [button(t._("🕒 Time zone: {zone}", zone=zone), ZoneMenu())],
            [
                button(
                    t._("🌙 Quiet hours: {hours}", hours=quiet)
                    if quiet
                    else t._("🌙 Quiet hours: off"),
                    QuietMenu(),
                )
            ],
            *(
                [[button(t._("📈 Price alerts: {n}%", n=price_alerts), PriceAlertsMenu())]]
                if price_alerts is not None
                else []
            ),
            back_to_menu(t),
        ]
    )


def languages(t: Translator, current: str) -> InlineKeyboardMarkup:
    return markup(
        [
            [
                button(("✅ " if code == current else "") + name, SetLanguage(code))
                for code, name in LANGUAGE_NAMES.items()
            ],
            [button(t._("« Back"), Menu("settings"))],
        ]
    )
