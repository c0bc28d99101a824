"""The main menu's entries (bot/handlers/menu.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.callbacks.base import Action, CallbackData


class MenuAction(Action):
    """This feature's action codes: the first segment of its buttons' data."""

    MENU = "m"


@dataclass(frozen=True)
class Menu(CallbackData, action=MenuAction.MENU):
    """A main-menu entry ("services", "order", "home", …); see bot/handlers/menu.py."""

    name: str
