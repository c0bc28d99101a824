"""☆/★ on a service card, and the sort and filter toggles above service lists.

The quick picks themselves are shown by /services (bot/handlers/catalog.py) and /order
(bot/handlers/new_order.py); their buttons are the ordinary card and Order buttons.
"""

from __future__ import annotations

from telegram import Update

from bot.callbacks.base import callback_of
from bot.callbacks.favourites import CatalogOption, ToggleFavourite
from bot.deps import BotContext
from bot.handlers import ui
from bot.handlers.catalog import (
    browse_index,
    categories_screen,
    pinned,
    show_card,
    show_search,
    store_view,
    view_of,
)
from bot.handlers.dialog import AnyHandler
from bot.handlers.routing import on_press
from bot.services.catalog_options import Option
from bot.storage.models import Starred
from bot.views.catalog import catalog_changed, render_service_page, service_gone
from bot.views.catalog_extras import starred_alert
from bot.views.errors import button_expired


async def toggle_favourite(update: Update, context: BotContext) -> None:
    pressed = callback_of(update, ToggleFavourite)
    if pressed is None:
        return
    loaded = await browse_index(update, context)
    if loaded is None:
        return
    index = loaded[0]
    t = context.t
    user_id = context.user.id
    found = index.get(pressed.service_id)
    outcome: Starred | None = None
    if pressed.on:
        if found is None:
            await ui.answer(update, service_gone(t))
            return
        outcome = await context.deps.favourites.star(user_id, found.id, index)
    else:
        # Also for a service the panel stopped listing: taking it off needs no catalog entry.
        await context.deps.favourites.unstar(user_id, pressed.service_id)
    await ui.answer(update, starred_alert(t, outcome), alert=outcome is Starred.FULL)
    if found is not None:
        await show_card(update, context, index, found, pressed.category, pressed.page)


async def catalog_option(update: Update, context: BotContext) -> None:
    """Sort by price (panel order → ↑ → ↓) or filter refill-only / cancel-only; page 1 again."""
    pressed = callback_of(update, CatalogOption)
    t = context.t
    try:
        option = Option(pressed.option) if pressed is not None else None
    except ValueError:
        option = None
    if pressed is None or option is None:
        await ui.answer(update, button_expired(t))
        return
    view = view_of(context).toggled(option)
    if pressed.category < 0:
        query = context.state.catalog_search
        if not query:
            await ui.answer(update, button_expired(t))
            return
        store_view(context, view)
        await show_search(update, context, query)
        return
    loaded = await browse_index(update, context)
    if loaded is None:
        return
    index, slot = loaded
    if not index.is_current(pressed.version):
        await ui.answer(update, catalog_changed(t))
        screen = await categories_screen(context, index)
        await ui.show(update, screen.text, pinned(screen.markup, slot))
        return
    try:
        screen = render_service_page(index, t, pressed.category, 0, view=view)
    except IndexError:
        await ui.answer(update, button_expired(t))
        return
    store_view(context, view)
    await ui.answer(update)
    await ui.show(update, screen.text, pinned(screen.markup, slot))


def handlers() -> list[AnyHandler]:
    return [
        on_press(toggle_favourite, ToggleFavourite),
        on_press(catalog_option, CatalogOption),
    ]
