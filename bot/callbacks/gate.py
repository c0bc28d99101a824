"""🙋 Request access, sent by a user the gate stops (bot/handlers/gate.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.callbacks.base import Action, CallbackData


class GateAction(Action):
    """This feature's action codes: the first segment of its buttons' data."""

    ACCESS_REQUEST = "ar"


@dataclass(frozen=True)
class RequestAccess(CallbackData, action=GateAction.ACCESS_REQUEST):
    pass
