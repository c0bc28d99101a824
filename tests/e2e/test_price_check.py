"""The charge the user saw (issue 19 items 2 and 3; issue 21, a cancelled preview), end to end.

With the default SERVICES_CACHE_SECONDS=600 a price raised tenfold after the preview used to be
charged, and "Order placed" said "Charge: $12.50" while the panel took $125.00. Now Confirm
compares with prices at most PRICE_CHECK_SECONDS old (one `services` call shared by concurrent
confirms on the same panel and key), and the result says what the panel really charged. A
forged "Confirm the first N" past what the preview offered is refused. Time moves on an
injected clock, never by sleeping.
"""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal
from typing import Any

import pytest

from bot.callbacks.base import decode, encode
from bot.callbacks.bulk import ConfirmBulk, ConfirmBulkFirst
from bot.storage.models import SubmitState
from tests.e2e.steps import (
    bulk_preview,
    placing_calls,
    single_preview,
    tap,
    text_of,
)
from tests.fakes.panel import Fault
from tests.fakes.panel_catalog import default_services
from tests.harness import Harness

KEY = "pk_pricecheck_0123456789abcdef"
UID = 8801
OTHER = 8802
CHANGED = "changed this service after your preview, so nothing was ordered"
BULK_CHANGED = "changed prices or limits after your preview, so nothing was sent"
TENFOLD = "Charged $125.00, not the $12.50 shown: the panel's price changed."
TWO_LINES = "1 | https://instagram.com/a | 1000\n1 | https://instagram.com/b | 1000"


