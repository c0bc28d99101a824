"""Unknown outcomes the user settles: what the panel shows, never a resend
(bot/handlers/resolutions.py)."""

from __future__ import annotations

from bot.callbacks.base import CallbackData


class SettleButton(CallbackData):
    """A button settling unknown order `order_id` (a local id)."""

    order_id: int


class FoundOnPanel(SettleButton, action="uf"):
    """🔎 I found it on the panel: asks for the panel's id of the order."""


class NotPlaced(SettleButton, action="un"):
    """It was not placed: asks first."""


class NotPlacedYes(SettleButton, action="uy"):
    """Yes under "It was not placed"'s question."""
