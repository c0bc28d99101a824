"""⚖️ Compare: similar services on the user's other panels, cheapest first. No Telegram here.

Panels name the same product differently ("Instagram Followers [Real]" here, "IG Takipçi -
Hızlı" there), so "similar" is deliberately loose and is always labelled "similar", never
"same":

- the same order type (a Default order cannot be placed as a Package);
- overlapping min–max (some quantity fits both);
- the same platform and a shared kind, after folding name and category: case, accents and
  Turkish letters (bot.services.catalog_index.fold), then words mapped to one platform
  (instagram, ig, insta → instagram) and one kind (followers, takipçi → followers).

Each catalog's services are indexed once by (type, platform, kind) and the index is kept with
the catalog's version, so a card's comparison looks at a handful of candidates, not 5,000.
"""

from __future__ import annotations

import asyncio
import re
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from bot.panel.errors import PanelError
from bot.panel.models import Balance, Service
from bot.services.accounts import NoKey, PanelAccounts
from bot.services.catalog import CatalogService
from bot.services.catalog_index import CatalogIndex, fold
from bot.storage.models import PanelAccount

_WORD = re.compile(r"[a-z0-9]+")

PLATFORMS: dict[str, str] = {
    **dict.fromkeys(("instagram", "ig", "insta", "instagramda"), "instagram"),
    **dict.fromkeys(("tiktok", "tik", "tt"), "tiktok"),
    **dict.fromkeys(("youtube", "yt", "youtubeda"), "youtube"),
    **dict.fromkeys(("telegram", "tg"), "telegram"),
    **dict.fromkeys(("twitter", "x", "tweet", "retweet"), "twitter"),
    **dict.fromkeys(("facebook", "fb"), "facebook"),
    **dict.fromkeys(("spotify",), "spotify"),
    **dict.fromkeys(("twitch",), "twitch"),
    **dict.fromkeys(("threads",), "threads"),
    **dict.fromkeys(("linkedin",), "linkedin"),
}
KINDS: dict[str, str] = {
    **dict.fromkeys(
        ("followers", "follower", "follow", "takipci", "takip", "takipciler"), "followers"
    ),
    **dict.fromkeys(("likes", "like", "begeni", "begen", "begeniler"), "likes"),
    **dict.fromkeys(
        ("views", "view", "izlenme", "goruntulenme", "izlenim", "plays", "play", "dinlenme"),
        "views",
    ),
    **dict.fromkeys(("comments", "comment", "yorum", "yorumlar"), "comments"),
    **dict.fromkeys(("subscribers", "subscriber", "subs", "abone", "aboneler"), "subscribers"),
    **dict.fromkeys(("members", "member", "uye", "uyeler"), "members"),
    **dict.fromkeys(("shares", "share", "paylasim", "paylas"), "shares"),
    **dict.fromkeys(("saves", "save", "kaydet", "kaydetme"), "saves"),
    **dict.fromkeys(("votes", "vote", "oy", "anket", "poll"), "votes"),
    **dict.fromkeys(("reactions", "reaction", "tepki"), "reactions"),
    **dict.fromkeys(("mentions", "mention", "bahsetme"), "mentions"),
}


@dataclass(frozen=True, slots=True)
class Signature:
    platform: str  # "" when no platform word was found
    kinds: frozenset[str]


def signature(service: Service) -> Signature:
    """The platform and kinds a service's name and category speak of, after folding."""
    words = _WORD.findall(fold(f"{service.name_text} {service.category_text}"))
    platforms = [PLATFORMS[w] for w in words if w in PLATFORMS]
    kinds = frozenset(KINDS[w] for w in words if w in KINDS)
    return Signature(platforms[0] if platforms else "", kinds)


def overlaps(a: Service, b: Service) -> bool:
    """Some quantity both accept."""
    return a.min <= b.max and b.min <= a.max


def is_similar(a: Service, b: Service) -> bool:
    if a.type != b.type or not overlaps(a, b):
        return False
    sa, sb = signature(a), signature(b)
    return bool(sa.kinds & sb.kinds) and sa.platform == sb.platform


class SimilarIndex:
    """One catalog's services by (type, platform, kind): the candidates of a comparison."""

    __slots__ = ("_buckets",)

    def __init__(self, services: Sequence[Service]) -> None:
        buckets: dict[tuple[str, str, str], list[Service]] = defaultdict(list)
        for service in services:
            sig = signature(service)
            for kind in sig.kinds:
                buckets[(service.type, sig.platform, kind)].append(service)
        self._buckets = dict(buckets)

    def similar_to(self, service: Service) -> list[Service]:
        """Services similar to `service` (from another catalog), cheapest first."""
        sig = signature(service)
        seen: dict[int, Service] = {}
        for kind in sig.kinds:
            for candidate in self._buckets.get((service.type, sig.platform, kind), ()):
                if overlaps(service, candidate):
                    seen.setdefault(candidate.id, candidate)
        return sorted(seen.values(), key=lambda s: (s.rate, s.id))


