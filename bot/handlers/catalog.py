"""/services: categories → services of a category → service card, and `/services <words>`.

The screens are built by the pure functions in `bot.views.catalog`. Navigation edits the pressed
message.
"""

from __future__ import annotations

from typing import TypeVar

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callbacks.base import CallbackData, callback_of
from bot.callbacks.catalog import (
    CategoriesPage,
    CategoryPage,
    RefreshCatalog,
    SearchPage,
    ServiceCard,
    ServiceMore,
)
from bot.callbacks.panels import BrowseMakeDefault, PanelBrowse, PanelButton, PanelServiceCard
from bot.deps import BotContext
from bot.handlers import ui
from bot.handlers.dialog import AnyHandler
from bot.handlers.errors import reply_panel_error
from bot.handlers.menu import menu_pattern
from bot.handlers.panels import search_every_panel, with_panel_switch
from bot.handlers.routing import on_press
from bot.keyboards import catalog as catalog_keyboards
from bot.keyboards.favourites import star_button
from bot.keyboards.layout import before_last
from bot.keyboards.panels import with_compare
from bot.keyboards.prices import price_mute_button
from bot.keyboards.webapp import with_open_catalog
from bot.panel.errors import PanelError
from bot.panel.models import Service
from bot.services.accounts import NoKey
from bot.services.catalog_index import CatalogIndex
from bot.services.catalog_options import CatalogOptions
from bot.services.order_types import plan_for
from bot.storage.models import PanelAccount
from bot.views.catalog import (
    catalog_changed,
    refreshed,
    render_category_page,
    render_description_part,
    render_search_page,
    render_service_card,
    render_service_page,
    search_limit,
    service_gone,
)
from bot.views.catalog_extras import with_quick_picks
from bot.views.errors import button_expired
from bot.views.panels import default_now
from bot.views.screen import Screen


def view_of(context: BotContext) -> CatalogOptions:
    """How the user sorts and filters service lists (kept: a card's « Back keeps it)."""
    return context.state.catalog_options


def store_view(context: BotContext, view: CatalogOptions) -> None:
    context.state.catalog_options = view


# --- handlers ------------------------------------------------------------------------------


async def load_index(
    update: Update, context: BotContext, *, force: bool = False, slot: int | None = None
) -> CatalogIndex | None:
    """The user's catalog (of panel account `slot`, the default one without), or None after
    telling them why there is none (no key, panel down)."""
    try:
        return await context.deps.catalog.get(context.user.id, force=force, slot=slot)
    except (NoKey, PanelError) as exc:
        await ui.answer(update)
        await reply_panel_error(update, context, exc, edit=True)
        return None


async def browsed_slot(context: BotContext) -> int | None:
    """The panel account /services shows; None: the default (also for one since removed or
    made the default)."""
    slot = context.state.catalog_panel
    if slot is None:
        return None
    accounts = await context.deps.accounts.accounts(context.user.id)
    return slot if any(a.slot == slot and not a.is_default for a in accounts) else None


def browse(context: BotContext, slot: int | None) -> None:
    """/services shows panel account `slot` from now on (None: the default again); looking
    at another panel's catalog does not make it the default for /order and /bulk."""
    context.state.catalog_panel = slot


async def browse_index(
    update: Update, context: BotContext, *, force: bool = False
) -> tuple[CatalogIndex, int | None] | None:
    """The catalog /services shows and its panel account (None: the default), or None after
    telling the user why there is none."""
    slot = await browsed_slot(context)
    index = await load_index(update, context, force=force, slot=slot)
    return None if index is None else (index, slot)


def pinned(markup: InlineKeyboardMarkup, slot: int | None) -> InlineKeyboardMarkup:
    """A catalog screen's buttons, ordering on the panel shown (`slot`; None: the default)."""
    return markup if slot is None else catalog_keyboards.order_on_panel(markup, slot)


async def categories_screen(context: BotContext, index: CatalogIndex, page: int = 0) -> Screen:
    """The categories; their first page starts with the user's quick picks."""
    screen = render_category_page(index, context.t, page)
    if page != 0:
        return screen
    picks = await context.deps.favourites.picks(context.user.id, index)
    return with_quick_picks(screen, context.t, picks)


async def show_categories(
    update: Update, context: BotContext, page: int = 0, note: str | None = None
) -> None:
    loaded = await browse_index(update, context)
    if loaded is None:
        return
    index, slot = loaded
    await ui.answer(update, note)
    screen = await categories_screen(context, index, page)
    markup = pinned(screen.markup, slot)
    if page == 0:
        markup = with_open_catalog(context.t, markup, context.deps.settings.webapp_url)
    accounts = await context.deps.accounts.accounts(context.user.id)
    if len(accounts) > 1:
        # Several panels: a button switches to each other one, without changing the ★.
        text, markup = with_panel_switch(context.t, screen.text, markup, accounts, slot)
        await ui.show(update, text, markup)
        return
    await ui.show(update, screen.text, markup)


