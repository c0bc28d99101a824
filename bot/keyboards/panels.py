"""Several panels: /panels, a panel's card, adding and removing one (bot/handlers/panels.py)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks.panels import (
    PanelAdd,
    PanelAddPreset,
    PanelAddUrl,
    PanelAlert,
    PanelCardOf,
    PanelCompare,
    PanelMakeDefault,
    PanelNewKey,
    PanelRemove,
    PanelRemoveYes,
    PanelRename,
    PanelsList,
)
from bot.i18n import Translator
from bot.keyboards.layout import button, markup
from bot.keyboards.menu import back_to_menu
from bot.storage.models import PanelAccount


def panels_list(t: Translator, accounts: list[PanelAccount]) -> InlineKeyboardMarkup:
    rows = [
        [button(("★ " if a.is_default else "") + a.label, PanelCardOf(a.slot))] for a in accounts
    ]
    rows.append([button(t._("➕ Add a panel"), PanelAdd())])
    rows.append(back_to_menu(t))
    return markup(rows)


def panel_card(t: Translator, account: PanelAccount) -> InlineKeyboardMarkup:
    first = [button(t._("✏️ Rename"), PanelRename(account.slot))]
    if not account.is_default:
        first.insert(0, button(t._("★ Make default"), PanelMakeDefault(account.slot)))
    return markup(
        [
            first,
            [
                button(t._("🔔 Low-balance alert"), PanelAlert(account.slot)),
                button(t._("🔑 New key"), PanelNewKey(account.slot)),
            ],
            [button(t._("🗑 Remove"), PanelRemove(account.slot))],
            [back_to_panels(t)],
        ]
    )


def back_to_panels(t: Translator) -> InlineKeyboardButton:
    return button(t._("« Panels"), PanelsList())


def only_back(t: Translator) -> InlineKeyboardMarkup:
    """Under a refusal or a panel that is gone: back to /panels."""
    return markup([[back_to_panels(t)]])


def pick_panel(
    t: Translator, presets: Sequence[tuple[int, str]], *, custom: bool
) -> InlineKeyboardMarkup:
    """The operator's panels not linked yet (index, name), and "Other URL" when `custom`."""
    rows = [[button(name, PanelAddPreset(i))] for i, name in presets]
    if custom:
        rows.append([button(t._("🌐 Other panel (URL)"), PanelAddUrl())])
    rows.append([back_to_panels(t)])
    return markup(rows)


def confirm_remove(t: Translator, slot: int) -> InlineKeyboardMarkup:
    return markup(
        [
            [
                button(t._("🗑 Yes, remove"), PanelRemoveYes(slot)),
                button(t._("Keep it"), PanelCardOf(slot)),
            ]
        ]
    )


def with_compare(
    t: Translator, keyboard: InlineKeyboardMarkup, slot: int, service_id: int
) -> InlineKeyboardMarkup:
    """A service card's keyboard with ⚖️ Compare above its last row (Back)."""
    rows = [list(row) for row in keyboard.inline_keyboard]
    compare = [button(t._("⚖️ Compare"), PanelCompare(slot, service_id))]
    return markup([*rows[:-1], compare, *rows[-1:]])
