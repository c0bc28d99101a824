"""/services: categories → services of a category → service card, and `/services <words>`.

Every screen is built by a pure `render_*` function from a `CatalogIndex` (no Telegram calls),
so benchmarks can time page rendering on big catalogs. Navigation edits the pressed message.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import keyboards
from bot.callbacks import (
    CategoriesPage,
    CategoryPage,
    RefreshCatalog,
    SearchPage,
    ServiceCard,
    callback_of,
)
from bot.deps import BotContext
from bot.handlers import ui
from bot.handlers.dialog import AnyHandler
from bot.handlers.errors import reply_panel_error
from bot.handlers.menu import menu_pattern
from bot.i18n import Translator
from bot.panel import PanelError, Service
from bot.services.catalog import CatalogIndex, paginate
from bot.services.keys import NoKey
from bot.services.order_types import OrderKind, order_kind

# Button labels past this get cut: phones show ~35 characters, Telegram allows more.
LABEL_MAX = 60
SEARCH_LIMIT = 200
DESCRIPTION_MAX = 1500
# user_data key of the last search, for its page buttons (search text only: small, no secrets).
SEARCH_KEY = "catalog_search"


@dataclass(frozen=True, slots=True)
class Screen:
    text: str
    markup: InlineKeyboardMarkup


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def service_label(service: Service, t: Translator) -> str:
    """ "#12 Instagram Takipçi — 12.50": the price always survives the cut, the name is clipped."""
    price = f" — {t.money(service.rate, None)}"
    head = f"#{service.id} "
    return head + _cut(service.name, max(8, LABEL_MAX - len(head) - len(price))) + price


def render_category_page(index: CatalogIndex, t: Translator, page: int = 0) -> Screen:
    categories = index.categories
    shown = paginate(range(len(categories)), page, keyboards.PAGE_SIZE)
    entries = [
        (i, _cut(f"{categories[i]} ({len(index.services_in(i))})", LABEL_MAX)) for i in shown.items
    ]
    if not categories:
        text = t._("The panel lists no services right now.")
    else:
        text = t._(
            "🛍 <b>Services</b>: {services} in {categories}. Choose a category:",
            services=t.ngettext("{n} service", "{n} services", len(index), n=t.number(len(index))),
            categories=t.ngettext(
                "{n} category", "{n} categories", len(categories), n=t.number(len(categories))
            ),
        )
        text += "\n" + t._("Tip: send /services and a few words to search by name.")
    return Screen(
        text, keyboards.catalog_categories(t, entries, shown.page, shown.pages, index.version)
    )


def render_service_page(
    index: CatalogIndex, t: Translator, category_index: int, page: int = 0
) -> Screen:
    """Services of one category; `IndexError` when the category does not exist."""
    services = index.services_in(category_index)
    shown = paginate(services, page, keyboards.PAGE_SIZE)
    name = index.categories[category_index]
    text = t.ngettext(
        "<b>{category}</b> — {n} service. Choose one:",
        "<b>{category}</b> — {n} services. Choose one:",
        len(services),
        category=ui.esc(name),
    )
    entries = [(s.id, service_label(s, t)) for s in shown.items]
    markup = keyboards.catalog_services(
        t, entries, category_index, shown.page, shown.pages, index.version
    )
    return Screen(text, markup)


def render_search_page(index: CatalogIndex, t: Translator, query: str, page: int = 0) -> Screen:
    found = index.search(query, limit=SEARCH_LIMIT)
    shown = paginate(found, page, keyboards.PAGE_SIZE)
    if not found:
        text = t._("🔎 Nothing found for “{query}”.", query=ui.esc(query))
    else:
        text = t.ngettext(
            "🔎 {n} service found for “{query}”:",
            "🔎 {n} services found for “{query}”:",
            len(found),
            query=ui.esc(query),
        )
        if len(found) >= SEARCH_LIMIT:
            text += "\n" + t._(
                "Only the first {limit} are shown; add words to narrow it down.",
                limit=SEARCH_LIMIT,
            )
    entries = [(s.id, service_label(s, t)) for s in shown.items]
    return Screen(text, keyboards.catalog_search(t, entries, shown.page, shown.pages))


def _yes_no(t: Translator, value: bool) -> str:
    return t._("yes") if value else t._("no")


def render_service_card(
    service: Service,
    t: Translator,
    currency: str | None,
    back: InlineKeyboardButton,
) -> Screen:
    lines = [
        f"<b>#{service.id} {ui.esc(service.name)}</b>",
        t._("Category: {category}", category=ui.esc(service.category)),
        t._("Type: {type}", type=ui.esc(service.type or "Default")),
    ]
    rate = t.money(service.rate, currency)
    if order_kind(service.type) in {OrderKind.PACKAGE, OrderKind.CUSTOM_COMMENTS_PACKAGE}:
        lines.append(t._("Price: {rate} per package", rate=rate))
    else:
        lines.append(t._("Rate: {rate} per 1000", rate=rate))
    lines.append(t._("Quantity: {min}–{max}", min=t.number(service.min), max=t.number(service.max)))
    lines.append(
        t._(
            "Refill: {refill} · Cancel: {cancel}",
            refill=_yes_no(t, service.refill),
            cancel=_yes_no(t, service.cancel),
        )
    )
    if service.dripfeed is not None:
        lines.append(t._("Drip-feed: {dripfeed}", dripfeed=_yes_no(t, service.dripfeed)))
    if service.description:
        lines.append("")
        lines.append(f"<i>{ui.esc(_cut(service.description.strip(), DESCRIPTION_MAX))}</i>")
    return Screen("\n".join(lines), keyboards.service_card(t, service.id, back))


# --- handlers ------------------------------------------------------------------------------


async def load_index(
    update: Update, context: BotContext, *, force: bool = False
) -> CatalogIndex | None:
    """The user's catalog, or None after telling them why there is none (no key, panel down)."""
    try:
        return await context.deps.catalog.get(context.user.id, force=force)
    except (NoKey, PanelError) as exc:
        await ui.answer(update)
        await reply_panel_error(update, context, exc, edit=True)
        return None


