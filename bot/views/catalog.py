"""/services screens: categories → services of a category → service card, and search results.

Every screen is built from a `CatalogIndex` (no Telegram calls), so benchmarks can time page
rendering on big catalogs.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton

from bot.callbacks.base import CallbackData
from bot.callbacks.catalog import ServiceMore
from bot.i18n import N_, Translator
from bot.keyboards import catalog as catalog_keyboards
from bot.keyboards import layout
from bot.panel.models import Service
from bot.panel.text import PanelText
from bot.services.catalog_index import CatalogIndex, paginate
from bot.services.catalog_options import PLAIN, CatalogOptions
from bot.services.order_types import OrderKind, order_kind, plan_for
from bot.views.catalog_extras import average_time_line, search_lines, with_view
from bot.views.screen import Screen
from bot.views.text import cut, esc, fit_label

SEARCH_LIMIT = 200
# The card shows this much of a description (visible characters); 📖 More shows the rest.
DESCRIPTION_MAX = 1500
# ... and at most this much of it as HTML, so the whole card stays within one message.
DESCRIPTION_HTML_MAX = 2500
# One further part of a description, as HTML: with its header it fits one 4,096-char message.
PART_HTML_MAX = 3500
# Full names in a list's text: long enough for any real name, short enough for eight of them.
LISTED_NAME_MAX = 250
_ESCAPED_LENGTH = {"&": 5, "<": 4, ">": 4}


def service_label(service: Service, t: Translator, category: PanelText | None = None) -> str:
    """ "12.50 · Instagram Takipçi #12": price first, the name cut to fit a phone's button; on
    a category's page without the category every name there repeats ("12.50 · Takipçi #12"
    under Instagram), so the words that tell services apart get the room."""
    # A label is plain text, not HTML: the panel's words as they are.
    name = service.name_text
    name = without_prefix(name, category.plain) if category else name
    return fit_label(f"{t.money(service.rate, None)} · ", name, f" #{service.id}")


def without_prefix(name: str, prefix: str) -> str:
    """`name` without a leading `prefix` word or words (any case) and the separator after it;
    `name` itself when that would leave nothing."""
    head, rest = name[: len(prefix)], name[len(prefix) :]
    if head.casefold() != prefix.casefold() or rest[:1] not in (" ", "-", "|", ":", "·"):
        return name
    return rest.lstrip(" -|:·") or name


def category_label(name: PanelText, count: int, t: Translator) -> str:
    """ "Instagram (50)": the count always survives, the name is cut."""
    return fit_label("", name.plain, f" ({t.number(count)})")


def _listing(lines: Sequence[str]) -> str:
    """Full names under a list's title: the buttons show only what fits a phone."""
    return "\n\n" + "\n".join(lines) if lines else ""


def service_lines(services: Sequence[Service]) -> list[str]:
    """One line per listed service with its whole name, which its button may have cut."""
    return [f"<b>#{s.id}</b> {esc(cut(s.name_text, LISTED_NAME_MAX))}" for s in services]


