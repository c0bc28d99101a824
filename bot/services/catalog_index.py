"""Service catalog: Turkish-aware search key, an index built once per fetch, paging and a cache.

Browsing must stay cheap on 5,000-service catalogs, so everything that depends only on the
catalog (folded text, category order, per-category lists, id lookup) is computed once in
`CatalogIndex.__init__` and the cache hands out the same index until it expires.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import re
import sys
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from bot.panel.models import Service
from bot.panel.text import PanelText
from bot.slices import SLICE_SECONDS, SliceQueue, Steps, run_sliced, run_whole

if TYPE_CHECKING:
    from bot.config import Settings

T = TypeVar("T")

# Python lowercases "İ" to "i" + U+0307 and leaves "ı" alone; Turkish users type any of the
# four i's for any other, so they all become plain "i" before casefolding.
_TURKISH_I = str.maketrans({"İ": "i", "I": "i", "ı": "i"})
_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w]+")
# Panels put HTML in names ("<b>NEW</b> Likes"); a tag's letters are not words of the name.
_MARKUP = re.compile(r"<[^<>]*>")


def fold(text: str) -> str:
    """Matching key: case-, Turkish-i- and accent-insensitive, whitespace collapsed.

    Accents are dropped too (ç→c, ş→s, ğ→g, ö→o, ü→u, é→e): people on phones without a
    Turkish keyboard type "takipci" and must still find "Takipçi". NFKD also turns
    compatibility forms (full-width letters, ligatures) into their plain letters.
    """
    # NFKD on both sides of casefold: "𝓐" only becomes "A" after it, "ß" only "ss" after casefold.
    compat = unicodedata.normalize("NFKD", text)
    folded = compat.translate(_TURKISH_I).casefold()
    decomposed = unicodedata.normalize("NFKD", folded)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip()


def _search_key(text: str) -> str:
    # Punctuation and emoji in names ("[Max 10K]", "Takipçi | Hızlı") must not glue words.
    # Markup goes first, on both sides: "<b>" must neither match nor be matched.
    return _NON_WORD.sub(" ", fold(_MARKUP.sub(" ", text))).strip()


# How often work over a whole catalog looks at the clock (in services looked at; bot/slices.py
# says how long a slice may run): folding a name costs ~50 µs, anything else ~5 µs.
_CHECKPOINT = 512
_KEY_CHECKPOINT = 64


def _version_steps(services: Sequence[Service]) -> Steps[str]:
    digest = hashlib.blake2b(digest_size=6)
    for n, s in enumerate(services):
        if n % _CHECKPOINT == 0:
            yield
        digest.update(
            f"{s.id}\x1f{s.category_text}\x1f{s.type}\x1f{s.rate}\x1f{s.min}\x1f{s.max}"
            f"\x1f{s.dripfeed}\x1e".encode()
        )
    return digest.hexdigest()


# What one service costs beyond its strings: its slots, its Decimal, its entries in the id
# dict, the category lists and the tuples (measured with tracemalloc on a 5,000-service catalog).
_PER_SERVICE_BYTES = 360


def footprint(services: Sequence[Service], keys: Sequence[str]) -> int:
    """An estimate of the bytes an index over `services` keeps: every string it holds (names,
    categories, descriptions, search keys) at its real size, plus a fixed cost per service."""
    return run_whole(_footprint_steps(services, keys))


def _footprint_steps(services: Sequence[Service], keys: Sequence[str]) -> Steps[int]:
    size = sys.getsizeof(services) + sys.getsizeof(keys)
    for n, (service, key) in enumerate(zip(services, keys, strict=True)):
        if n % _CHECKPOINT == 0:
            yield
        size += _PER_SERVICE_BYTES + sys.getsizeof(key) + sys.getsizeof(service.name_text)
        size += sys.getsizeof(service.category_text) + sys.getsizeof(service.type)
        if service.description_text is not None:
            size += sys.getsizeof(service.description_text)
        if service.average_words is not None:
            size += sys.getsizeof(service.average_words)
    return size


@dataclass(frozen=True, slots=True)
class _Parts:
    """Everything a `CatalogIndex` computes from its catalog (`_index_steps`)."""

    services: tuple[Service, ...]
    by_id: dict[int, Service]
    cat_pos: dict[str, int]
    per_category: tuple[tuple[Service, ...], ...]
    keys: tuple[str, ...]
    version: str
    size: int


def _index_steps(services: Sequence[Service]) -> Steps[_Parts]:
    """The parts of an index over `services`, with checkpoints: folding 20,000 names takes
    about a second of pure Python, which the event loop must not be held for in one go."""
    by_id: dict[int, Service] = {}
    for service in services:
        by_id.setdefault(service.id, service)
    unique = tuple(by_id.values())
    yield
    cat_pos: dict[str, int] = {}
    per_category: list[list[Service]] = []
    for service in unique:
        pos = cat_pos.get(service.category_text)
        if pos is None:
            pos = cat_pos[service.category_text] = len(per_category)
            per_category.append([])
        per_category[pos].append(service)
    keys: list[str] = []
    # Categories repeat (~260 for 13,000 services): each folded once, not once per service
    # (folding them was ~40% of building the index).
    category_keys: dict[str, str] = {}
    for n, s in enumerate(unique):
        if n % _KEY_CHECKPOINT == 0:
            yield
        category = category_keys.get(s.category_text)
        if category is None:
            category = category_keys[s.category_text] = _search_key(s.category_text)
        # A word never contains "\n", so it cannot match across name and category.
        keys.append(f"{_search_key(s.name_text)}\n{category}")
    version = yield from _version_steps(unique)
    size = yield from _footprint_steps(unique, keys)
    groups = tuple(tuple(group) for group in per_category)
    return _Parts(unique, by_id, cat_pos, groups, tuple(keys), version, size)


class CatalogIndex:
    """Read-only view over one fetched catalog.

    Categories keep the panel's order of first appearance and are addressed by position
    (callback data must stay under 64 bytes). A service id seen twice keeps its first entry.
    """

    __slots__ = (
        "_by_id",
        "_cat_pos",
        "_categories",
        "_keys",
        "_per_category",
        "_services",
        "_slices",
        "fetched_at",
        "size",
        "version",
    )

    def __init__(self, services: Sequence[Service], *, fetched_at: float = 0.0) -> None:
        self._adopt(run_whole(_index_steps(services)), fetched_at, SliceQueue())

    @classmethod
    async def build(
        cls,
        services: Sequence[Service],
        *,
        fetched_at: float = 0.0,
        slice_seconds: float = SLICE_SECONDS,
        slices: SliceQueue | None = None,
    ) -> CatalogIndex:
        """The index over `services`, built on the event loop in slices of `slice_seconds`
        (issue 19 item 5: other users' updates go on while a large catalog is indexed), in the
        turns of `slices`, which its sliced searches take too."""
        slices = SliceQueue() if slices is None else slices
        steps = _index_steps(services)
        parts = await run_sliced(steps, slice_seconds=slice_seconds, queue=slices)
        index = cls.__new__(cls)
        index._adopt(parts, fetched_at, slices)
        return index

    def _adopt(self, parts: _Parts, fetched_at: float, slices: SliceQueue) -> None:
        self._slices = slices
        self._services = parts.services
        self._by_id = parts.by_id
        self._cat_pos = parts.cat_pos
        self._categories = tuple(parts.cat_pos)
        self._per_category = parts.per_category
        self._keys = parts.keys
        self.fetched_at = fetched_at
        self.version = parts.version
        # Bytes this index keeps alive (CATALOG_CACHE_MB counts them).
        self.size = parts.size

    def __len__(self) -> int:
        return len(self._services)

    def __repr__(self) -> str:
        return (
            f"CatalogIndex(services={len(self._services)}, "
            f"categories={len(self._categories)}, version={self.version!r})"
        )

    @property
    def services(self) -> tuple[Service, ...]:
        return self._services

    @property
    def categories(self) -> list[PanelText]:
        """The categories' names as the panel wrote them: text for a view to escape."""
        return [PanelText(name) for name in self._categories]

    def category(self, position: int) -> PanelText:
        """The name of the category at `position` (`IndexError` when out of range): one
        `PanelText`, not a list of them all for one page's title."""
        if not 0 <= position < len(self._categories):
            raise IndexError(position)
        return PanelText(self._categories[position])

    @property
    def category_texts(self) -> tuple[str, ...]:
        """The categories' names as plain text, for data (positions, the Mini App's JSON)."""
        return self._categories

    @property
    def search_keys(self) -> tuple[str, ...]:
        """Each service's folded "name\ncategory" words, in `services`' order: what `search`
        matches (the Mini App matches the same keys in the page)."""
        return self._keys

    def category_index(self, name: str) -> int:
        """Position of category `name` (plain text: a lookup is data); `KeyError` when the
        catalog has no such category."""
        return self._cat_pos[name]

    def services_in(self, category_index: int) -> list[Service]:
        """Services of the category at `category_index`; `IndexError` when out of range."""
        # Negative positions come only from forged or corrupt callback data.
        if not 0 <= category_index < len(self._per_category):
            raise IndexError(category_index)
        return list(self._per_category[category_index])

    def get(self, service_id: int) -> Service | None:
        return self._by_id.get(service_id)

    def search(self, query: str, limit: int = 50) -> list[Service]:
        """Services whose name or category contains every word of `query`, in catalog order.

        An all-digits query also matches the service with that id, which comes first.
        """
        return run_whole(self._search_steps(query, limit))

    async def search_sliced(
        self, query: str, limit: int = 50, *, slice_seconds: float = SLICE_SECONDS
    ) -> list[Service]:
        """`search`, giving the event loop a turn whenever it has run `slice_seconds` (in the
        turns of the queue the index was built in): a search over several large catalogs must
        not hold other users' updates (issue 19 item 5)."""
        steps = self._search_steps(query, limit)
        return await run_sliced(steps, slice_seconds=slice_seconds, queue=self._slices)

    def _search_steps(self, query: str, limit: int) -> Steps[list[Service]]:
        found: list[Service] = []
        for service in self._matches(query, limit):
            if service is None:
                yield
            else:
                found.append(service)
        return found[:limit]

    def _matches(self, query: str, limit: int) -> Iterator[Service | None]:
        """The matches, up to `limit`, and None every `_CHECKPOINT` services looked at."""
        words = _search_key(query).split()
        if limit <= 0 or not words:
            return
        # "#101", as ids are shown on buttons and cards, is the id 101.
        stripped = query.strip().removeprefix("#").strip()
        exact_id: Service | None = None
        count = 0
        if stripped.isascii() and stripped.isdigit() and len(stripped) <= 18:
            exact_id = self._by_id.get(int(stripped))
            if exact_id is not None:
                count += 1
                yield exact_id
        for n, (service, key) in enumerate(zip(self._services, self._keys, strict=True)):
            if count >= limit:
                return
            if n % _CHECKPOINT == 0:
                yield None
            if service is not exact_id and all(word in key for word in words):
                count += 1
                yield service

    def is_current(self, version: str) -> bool:
        """True when a button built from catalog `version` still points at this catalog."""
        return version == self.version


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing; `page` is 0-based and always within `0..pages-1`."""

    items: list[T]
    page: int
    pages: int
    total: int

    @property
    def has_prev(self) -> bool:
        return self.page > 0

    @property
    def has_next(self) -> bool:
        return self.page < self.pages - 1


def paginate(items: Sequence[T], page: int, size: int) -> Page[T]:
    """Slice `items` into page `page` of `size`; out-of-range pages are clamped.

    An empty sequence is one empty page, so "page 1 of 1" can always be shown.
    """
    if size < 1:
        raise ValueError("page size must be at least 1")
    total = len(items)
    pages = max(1, math.ceil(total / size))
    page = min(max(page, 0), pages - 1)
    start = page * size
    return Page(items=list(items[start : start + size]), page=page, pages=pages, total=total)


Fetch = Callable[[], Awaitable[list[Service]]]

# CATALOG_CACHE_MB's default: the catalogs kept for every user together.
DEFAULT_CACHE_BYTES = 64 * 1024 * 1024


class CatalogCache:
    """Per-panel-key catalog cache with TTL, LRU bound and single-flight fetching.

    `key_id` is an opaque identifier chosen by the caller (user id, key fingerprint), never
    the API key itself. Concurrent `get`s for one key share one fetch; a failed fetch is not
    cached and its exception reaches every waiter.
    """

    def __init__(
        self,
        ttl_seconds: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 1000,
        max_bytes: int = DEFAULT_CACHE_BYTES,
        slices: SliceQueue | None = None,
    ) -> None:
        if max_keys < 1:
            raise ValueError("max_keys must be at least 1")
        self._ttl = ttl_seconds
        self._clock = clock
        self._max_keys = max_keys
        # CATALOG_CACHE_MB: what all kept indexes may weigh together (`CatalogIndex.size`).
        self.max_bytes = max_bytes
        self.kept_bytes = 0
        self._entries: OrderedDict[Hashable, CatalogIndex] = OrderedDict()
        self._inflight: dict[Hashable, asyncio.Task[CatalogIndex]] = {}
        # The application's queue of sliced work (bot/slices.py): indexes are built, and then
        # searched, in its turns.
        self._slices = SliceQueue() if slices is None else slices

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        clock: Callable[[], float] = time.monotonic,
        slices: SliceQueue | None = None,
    ) -> CatalogCache:
        return cls(
            settings.services_cache_seconds,
            clock=clock,
            max_bytes=settings.catalog_cache_bytes,
            slices=slices,
        )

    def __repr__(self) -> str:
        # Key ids stay out of repr: they may identify users.
        return f"CatalogCache(entries={len(self._entries)}, ttl={self._ttl})"

    def __len__(self) -> int:
        return len(self._entries)

    def now(self) -> float:
        """The cache's clock: what an index's `fetched_at` is measured by."""
        return self._clock()

    def peek(self, key_id: Hashable) -> CatalogIndex | None:
        """The cached index even if expired, without fetching (for stale-button checks)."""
        return self._entries.get(key_id)

    def _fresh(self, key_id: Hashable, max_age: float | None = None) -> CatalogIndex | None:
        index = self._entries.get(key_id)
        limit = self._ttl if max_age is None else min(self._ttl, max_age)
        if index is None or self._clock() - index.fetched_at >= limit:
            return None
        self._entries.move_to_end(key_id)
        return index

    async def get(
        self, key_id: Hashable, fetch: Fetch, *, force: bool = False, max_age: float | None = None
    ) -> CatalogIndex:
        """The cached index when younger than the TTL (and than `max_age` when given), else
        a fetch shared with every concurrent caller for the same key (`force` included)."""
        if not force:
            cached = self._fresh(key_id, max_age)
            if cached is not None:
                return cached
        task = self._inflight.get(key_id)
        if task is None:
            task = asyncio.create_task(self._load(key_id, fetch))
            self._inflight[key_id] = task
            task.add_done_callback(lambda t: self._finished(key_id, t))
        # Shielded: one waiter being cancelled must not cancel the fetch the others wait on.
        return await asyncio.shield(task)

    async def _load(self, key_id: Hashable, fetch: Fetch) -> CatalogIndex:
        services = await fetch()
        # Folding 20,000 names takes a second of pure Python: in slices on the loop, not in a
        # thread, whose GIL turns would slow every other user's reply (bot/slices.py).
        index = await CatalogIndex.build(services, fetched_at=self._clock(), slices=self._slices)
        # `invalidate` during the fetch unregisters this task: its result is then too old.
        if self._inflight.get(key_id) is asyncio.current_task():
            self._store(key_id, index)
        return index

    def _finished(self, key_id: Hashable, task: asyncio.Task[CatalogIndex]) -> None:
        if self._inflight.get(key_id) is task:
            del self._inflight[key_id]
        # Marks the exception retrieved when every waiter was cancelled before it arrived.
        if not task.cancelled():
            task.exception()

    def _store(self, key_id: Hashable, index: CatalogIndex) -> None:
        """Keep `index`, forgetting the least recently used ones past the count or the byte
        budget. An index heavier than the whole budget is served to its callers, not kept."""
        self._forget(key_id)
        if index.size > self.max_bytes:
            return
        self._entries[key_id] = index
        self.kept_bytes += index.size
        while len(self._entries) > self._max_keys or self.kept_bytes > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self.kept_bytes -= evicted.size

    def _forget(self, key_id: Hashable) -> None:
        old = self._entries.pop(key_id, None)
        if old is not None:
            self.kept_bytes -= old.size

    def invalidate(self, key_id: Hashable) -> None:
        """Forget `key_id`'s catalog; a fetch already running will not be cached."""
        self._forget(key_id)
        self._inflight.pop(key_id, None)
