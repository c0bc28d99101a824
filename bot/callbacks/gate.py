"""🙋 Request access, sent by a user the gate stops (bot/handlers/gate.py)."""

from __future__ import annotations

from bot.callbacks.base import CallbackData


class RequestAccess(CallbackData, action="ar"):
    pass
