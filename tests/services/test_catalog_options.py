"""Sorting and filtering service lists (bot/services/catalog_options.py)."""

from __future__ import annotations

from decimal import Decimal

from bot.panel.models import Service
from bot.services.catalog_options import PLAIN, CatalogOptions, Option, Sort


def svc(sid: int, rate: str, *, refill: bool = False, cancel: bool = False) -> Service:
    return Service(sid, f"S{sid}", "Default", "C", Decimal(rate), 1, 10, refill, cancel)


SERVICES = [
    svc(1, "5", refill=True),
    svc(2, "1.5", cancel=True),
    svc(3, "5", refill=True, cancel=True),
    svc(4, "0.25"),
]


def ids(services: list[Service]) -> list[int]:
    return [s.id for s in services]


def test_plain_keeps_the_panels_order() -> None:
    assert ids(PLAIN.apply(SERVICES)) == [1, 2, 3, 4]


def test_sort_cycles_up_down_and_back_and_ties_keep_the_panels_order() -> None:
    up = PLAIN.toggled(Option.SORT)
    assert up.sort is Sort.PRICE_UP and ids(up.apply(SERVICES)) == [4, 2, 1, 3]
    down = up.toggled(Option.SORT)
    assert down.sort is Sort.PRICE_DOWN and ids(down.apply(SERVICES)) == [1, 3, 2, 4]
    assert down.toggled(Option.SORT) == PLAIN


def test_filters_combine_with_the_sort() -> None:
    refill = PLAIN.toggled(Option.REFILL)
    assert ids(refill.apply(SERVICES)) == [1, 3]
    both = refill.toggled(Option.CANCEL)
    assert ids(both.apply(SERVICES)) == [3]
    cancel_up = PLAIN.toggled(Option.CANCEL).toggled(Option.SORT)
    assert ids(cancel_up.apply(SERVICES)) == [2, 3]
    assert refill.toggled(Option.REFILL) == PLAIN


def test_stored_form_round_trips_and_junk_reads_as_plain() -> None:
    view = CatalogOptions(Sort.PRICE_DOWN, refill_only=True, cancel_only=False)
    assert CatalogOptions.from_json(view.to_json()) == view
    junks: list[object] = [None, "asc", [], {"sort": "sideways"}, {"refill": "yes"}]
    for junk in junks:
        assert CatalogOptions.from_json(junk).filtered is False
    assert CatalogOptions.from_json({"sort": "sideways", "cancel": True}) == CatalogOptions(
        cancel_only=True
    )
