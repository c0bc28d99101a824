"""Similar services across panels (bot/services/compare.py)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from bot.panel.models import Service
from bot.panel.parsing import parse_services
from bot.services.catalog_index import CatalogIndex
from bot.services.compare import SimilarIndex, SimilarIndexCache, is_similar, signature
from tests.fakes.panel_catalog import make_services


def svc(sid: int, name: str, category: str = "", *, type_: str = "Default", lo: int = 100,
        hi: int = 10_000, rate: str = "1") -> Service:  # fmt: skip
    return Service(sid, name, type_, category, Decimal(rate), lo, hi)


def test_folding_platform_and_kind_words() -> None:
    assert signature(svc(1, "Instagram Takipçi")).kinds == {"followers"}
    assert signature(svc(1, "IG Followers [Real]")).platform == "instagram"
    assert signature(svc(1, "İNSTAGRAM BEĞENİ")) == signature(svc(2, "insta likes"))
    assert is_similar(svc(1, "Instagram Takipçi"), svc(2, "IG followers", "Instagram"))
    # Not similar: another type, no quantity in common, another platform, another kind.
    assert not is_similar(svc(1, "IG followers"), svc(2, "IG followers", type_="Package"))
    assert not is_similar(svc(1, "IG followers"), svc(2, "IG followers", lo=20_000, hi=30_000))
    assert not is_similar(svc(1, "IG followers"), svc(2, "TikTok followers"))
    assert not is_similar(svc(1, "IG followers"), svc(2, "IG likes"))


def test_index_returns_similar_cheapest_first() -> None:
    other = SimilarIndex(
        [
            svc(10, "Instagram Followers", rate="3"),
            svc(11, "IG Takipçi Hızlı", rate="2"),
            svc(12, "IG likes", rate="0.5"),
        ]
    )
    found = other.similar_to(svc(1, "Instagram Takipçi", rate="5"))
    assert [s.id for s in found] == [11, 10]


def test_compare_over_three_5000_service_catalogs_uses_the_indexes_built_once() -> None:
    catalogs = [
        CatalogIndex(parse_services([dict(s, rate=str(Decimal(s["rate"]) + k)) for s in raw]))
        for k, raw in enumerate([make_services(5000)] * 3)
    ]
    cache = SimilarIndexCache()
    built = [cache.get(catalog) for catalog in catalogs]  # once per catalog version
    card = catalogs[0].services[123]
    found = [cache.get(c).similar_to(card) for c in catalogs[1:]]
    assert all(found) and all(is_similar(card, s) for group in found for s in group)
    # A comparison reuses the indexes (no rebuild per card). How fast it is, a few milliseconds,
    # is a speed figure: `python -m benchmarks.panels` measures it, not a wall-clock assert here.
    assert all(cache.get(c) is index for c, index in zip(catalogs, built, strict=True))


def test_offers_grouped_by_currency_main_first_then_closest_then_cheapest() -> None:
    from bot.services.compare import Offer, rank_offers

    def offer(slot: int, currency: str | None, rate: str, refill: bool = True) -> Offer:
        service = Service(slot * 10, "IG followers", "Default", "", Decimal(rate), 100, 1000)
        return Offer(slot, f"p{slot}", currency, replace(service, refill=refill, cancel=True))

    base = offer(1, "EUR", "5")
    offers = [
        offer(2, "EUR", "13.75"),
        offer(3, "USD", "0.0079"),
        offer(4, "USD", "0.002", refill=False),  # cheaper, but refills unlike the card
        offer(5, None, "0.001"),
        offer(6, "TRY", "1"),
    ]
    ranked = rank_offers(base, offers, main_currency="USD")
    assert [o.slot for o in ranked] == [3, 4, 2, 6, 5]