async def browse_panel(update: Update, context: BotContext) -> None:
    """🔁 on /services: that panel's catalog is shown; the ★ default stays (issue 21 item 3)."""
    named = await pressed_account(update, context, PanelBrowse)
    if named is None:
        return
    _, account = named
    browse(context, None if account.is_default else account.slot)
    await show_categories(update, context)


async def make_browsed_default(update: Update, context: BotContext) -> None:
    """★ Make default on /services, looking at another panel: the one explicit way there."""
    pressed = callback_of(update, BrowseMakeDefault)
    panels = context.deps.panels
    if pressed is None or not await panels.make_default(context.user.id, pressed.slot):
        await ui.answer(update, button_expired(context.t))
        return
    browse(context, None)
    account = await context.deps.accounts.account(context.user.id, pressed.slot)
    name = account.label if account is not None else ""
    await show_categories(update, context, note=default_now(context.t, name))


async def show_search(update: Update, context: BotContext, query: str, page: int = 0) -> None:
    index = await load_index(update, context)
    if index is None:
        return
    context.state.catalog_search = query[:200]
    await ui.answer(update)
    screen = await search_screen(context, index, query, page)
    await ui.show(update, screen.text, screen.markup)


async def search_screen(
    context: BotContext,
    index: CatalogIndex,
    query: str,
    page: int = 0,
    back: CallbackData | None = None,
) -> Screen:
    """The page of `query`'s results. The search runs in slices: on a 19 MB catalog a query
    that matches little looks at every service (15-20 ms of CPU in one go; issue 19 item 5)."""
    view = view_of(context)
    matches = await index.search_sliced(query, search_limit(index, view))
    return render_search_page(index, context.t, query, page, back, view, matches)


async def services_command(update: Update, context: BotContext) -> None:
    query = " ".join(context.args or []).strip()
    if query.isdigit() and await open_card_by_id(update, context, query):
        return
    if query:
        context.state.catalog_search = query[:200]  # « Back from a result's card
    if query and await search_every_panel(update, context, query):
        return
    if query:
        await show_search(update, context, query)
    else:
        browse(context, None)  # a fresh /services starts on the ★ default
        await show_categories(update, context)


async def open_card_by_id(update: Update, context: BotContext, query: str) -> bool:
    """/services 101: the default panel's service 101 opens its card at once (« Back leads to
    the search for "101"); False when that panel has no such service."""
    index = await load_index(update, context)
    found = index.get(int(query)) if index is not None else None
    if index is None or found is None:
        return index is None  # no catalog: load_index has already told the user why
    context.state.catalog_search = query
    await show_card(update, context, index, found, -1, 0)
    return True


async def categories(update: Update, context: BotContext) -> None:
    pressed = callback_of(update, CategoriesPage)  # None for the menu's "Services"
    if pressed is None:
        browse(context, None)  # a fresh /services starts on the ★ default
    await show_categories(update, context, pressed.page if pressed is not None else 0)


_Pressed = TypeVar("_Pressed", bound=CallbackData)


async def _pressed_with_index(
    update: Update, context: BotContext, kind: type[_Pressed]
) -> tuple[_Pressed, CatalogIndex] | None:
    """The pressed button's data and the user's catalog; None for a stale button or no catalog."""
    pressed = callback_of(update, kind)
    if pressed is None:
        return None
    loaded = await browse_index(update, context)
    if loaded is None:
        return None
    return pressed, loaded[0]


_OfAccount = TypeVar("_OfAccount", bound=PanelButton)


async def pressed_account(
    update: Update, context: BotContext, kind: type[_OfAccount]
) -> tuple[_OfAccount, PanelAccount] | None:
    """The pressed button's data and the user's panel account it names; None, once answered
    "This button has expired", for an old, removed or forged one."""
    accounts = context.deps.accounts
    return await ui.pressed_and_found(
        update, context.t, kind, lambda p: accounts.account(context.user.id, p.slot)
    )


_OfService = TypeVar("_OfService", ServiceCard, ServiceMore)


async def _pressed_service(
    update: Update, context: BotContext, kind: type[_OfService]
) -> tuple[_OfService, CatalogIndex, Service] | None:
    """The pressed button's data, the user's catalog and the service it names; None for a
    stale button or no catalog, or after saying the service is gone."""
    loaded = await _pressed_with_index(update, context, kind)
    if loaded is None:
        return None
    pressed, index = loaded
    found = index.get(pressed.service_id)
    if found is None:
        await ui.answer(update, service_gone(context.t))
        return None
    return pressed, index, found


async def category(update: Update, context: BotContext) -> None:
    loaded = await _pressed_with_index(update, context, CategoryPage)
    if loaded is None:
        return
    pressed, index = loaded
    t = context.t
    if not index.is_current(pressed.version):
        # Positions shift when the panel's catalog changes: never open a different category.
        await ui.answer(update, catalog_changed(t))
        screen = await categories_screen(context, index)
        await ui.show(update, screen.text, pinned(screen.markup, await browsed_slot(context)))
        return
    try:
        screen = render_service_page(
            index, t, pressed.category, pressed.page, view=view_of(context)
        )
    except IndexError:
        await ui.answer(update, button_expired(t))
        return
    await ui.answer(update)
    await ui.show(update, screen.text, pinned(screen.markup, await browsed_slot(context)))


