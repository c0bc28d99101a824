from __future__ import annotations

import asyncio
import subprocess
import sys
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.panel.models import Service
from bot.panel.text import PanelText
from bot.services.catalog_index import CatalogCache, CatalogIndex, Page, fold, paginate
from tests.loop_turns import other_task_turns

from ._data import make_services, svc

# --- fold --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["İnstagram", "instagram", "INSTAGRAM", "İNSTAGRAM", "InstagraM"])
def test_fold_turkish_dotted_and_dotless_i_are_equal(text: str) -> None:
    assert fold(text) == "instagram"


@pytest.mark.parametrize("text", ["takipçi", "Takipçi", "TAKİPÇİ", "takipci", "TAKIPCI", "takıpçı"])
def test_fold_takipci_variants(text: str) -> None:
    assert fold(text) == "takipci"


def test_fold_drops_all_turkish_accents_and_collapses_spaces() -> None:
    assert fold("  Ğ ş  Ö\tü  Ç ") == "g s o u c"
    assert fold("Beğeni İzlenme Paylaşım") == "begeni izlenme paylasim"


def test_fold_has_no_combining_marks_left() -> None:
    assert fold("İ") == "i"
    assert len(fold("İİİ")) == 3


@settings(deadline=None)
@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


# --- CatalogIndex ------------------------------------------------------------------------


def _small() -> CatalogIndex:
    return CatalogIndex(
        [
            svc(5, name="Takipçi Gerçek", category="Instagram"),
            svc(3, name="Views fast", category="TikTok"),
            svc(9, name="Beğeni", category="Instagram"),
            svc(1, name="Abone", category="YouTube"),
            svc(5, name="Duplicate id, dropped", category="Other"),
        ],
        fetched_at=42.0,
    )


def test_categories_keep_panel_order_of_first_appearance() -> None:
    index = _small()
    assert [c.plain for c in index.categories] == ["Instagram", "TikTok", "YouTube"]
    assert index.category_texts == ("Instagram", "TikTok", "YouTube")
    assert index.category_index("TikTok") == 1
    assert index.category(1) == PanelText("TikTok")
    for outside in (-1, 3):
        with pytest.raises(IndexError):
            index.category(outside)
    assert [s.id for s in index.services_in(0)] == [5, 9]
    assert [s.id for s in index.services_in(2)] == [1]


def test_duplicate_service_id_keeps_first_entry() -> None:
    index = _small()
    assert len(index) == 4
    found = index.get(5)
    assert found is not None and found.name_text == "Takipçi Gerçek"
    assert index.get(12345) is None


def test_services_in_out_of_range_raises() -> None:
    index = _small()
    with pytest.raises(IndexError):
        index.services_in(3)
    with pytest.raises(IndexError):
        index.services_in(-1)
    with pytest.raises(KeyError):
        index.category_index("Nope")


def test_services_in_returns_a_copy() -> None:
    index = _small()
    index.services_in(0).clear()
    assert len(index.services_in(0)) == 2


def test_search_all_words_in_name_or_category() -> None:
    index = _small()
    assert [s.id for s in index.search("instagram takipci")] == [5]
    assert [s.id for s in index.search("INSTAGRAM")] == [5, 9]
    assert [s.id for s in index.search("tiktok views")] == [3]
    assert index.search("tiktok abone") == []
    assert index.search("   ") == []
    assert index.search("!!!") == []


def test_search_turkish_and_keyboardless_spellings() -> None:
    index = _small()
    for query in ("BEĞENİ", "begeni", "beğeni", "BEGENI"):
        assert [s.id for s in index.search(query)] == [9], query


def test_search_digits_match_id_first_and_text_too() -> None:
    index = CatalogIndex([svc(1, name="Pack 42 likes"), svc(42, name="Other"), svc(7, name="x 42")])
    assert [s.id for s in index.search("42")] == [42, 1, 7]
    assert [s.id for s in index.search("42", limit=2)] == [42, 1]
    assert index.search("999") == []


def test_search_punctuation_does_not_glue_words() -> None:
    index = CatalogIndex([svc(1, name="Takipçi|Hızlı [Max 10K]", category="Instagram/Türk")])
    assert [s.id for s in index.search("hizli 10k turk")] == [1]


def test_search_limit() -> None:
    index = CatalogIndex(make_services(500))
    assert len(index.search("instagram", limit=7)) == 7
    assert index.search("instagram", limit=0) == []


def test_big_catalog_search_and_browse() -> None:
    services = make_services(5000)
    index = CatalogIndex(services)
    assert len(index.categories) == 36
    assert sum(len(index.services_in(i)) for i in range(len(index.categories))) == 5000
    hits = index.search("youtube izlenme türk", limit=10_000)
    assert hits
    youtube = "YouTube İzlenme"
    assert all(s.category_text == youtube and "[Türk]" in s.name_text for s in hits), hits[:3]
    expected = [s for s in services if s.category_text == youtube and "[Türk]" in s.name_text]
    assert hits == expected
    assert index.search("1234")[0].id == 1234