async def show_categories(update: Update, context: BotContext, page: int = 0) -> None:
    index = await load_index(update, context)
    if index is None:
        return
    await ui.answer(update)
    screen = render_category_page(index, context.t, page)
    await ui.show(update, screen.text, screen.markup)


async def show_search(update: Update, context: BotContext, query: str, page: int = 0) -> None:
    index = await load_index(update, context)
    if index is None:
        return
    if context.user_data is not None:
        context.user_data[SEARCH_KEY] = query[:200]
    await ui.answer(update)
    screen = render_search_page(index, context.t, query, page)
    await ui.show(update, screen.text, screen.markup)


async def services_command(update: Update, context: BotContext) -> None:
    query = " ".join(context.args or []).strip()
    if query:
        await show_search(update, context, query)
    else:
        await show_categories(update, context)


async def categories(update: Update, context: BotContext) -> None:
    pressed = callback_of(update, CategoriesPage)  # None for the menu's "Services"
    await show_categories(update, context, pressed.page if pressed is not None else 0)


async def category(update: Update, context: BotContext) -> None:
    pressed = callback_of(update, CategoryPage)
    if pressed is None:
        return
    index = await load_index(update, context)
    if index is None:
        return
    t = context.t
    if not index.is_current(pressed.version):
        # Positions shift when the panel's catalog changes: never open a different category.
        await ui.answer(update, t._("The catalog has changed since. Here is the current list."))
        screen = render_category_page(index, t)
        await ui.show(update, screen.text, screen.markup)
        return
    try:
        screen = render_service_page(index, t, pressed.category, pressed.page)
    except IndexError:
        await ui.answer(update, t._("This button has expired."))
        return
    await ui.answer(update)
    await ui.show(update, screen.text, screen.markup)


async def service(update: Update, context: BotContext) -> None:
    pressed = callback_of(update, ServiceCard)
    if pressed is None:
        return
    index = await load_index(update, context)
    if index is None:
        return
    t = context.t
    found = index.get(pressed.service_id)
    if found is None:
        await ui.answer(update, t._("This service is no longer offered."))
        return
    await ui.answer(update)
    currency = await context.deps.currencies.currency(context.user.id)
    back = keyboards.card_back(t, pressed.category, pressed.page, index.version)
    screen = render_service_card(found, t, currency, back)
    await ui.show(update, screen.text, screen.markup)


async def refresh(update: Update, context: BotContext) -> None:
    index = await load_index(update, context, force=True)
    if index is None:
        return
    await context.deps.currencies.currency(context.user.id, force=True)
    await ui.answer(update, context.t._("Catalog refreshed."))
    screen = render_category_page(index, context.t)
    await ui.show(update, screen.text, screen.markup)


async def search_page(update: Update, context: BotContext) -> None:
    pressed = callback_of(update, SearchPage)
    query = context.user_data.get(SEARCH_KEY) if context.user_data is not None else None
    if pressed is None or not isinstance(query, str) or not query:
        await ui.answer(update, context.t._("This button has expired."))
        return
    await show_search(update, context, query, pressed.page)


def handlers() -> list[AnyHandler]:
    return [
        CommandHandler("services", services_command),
        CallbackQueryHandler(categories, pattern=menu_pattern("services")),
        CallbackQueryHandler(categories, pattern=CategoriesPage.pattern()),
        CallbackQueryHandler(category, pattern=CategoryPage.pattern()),
        CallbackQueryHandler(service, pattern=ServiceCard.pattern()),
        CallbackQueryHandler(refresh, pattern=RefreshCatalog.pattern()),
        CallbackQueryHandler(search_page, pattern=SearchPage.pattern()),
    ]