async def service(update: Update, context: BotContext) -> None:
    loaded = await _pressed_service(update, context, ServiceCard)
    if loaded is None:
        return
    pressed, index, found = loaded
    await ui.answer(update)
    await show_card(update, context, index, found, pressed.category, pressed.page)


async def show_card(
    update: Update,
    context: BotContext,
    index: CatalogIndex,
    found: Service,
    category: int,
    page: int,
    *,
    new: bool = False,
) -> None:
    """A service card with its ☆/★; `category` and `page` as in `ServiceCard`; `new`: as a new
    message (from a push, which stays as it was)."""
    t = context.t
    user_id = context.user.id
    shown = await browsed_slot(context)
    currency = await shown_currency(context, shown)
    back = catalog_keyboards.card_back(t, category, page, index.version)
    screen = render_service_card(found, t, currency, back, (category, page))
    markup = screen.markup
    if plan_for(found) is not None:
        # A favourite is a quick way to order it: a type the bot cannot order gets no ☆.
        favourite = await context.deps.favourites.is_favourite(user_id, found.id)
        star = star_button(t, found.id, category, page, favourite=favourite)
        markup = before_last(markup, [[star]])
    accounts = await context.deps.accounts.accounts(user_id)
    home = shown or next((a.slot for a in accounts if a.is_default), None)
    muted = None if home is None else await context.deps.prices.mute_state(user_id, home, found.id)
    if home is not None and muted is not None:
        # A watched service (starred, or ordered lately on this panel): 🔕 its price alerts.
        mute = price_mute_button(t, home, found.id, category, page, muted=muted)
        markup = before_last(markup, [[mute]])
    if home is not None and len(accounts) > 1:
        # Several panels: ⚖️ Compare with similar services on the others.
        markup = with_compare(t, markup, home, found.id)
    await (ui.send if new else ui.show)(update, screen.text, pinned(markup, shown))


async def shown_currency(context: BotContext, slot: int | None) -> str | None:
    """The currency of the panel a card is on (None: the default's, cached): another
    panel's prices are in its own currency."""
    if slot is None:
        return await context.deps.currencies.currency(context.user.id)
    try:
        return (await context.deps.accounts.balance(context.user.id, slot)).currency_text
    except (NoKey, PanelError):
        return None  # the card goes without a currency sign rather than with a wrong one


async def description_part(update: Update, context: BotContext) -> None:
    """📖 More: the next part of a long description, in place of the card (« Back returns)."""
    loaded = await _pressed_service(update, context, ServiceMore)
    if loaded is None:
        return
    pressed, _, found = loaded
    t = context.t
    screen = render_description_part(t, found, pressed)
    if screen is None:
        await ui.answer(update, button_expired(t))
        return
    await ui.answer(update)
    await ui.show(update, screen.text, pinned(screen.markup, await browsed_slot(context)))


async def refresh(update: Update, context: BotContext) -> None:
    loaded = await browse_index(update, context, force=True)
    if loaded is None:
        return
    index, slot = loaded
    await context.deps.currencies.currency(context.user.id, force=True)
    await ui.answer(update, refreshed(context.t))
    screen = await categories_screen(context, index)
    await ui.show(update, screen.text, pinned(screen.markup, slot))


async def search_page(update: Update, context: BotContext) -> None:
    pressed = callback_of(update, SearchPage)
    query = context.state.catalog_search
    if pressed is None or not query:
        await ui.answer(update, button_expired(context.t))
        return
    if await search_every_panel(update, context, query):
        return  # several panels: « Back from a card leads to the results on every panel
    await show_search(update, context, query, pressed.page)


async def panel_service(update: Update, context: BotContext) -> None:
    """A result of /services <words> over every panel: the service's card on its panel,
    which /services now shows (looking is not choosing: the ★ default stays)."""
    named = await pressed_account(update, context, PanelServiceCard)
    if named is None:
        return
    pressed, account = named
    index = await load_index(update, context, slot=account.slot)
    if index is None:
        return
    found = index.get(pressed.service_id)
    if found is None:
        await ui.answer(update, service_gone(context.t))
        return
    browse(context, None if account.is_default else account.slot)
    await ui.answer(update)
    await show_card(update, context, index, found, -1, 0)


def handlers() -> list[AnyHandler]:
    return [
        CommandHandler("services", services_command),
        CallbackQueryHandler(categories, pattern=menu_pattern("services")),
        on_press(categories, CategoriesPage),
        on_press(category, CategoryPage),
        on_press(service, ServiceCard),
        on_press(description_part, ServiceMore),
        on_press(refresh, RefreshCatalog),
        on_press(search_page, SearchPage),
        on_press(browse_panel, PanelBrowse),
        on_press(panel_service, PanelServiceCard),
        on_press(make_browsed_default, BrowseMakeDefault),
    ]