def test_version_tracks_rates_and_ids() -> None:
    a = CatalogIndex([svc(1), svc(2)])
    assert a.version == CatalogIndex([svc(1), svc(2)]).version
    assert a.is_current(a.version)
    assert a.version != CatalogIndex([svc(1), svc(2, rate="13")]).version
    assert a.version != CatalogIndex([svc(1), svc(3)]).version
    assert a.version != CatalogIndex([svc(2), svc(1)]).version
    assert len(a.version) == 12


def test_repr_is_short() -> None:
    assert repr(_small()).startswith("CatalogIndex(services=4, categories=3")


# --- paginate ----------------------------------------------------------------------------


def test_paginate_basic_and_clamped() -> None:
    items = list(range(25))
    first = paginate(items, 0, 10)
    assert (first.items, first.page, first.pages, first.total) == (list(range(10)), 0, 3, 25)
    assert not first.has_prev and first.has_next
    last = paginate(items, 2, 10)
    assert last.items == [20, 21, 22, 23, 24] and last.has_prev and not last.has_next
    assert paginate(items, 99, 10).page == 2
    assert paginate(items, -5, 10).page == 0


def test_paginate_empty_and_exact() -> None:
    empty: Page[int] = paginate([], 3, 10)
    assert (empty.items, empty.page, empty.pages, empty.total) == ([], 0, 1, 0)
    exact = paginate(list(range(20)), 5, 10)
    assert (exact.page, exact.pages, exact.items) == (1, 2, list(range(10, 20)))


def test_paginate_rejects_bad_size() -> None:
    with pytest.raises(ValueError):
        paginate([1], 0, 0)


@settings(deadline=None, max_examples=60)
@given(st.lists(st.integers(), max_size=60), st.integers(1, 15), st.integers(-5, 20))
def test_paginate_pages_cover_everything_once(items: list[int], size: int, page: int) -> None:
    p = paginate(items, page, size)
    assert 0 <= p.page < p.pages
    joined = [x for i in range(p.pages) for x in paginate(items, i, size).items]
    assert joined == items
    assert len(p.items) <= size


# --- CatalogCache ------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Fetcher:
    """Counts calls; optionally holds every fetch until `release` is set."""

    def __init__(self, services: list[Service] | None = None, *, hold: bool = False) -> None:
        self.calls = 0
        self.services = services or [svc(1), svc(2)]
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        if not hold:
            self.release.set()
        self.fail_with: Exception | None = None

    async def __call__(self) -> list[Service]:
        self.calls += 1
        self.started.set()
        await self.release.wait()
        if self.fail_with is not None:
            raise self.fail_with
        return list(self.services)


async def test_ten_concurrent_gets_share_one_fetch() -> None:
    cache = CatalogCache(600, clock=Clock())
    fetch = Fetcher(hold=True)
    tasks = [asyncio.create_task(cache.get("user-1", fetch)) for _ in range(10)]
    await fetch.started.wait()
    fetch.release.set()
    results = await asyncio.gather(*tasks)
    assert fetch.calls == 1
    assert all(r is results[0] for r in results)
    assert len(results[0]) == 2


async def test_ttl_with_fake_clock() -> None:
    clock = Clock()
    cache = CatalogCache(600, clock=clock)
    fetch = Fetcher()
    first = await cache.get(7, fetch)
    assert first.fetched_at == 1000.0
    clock.now += 599.9
    assert await cache.get(7, fetch) is first
    assert fetch.calls == 1
    clock.now += 0.1
    second = await cache.get(7, fetch)
    assert fetch.calls == 2 and second is not first and second.fetched_at == 1600.0


async def test_zero_ttl_always_refetches() -> None:
    cache = CatalogCache(0, clock=Clock())
    fetch = Fetcher()
    await cache.get(1, fetch)
    await cache.get(1, fetch)
    assert fetch.calls == 2


async def test_keys_are_separate_and_force_refetches() -> None:
    cache = CatalogCache(600, clock=Clock())
    fetch = Fetcher()
    a = await cache.get("a", fetch)
    b = await cache.get("b", fetch)
    assert a is not b and fetch.calls == 2
    forced = await cache.get("a", fetch, force=True)
    assert forced is not a and fetch.calls == 3
    assert await cache.get("a", fetch) is forced


async def test_failed_fetch_is_not_cached_and_reaches_all_waiters() -> None:
    cache = CatalogCache(600, clock=Clock())
    fetch = Fetcher(hold=True)
    fetch.fail_with = RuntimeError("panel down")
    tasks = [asyncio.create_task(cache.get(1, fetch)) for _ in range(3)]
    await fetch.started.wait()
    fetch.release.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    assert fetch.calls == 1
    assert cache.peek(1) is None
    fetch.fail_with = None
    index = await cache.get(1, fetch)
    assert fetch.calls == 2 and len(index) == 2


