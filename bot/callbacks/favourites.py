"""Favourites and the sort and filter toggles of service lists (bot/handlers/favourites.py)."""

from __future__ import annotations

from bot.callbacks.base import CallbackData


class ToggleFavourite(CallbackData, action="fv"):
    """☆/★ on a service card: make it a favourite (`on`) or not; the rest is the card's
    `ServiceCard` data, to redraw it with the same « Back."""

    service_id: int
    category: int
    page: int
    on: bool


class CatalogOption(CallbackData, action="fo"):
    """A sort or filter toggle above a service list (`option`: bot.services.catalog_options.Option)
    of category `category` in catalog `version`, or of the search results (category -1)."""

    option: str
    category: int
    version: str
