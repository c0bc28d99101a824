"""/status and /cancelorder with typed ids (bot/handlers/status.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.callbacks.base import Action, CallbackData


class StatusAction(Action):
    """This feature's action codes: the first segment of its buttons' data."""

    WHICH_PANEL = "wp"
    CANCEL_MANY = "cm"
    CANCEL_MANY_NO = "cn"


@dataclass(frozen=True)
class WhichPanel(CallbackData, action=StatusAction.WHICH_PANEL):
    """The panel picked for a typed id stored on several: `token` names the waiting command
    in user_data (bot/handlers/which_panel.py), `slot` the panel account."""

    token: str
    slot: int


@dataclass(frozen=True)
class CancelManyYes(CallbackData, action=StatusAction.CANCEL_MANY):
    """/cancelorder's Yes; `token` names the ids kept in user_data."""

    token: str


@dataclass(frozen=True)
class CancelManyNo(CallbackData, action=StatusAction.CANCEL_MANY_NO):
    token: str
