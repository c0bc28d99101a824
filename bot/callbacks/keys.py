"""The API key's settings (bot/handlers/keys.py)."""

from __future__ import annotations

from bot.callbacks.base import CallbackData


class DeleteKeyYes(CallbackData, action="dk"):
    """ "Yes, delete" under the Settings' 🗑 Delete API key question."""
