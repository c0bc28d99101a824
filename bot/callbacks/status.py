"""/status and /cancelorder with typed ids (bot/handlers/status.py)."""

from __future__ import annotations

from bot.callbacks.base import CallbackData


class WhichPanel(CallbackData, action="wp"):
    """The panel picked for a typed id stored on several: `token` names the waiting command
    in user_data (bot/handlers/which_panel.py), `slot` the panel account."""

    token: str
    slot: int


class CancelManyButton(CallbackData):
    """An answer to /cancelorder's question; `token` names the ids kept in user_data."""

    token: str


class CancelManyYes(CancelManyButton, action="cm"):
    """/cancelorder's Yes."""


class CancelManyNo(CancelManyButton, action="cn"):
    """/cancelorder's No."""
