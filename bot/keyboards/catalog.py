"""The catalog: categories, services, search results, service cards (bot/handlers/catalog.py)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks.base import CallbackData
from bot.callbacks.catalog import (
    FROM_QUICK_PICKS,
    CategoriesPage,
    CategoryPage,
    RefreshCatalog,
    SearchPage,
    ServiceCard,
    ServiceMore,
)
from bot.callbacks.new_order import OrderService
from bot.callbacks.panels import PanelOrderService
from bot.i18n import Translator
from bot.keyboards.layout import PAGE_SIZE, button, markup, pager
from bot.keyboards.menu import back_to_menu


def catalog_categories(
    t: Translator,
    entries: Sequence[tuple[int, str]],
    page: int,
    pages: int,
    version: str,
) -> InlineKeyboardMarkup:
    """(category index, label) per button; the catalog version makes stale buttons detectable."""
    rows = [[button(label, CategoryPage(index, 0, version))] for index, label in entries]
    rows.append(pager(t, page, pages, CategoriesPage))
    rows.append([button(t._("🔄 Refresh"), RefreshCatalog()), *back_to_menu(t)])
    return markup(rows)


def catalog_services(
    t: Translator,
    entries: Sequence[tuple[int, str]],
    category_index: int,
    page: int,
    pages: int,
    version: str,
    *,
    per_page: int = PAGE_SIZE,
) -> InlineKeyboardMarkup:
    """(service id, label) per button, paged within one category."""
    rows = [[button(label, ServiceCard(sid, category_index, page))] for sid, label in entries]
    rows.append(pager(t, page, pages, lambda p: CategoryPage(category_index, p, version)))
    rows.append([button(t._("« Back"), CategoriesPage(category_index // per_page))])
    return markup(rows)


def catalog_search(
    t: Translator,
    entries: Sequence[tuple[int, str]],
    page: int,
    pages: int,
    back: CallbackData | None = None,
) -> InlineKeyboardMarkup:
    """Search results; `back` leads to where the search was typed (the order's service question)."""
    rows = [[button(label, ServiceCard(sid, -1, page))] for sid, label in entries]
    rows.append(pager(t, page, pages, SearchPage))
    rows.append([button(t._("« Back"), back if back is not None else CategoriesPage(0))])
    return markup(rows)


def service_card(
    t: Translator,
    service_id: int,
    back: InlineKeyboardButton,
    *,
    orderable: bool = True,
    more: ServiceMore | None = None,
) -> InlineKeyboardMarkup:
    """🛒 Order (only for a type the bot can order) and 📖 More (a longer description)."""
    order = [button(t._("🛒 Order"), OrderService(service_id))] if orderable else []
    more_button = [button(t._("📖 More"), more)] if more is not None else []
    return markup([[*order, *more_button], [back]])


def service_description(
    t: Translator,
    pressed: ServiceMore,
    parts: int,
    *,
    orderable: bool,
) -> InlineKeyboardMarkup:
    """Under part `pressed.part` of `parts` description parts after the card's: ‹ Prev, More ›,
    and back to the card (🛒 Order too, for one who has read enough)."""
    sid, category, page = pressed.service_id, pressed.category, pressed.page
    nav = []
    if pressed.part > 1:
        nav.append(button(t._("‹ Prev"), ServiceMore(sid, pressed.part - 1, category, page)))
    if pressed.part < parts:
        nav.append(button(t._("📖 More"), ServiceMore(sid, pressed.part + 1, category, page)))
    order = [button(t._("🛒 Order"), OrderService(sid))] if orderable else []
    return markup([nav, [*order, button(t._("« Back"), ServiceCard(sid, category, page))]])


def card_back(t: Translator, category_index: int, page: int, version: str) -> InlineKeyboardButton:
    """Back from a service card: to its category page, to the search results (index -1), or
    to the categories (the quick picks, FROM_QUICK_PICKS)."""
    if category_index == FROM_QUICK_PICKS:
        return button(t._("« Back"), CategoriesPage(page))
    if category_index < 0:
        return button(t._("« Back"), SearchPage(page))
    return button(t._("« Back"), CategoryPage(category_index, page, version))


def order_on_panel(keyboard: InlineKeyboardMarkup, slot: int) -> InlineKeyboardMarkup:
    """`keyboard` with each 🛒 Order (and quick pick) bound to panel account `slot`: a catalog
    shown from another panel than the default must order there, never on the default."""
    rows = []
    for row in keyboard.inline_keyboard:
        new_row = []
        for old in row:
            order = OrderService.unpack(old.callback_data)
            new_row.append(
                old
                if order is None
                else button(old.text, PanelOrderService(slot, order.service_id))
            )
        rows.append(new_row)
    return markup(rows)
