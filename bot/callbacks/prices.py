"""Buttons of the price watch (bot/handlers/prices.py): Settings' threshold and a card's 🔕."""

from __future__ import annotations

from bot.callbacks.base import CallbackData
from bot.callbacks.panels import PanelServiceButton


class PriceAlertsMenu(CallbackData, action="wa"):
    """Settings → 📈 Price alerts: the thresholds to choose from."""


class SetPriceThreshold(CallbackData, action="wt"):
    """A threshold button: whole percents (the service refuses any it does not offer)."""

    percent: int


class MutePrices(PanelServiceButton, action="wm"):
    """🔕 / 🔔 price alerts of service `service_id` on panel account `slot`, on its card
    (`category` and `page` as in `ServiceCard`: the card is shown again with its « Back)."""

    category: int
    page: int
    mute: bool


class PriceCard(PanelServiceButton, action="wc"):
    """ "#101" under a price digest: service `service_id`'s card on panel account `slot`, as a
    NEW message (the digest stays as it was)."""
