"""The bot on a classic-script panel (issue 20): single-status, no add_bulk, no refill/cancel
through the API, bare JSON numbers. Everything a user does there works, or says plainly why not.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage.models import SubmitState
from tests.conftest import database_settings
from tests.e2e.steps import (
    BULK_KEY,
    THREE,
    confirm_in,
    dialog,
    drain,
    due_again,
    labels,
    open_bulk,
    orders_of,
    paste,
    place,
    poll,
    reply_containing,
)
from tests.e2e.steps import ORDERS_KEY_A as KEY_A
from tests.e2e.steps import ORDERS_USER_A as USER_A
from tests.fakes.panel import Fault
from tests.fakes.panel_classic import ClassicPanel
from tests.fakes.telegram_models import BotMessage
from tests.fakes.telegram_users import FakeUser
from tests.harness import Harness, running_bot


@pytest.fixture
async def classic(tmp_path: Path, database: Path | str) -> AsyncIterator[Harness]:
    """The bot with PANEL_API_URL on a classic panel, once per storage engine. PANEL_MAX_RPS
    is high so that pacing costs the tests no time (its spacing is unit-tested)."""
    async with running_bot(
        tmp_path, fake_panel=ClassicPanel, panel_max_rps=1000, **database_settings(database)
    ) as harness:
        yield harness


def multi_status_asks(bot: Harness) -> int:
    return sum(1 for r in bot.panel.requests if r.action == "status" and "orders" in r.params)


async def test_an_order_is_placed_and_status_shows_its_state(classic: Harness) -> None:
    u = await classic.member(USER_A, key=KEY_A)
    preview = await dialog(u, 1, "instagram.com/classic", "1000")
    placed = await confirm_in(u, preview, "en")
    # `{"status": 100, "order": "1"}`: the panel's id, as text, is the order's number.
    assert "#1" in (placed.text or "")
    assert classic.panel.orders[1].quantity == 1000
    classic.panel.advance(1)  # stored by the script as "Inprogress"

    await u.send("/status 1")
    text = (await u.reply()).text or ""
    assert re.search(r"#<code>1</code> — <b>In progress</b>", text), text
    assert "charge $12.50" in text
    assert "refused" not in text
    # Learned once: `orders=` refused, `order=` answered. The next look asks `order=` only.
    asked_multi = multi_status_asks(classic)
    assert asked_multi == 1
    await u.send("/status")
    listing = (await u.reply()).text or ""
    assert "not answering" not in listing and "#<code>1</code>" in listing
    assert multi_status_asks(classic) == asked_multi


async def test_completion_is_pushed_from_a_single_status_panel(classic: Harness) -> None:
    u = await classic.member(USER_A, key=KEY_A)
    orders = [await place(classic, USER_A, KEY_A) for _ in range(3)]
    await poll(classic)  # learns that the panel answers one order at a time
    for order in orders:
        classic.panel.advance(order.panel_order_id)
        classic.panel.advance(order.panel_order_id)
    await due_again(classic)
    classic.panel.clear_log()
    report = await poll(classic)
    assert report is not None and report.requests == 3
    assert multi_status_asks(classic) == 0
    assert sorted(int(r.params["order"]) for r in classic.panel.requests) == sorted(
        o.panel_order_id or 0 for o in orders
    )
    await drain(classic)
    push = await u.reply()
    assert "3 orders completed" in (push.text or "")
    for order in orders:
        stored = await classic.deps.storage.orders.get(order.id)
        assert stored is not None and stored.status == "Completed"


async def test_a_three_line_bulk_is_three_adds_and_no_add_bulk_with_orders(
    classic: Harness,
) -> None:
    u = await open_bulk(classic)
    preview = await paste(u, THREE)
    await u.press("Confirm", message=preview)
    assert "Submitting 3 orders" in ((await u.update()).text or "")
    # Line by line, the chat hears how far it got (the first line at once, then every 2 s).
    assert "⏳ 1 of 3 placed…" in ((await u.update()).text or "")
    result = await u.reply()
    assert "3 placed" in (result.text or "")
    assert classic.panel.count("add") == 3
    # Only the probe (an empty list, which cannot place anything) was an add_bulk.
    assert classic.panel.bulk_calls() == 0 and classic.panel.count("add_bulk") == 1
    assert {o.key for o in classic.panel.orders.values()} == {BULK_KEY}
    assert len(classic.panel.orders) == 3


async def test_refill_and_cancel_say_the_panel_does_not_take_them(classic: Harness) -> None:
    u = await classic.member(USER_A, key=KEY_A)
    done = await place(classic, USER_A, KEY_A, status="Completed")
    running = await place(classic, USER_A, KEY_A)
    classic.panel.clear_log()

    await u.send(f"/refill {done.panel_order_id}")
    text = (await u.reply()).text or ""
    assert "this panel does not take refills through its API" in text
    assert classic.panel.count("refill") == 1
    assert await classic.deps.storage.refills.for_order(USER_A, done.panel_order_id or 0) == []
    # Learned: not asked again, and the card no longer offers the button.
    await u.send(f"/refill {done.panel_order_id}")
    assert "does not take refills" in ((await u.reply()).text or "")
    assert classic.panel.count("refill") == 1

    await u.send(f"/cancelorder {running.panel_order_id}")
    question = await u.reply()
    await u.press("Yes", message=question)
    answer = await u.update()
    assert "this panel does not take cancels through its API" in (answer.text or "")
    assert classic.panel.count("cancel") == 1
    assert classic.panel.orders[running.panel_order_id or 0].status == "Pending"
    await u.send(f"/cancelorder {running.panel_order_id}")
    assert "does not take cancels" in ((await u.reply()).text or "")
    assert classic.panel.count("cancel") == 1


async def test_the_panel_card_says_what_the_panel_takes(classic: Harness) -> None:
    u = await classic.member(USER_A, key=KEY_A)
    done = await place(classic, USER_A, KEY_A, status="Completed")
    await place(classic, USER_A, KEY_A)
    await u.send("/status")  # one open order: learns that status is one order at a time
    await u.reply()
    await u.send(f"/refill {done.panel_order_id}")
    await u.reply()
    await u.send("/panels")
    listing = await u.reply()
    await u.press("127.0.0.1", message=listing)
    card = (await u.update()).text or ""
    assert (
        "bulk: not known yet · status: one by one · refill: not through the API"
        " · cancel: not known yet"
    ) in card


async def test_the_seed_panel_keeps_multi_status_and_add_bulk_after_one_probe(
    bot: Harness,
) -> None:
    u = await open_bulk(bot)
    for n in range(2):
        # Other pages the second time: the same ones, still open, would need Order anyway.
        fresh = THREE.replace("alpha", f"alpha{n}").replace("beta", f"beta{n}")
        preview = await paste(u, fresh.replace("gamma", f"gamma{n}"))
        await u.press("Confirm", message=preview)
        assert "3 placed" in ((await reply_containing(u, "placed")).text or "")
        await u.send("/bulk")
        await u.reply()
    # One probe (an empty list), then one add_bulk per bulk: never an `add`.
    assert bot.panel.count("add_bulk") == 3 and bot.panel.bulk_calls() == 2
    assert bot.panel.count("add") == 0
    bot.panel.clear_log()
    await poll(bot)
    assert bot.panel.count("status") == 1 == multi_status_asks(bot)


async def test_each_line_placed_one_by_one_is_recorded_at_once(classic: Harness) -> None:
    """Like a single order, a line the panel took has its id stored the moment it is known,
    not when the whole list is done: a crash while line 2 hangs loses no id of line 1."""
    classic.panel.inject(Fault.latency(0), action="add")  # line 1 goes through
    classic.panel.inject(Fault.hang(), action="add")  # line 2 hangs
    u = await open_bulk(classic)
    preview = await paste(u, THREE)
    await u.press("Confirm", message=preview)
    await classic.telegram.wait_until(lambda: classic.panel.count("add") == 2)
    [line_one] = classic.panel.orders
    [placed] = await classic.deps.storage.orders.list_for_user(u.id)
    rows = await classic.deps.storage.orders.get_batch(placed.batch)
    states = sorted((r.line_no or 0, r.submit_state.value, r.panel_order_id) for r in rows)
    assert states == [(1, "placed", line_one), (2, "submitting", None), (3, "submitting", None)]


FOUND = "🔎 I found it on the panel"
NOT_PLACED = "✖️ It was not placed"


async def lost_add(classic: Harness, u: FakeUser, fault: Fault) -> BotMessage:
    """Confirm an order whose `add` on the classic panel meets `fault`: its unknown result."""
    preview = await dialog(u, 1, "instagram.com/lost", "1000")
    classic.panel.inject(fault, action="add")
    result = await confirm_in(u, preview, "en")
    assert "cannot tell whether the order was placed" in (result.text or "")
    assert {FOUND, NOT_PLACED} <= set(labels(result))
    return result


async def test_a_lost_add_answer_found_on_the_panel_is_checked_one_by_one_then_tracked(
    classic: Harness,
) -> None:
    """Unknown → resolved on the classic script (issue 20 item 5): the id the user sends is
    checked with `order=` (the script knows no `orders=`), and the order is then tracked."""
    u = await classic.member(USER_A, key=KEY_A)
    result = await lost_add(classic, u, Fault.drop_connection(after=True))
    assert list(classic.panel.orders) == [1]  # the script did place it

    await u.press(FOUND, message=result)
    assert "Send the order id the panel shows" in ((await u.reply()).text or "")
    await u.send("#2")  # the panel does not know it: nothing is settled
    assert "does not know order #2" in ((await u.reply()).text or "")
    await u.send("#1")
    card = (await u.reply()).text or ""
    assert "Found: this is order <code>#1</code>" in card and "Pending" in card
    [row] = await orders_of(classic, USER_A)
    assert row.submit_state is SubmitState.PLACED and row.panel_order_id == 1
    asked = [r.params for r in classic.panel.requests if r.action == "status"]
    assert [p.get("order") for p in asked] == ["2", "1"] and not any("orders" in p for p in asked)
    assert classic.panel.count("add") == 1

    classic.panel.advance(1)
    classic.panel.advance(1)
    await due_again(classic)
    await poll(classic)
    await drain(classic)
    push = await u.reply()
    assert "Order <b>#<code>1</code></b> is completed" in (push.text or "")


async def test_a_lost_add_marked_not_placed_on_the_classic_panel_stays_in_history(
    classic: Harness,
) -> None:
    u = await classic.member(USER_A, key=KEY_A)
    result = await lost_add(classic, u, Fault.drop_connection())
    assert classic.panel.orders == {}
    await u.press(NOT_PLACED, message=result)
    question = await u.update()
    await u.press("Yes, it was not placed", message=question)
    card = (await u.update()).text or ""
    assert "Marked as not placed" in card and "Status: ✖️ <b>not placed</b>" in card
    [row] = await orders_of(classic, USER_A)
    assert row.submit_state is SubmitState.NOT_PLACED
    # Never polled, never sent again.
    classic.panel.clear_log()
    await due_again(classic)
    await poll(classic)
    assert classic.panel.count("status") == 0 and classic.panel.count("add") == 0
