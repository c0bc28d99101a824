"""A preview is a promise (issue 10, items 1, 2, 3, 5, 6), end to end over both fakes.

Confirm places exactly what the preview showed, with the key it was priced with, at no higher
price, before it expires; otherwise nothing reaches the panel and the user gets a fresh preview
(or a button for one). /cancel closes open previews; a single-order Confirm cannot claim a bulk
preview nor the other way round; open previews are capped and dead ones purged.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

from bot.callbacks.base import decode, encode
from bot.callbacks.bulk import ConfirmBulk
from bot.callbacks.new_order import ConfirmOrder
from bot.jobs import PURGE_JOB
from bot.services.drafts import MAX_OPEN_PREVIEWS
from bot.storage.models import Order, SubmitState
from tests.e2e.steps import (
    batch_of,
    bulk_preview,
    catalog_with,
    data_of,
    placing_calls,
    set_key,
    single_preview,
    tap,
    text_of,
)
from tests.fakes.panel import Fault
from tests.fakes.panel_catalog import default_services
from tests.fakes.telegram_models import BotMessage
from tests.fakes.telegram_users import FakeUser
from tests.harness import Harness, TestClock, running_bot

KEY_A = "pk_promise_a_0123456789abcdef"
KEY_B = "pk_promise_b_0123456789abcdef"
UID = 8301
KEY_CHANGED = "Your API key changed after this preview; nothing was ordered."
EXPIRED = "This preview has expired; nothing was ordered."
ConfirmTaps = list[tuple[str, BotMessage]]
TWO_LINES = "1 | https://instagram.com/a | 1000\n1 | https://instagram.com/b | 1000"


async def confirm_single(u: FakeUser, preview: BotMessage) -> BotMessage:
    """Press Confirm on a preview that will be placed: "sending", then the result."""
    await u.press("Confirm", message=preview)
    await u.update()
    return await u.update()


async def rows_of(bot: Harness, batch: str) -> list[Order]:
    return await bot.deps.storage.orders.get_batch(batch)


# --- 1. the key a preview was priced with ---------------------------------------------------


async def test_setkey_after_preview_voids_it_and_orders_nothing_on_the_new_key(
    bot: Harness,
) -> None:
    u = await bot.member(UID, key=KEY_A)
    bot.panel.add_key(KEY_B, balance="500")
    preview = await single_preview(u)
    assert "Balance: $100.00 → $87.50 after this order" in text_of(preview)
    old_confirm = data_of(preview, "Confirm")

    await set_key(u, KEY_B)
    assert preview.buttons() == []  # the preview's keyboard went with the old key
    await tap(u, old_confirm, preview)
    await bot.telegram.wait_until(lambda: KEY_CHANGED in text_of(preview))
    assert placing_calls(bot) == 0
    assert bot.panel.balance_of(KEY_A) == Decimal("100")
    assert bot.panel.balance_of(KEY_B) == Decimal("500")
    [row] = await rows_of(bot, decode(old_confirm).text(0))  # type: ignore[union-attr]
    assert row.submit_state is SubmitState.DRAFT

    # The button offers the same order priced with the key linked now.
    await u.press("Make a new preview", message=preview)
    fresh = await u.update()
    assert "Balance: $500.00 → $487.50 after this order" in text_of(fresh)
    result = await confirm_single(u, fresh)
    assert "Order placed" in text_of(result)
    [order] = bot.panel.orders.values()
    assert order.key == KEY_B and order.charge == Decimal("12.5")
    assert bot.telegram.bad_requests() == []


async def test_deletekey_then_relink_the_same_key_voids_old_previews(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY_A)
    single = await single_preview(u)
    bulk = await bulk_preview(u, TWO_LINES)
    single_confirm, bulk_confirm = data_of(single, "Confirm"), data_of(bulk, "Confirm")

    await u.send("/deletekey")
    assert "deleted" in text_of(await u.reply())
    assert single.buttons() == [] and bulk.buttons() == []
    # No key at all: nothing is ordered and the user is told why.
    await tap(u, single_confirm, single)
    await bot.telegram.wait_until(lambda: KEY_CHANGED in text_of(single))

    await set_key(u, KEY_A)  # the very same key, linked again: still a different promise
    await tap(u, bulk_confirm, bulk)
    await bot.telegram.wait_until(lambda: KEY_CHANGED in text_of(bulk))
    assert any("Make a new preview" in label for label, _ in bulk.buttons())
    await tap(u, single_confirm, single)
    assert placing_calls(bot) == 0

    await u.press("Make a new preview", message=bulk)
    fresh = await u.update()
    assert "2 valid orders of 2 lines" in text_of(fresh)
    await u.press("Confirm", message=fresh)
    await u.update()
    assert "2 placed" in text_of(await u.reply())
    assert bot.panel.bulk_calls() == 1 and len(bot.panel.orders) == 2


# --- 2. price and limits at Confirm; expiry -------------------------------------------------


async def test_tenfold_rate_after_cache_expiry_orders_nothing_and_shows_old_and_new(
    tmp_path: Path,
) -> None:
    clock = TestClock()
    async with running_bot(tmp_path, services_cache_seconds=1, clock=clock) as bot:
        u = await bot.member(UID, key=KEY_A, balance="1000")
        preview = await single_preview(u)
        assert "Cost: <b>$12.50</b>" in text_of(preview)
        old_confirm = data_of(preview, "Confirm")
        bot.panel.set_services(catalog_with(1, rate="125.00"))
        clock.advance(1.1)  # the cached catalog is now older than SERVICES_CACHE_SECONDS
        services_before = bot.panel.count("services")

        await u.press("Confirm", message=preview)
        changed = await u.update()
        text = text_of(changed)
        assert changed.message_id == preview.message_id
        assert "changed this service after your preview, so nothing was ordered" in text
        assert "Cost: $12.50 → <b>$125.00</b>" in text
        assert "Balance: $1,000.00 → $875.00 after this order" in text
        assert placing_calls(bot) == 0
        assert bot.panel.count("services") == services_before + 1  # one catalog call, no more

        # The old Confirm is dead; the fresh preview is a new draft that can be confirmed.
        assert "replaced by a newer one" in await tap(u, old_confirm, changed)
        assert placing_calls(bot) == 0
        assert batch_of(changed) != decode(old_confirm).text(0)  # type: ignore[union-attr]
        result = await confirm_single(u, changed)
        assert "Order placed" in text_of(result)
        [order] = bot.panel.orders.values()
        assert order.charge == Decimal("125")
        assert bot.telegram.bad_requests() == []


async def test_cheaper_rate_at_confirm_is_placed_at_once(tmp_path: Path) -> None:
    clock = TestClock()
    async with running_bot(tmp_path, services_cache_seconds=1, clock=clock) as bot:
        u = await bot.member(UID, key=KEY_A)
        preview = await single_preview(u)
        bot.panel.set_services(catalog_with(1, rate="10.00"))
        clock.advance(1.1)
        result = await confirm_single(u, preview)
        assert "Order placed" in text_of(result)
        [order] = bot.panel.orders.values()
        assert order.charge == Decimal("10")


async def test_fresh_catalog_cache_costs_no_services_call_at_confirm(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY_A)
    # Not a link of the list: the list's Confirm would stop at its open order (issue 24).
    preview = await single_preview(u, link="https://instagram.com/solo")
    bulk = await bulk_preview(u, TWO_LINES)
    services_before = bot.panel.count("services")
    assert "Order placed" in text_of(await confirm_single(u, preview))
    await u.press("Confirm", message=bulk)
    await u.update()
    assert "2 placed" in text_of(await u.reply())
    assert bot.panel.count("services") == services_before


async def test_service_gone_or_limits_changed_at_confirm_orders_nothing(tmp_path: Path) -> None:
    clock = TestClock()
    async with running_bot(tmp_path, services_cache_seconds=1, clock=clock) as bot:
        u = await bot.member(UID, key=KEY_A)
        gone = await single_preview(u)
        limits = await single_preview(u, link="https://instagram.com/b")
        bot.panel.set_services([s for s in default_services() if s["service"] != 1])
        clock.advance(1.1)
        await u.press("Confirm", message=gone)
        text = text_of(await u.update())
        assert "nothing was ordered" in text and "Service 1 is no longer offered" in text
        assert gone.buttons() and not any("Confirm" in label for label, _ in gone.buttons())

        bot.panel.set_services(catalog_with(1, min=2000))
        await bot.deps.catalog.get(UID, force=True)
        await u.press("Confirm", message=limits)
        text = text_of(await u.update())
        assert "nothing was ordered" in text and "between 2,000 and 10,000" in text
        assert placing_calls(bot) == 0
        # "Make a new preview" asks the quantity again (the old one no longer fits).
        await u.press("Make a new preview", message=limits)
        assert "How many?" in text_of(await u.update())


async def test_price_change_when_the_fresh_preview_cannot_be_priced_orders_nothing(
    bot: Harness,
) -> None:
    u = await bot.member(UID, key=KEY_A)
    preview = await single_preview(u)
    bot.panel.set_services(catalog_with(1, rate="125.00"))
    await bot.deps.catalog.get(UID, force=True)  # another screen refreshed the catalog
    bot.deps.ordering.preview_max_age = 0  # so the fresh preview fetches it once more
    bot.panel.inject(Fault.http_500(), action="services", times=None)
    await u.press("Confirm", message=preview)
    text = text_of(await u.update())
    assert "nothing was ordered" in text and "not answering right now" in text
    assert placing_calls(bot) == 0
    bot.panel.clear_faults()
    await u.press("Make a new preview", message=preview)
    fresh = await u.update()
    assert "Cost: <b>$125.00</b>" in text_of(fresh)


async def test_bulk_tenfold_rate_after_cache_expiry_orders_nothing(tmp_path: Path) -> None:
    clock = TestClock()
    async with running_bot(tmp_path, services_cache_seconds=1, clock=clock) as bot:
        u = await bot.member(UID, key=KEY_A, balance="1000")
        preview = await bulk_preview(u, TWO_LINES + "\n6 | https://youtube.com/watch?v=c | 1000")
        assert "Total cost: <b>$27.75</b>" in text_of(preview)
        old_confirm = data_of(preview, "Confirm")
        bot.panel.set_services(catalog_with(1, rate="125.00"))
        clock.advance(1.1)
        services_before = bot.panel.count("services")

        await u.press("Confirm", message=preview)
        changed = await u.update()
        text = text_of(changed)
        assert "changed prices or limits after your preview, so nothing was sent" in text
        assert "line 1: $12.50 → $125.00" in text and "line 2: $12.50 → $125.00" in text
        assert "line 3" not in text.split("Total")[0]  # the YouTube line kept its price
        assert "Total: $27.75 → <b>$252.75</b>" in text
        assert "3 valid orders of 3 lines" in text
        assert placing_calls(bot) == 0
        assert bot.panel.count("services") == services_before + 1
        [(label, _), _cancel] = changed.buttons()
        assert "Confirm 3 valid orders" in label

        await tap(u, old_confirm, changed)
        assert placing_calls(bot) == 0
        await u.press("Confirm", message=changed)
        await u.update()
        assert "3 placed" in text_of(await u.reply())
        charges = sorted(o.charge for o in bot.panel.orders.values())
        assert charges == [Decimal("2.75"), Decimal("125"), Decimal("125")]


async def test_bulk_limits_changed_at_confirm_drops_the_line_from_the_fresh_preview(
    tmp_path: Path,
) -> None:
    clock = TestClock()
    async with running_bot(tmp_path, services_cache_seconds=1, clock=clock) as bot:
        u = await bot.member(UID, key=KEY_A)
        preview = await bulk_preview(u, TWO_LINES + "\n6 | https://youtube.com/watch?v=c | 1000")
        bot.panel.set_services(catalog_with(6, min=5000))
        clock.advance(1.1)
        await u.press("Confirm", message=preview)
        text = text_of(await u.update())
        assert "line 3: $2.75 → ✖ Quantity must be a whole number between 5,000" in text
        assert "2 valid orders of 3 lines" in text
        assert placing_calls(bot) == 0


async def test_expired_preview_offers_a_new_one(tmp_path: Path) -> None:
    clock = TestClock()
    async with running_bot(tmp_path, draft_ttl_seconds=2, clock=clock) as bot:
        u = await bot.member(UID, key=KEY_A)
        single = await single_preview(u)
        bulk = await bulk_preview(u, TWO_LINES)
        clock.advance(2.2)

        await u.press("Confirm", message=single)
        assert EXPIRED in text_of(await u.update())
        await u.press("Confirm", message=bulk)
        assert EXPIRED in text_of(await u.update())
        assert placing_calls(bot) == 0

        await u.press("Make a new preview", message=single)
        fresh = await u.update()
        assert "Cost: <b>$12.50</b>" in text_of(fresh)
        assert "Order placed" in text_of(await confirm_single(u, fresh))
        await u.press("Make a new preview", message=bulk)
        fresh_bulk = await u.update()
        assert "2 valid orders of 2 lines" in text_of(fresh_bulk)
        # Its line 1 now has an open order (the single one just placed): Order anyway.
        assert "open order" in text_of(fresh_bulk)
        await u.press("Order anyway", message=fresh_bulk)
        await u.update()
        assert "2 placed" in text_of(await u.reply())
        assert bot.panel.count("add") == 1 and bot.panel.bulk_calls() == 1


# --- 3. /cancel at a preview ------------------------------------------------------------------


async def test_cancel_at_a_preview_cancels_it_and_confirm_orders_nothing(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY_A)
    preview = await single_preview(u)
    old_confirm = data_of(preview, "Confirm")
    await u.send("/cancel")
    assert "Preview cancelled, nothing was ordered." in text_of(await u.reply())
    assert preview.buttons() == []
    # Said as it is (issue 21): cancelled, not "expired".
    assert await tap(u, old_confirm, preview) == "Preview cancelled, nothing was ordered."
    assert placing_calls(bot) == 0
    assert await rows_of(bot, decode(old_confirm).text(0)) == []  # type: ignore[union-attr]
    await u.send("/cancel")
    assert "nothing to cancel" in text_of(await u.reply())


async def single_and_bulk_preview(u: FakeUser) -> ConfirmTaps:
    """A single and a bulk preview left open; each Confirm's data with its message."""
    single = await single_preview(u)
    bulk = await bulk_preview(u, TWO_LINES)
    return [(data_of(single, "Confirm"), single), (data_of(bulk, "Confirm"), bulk)]


