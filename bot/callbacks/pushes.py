"""Buttons under pushes (bot/handlers/pushes.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.callbacks.base import Action, CallbackData


class PushAction(Action):
    """This feature's action codes: the first segment of its buttons' data."""

    OPEN_CARD = "zo"
    MUTE_ORDER = "zu"
    DIGEST_ORDERS = "zl"


@dataclass(frozen=True)
class OpenCard(CallbackData, action=PushAction.OPEN_CARD):
    """📄 Open order under a push: the card as a NEW message, the push stays as it was."""

    order_id: int


@dataclass(frozen=True)
class MuteOrder(CallbackData, action=PushAction.MUTE_ORDER):
    """🔕 / 🔔 of one order; `card`: pressed on its card (shown again), else on a push."""

    order_id: int
    mute: bool
    card: bool


@dataclass(frozen=True)
class DigestOrders(CallbackData, action=PushAction.DIGEST_ORDERS):
    """📋 List them under a digest push: `item` is the digest's outbox item id."""

    item: int
