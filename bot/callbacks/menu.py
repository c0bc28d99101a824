"""The main menu's entries (bot/handlers/menu.py)."""

from __future__ import annotations

from bot.callbacks.base import CallbackData


class Menu(CallbackData, action="m"):
    """A main-menu entry ("services", "order", "home", …); see bot/handlers/menu.py."""

    name: str
