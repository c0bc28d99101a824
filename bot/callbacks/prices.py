"""Buttons of the price watch (bot/handlers/prices.py): Settings' threshold and a card's 🔕."""

from __future__ import annotations

from bot.callbacks.base import CallbackData


class PriceAlertsMenu(CallbackData, action="wa"):
    """Settings → 📈 Price alerts: the thresholds to choose from."""


class SetPriceThreshold(CallbackData, action="wt"):
    """A threshold button: whole percents (the service refuses any it does not offer)."""

    percent: int


class MutePrices(CallbackData, action="wm"):
    """🔕 / 🔔 price alerts of one service on panel account `slot`, on its card (`category`
    and `page` as in `ServiceCard`: the card is shown again with its « Back)."""

    slot: int
    service_id: int
    category: int
    page: int
    mute: bool


class PriceCard(CallbackData, action="wc"):
    """ "#101" under a price digest: that service's card on panel account `slot`, as a NEW
    message (the digest stays as it was)."""

    slot: int
    service_id: int
