"""The language and the notifications switch of the settings (bot/handlers/start.py)."""

from __future__ import annotations

from bot.callbacks.base import CallbackData


class SetLanguage(CallbackData, action="lg"):
    code: str


class ToggleNotifications(CallbackData, action="nt"):
    pass