def render_category_page(index: CatalogIndex, t: Translator, page: int = 0) -> Screen:
    # Only the page's categories become `PanelText`, not the whole catalog's at every render.
    categories = index.category_texts
    shown = paginate(range(len(categories)), page, layout.PAGE_SIZE)
    entries = [
        (i, category_label(index.category(i), len(index.services_in(i)), t)) for i in shown.items
    ]
    # Names cut on their buttons are listed whole in the text.
    cut_names = [
        esc(cut(categories[i], LISTED_NAME_MAX))
        for i, label in entries
        if not label.startswith(categories[i])
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
        text += _listing(cut_names)
    return Screen(
        text,
        catalog_keyboards.catalog_categories(t, entries, shown.page, shown.pages, index.version),
    )


def refreshed(t: Translator) -> str:
    return t._("Catalog refreshed.")


def render_service_page(
    index: CatalogIndex,
    t: Translator,
    category_index: int,
    page: int = 0,
    view: CatalogOptions = PLAIN,
) -> Screen:
    """Services of one category, as `view` sorts and filters them; `IndexError` when the
    category does not exist."""
    services = index.services_in(category_index)
    listed = view.apply(services)
    shown = paginate(listed, page, layout.PAGE_SIZE)
    name = index.category(category_index)
    text = t.ngettext(
        "<b>{category}</b> — {n} service. Choose one:",
        "<b>{category}</b> — {n} services. Choose one:",
        len(services),
        category=esc(name),
    )
    text += _listing(service_lines(shown.items))
    entries = [(s.id, service_label(s, t, name)) for s in shown.items]
    markup = catalog_keyboards.catalog_services(
        t, entries, category_index, shown.page, shown.pages, index.version
    )
    return with_view(
        Screen(text, markup),
        t,
        view,
        shown=len(listed),
        total=len(services),
        category=category_index,
        version=index.version,
    )


def catalog_changed(t: Translator) -> str:
    """An alert: positions shift when the panel's catalog changes, so the old list is gone."""
    return t._("The catalog has changed since. Here is the current list.")


def search_limit(index: CatalogIndex, view: CatalogOptions) -> int:
    """How many matches a search page is built from: sorted or filtered, the first
    SEARCH_LIMIT come from every match, not from the first ones."""
    return SEARCH_LIMIT if view.plain else len(index)


def render_search_page(
    index: CatalogIndex,
    t: Translator,
    query: str,
    page: int = 0,
    back: CallbackData | None = None,
    view: CatalogOptions = PLAIN,
    matches: Sequence[Service] | None = None,
) -> Screen:
    """Results of `query` as `view` sorts and filters them, each with its category; `back`:
    where "« Back" leads (None: the categories). `matches`: the search's result when the
    caller ran it (in slices, `CatalogIndex.search_sliced`, up to `search_limit`)."""
    if matches is None:
        matches = index.search(query, limit=search_limit(index, view))
    found = view.apply(matches)[:SEARCH_LIMIT]
    shown = paginate(found, page, layout.PAGE_SIZE)
    if not matches:
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
    if shown.items:
        text += "\n\n" + search_lines(t, shown.items)
    entries = [(s.id, service_label(s, t)) for s in shown.items]
    return with_view(
        Screen(text, catalog_keyboards.catalog_search(t, entries, shown.page, shown.pages, back)),
        t,
        view,
        shown=len(found),
        total=len(matches),
        category=-1,
        version=index.version,
    )


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


def _yes_no(t: Translator, value: bool | None) -> str:
    if value is None:
        return t._("not stated")
    return t._("yes") if value else t._("no")


def description_parts(description: PanelText | None) -> list[PanelText]:
    """The description as the card shows it (first), then the parts 📖 More shows: each
    still the panel's text, to be escaped where it is shown.

    Cut at a line break or space where one is near, and by length of the escaped HTML too
    (an "&" takes five characters), so every part's message stays within Telegram's limit.
    """
    text = "" if description is None else description.plain.strip()
    parts: list[PanelText] = []
    while text:
        first = not parts
        end = _part_end(
            text,
            DESCRIPTION_MAX if first else PART_HTML_MAX,
            DESCRIPTION_HTML_MAX if first else PART_HTML_MAX,
        )
        parts.append(PanelText(text[:end].rstrip()))
        text = text[end:].lstrip()
    return parts


def _part_end(text: str, visible: int, escaped: int) -> int:
    """Where the part starting `text` ends: within both limits, at a break if one is near."""
    end = used = 0
    for char in text[:visible]:
        used += _ESCAPED_LENGTH.get(char, 1)
        if used > escaped:
            break
        end += 1
    if end >= len(text):
        return len(text)
    for breaks in ("\n", " "):
        at = text.rfind(breaks, 0, end)
        if at > end // 2:
            return at + 1
    return end


def unorderable_note(t: Translator, service: Service) -> str | None:
    """Why a card has no 🛒 Order: a type the bot cannot order (None: it can)."""
    if plan_for(service) is not None:
        return None
    return "⚠️ " + t._(
        "I cannot order services of the type “{type}”, so this one has no Order button.",
        type=esc(service.type),
    )


def quantity_line(t: Translator, service: Service) -> str:
    """The quantity range; a package has none (the panel lists it as 1–1)."""
    plan = plan_for(service)
    if plan is not None and plan.per_package:
        return t._("Quantity: fixed package")
    return t._("Quantity: {min}–{max}", min=t.number(service.min), max=t.number(service.max))


def render_service_card(
    service: Service,
    t: Translator,
    currency: str | None,
    back: InlineKeyboardButton,
    origin: tuple[int, int] = (-1, 0),
) -> Screen:
    """The card; `origin`: the (category, page) `back` leads to, kept by 📖 More's pages."""
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
    lines.append(quantity_line(t, service))
    lines.append(
        t._(
            "Refill: {refill} · Cancel: {cancel}",
            refill=_yes_no(t, service.refill),
            cancel=_yes_no(t, service.cancel),
        )
    )
    if service.dripfeed is not None:
        lines.append(t._("Drip-feed: {dripfeed}", dripfeed=_yes_no(t, service.dripfeed)))
    average = average_time_line(t, service)
    if average is not None:
        lines.append(average)
    note = unorderable_note(t, service)
    if note is not None:
        lines.append(note)
    parts = description_parts(service.description)
    more = None
    if parts:
        lines.append("")
        lines.append(f"<i>{esc(parts[0])}{'…' if len(parts) > 1 else ''}</i>")
    if len(parts) > 1:
        more = ServiceMore(service.id, 1, *origin)
    markup = catalog_keyboards.service_card(t, service.id, back, orderable=note is None, more=more)
    return Screen("\n".join(lines), markup)


def render_description_part(t: Translator, service: Service, pressed: ServiceMore) -> Screen | None:
    """Part `pressed.part` of the description after the card's; None when there is no such
    part (the panel changed the description since)."""
    parts = description_parts(service.description)
    if not 1 <= pressed.part < len(parts):
        return None
    text = "\n".join(
        [
            f"<b>#{service.id} {esc(cut(service.name_text, LISTED_NAME_MAX))}</b>",
            t._(
                "📖 Description, part {n} of {total}",
                n=t.number(pressed.part + 1),
                total=t.number(len(parts)),
            ),
            "",
            f"<i>{esc(parts[pressed.part])}</i>",
        ]
    )
    markup = catalog_keyboards.service_description(
        t, pressed, len(parts) - 1, orderable=plan_for(service) is not None
    )
    return Screen(text, markup)


def service_gone(t: Translator) -> str:
    return t._("This service is no longer offered.")