async def assert_cancelled_for_good(bot: Harness, u: FakeUser, confirms: ConfirmTaps) -> None:
    """The previews lost their buttons, and their Confirms, tapped anyway, place nothing."""
    assert all(message.buttons() == [] for _, message in confirms)
    for data, message in confirms:
        await tap(u, data, message)
    assert placing_calls(bot) == 0


async def test_preview_messages_are_remembered_across_a_restart(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY_A)
    confirms = await single_and_bulk_preview(u)
    await bot.restart()
    await u.send("/cancel")
    assert "2 previews cancelled, nothing was ordered." in text_of(await u.reply())
    await assert_cancelled_for_good(bot, u, confirms)


async def test_cancel_cancels_every_open_preview_even_from_a_dialog(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY_A)
    confirms = await single_and_bulk_preview(u)
    await u.send("/order")
    await u.reply()
    await u.send("/cancel")
    reply = text_of(await u.reply())
    assert "Cancelled." in reply and "2 previews cancelled, nothing was ordered." in reply
    await assert_cancelled_for_good(bot, u, confirms)


# --- 5. a Confirm of one kind aimed at a preview of the other -------------------------------


async def test_forged_single_confirm_on_a_bulk_preview_claims_nothing(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY_A)
    preview = await bulk_preview(u, TWO_LINES + "\n6 | https://youtube.com/watch?v=c | 1000")
    batch = batch_of(preview)
    answer = await tap(u, encode(ConfirmOrder.action, batch), preview)
    assert "expired" in answer
    assert placing_calls(bot) == 0
    rows = await rows_of(bot, batch)
    assert [r.submit_state for r in rows] == [SubmitState.DRAFT] * 3
    assert all(r.submitted_at is None for r in rows)
    # The real bulk Confirm still places every line, once.
    await u.press("Confirm", message=preview)
    await u.update()
    assert "3 placed" in text_of(await u.reply())
    assert bot.panel.bulk_calls() == 1 and bot.panel.count("add") == 0