class SimilarIndexCache:
    """Indexes by catalog version (a few hundred KB each); the oldest go past `size`."""

    __slots__ = ("_indexes", "_size")

    def __init__(self, size: int = 64) -> None:
        self._indexes: OrderedDict[str, SimilarIndex] = OrderedDict()
        self._size = size

    def __repr__(self) -> str:
        return f"SimilarIndexCache({len(self._indexes)} of {self._size})"

    def get(self, catalog: CatalogIndex) -> SimilarIndex:
        index = self._indexes.get(catalog.version)
        if index is None:
            index = self._indexes[catalog.version] = SimilarIndex(catalog.services)
            while len(self._indexes) > self._size:
                self._indexes.popitem(last=False)
        else:
            self._indexes.move_to_end(catalog.version)
        return index


@dataclass(frozen=True, slots=True)
class Offer:
    """A similar service on one of the user's panels, at that panel's rate and currency."""

    slot: int
    panel: str
    currency: str | None
    service: Service


@dataclass(frozen=True, slots=True)
class Comparison:
    """The card's service (`base`) and similar ones elsewhere, cheapest first; `silent`
    names the panels that could not be asked now (their catalog did not load)."""

    base: Offer
    offers: list[Offer]
    silent: list[str]


def rank_offers(base: Offer, offers: list[Offer], main_currency: str | None) -> list[Offer]:
    """Grouped by currency, never ranked across currencies ("€13.75" is not dearer or cheaper
    than "$0.0079"): the user's main currency first (their default panel's), then the card's,
    then the others by name, unknown last. Within a currency the closest match first (the same
    refill and cancel as the card's service), then the cheaper."""

    def group(offer: Offer) -> tuple[int, str]:
        if offer.currency is None:
            return 3, ""
        if offer.currency == main_currency:
            return 0, ""
        return (1, "") if offer.currency == base.currency else (2, offer.currency)

    def distance(offer: Offer) -> int:
        s, b = offer.service, base.service
        return (s.refill != b.refill) + (s.cancel != b.cancel)

    return sorted(offers, key=lambda o: (group(o), distance(o), o.service.rate, o.slot))


@dataclass(frozen=True, slots=True)
class CompareService:
    accounts: PanelAccounts
    catalog: CatalogService
    indexes: SimilarIndexCache

    async def compare(self, user_id: int, slot: int | None, service_id: int) -> Comparison:
        """Raises NoKey (no such panel), LookupError (no such service) or the panel
        client's errors for the card's own panel; other panels that fail are `silent`."""
        accounts = await self.accounts.accounts(user_id)
        home = next(
            (a for a in accounts if (a.slot == slot if slot is not None else a.is_default)), None
        )
        if home is None:
            raise NoKey
        others = [a for a in accounts if a.slot != home.slot]

        async def load(account: PanelAccount) -> tuple[CatalogIndex, str | None]:
            index, balance = await asyncio.gather(
                self.catalog.get(user_id, slot=account.slot),
                self.accounts.balance(user_id, account.slot),
                return_exceptions=True,
            )
            if isinstance(index, BaseException):
                raise index
            currency = balance.currency_text if isinstance(balance, Balance) else None
            return index, currency

        loaded = await asyncio.gather(*(load(a) for a in [home, *others]), return_exceptions=True)
        first = loaded[0]
        if isinstance(first, BaseException):
            raise first
        home_index, home_currency = first
        currencies = {
            a.slot: r[1]
            for a, r in zip([home, *others], loaded, strict=True)
            if isinstance(r, tuple)
        }
        main = next((currencies.get(a.slot) for a in accounts if a.is_default), home_currency)
        service = home_index.get(service_id)
        if service is None:
            raise LookupError(service_id)
        base = Offer(home.slot, home.label, home_currency, service)
        offers: list[Offer] = []
        silent: list[str] = []
        for account, result in zip(others, loaded[1:], strict=True):
            if isinstance(result, PanelError | NoKey):
                silent.append(account.label)
                continue
            if isinstance(result, BaseException):
                raise result
            index, currency = result
            for similar in self.indexes.get(index).similar_to(service):
                offers.append(Offer(account.slot, account.label, currency, similar))
        return Comparison(base, rank_offers(base, offers, main), silent)
