"""Buttons under notifications (bot/handlers/notifications.py)."""

from __future__ import annotations

from bot.callbacks.base import CallbackData
from bot.callbacks.order_history import OrderButton


class OpenCard(OrderButton, action="zo"):
    """📄 Open order under a push: the card as a NEW message, the push stays as it was."""


class MuteOrder(OrderButton, action="zu"):
    """🔕 / 🔔 of one order; `card`: pressed on its card (shown again), else on a push."""

    mute: bool
    card: bool


class DigestOrders(CallbackData, action="zl"):
    """📋 List them under a digest push: `item` is the digest's outbox item id."""

    item: int