async def test_forged_bulk_confirm_on_a_single_preview_claims_nothing(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY_A)
    preview = await single_preview(u)
    batch = batch_of(preview)
    await u.send("/start")
    menu = await u.reply()
    assert "expired" in await tap(u, encode(ConfirmBulk.action, batch), menu)
    await bot.telegram.wait_until(lambda: "no longer valid" in text_of(menu))
    assert placing_calls(bot) == 0
    [row] = await rows_of(bot, batch)
    assert row.submit_state is SubmitState.DRAFT and row.submitted_at is None
    result = await confirm_single(u, preview)
    assert "Order placed" in text_of(result)
    assert bot.panel.count("add") == 1 and bot.panel.bulk_calls() == 0


# --- 6. the open-preview cap and the purge job ----------------------------------------------


async def test_open_previews_are_capped_and_the_oldest_is_voided(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY_A)
    previews: list[BotMessage] = []
    batches: list[str] = []
    for i in range(MAX_OPEN_PREVIEWS + 1):
        previews.append(await bulk_preview(u, f"2 | https://instagram.com/p/{i} | 100"))
        batches.append(batch_of(previews[-1]))
    oldest, newest = previews[0], previews[-1]
    # Closed right after the 21st preview was shown.
    await bot.telegram.wait_until(lambda: oldest.buttons() == [])
    assert all(p.buttons() for p in previews[1:])
    await tap(u, encode(ConfirmBulk.action, batches[0]), oldest)
    await bot.telegram.wait_until(lambda: EXPIRED in text_of(oldest))
    assert placing_calls(bot) == 0
    await u.press("Confirm", message=newest)
    await u.update()
    assert "1 placed" in text_of(await u.reply())
    assert bot.panel.bulk_calls() == 1


async def test_purge_job_removes_dead_previews_rows(bot: Harness) -> None:
    assert bot.app is not None and bot.app.job_queue is not None
    assert bot.app.job_queue.get_jobs_by_name(PURGE_JOB)
    u = await bot.member(UID, key=KEY_A)
    cancelled = batch_of(await bulk_preview(u, TWO_LINES))
    await u.send("/cancel")
    await u.reply()
    closed = batch_of(await bulk_preview(u, TWO_LINES))
    await set_key(u, KEY_A)
    placed = await single_preview(u)
    await confirm_single(u, placed)
    drafts = bot.deps.storage.drafts
    assert await drafts.count_rows(UID) == 2  # only the closed bulk preview's rows are left
    now_purge = dataclasses.replace(bot.deps.drafts, purge_grace=0)
    assert await now_purge.purge() == 2
    assert await drafts.count_rows(UID) == 0
    assert await rows_of(bot, cancelled) == []
    assert await rows_of(bot, closed) == []
    [order] = await bot.deps.storage.orders.list_for_user(UID)
    assert order.submit_state is SubmitState.PLACED
