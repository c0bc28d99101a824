"""The catalog: categories, services, search results, service cards (bot/handlers/catalog.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import catalog as cb
from bot.callbacks.base import CallbackData
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
    rows = [[button(label, cb.CategoryPage(index, 0, version))] for index, label in entries]
    rows.append(pager(t, page, pages, cb.CategoriesPage))
    rows.append([button(t._("🔄 Refresh"), cb.RefreshCatalog()), *back_to_menu(t)])
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
    back = cb.CategoriesPage(category_index // per_page)
    return _service_list(
        t,
        entries,
        category_index,
        (page, pages, lambda p: cb.CategoryPage(category_index, p, version)),
        back,
    )


def catalog_search(
    t: Translator,
    entries: Sequence[tuple[int, str]],
    page: int,
    pages: int,
    back: CallbackData | None = None,
) -> InlineKeyboardMarkup:
    """Search results; `back` leads to where the search was typed (the order's service question)."""
    back = back if back is not None else cb.CategoriesPage(0)
    return _service_list(t, entries, -1, (page, pages, cb.SearchPage), back)


def _service_list(
    t: Translator,
    entries: Sequence[tuple[int, str]],
    category_index: int,
    paging: tuple[int, int, Callable[[int], CallbackData]],
    back: CallbackData,
) -> InlineKeyboardMarkup:
    """A page of services: a button to each one's card (`category_index` -1: a search result),
    the pager (`paging`: this page, the number of pages, the data of a page's button), then
    « Back to `back`."""
    page, pages, to_page = paging
    rows = [[button(label, cb.ServiceCard(sid, category_index, page))] for sid, label in entries]
    rows.append(pager(t, page, pages, to_page))
    rows.append([button(t._("« Back"), back)])
    return markup(rows)


def service_card(
    t: Translator,
    service_id: int,
    back: InlineKeyboardButton,
    *,
    orderable: bool = True,
    more: cb.ServiceMore | None = None,
) -> InlineKeyboardMarkup:
    """🛒 Order (only for a type the bot can order) and 📖 More (a longer description)."""
    order = [button(t._("🛒 Order"), OrderService(service_id))] if orderable else []
    more_button = [button(t._("📖 More"), more)] if more is not None else []
    return markup([[*order, *more_button], [back]])


def service_description(
    t: Translator,
    pressed: cb.ServiceMore,
    parts: int,
    *,
    orderable: bool,
) -> InlineKeyboardMarkup:
    """Under part `pressed.part` of `parts` description parts after the card's: ‹ Prev, More ›,
    and back to the card (🛒 Order too, for one who has read enough)."""
    sid, category, page = pressed.service_id, pressed.category, pressed.page
    nav = []
    if pressed.part > 1:
        nav.append(button(t._("‹ Prev"), cb.ServiceMore(sid, pressed.part - 1, category, page)))
    if pressed.part < parts:
        nav.append(button(t._("📖 More"), cb.ServiceMore(sid, pressed.part + 1, category, page)))
    order = [button(t._("🛒 Order"), OrderService(sid))] if orderable else []
    return markup([nav, [*order, button(t._("« Back"), cb.ServiceCard(sid, category, page))]])


def card_back(t: Translator, category_index: int, page: int, version: str) -> InlineKeyboardButton:
    """Back from a service card: to its category page, to the search results (index -1), or
    to the categories (the quick picks, FROM_QUICK_PICKS)."""
    if category_index == cb.FROM_QUICK_PICKS:
        return button(t._("« Back"), cb.CategoriesPage(page))
    if category_index < 0:
        return button(t._("« Back"), cb.SearchPage(page))
    return button(t._("« Back"), cb.CategoryPage(category_index, page, version))


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
