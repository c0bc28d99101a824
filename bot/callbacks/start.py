"""The language and the notifications switch of the settings (bot/handlers/start.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.callbacks.base import Action, CallbackData


class StartAction(Action):
    """This feature's action codes: the first segment of its buttons' data."""

    LANGUAGE = "lg"
    NOTIFY_TOGGLE = "nt"


@dataclass(frozen=True)
class SetLanguage(CallbackData, action=StartAction.LANGUAGE):
    code: str


@dataclass(frozen=True)
class ToggleNotifications(CallbackData, action=StartAction.NOTIFY_TOGGLE):
    pass