async def test_cancelled_waiter_does_not_cancel_shared_fetch() -> None:
    cache = CatalogCache(600, clock=Clock())
    fetch = Fetcher(hold=True)
    quitter = asyncio.create_task(cache.get(1, fetch))
    stayer = asyncio.create_task(cache.get(1, fetch))
    await fetch.started.wait()
    quitter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await quitter
    fetch.release.set()
    assert len(await stayer) == 2
    assert fetch.calls == 1
    assert cache.peek(1) is not None


async def test_invalidate_forgets_and_drops_inflight_result() -> None:
    cache = CatalogCache(600, clock=Clock())
    fetch = Fetcher()
    first = await cache.get(1, fetch)
    cache.invalidate(1)
    assert cache.peek(1) is None
    second = await cache.get(1, fetch)
    assert second is not first and fetch.calls == 2

    slow = Fetcher(hold=True)
    pending = asyncio.create_task(cache.get(2, slow))
    await slow.started.wait()
    cache.invalidate(2)
    slow.release.set()
    assert len(await pending) == 2  # the waiter still gets its answer...
    assert cache.peek(2) is None  # ...but the stale result is not cached
    cache.invalidate("never-seen")  # no error


async def test_lru_bound() -> None:
    cache = CatalogCache(600, clock=Clock(), max_keys=2)
    fetch = Fetcher()
    await cache.get("a", fetch)
    await cache.get("b", fetch)
    await cache.get("a", fetch)  # touch a: b is now least recently used
    await cache.get("c", fetch)
    assert len(cache) == 2
    assert cache.peek("b") is None
    assert cache.peek("a") is not None and cache.peek("c") is not None
    assert fetch.calls == 3


async def test_cache_repr_hides_keys_and_rejects_bad_bound() -> None:
    cache = CatalogCache(60)
    await cache.get("user-secret-fingerprint", Fetcher())
    assert "secret" not in repr(cache) and "entries=1" in repr(cache)
    with pytest.raises(ValueError):
        CatalogCache(60, max_keys=0)


def test_cache_from_settings() -> None:
    from bot.config import load_settings

    settings = load_settings(bot_token="123:abc", services_cache_seconds=5)
    cache = CatalogCache.from_settings(settings, clock=Clock())
    assert "ttl=5" in repr(cache)


def test_ordering_modules_do_not_import_telegram() -> None:
    code = (
        "import sys; import bot.services.catalog_index, bot.services.validation, "
        "bot.services.order_types, bot.services.bulk_lines; "
        "assert not any(m == 'telegram' or m.startswith('telegram.') for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# --- CATALOG_CACHE_MB (issue 19 item 5) ----------------------------------------------------


async def test_the_byte_budget_evicts_the_least_recently_used() -> None:
    small = Fetcher(make_services(200))
    size = CatalogIndex(make_services(200)).size
    cache = CatalogCache(600, clock=Clock(), max_bytes=size * 2)
    first = await cache.get("a", small)
    await cache.get("b", small)
    assert await cache.get("a", small) is first  # "a" used last: "b" goes next
    await cache.get("c", small)
    assert len(cache) == 2 and cache.kept_bytes == size * 2
    assert cache.peek("b") is None and cache.peek("a") is first
    cache.invalidate("a")
    assert cache.kept_bytes == size


async def test_a_catalog_heavier_than_the_budget_is_served_and_not_kept() -> None:
    cache = CatalogCache(600, clock=Clock(), max_bytes=1000)
    index = await cache.get("big", Fetcher(make_services(100)))
    assert len(index) == 100
    assert len(cache) == 0 and cache.kept_bytes == 0


def test_the_size_counts_what_the_index_keeps() -> None:
    """Descriptions dominate a big catalog: the estimate must grow with them."""
    plain = make_services(100)
    described = [replace(s, description_text="x" * 10_000) for s in plain]
    assert CatalogIndex(described).size - CatalogIndex(plain).size >= 100 * 10_000


async def test_a_sliced_search_lets_other_tasks_run() -> None:
    index = CatalogIndex(make_services(5000))
    async with other_task_turns() as turns:
        # Nothing matches: every service is looked at; a zero slice yields at every checkpoint.
        found = await index.search_sliced("nothing matches this", 5, slice_seconds=0)
    assert found == []
    assert turns.count >= 5000 // 512
    assert await index.search_sliced("followers", 5) == index.search("followers", 5)


async def test_the_index_built_in_slices_is_the_index_built_at_once() -> None:
    services = make_services(1000)
    async with other_task_turns() as turns:
        sliced = await CatalogIndex.build(services, fetched_at=5.0, slice_seconds=0)
    whole = CatalogIndex(services, fetched_at=5.0)
    # Folding yields every 64 services at least.
    assert turns.count >= 1000 // 64
    assert (sliced.version, sliced.size, sliced.fetched_at) == (whole.version, whole.size, 5.0)
    assert sliced.categories == whole.categories
    assert sliced.search("instagram", 1000) == whole.search("instagram", 1000)
