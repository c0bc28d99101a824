"""The API key's settings (bot/handlers/keys.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.callbacks.base import Action, CallbackData


class KeysAction(Action):
    """This feature's action codes: the first segment of its buttons' data."""

    DELETE_KEY_YES = "dk"


@dataclass(frozen=True)
class DeleteKeyYes(CallbackData, action=KeysAction.DELETE_KEY_YES):
    """ "Yes, delete" under the Settings' 🗑 Delete API key question."""
