"""Unknown outcomes the user settles: what the panel shows, never a resend
(bot/handlers/resolutions.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.callbacks.base import Action, CallbackData


class ResolutionAction(Action):
    """This feature's action codes: the first segment of its buttons' data."""

    FOUND_ON_PANEL = "uf"
    NOT_PLACED = "un"
    NOT_PLACED_YES = "uy"


@dataclass(frozen=True)
class FoundOnPanel(CallbackData, action=ResolutionAction.FOUND_ON_PANEL):
    """🔎 I found it on the panel: asks for the panel's id of unknown order `order_id`."""

    order_id: int


@dataclass(frozen=True)
class NotPlaced(CallbackData, action=ResolutionAction.NOT_PLACED):
    """It was not placed: asks first."""

    order_id: int


@dataclass(frozen=True)
class NotPlacedYes(CallbackData, action=ResolutionAction.NOT_PLACED_YES):
    order_id: int
