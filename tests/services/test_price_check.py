"""Units of the price check (issue 19 items 2 and 3): the catalog's age at Confirm, the charge
comparison, and what a bulk Confirm may place. The end-to-end tests are in
tests/e2e/test_price_check.py."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from bot.config import SettingsError, load_settings
from bot.panel.models import Balance, OrderStatus, Status
from bot.services.bulk_lines import parse_bulk
from bot.services.bulk_orders import covered_lines, offered_lines, within_offer
from bot.services.catalog_index import CatalogCache, CatalogIndex
from bot.services.charges import Charge, charge_of

from ._data import svc
from .test_catalog import Clock, Fetcher


def test_price_check_seconds_defaults_to_30_and_takes_0() -> None:
    assert load_settings(bot_token="123:abc").price_check_seconds == 30
    assert load_settings(bot_token="123:abc", price_check_seconds=0).price_check_seconds == 0
    with pytest.raises(SettingsError, match="PRICE_CHECK_SECONDS"):
        load_settings(bot_token="123:abc", price_check_seconds=-1)


async def test_max_age_rereads_a_catalog_the_ttl_would_still_serve() -> None:
    clock = Clock()
    cache = CatalogCache(600, clock=clock)
    fetch = Fetcher([svc(1)])
    first = await cache.get("k", fetch)
    clock.now += 29.9
    assert await cache.get("k", fetch, max_age=30) is first
    clock.now += 0.1
    second = await cache.get("k", fetch, max_age=30)
    assert second is not first and fetch.calls == 2
    # The re-read is the cache's entry: other screens get it, and max_age never extends the TTL.
    assert await cache.get("k", fetch) is second
    clock.now += 600
    await cache.get("k", fetch, max_age=10_000)
    assert fetch.calls == 3


async def test_concurrent_checks_on_one_key_share_one_read() -> None:
    clock = Clock()
    cache = CatalogCache(600, clock=clock)
    await cache.get("k", Fetcher())
    clock.now += 31
    fetch = Fetcher(hold=True)
    waiting = [asyncio.create_task(cache.get("k", fetch, max_age=30)) for _ in range(20)]
    await fetch.started.wait()
    fetch.release.set()
    results: list[CatalogIndex] = await asyncio.gather(*waiting)
    assert fetch.calls == 1 and all(r is results[0] for r in results)


@pytest.mark.parametrize(
    ("shown", "charged", "differs"),
    [
        ("3.20", "32.00", True),
        ("3.20", "3.21", False),  # a cent: the panel's rounding
        ("3.20", "3.19", False),
        ("3.20", "3.22", True),
        ("12.50", "10.00", True),  # cheaper is said too: it is not what was shown
        ("0.0079", "0.01", False),
        ("0.0079", "0.079", True),
    ],
)
def test_a_charge_differs_beyond_a_cent(shown: str, charged: str, differs: bool) -> None:
    assert Charge(Decimal(shown), Decimal(charged)).differs is differs


def test_no_charge_in_the_status_is_no_comparison() -> None:
    assert charge_of(Decimal(1), None) is None
    assert charge_of(Decimal(1), OrderStatus(Status.PENDING, "Pending")) is None
    # Panels that fill the charge in later answer 0 right after `add`: not a price change.
    assert charge_of(Decimal(1), OrderStatus(Status.PENDING, "0", charge=Decimal(0))) is None
    assert charge_of(Decimal(0), OrderStatus(Status.PENDING, "0", charge=Decimal(0))) is not None
    status = OrderStatus(Status.PENDING, "Pending", charge=Decimal("2"), currency_text="USD")
    assert charge_of(Decimal(1), status) == Charge(Decimal(1), Decimal(2), "USD")


def test_the_offer_is_the_covered_prefix_and_nothing_past_it() -> None:
    catalog = CatalogIndex([svc(1)])  # 12.50 per 1000: 1.25 a line of 100
    lines = "\n".join(f"1 | https://instagram.com/u{i} | 100" for i in range(80))
    valid = parse_bulk(lines, catalog).valid
    assert covered_lines(valid, Balance(Decimal("10.00"), "USD")) == 8
    assert offered_lines(valid, Balance(Decimal("10.00"), "USD")) == 8
    assert offered_lines(valid, Balance(Decimal("0.50"), "USD")) == 0
    assert offered_lines(valid, Balance(Decimal("100"), "USD")) is None  # all of them
    assert offered_lines(valid, None) is None  # unknown balance: the panel decides
    assert within_offer(8, 8, 80) and within_offer(8, 3, 80)
    assert not within_offer(8, 75, 80) and not within_offer(8, None, 80)
    assert not within_offer(0, 1, 80)
    assert within_offer(None, None, 80) and within_offer(None, 10**9, 80)
