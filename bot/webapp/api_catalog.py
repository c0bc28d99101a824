"""The catalog page's API: every linked panel's services at once, a card, ⚖️ Compare, ★.

`GET api/catalog` sends each panel's whole catalog in a compact form (a row of plain values per
service, categories by position): the page searches, filters and sorts it itself, so typing never
waits for the network. Cards, comparisons and favourites are the chat's: the same services
(`CatalogService`, `CompareService`, `FavouritesService`) and the same card lines, turned from
Telegram HTML into plain text (the page sets text, never HTML).
"""

from __future__ import annotations

import asyncio
import html
import re
from collections import OrderedDict
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from telegram import InlineKeyboardButton

from bot.i18n import N_, Translator
from bot.panel.errors import PanelError
from bot.panel.models import Balance, Service
from bot.services.accounts import NoKey
from bot.services.catalog_index import CatalogIndex
from bot.services.compare import Offer
from bot.services.order_types import OrderKind, order_kind, plan_for
from bot.storage.models import PanelAccount
from bot.views.catalog import render_service_card
from bot.views.catalog_extras import starred_alert
from bot.views.compare import offer_details
from bot.views.errors import panel_error_text
from bot.views.text import esc
from bot.webapp.api import ApiError, ApiHandler, WebAppContext

TEXTS: Mapping[str, str] = {
    "search_placeholder": N_("Search every panel…"),
    "all_panels": N_("All panels"),
    "all_categories": N_("All categories"),
    "sort_none": N_("⇅ Sort by price"),
    "sort_asc": N_("✅ Price: low → high"),
    "sort_desc": N_("✅ Price: high → low"),
    "refill_only": N_("Refill only"),
    "cancel_only": N_("Cancel only"),
    "favourites": N_("★ Favourites"),
    "recent": N_("🕘 Recent"),
    "found": N_("Services found: {n}"),
    "no_match": N_("No service here matches the filters."),
    "per_1000": N_("{rate} per 1000"),
    "per_package": N_("{rate} per package"),
    "back": N_("« Back"),
    "order": N_("🛒 Order"),
    "compare": N_("⚖️ Compare"),
    "star": N_("☆ Add to favourites"),
    "unstar": N_("★ Remove favourite"),
    "this_card": N_("This card:"),
    "in_currency": N_("In {currency}:"),
    "no_similar": N_("No similar service on your other panels."),
    "show_more": N_("Show more"),
    "refill_yes": N_("refill ✓"),
    "cancel_yes": N_("cancel ✓"),
    "silent": N_("Not answering now: {panels}"),
}

# Flags of a service row, one bit each (the page reads them with the same numbers).
REFILL, REFILL_UNSTATED, CANCEL, CANCEL_UNSTATED, DRIPFEED, ORDERABLE, PER_PACKAGE = (
    1 << n for n in range(7)
)
_PACKAGES = frozenset({OrderKind.PACKAGE, OrderKind.CUSTOM_COMMENTS_PACKAGE})
# A comparison lists this many similar services at most (the chat shows 8).
MAX_APP_OFFERS = 30
_TAG = re.compile(r"<[^<>]*>")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def plain_text(telegram_html: str) -> str:
    """Telegram HTML of the chat's views as plain text: tags dropped, entities read."""
    return html.unescape(_TAG.sub("", _BREAK.sub("\n", telegram_html))).strip()


def type_flags(service_type: str) -> int:
    """ORDERABLE and PER_PACKAGE, which depend on the type alone (`plan_for` refuses exactly
    the types `order_kind` does not know)."""
    kind = order_kind(service_type)
    return (ORDERABLE if kind is not None else 0) | (PER_PACKAGE if kind in _PACKAGES else 0)


def flags_of(service: Service, of_type: int) -> int:
    return (
        of_type
        | (REFILL if service.refill else 0)
        | (REFILL_UNSTATED if service.refill is None else 0)
        | (CANCEL if service.cancel else 0)
        | (CANCEL_UNSTATED if service.cancel is None else 0)
        | (DRIPFEED if service.dripfeed else 0)
    )


def service_rows(index: CatalogIndex) -> list[list[Any]]:
    """[id, name, category position, rate (the panel's decimal text), min, max, flags, search
    key]: the key is the chat's own folding (`CatalogIndex.search_keys`), so the page matches
    exactly as /services does and spends no time folding 15,000 names on opening."""
    positions = {name: n for n, name in enumerate(index.category_texts)}
    # A catalog has a handful of types: folding each once, not 5,000 times.
    types = {t: type_flags(t) for t in {s.type for s in index.services}}
    return [
        [s.id, s.name_text, positions[s.category_text], str(s.rate), s.min, s.max, flags, key]
        for s, key in zip(index.services, index.search_keys, strict=True)
        for flags in (flags_of(s, types[s.type]),)
    ]


