"""Favourites and the sort and filter toggles of service lists (bot/handlers/favourites.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.callbacks.base import Action, CallbackData


class FavouritesAction(Action):
    """This feature's action codes: the first segment of its buttons' data."""

    FAVOURITE = "fv"
    CATALOG_OPTION = "fo"


@dataclass(frozen=True)
class ToggleFavourite(CallbackData, action=FavouritesAction.FAVOURITE):
    """☆/★ on a service card: make it a favourite (`on`) or not; the rest is the card's
    `ServiceCard` data, to redraw it with the same « Back."""

    service_id: int
    category: int
    page: int
    on: bool


@dataclass(frozen=True)
class CatalogOption(CallbackData, action=FavouritesAction.CATALOG_OPTION):
    """A sort or filter toggle above a service list (`option`: bot.services.catalog_view.Option)
    of category `category` in catalog `version`, or of the search results (category -1)."""

    option: str
    category: int
    version: str
