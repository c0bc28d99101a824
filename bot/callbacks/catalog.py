"""The catalog: categories, their services, search results and service cards
(bot/handlers/catalog.py)."""

from __future__ import annotations

from bot.callbacks.base import CallbackData


class CategoriesPage(CallbackData, action="cc"):
    page: int


class CategoryPage(CallbackData, action="cs"):
    """A page of one category; `version` is the catalog's, so a stale position is detected."""

    category: int
    page: int
    version: str


# A ServiceCard's `category` when the card was opened from the quick picks (★ favourites and
# 🕘 recent services at the top of the categories): its « Back leads to the categories.
FROM_QUICK_PICKS = -2


class ServiceCard(CallbackData, action="sv"):
    """A service card; `category` and `page` lead back (category -1: the search results, -2:
    the quick picks on the categories' page `page`)."""

    service_id: int
    category: int
    page: int


class RefreshCatalog(CallbackData, action="cr"):
    pass


class SearchPage(CallbackData, action="sp"):
    page: int


class ServiceMore(CallbackData, action="km"):
    """📖 More of a long service description: `part` 1 is the first after the card's cut.

    `category` and `page` are the card's own (`ServiceCard`), so its way back survives.
    """

    service_id: int
    part: int
    category: int
    page: int