class RowsCache:
    """The rows of the last catalogs sent, by catalog version: a page opened again, or by
    another user of the same catalog, costs no rebuild (a few hundred KB each)."""

    __slots__ = ("_rows", "_size")

    def __init__(self, size: int = 16) -> None:
        self._rows: OrderedDict[str, list[list[Any]]] = OrderedDict()
        self._size = size

    def rows(self, index: CatalogIndex) -> list[list[Any]]:
        found = self._rows.get(index.version)
        if found is None:
            found = self._rows[index.version] = service_rows(index)
            while len(self._rows) > self._size:
                self._rows.popitem(last=False)
        self._rows.move_to_end(index.version)
        return found


class PanelCatalog(BaseModel):
    slot: int
    name: str
    currency: str | None
    is_default: bool
    # Why this panel's catalog is missing (its own words, translated); the others still show.
    error: str | None = None
    categories: list[str] = Field(default_factory=list)
    services: list[list[Any]] = Field(default_factory=list)


class CatalogAnswer(BaseModel):
    panels: list[PanelCatalog]
    # On the default panel, as the chat's quick picks (ids; names come from its catalog).
    favourites: list[int]
    recent: list[int]
    # No panel linked: what to do about it.
    message: str | None = None


class ServiceRef(BaseModel):
    slot: int
    id: int


class ServiceCard(BaseModel):
    slot: int
    id: int
    panel: str
    name: str
    lines: list[str]
    description: str | None
    favourite: bool | None  # None: no ☆ here (not the default panel's, or not orderable)
    orderable: bool
    comparable: bool


class OfferOut(BaseModel):
    slot: int
    panel: str
    id: int
    name: str
    currency: str | None
    details: str


class CompareAnswer(BaseModel):
    title: str
    note: str
    base: OfferOut
    offers: list[OfferOut]
    silent: list[str]


class FavouriteRequest(BaseModel):
    service_id: int
    on: bool


class FavouriteAnswer(BaseModel):
    favourite: bool
    message: str


class CatalogHandler(ApiHandler):
    def initialize(self, ctx: WebAppContext, rows: RowsCache) -> None:  # type: ignore[override]
        super().initialize(ctx)
        self._rows = rows

    async def get(self) -> None:
        deps, caller = self.deps, self.caller
        accounts = await deps.accounts.accounts(caller.id)
        if not accounts:
            message = plain_text(panel_error_text(caller.t, NoKey()))
            self.reply(CatalogAnswer(panels=[], favourites=[], recent=[], message=message))
            return
        panels = await asyncio.gather(*(self._panel(a) for a in accounts))
        default = next((a for a in accounts if a.is_default), accounts[0])
        stored = await deps.favourites.stored(caller.id)
        picks = stored.resolve(await self._index_or_empty(default.slot))
        self.reply(
            CatalogAnswer(
                panels=list(panels),
                favourites=[s.id for s in picks.favourites],
                recent=[s.id for s in picks.recent],
            )
        )

    async def _panel(self, account: PanelAccount) -> PanelCatalog:
        user_id, t = self.caller.id, self.caller.t
        index, balance = await asyncio.gather(
            self.deps.catalog.get(user_id, slot=account.slot),
            self._currency(account),
            return_exceptions=True,
        )
        currency = balance if isinstance(balance, str) else None
        panel = PanelCatalog(
            slot=account.slot, name=account.label, currency=currency, is_default=account.is_default
        )
        if isinstance(index, PanelError | NoKey):
            panel.error = plain_text(panel_error_text(t, index))
        elif isinstance(index, BaseException):
            raise index
        else:
            panel.categories = list(index.category_texts)
            panel.services = self._rows.rows(index)
        return panel

    async def _currency(self, account: PanelAccount) -> str | None:
        return await currency_of(self, account)

    async def _index_or_empty(self, slot: int) -> CatalogIndex:
        try:
            return await self.deps.catalog.get(self.caller.id, slot=slot)
        except (PanelError, NoKey):
            return CatalogIndex(())


async def currency_of(handler: ApiHandler, account: PanelAccount) -> str | None:
    """The currency of a panel account's prices: the default's is cached (CurrencyService),
    another's read from its balance, as the chat's cards do."""
    if account.is_default:
        return await handler.deps.currencies.currency(handler.caller.id)
    balance: Balance = await handler.deps.accounts.balance(handler.caller.id, account.slot)
    return balance.currency_text


async def _service_on(handler: ApiHandler, ref: ServiceRef) -> tuple[PanelAccount, Service]:
    """The caller's panel account `ref.slot` and its service `ref.id`; 404 when either is not."""
    account = await handler.deps.accounts.account(handler.caller.id, ref.slot)
    if account is None:
        raise ApiError(HTTPStatus.NOT_FOUND, "no_panel")
    try:
        index = await handler.deps.catalog.get(handler.caller.id, slot=account.slot)
    except (PanelError, NoKey) as exc:
        message = plain_text(panel_error_text(handler.caller.t, exc))
        raise ApiError(HTTPStatus.BAD_GATEWAY, "panel", message) from None
    found = index.get(ref.id)
    if found is None:
        raise ApiError(HTTPStatus.NOT_FOUND, "no_service")
    return account, found


