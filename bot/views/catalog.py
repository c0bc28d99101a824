"""/services screens: categories → services of a category → service card, and search results.

Every screen is built from a `CatalogIndex` (no Telegram calls), so benchmarks can time page
rendering on big catalogs.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton

from bot import keyboards
from bot.callbacks import CallbackData
from bot.i18n import N_, Translator
from bot.panel import Service
from bot.services.catalog_index import CatalogIndex, paginate
from bot.services.order_types import OrderKind, order_kind
from bot.views.screen import Screen
from bot.views.text import esc

# Button labels past this get cut: phones show ~35 characters, Telegram allows more.
LABEL_MAX = 60
SEARCH_LIMIT = 200
DESCRIPTION_MAX = 1500


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


def refreshed(t: Translator) -> str:
    return t._("Catalog refreshed.")


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
        category=esc(name),
    )
    entries = [(s.id, service_label(s, t)) for s in shown.items]
    markup = keyboards.catalog_services(
        t, entries, category_index, shown.page, shown.pages, index.version
    )
    return Screen(text, markup)


def catalog_changed(t: Translator) -> str:
    """An alert: positions shift when the panel's catalog changes, so the old list is gone."""
    return t._("The catalog has changed since. Here is the current list.")


def render_search_page(
    index: CatalogIndex,
    t: Translator,
    query: str,
    page: int = 0,
    back: CallbackData | None = None,
) -> Screen:
    """Results of `query`; `back`: where "« Back" leads (None: the categories)."""
    found = index.search(query, limit=SEARCH_LIMIT)
    shown = paginate(found, page, keyboards.PAGE_SIZE)
    if not found:
        text = t._("🔎 Nothing found for “{query}”.", query=esc(query))
    else:
        text = t.ngettext(
            "🔎 {n} service found for “{query}”:",
            "🔎 {n} services found for “{query}”:",
            len(found),
            query=esc(query),
        )
        if len(found) >= SEARCH_LIMIT:
            text += "\n" + t._(
                "Only the first {limit} are shown; add words to narrow it down.",
                limit=SEARCH_LIMIT,
            )
    entries = [(s.id, service_label(s, t)) for s in shown.items]
    return Screen(text, keyboards.catalog_search(t, entries, shown.page, shown.pages, back))


# The standard API's service types by `OrderKind` value; a type not listed shows as the panel
# wrote it. ("comment replies" by its value, so the name is there whenever the kind is.)
TYPE_NAMES: dict[str, str] = {
    OrderKind.DEFAULT.value: N_("Default"),
    OrderKind.PACKAGE.value: N_("Package"),
    OrderKind.CUSTOM_COMMENTS.value: N_("Custom Comments"),
    OrderKind.CUSTOM_COMMENTS_PACKAGE.value: N_("Custom Comments Package"),
    OrderKind.MENTIONS.value: N_("Mentions"),
    OrderKind.MENTIONS_WITH_HASHTAGS.value: N_("Mentions with Hashtags"),
    OrderKind.MENTIONS_CUSTOM_LIST.value: N_("Mentions Custom List"),
    OrderKind.MENTIONS_HASHTAG.value: N_("Mentions Hashtag"),
    OrderKind.MENTIONS_USER_FOLLOWERS.value: N_("Mentions User Followers"),
    OrderKind.MENTIONS_MEDIA_LIKES.value: N_("Mentions Media Likes"),
    OrderKind.COMMENT_LIKES.value: N_("Comment Likes"),
    OrderKind.POLL.value: N_("Poll"),
    OrderKind.SUBSCRIPTIONS.value: N_("Subscriptions"),
    OrderKind.INVITES_FROM_GROUPS.value: N_("Invites from Groups"),
    "comment replies": N_("Comment Replies"),
}


def type_name(t: Translator, service_type: str) -> str:
    """A service's type in the user's language (plain text)."""
    kind = order_kind(service_type)
    name = TYPE_NAMES.get(kind.value) if kind is not None else None
    return t._(name) if name is not None else service_type


def _yes_no(t: Translator, value: bool) -> str:
    return t._("yes") if value else t._("no")


def render_service_card(
    service: Service,
    t: Translator,
    currency: str | None,
    back: InlineKeyboardButton,
) -> Screen:
    lines = [
        f"<b>#{service.id} {esc(service.name)}</b>",
        t._("Category: {category}", category=esc(service.category)),
        t._("Type: {type}", type=esc(type_name(t, service.type))),
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
        lines.append(f"<i>{esc(_cut(service.description.strip(), DESCRIPTION_MAX))}</i>")
    return Screen("\n".join(lines), keyboards.service_card(t, service.id, back))


def service_gone(t: Translator) -> str:
    return t._("This service is no longer offered.")
