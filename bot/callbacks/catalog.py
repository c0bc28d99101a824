"""The catalog: categories, their services, search results and service cards
(bot/handlers/catalog.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.callbacks.base import Action, CallbackData


class CatalogAction(Action):
    """This feature's action codes: the first segment of its buttons' data."""

    CATEGORIES = "cc"
    CATEGORY = "cs"
    SERVICE = "sv"
    CATALOG_REFRESH = "cr"
    SEARCH_PAGE = "sp"
    SERVICE_MORE = "km"


@dataclass(frozen=True)
class CategoriesPage(CallbackData, action=CatalogAction.CATEGORIES):
    page: int


@dataclass(frozen=True)
class CategoryPage(CallbackData, action=CatalogAction.CATEGORY):
    """A page of one category; `version` is the catalog's, so a stale position is detected."""

    category: int
    page: int
    version: str


# A ServiceCard's `category` when the card was opened from the quick picks (★ favourites and
# 🕘 recent services at the top of the categories): its « Back leads to the categories.
FROM_QUICK_PICKS = -2


@dataclass(frozen=True)
class ServiceCard(CallbackData, action=CatalogAction.SERVICE):
    """A service card; `category` and `page` lead back (category -1: the search results, -2:
    the quick picks on the categories' page `page`)."""

    service_id: int
    category: int
    page: int


@dataclass(frozen=True)
class RefreshCatalog(CallbackData, action=CatalogAction.CATALOG_REFRESH):
    pass


@dataclass(frozen=True)
class SearchPage(CallbackData, action=CatalogAction.SEARCH_PAGE):
    page: int


@dataclass(frozen=True)
class ServiceMore(CallbackData, action=CatalogAction.SERVICE_MORE):
    """📖 More of a long service description: `part` 1 is the first after the card's cut.

    `category` and `page` are the card's own (`ServiceCard`), so its way back survives.
    """

    service_id: int
    part: int
    category: int
    page: int
