"""Unknown outcomes the user settles: what the panel shows, never a resend
(bot/handlers/resolutions.py)."""

from __future__ import annotations

from bot.callbacks.base import CallbackData


class FoundOnPanel(CallbackData, action="uf"):
    """🔎 I found it on the panel: asks for the panel's id of unknown order `order_id`."""

    order_id: int


class NotPlaced(CallbackData, action="un"):
    """It was not placed: asks first."""

    order_id: int


class NotPlacedYes(CallbackData, action="uy"):
    order_id: int
