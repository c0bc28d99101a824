"""Buttons of the quick picks (★ favourites, 🕘 recent services), the card's ☆/★ toggle and
the sort and filter toggles above service lists.

They are added to the catalog's own keyboards (rows before or after theirs), so those stay as
they are."""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardButton

from bot.callbacks.base import CallbackData
from bot.callbacks.catalog import FROM_QUICK_PICKS, ServiceCard
from bot.callbacks.favourites import CatalogOption, ToggleFavourite
from bot.callbacks.new_order import OrderService
from bot.i18n import Translator
from bot.keyboards.layout import Rows, button
from bot.panel.models import Service
from bot.services.catalog_options import CatalogOptions, Option, Sort
from bot.services.favourites import QuickPicks

# Phones show about 32 characters of a one-button row.
LABEL_MAX = 32


FAVOURITE_MARK = "★"


RECENT_MARK = "🕘"


def quick_label(mark: str, service: Service) -> str:
    """ "★ #12 Instagram Takipçi": the id always survives the cut, the name is clipped."""
    text = f"{mark} #{service.id} {' '.join(service.name_text.split())}"
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1].rstrip() + "…"


def _pick_rows(picks: QuickPicks, data: Callable[[Service], CallbackData]) -> Rows:
    marked = [(FAVOURITE_MARK, s) for s in picks.favourites]
    marked += [(RECENT_MARK, s) for s in picks.recent]
    return [[button(quick_label(mark, s), data(s))] for mark, s in marked]


def catalog_pick_rows(picks: QuickPicks, page: int = 0) -> Rows:
    """/services: each pick opens its card; the card's « Back returns to categories page `page`."""
    return _pick_rows(picks, lambda s: ServiceCard(s.id, FROM_QUICK_PICKS, page))


def order_pick_rows(picks: QuickPicks) -> Rows:
    """/order's service question: each pick starts the order of its service."""
    return _pick_rows(picks, lambda s: OrderService(s.id))


def star_button(
    t: Translator, service_id: int, category: int, page: int, *, favourite: bool
) -> InlineKeyboardButton:
    """☆ makes the card's service a favourite, ★ (it is one) takes it off the list."""
    if favourite:
        return button(
            t._("★ Remove favourite"), ToggleFavourite(service_id, category, page, on=False)
        )
    return button(t._("☆ Add to favourites"), ToggleFavourite(service_id, category, page, on=True))


def view_rows(t: Translator, view: CatalogOptions, category: int, version: str) -> Rows:
    """The sort toggle (panel order → price ↑ → price ↓) and the two filter toggles."""
    sort_label = {
        Sort.CATALOG: t._("⇅ Sort by price"),
        Sort.PRICE_UP: t._("✅ Price: low → high"),
        Sort.PRICE_DOWN: t._("✅ Price: high → low"),
    }[view.sort]

    def data(option: Option) -> CatalogOption:
        return CatalogOption(option.value, category, version)

    def check(on: bool, label: str) -> str:
        return f"✅ {label}" if on else label

    return [
        [button(sort_label, data(Option.SORT))],
        [
            button(check(view.refill_only, t._("Refill only")), data(Option.REFILL)),
            button(check(view.cancel_only, t._("Cancel only")), data(Option.CANCEL)),
        ],
    ]