class MovedClock:
    """The catalog cache's monotonic clock, moved forward by the test instead of waiting."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset


@pytest.fixture
def clock(bot: Harness, monkeypatch: pytest.MonkeyPatch) -> MovedClock:
    moved = MovedClock()
    monkeypatch.setattr(bot.deps.catalog.cache, "_clock", moved)
    return moved


def tenfold(service_id: int = 1) -> list[dict[str, Any]]:
    services = default_services()
    for service in services:
        if service["service"] == service_id:
            service["rate"] = str(Decimal(str(service["rate"])) * 10)
    return services


# --- the price at Confirm is at most PRICE_CHECK_SECONDS old ---------------------------------


async def test_tenfold_price_after_the_check_age_is_never_charged(
    bot: Harness, clock: MovedClock
) -> None:
    assert bot.settings.services_cache_seconds == 600  # the default the issue saw it with
    u = await bot.member(UID, key=KEY, balance="1000")
    preview = await single_preview(u)
    bot.panel.set_services(tenfold())
    clock.offset += 31  # older than PRICE_CHECK_SECONDS, still fresh for the cache
    services_before = bot.panel.count("services")

    await u.press("Confirm", message=preview)
    changed = await u.update()
    text = text_of(changed)
    assert CHANGED in text and "Cost: $12.50 → <b>$125.00</b>" in text
    assert placing_calls(bot) == 0 and bot.panel.balance_of(KEY) == Decimal("1000")
    assert bot.panel.count("services") == services_before + 1  # one catalog read, no more


async def test_bulk_tenfold_price_after_the_check_age_sends_nothing(
    bot: Harness, clock: MovedClock
) -> None:
    u = await bot.member(UID, key=KEY, balance="1000")
    preview = await bulk_preview(u, TWO_LINES)
    bot.panel.set_services(tenfold())
    clock.offset += 31
    services_before = bot.panel.count("services")
    await u.press("Confirm", message=preview)
    text = text_of(await u.update())
    assert BULK_CHANGED in text and "line 1: $12.50 → $125.00" in text
    assert placing_calls(bot) == 0
    assert bot.panel.count("services") == services_before + 1


async def test_a_catalog_younger_than_the_check_age_costs_no_call(
    bot: Harness, clock: MovedClock
) -> None:
    u = await bot.member(UID, key=KEY, balance="1000")
    preview = await single_preview(u)
    # 20 of the 30 s: the rest is room for a loaded machine's real seconds until the Confirm.
    clock.offset += 20
    services_before = bot.panel.count("services")
    await u.press("Confirm", message=preview)
    await u.update()
    assert "Order placed" in text_of(await u.update())
    assert bot.panel.count("services") == services_before


async def test_concurrent_confirms_on_one_key_share_one_services_call(
    bot: Harness, clock: MovedClock
) -> None:
    # Two users of one panel key: one cached catalog, so one re-read serves both confirms.
    first = await bot.member(UID, key=KEY, balance="1000")
    second = await bot.member(OTHER)
    await bot.deps.accounts.link(OTHER, KEY)
    previews = [await single_preview(first), await single_preview(second)]
    clock.offset += 31
    services_before = bot.panel.count("services")
    # The re-read takes a while, so the second confirm arrives while it is in flight.
    bot.panel.inject(Fault.latency(0.3), action="services")
    await asyncio.gather(
        first.press("Confirm", message=previews[0]),
        second.press("Confirm", message=previews[1]),
    )
    for u in (first, second):
        await u.update()
        assert "Order placed" in text_of(await u.update())
    assert bot.panel.count("services") == services_before + 1
    assert len(bot.panel.orders) == 2


# --- what the panel really charged ------------------------------------------------------------


async def test_the_result_says_when_the_panel_charged_another_price(bot: Harness) -> None:
    # Raised within PRICE_CHECK_SECONDS of the preview: the check passes, the panel bills the
    # new price, and the result says so plainly instead of repeating the preview's cost.
    u = await bot.member(UID, key=KEY, balance="1000")
    preview = await single_preview(u)
    bot.panel.set_services(tenfold())
    await u.press("Confirm", message=preview)
    await u.update()
    result = text_of(await u.update())
    assert "Order placed" in result and TENFOLD in result
    assert "Charge: $12.50" not in result
    assert bot.panel.count("status") == 1  # one read right after `add`
    [order] = await bot.deps.storage.orders.list_for_user(UID)
    assert order.charge == Decimal("125")  # the card and /orders show it too


async def test_an_unchanged_charge_reads_as_before(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY, balance="1000")
    preview = await single_preview(u)
    await u.press("Confirm", message=preview)
    await u.update()
    result = text_of(await u.update())
    assert "Order placed" in result and "Charge: $12.50" in result and "Charged" not in result


async def test_a_failing_status_read_leaves_the_order_placed(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY, balance="1000")
    preview = await single_preview(u)
    bot.panel.inject(Fault.http_500(), action="status", times=None)
    await u.press("Confirm", message=preview)
    await u.update()
    result = text_of(await u.update())
    assert "✅ Order placed: #<code>23501</code>" in result and "Charge: $12.50" in result
    assert "not placed" not in result
    [order] = await bot.deps.storage.orders.list_for_user(UID)
    assert order.submit_state is SubmitState.PLACED and order.panel_order_id == 23501
    assert bot.panel.count("add") == 1  # never sent again


async def test_bulk_result_says_what_the_panel_charged(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY, balance="1000")
    preview = await bulk_preview(u, TWO_LINES + "\n6 | https://youtube.com/watch?v=c | 1000")
    bot.panel.set_services(tenfold())
    await u.press("Confirm", message=preview)
    await u.update()
    text = text_of(await u.reply())
    assert "3 placed" in text
    assert "⚠️ Charged $252.75, not the $27.75 shown: the panel's price changed." in text
    assert "line 1: charged $125.00, not $12.50" in text
    assert "line 2: charged $125.00, not $12.50" in text
    assert "line 3: charged" not in text  # the YouTube line kept its price
    assert bot.panel.count("status") == 1  # one multi-status read for the batch


async def test_bulk_failing_status_read_leaves_the_batch_placed(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY, balance="1000")
    preview = await bulk_preview(u, TWO_LINES)
    bot.panel.inject(Fault.malformed_json(), action="status", times=None)
    await u.press("Confirm", message=preview)
    await u.update()
    text = text_of(await u.reply())
    assert "2 placed" in text and "Charged" not in text and "failed" not in text


# --- Confirm the first N: no more than the preview offered ------------------------------------


async def test_forged_first_n_past_the_offer_is_refused(bot: Harness) -> None:
    # 1.25 a line: a balance of 10 covers the first 8 of 80 lines.
    lines = "\n".join(f"1 | https://instagram.com/u{i} | 100" for i in range(80))
    u = await bot.member(UID, key=KEY, balance="10.00")
    preview = await bulk_preview(u, lines)
    [(label, data), _cancel] = preview.buttons()
    assert "Confirm the first 8 orders" in label
    batch = decode(data).text(0)  # type: ignore[union-attr]

    for forged in (
        encode(ConfirmBulkFirst.action, batch, 75),
        encode(ConfirmBulk.action, batch),
    ):
        assert "expired" in await tap(u, forged, preview)
    assert placing_calls(bot) == 0 and bot.panel.balance_of(KEY) == Decimal("10.00")
    rows = await bot.deps.storage.orders.get_batch(batch)
    assert [o.submit_state for o in rows] == [SubmitState.DRAFT] * 80  # nothing voided

    await u.press("Confirm the first 8", message=preview)
    await u.update()
    text = text_of(await u.reply())
    assert "8 placed" in text and "72 not sent" in text
    assert len(bot.panel.orders) == 8


# --- a cancelled preview says so (issue 21) ---------------------------------------------------


async def test_confirm_on_a_cancelled_preview_says_it_was_cancelled(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY, balance="1000")
    single = await single_preview(u)
    single_confirm = next(data for label, data in single.buttons() if "Confirm" in label)
    await u.press("Cancel", message=single)
    await u.update()
    bulk = await bulk_preview(u, TWO_LINES)
    bulk_confirm = next(data for label, data in bulk.buttons() if "Confirm" in label)
    await u.send("/cancel")
    await u.reply()

    cancelled = "Preview cancelled, nothing was ordered."
    assert await tap(u, single_confirm, single) == cancelled
    assert await tap(u, bulk_confirm, bulk) == cancelled
    assert placing_calls(bot) == 0