def _ref(handler: ApiHandler) -> ServiceRef:
    try:
        query = {name: handler.get_query_argument(name, "") for name in ("slot", "id")}
        return ServiceRef.model_validate(query)
    except ValidationError:
        raise ApiError(HTTPStatus.BAD_REQUEST, "bad_request") from None


def card_of(t: Translator, service: Service, currency: str | None) -> tuple[list[str], str | None]:
    """The chat's card lines (category, type, rate, limits, refill/cancel, average time) and the
    whole description, as plain text."""
    back = InlineKeyboardButton("«", callback_data="-")
    text = render_service_card(service, t, currency, back).text
    lines = text.split("\n")[1:]
    if "" in lines:
        lines = lines[: lines.index("")]  # the description's first part: sent whole below
    description = plain_text(esc(service.description or ""))
    return [plain_text(line) for line in lines], description or None


class ServiceCardHandler(ApiHandler):
    async def get(self) -> None:
        caller, deps = self.caller, self.deps
        account, service = await _service_on(self, _ref(self))
        try:
            currency = await currency_of(self, account)
        except (PanelError, NoKey):
            currency = None  # the card goes without a currency sign rather than a wrong one
        lines, description = card_of(caller.t, service, currency)
        orderable = plan_for(service) is not None
        favourite = (
            await deps.favourites.is_favourite(caller.id, service.id)
            if account.is_default and orderable
            else None
        )
        accounts = await deps.accounts.accounts(caller.id)
        self.reply(
            ServiceCard(
                slot=account.slot,
                id=service.id,
                panel=account.label,
                name=service.name_text,
                lines=lines,
                description=description,
                favourite=favourite,
                orderable=orderable,
                comparable=len(accounts) > 1,
            )
        )


def offer_out(t: Translator, offer: Offer) -> OfferOut:
    return OfferOut(
        slot=offer.slot,
        panel=offer.panel,
        id=offer.service.id,
        name=offer.service.name_text,
        currency=offer.currency,
        details=plain_text(offer_details(t, offer)),
    )


class CompareHandler(ApiHandler):
    async def get(self) -> None:
        ref = _ref(self)
        t = self.caller.t
        try:
            comparison = await self.deps.compare.compare(self.caller.id, ref.slot, ref.id)
        except NoKey:
            raise ApiError(HTTPStatus.NOT_FOUND, "no_panel") from None
        except LookupError:
            raise ApiError(HTTPStatus.NOT_FOUND, "no_service") from None
        except PanelError as exc:
            message = plain_text(panel_error_text(t, exc))
            raise ApiError(HTTPStatus.BAD_GATEWAY, "panel", message) from None
        self.reply(
            CompareAnswer(
                # The chat's own headings (bot/views/compare.py), as plain text.
                title=plain_text(
                    t._(
                        "⚖️ <b>Similar services</b> on your panels, by currency, closest and "
                        "cheapest first"
                    )
                ),
                note=t._(
                    "Similar, not the same: matched by type, quantity range, platform and kind."
                ),
                base=offer_out(t, comparison.base),
                offers=[offer_out(t, o) for o in comparison.offers[:MAX_APP_OFFERS]],
                silent=comparison.silent,
            )
        )


class FavouriteHandler(ApiHandler):
    async def post(self) -> None:
        asked = self.parse(FavouriteRequest)
        caller, deps = self.caller, self.deps
        if not asked.on:
            # Also for a service the panel stopped listing: taking it off needs no catalog.
            await deps.favourites.unstar(caller.id, asked.service_id)
            message = plain_text(starred_alert(caller.t, None))
            self.reply(FavouriteAnswer(favourite=False, message=message))
            return
        default = next((a for a in await deps.accounts.accounts(caller.id) if a.is_default), None)
        if default is None:
            raise ApiError(HTTPStatus.NOT_FOUND, "no_panel")
        ref = ServiceRef(slot=default.slot, id=asked.service_id)
        account, service = await _service_on(self, ref)
        if plan_for(service) is None:
            # As in the chat: a type the bot cannot order gets no ☆.
            raise ApiError(HTTPStatus.BAD_REQUEST, "not_orderable")
        index = await deps.catalog.get(caller.id, slot=account.slot)
        outcome = await deps.favourites.star(caller.id, service.id, index)
        favourite = await deps.favourites.is_favourite(caller.id, service.id)
        message = plain_text(starred_alert(caller.t, outcome))
        self.reply(FavouriteAnswer(favourite=favourite, message=message))


def routes(ctx: WebAppContext) -> list[tuple[str, type[Any], dict[str, Any]]]:
    kwargs = {"ctx": ctx}
    return [
        ("api/catalog", CatalogHandler, {"ctx": ctx, "rows": RowsCache()}),
        ("api/catalog/service", ServiceCardHandler, kwargs),
        ("api/catalog/compare", CompareHandler, kwargs),
        ("api/catalog/favourite", FavouriteHandler, kwargs),
    ]
