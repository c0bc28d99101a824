"""Time zones and quiet hours (bot/handlers/zones.py)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup

from bot.callbacks.menu import Menu
from bot.callbacks.zones import SetQuiet, SetZone, TypeQuiet, TypeZone
from bot.i18n import Translator
from bot.keyboards.layout import button, markup


def zone_menu(t: Translator, zones: Sequence[str], current: str) -> InlineKeyboardMarkup:
    """Common zones (the user's language's first), two per row; type any other; back."""
    buttons = [button(("✅ " if z == current else "") + z, SetZone(z)) for z in zones]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([button(t._("✏️ Type a time zone"), TypeZone())])
    rows.append([button(t._("« Back"), Menu("settings"))])
    return markup(rows)


def quiet_menu(
    t: Translator, presets: Sequence[tuple[int, int, str]], current: tuple[int, int] | None
) -> InlineKeyboardMarkup:
    """(from, to, label) presets, "type other hours", off, back."""
    rows = [
        [button(("✅ " if (a, b) == current else "") + label, SetQuiet(a, b))]
        for a, b, label in presets
    ]
    rows.append([button(t._("✏️ Type hours"), TypeQuiet())])
    if current is not None:
        rows.append([button(t._("🔔 No quiet hours"), SetQuiet(0, 0))])
    rows.append([button(t._("« Back"), Menu("settings"))])
    return markup(rows)
