"""/orders: history list, filters, paging, order cards and their buttons, ownership checks."""

from __future__ import annotations

from bot.callbacks.base import encode
from bot.callbacks.new_order import Reorder
from bot.callbacks.order_history import (
    CancelOrder,
    CancelOrderYes,
    OrderCard,
    RefillOrder,
    RefreshOrder,
    StatusOf,
)
from tests.e2e.steps import ORDERS_KEY_A as KEY_A
from tests.e2e.steps import ORDERS_KEY_B as KEY_B
from tests.e2e.steps import ORDERS_USER_A as USER_A
from tests.e2e.steps import ORDERS_USER_B as USER_B
from tests.e2e.steps import data_of, labels, place
from tests.fakes.panel_catalog import DEFAULT_SERVICES
from tests.harness import Harness

_SERVICES = {s["service"]: s for s in DEFAULT_SERVICES}


async def test_orders_list_newest_first_paged_and_filtered(bot: Harness) -> None:
    u = await bot.member(USER_A, key=KEY_A)
    placed = [await place(bot, USER_A, KEY_A) for _ in range(7)]
    placed += [await place(bot, USER_A, KEY_A, status="Completed") for _ in range(3)]
    await u.send("/orders")
    first = await u.reply()
    assert "10 in total" in (first.text or "")
    card_buttons = [(t, d) for t, d in first.buttons() if d.startswith("oc:")]
    assert len(card_buttons) == 8
    newest = [o.id for o in reversed(placed)]
    assert [int(d.split(":")[1]) for _, d in card_buttons] == newest[:8]
    assert f"#{placed[-1].panel_order_id}" in card_buttons[0][0]
    assert "1/2" in labels(first)

    await u.press("Next", message=first)
    second = await u.update()
    assert [int(d.split(":")[1]) for _, d in second.buttons() if d.startswith("oc:")] == newest[8:]

    await u.press("Completed", message=second)
    done = await u.update()
    done_ids = {int(d.split(":")[1]) for _, d in done.buttons() if d.startswith("oc:")}
    assert done_ids == {o.id for o in placed[7:]}
    assert "✅ Completed" in labels(done)

    await u.press("Open", message=done)
    open_ = await u.update()
    open_ids = {int(d.split(":")[1]) for _, d in open_.buttons() if d.startswith("oc:")}
    assert open_ids == {o.id for o in placed[:7]}
    assert bot.panel.count("status") == 0  # the list is served from storage
    assert bot.telegram.bad_requests() == []


async def test_main_menu_button_and_empty_history(bot: Harness) -> None:
    u = await bot.member(USER_A, key=KEY_A)
    await u.send("/start")
    menu = await u.reply()
    await u.press("My orders", message=menu)
    listing = await u.update()
    assert "No orders here yet" in (listing.text or "")
    assert not [d for _, d in listing.buttons() if d.startswith("oc:")]


async def test_card_details_and_buttons_follow_service_flags(bot: Harness) -> None:
    u = await bot.member(USER_A, key=KEY_A)
    completed = await place(bot, USER_A, KEY_A, service=1, status="Completed")
    running = await place(bot, USER_A, KEY_A, service=1, link="https://x.test/<b>&")
    no_cancel = await place(bot, USER_A, KEY_A, service=6, quantity=500)
    await u.send("/orders")
    listing = await u.reply()

    await u.press(f"#{completed.panel_order_id}", message=listing)
    card = await u.update()
    text = card.text or ""
    assert f"Order #<code>{completed.panel_order_id}</code>" in text
    assert "Instagram Takipçi (#1)" in text and "Quantity: 1,000" in text
    assert "Completed" in text and "Created:" in text and "Updated:" in text
    assert "Refill" in " ".join(labels(card)) and "Cancel order" not in " ".join(labels(card))
    assert data_of(card, "Reorder") == encode(Reorder.action, completed.id)

    await u.press("Back", message=card)
    listing = await u.update()
    await u.press(f"#{running.panel_order_id}", message=listing)
    card = await u.update()
    assert "https://x.test/&lt;b&gt;&amp;" in (card.text or "")  # panel/user text is escaped
    assert "Cancel order" in " ".join(labels(card)) and "Refill" not in " ".join(labels(card))

    await u.press("Back", message=card)
    listing = await u.update()
    await u.press(f"#{no_cancel.panel_order_id}", message=listing)
    card = await u.update()
    assert "Cancel order" not in " ".join(labels(card))  # service 6 cannot be cancelled
    assert "Refill" not in " ".join(labels(card))  # refillable service, but still Pending
    assert bot.telegram.bad_requests() == []


async def test_refresh_button_saves_the_fresh_status(bot: Harness) -> None:
    u = await bot.member(USER_A, key=KEY_A)
    order = await place(bot, USER_A, KEY_A)
    assert order.panel_order_id is not None
    await u.send("/orders")
    await u.press(f"#{order.panel_order_id}", message=await u.reply())
    card = await u.update()
    assert "Pending" in (card.text or "")
    bot.panel.advance(order.panel_order_id)
    bot.panel.clear_log()
    qid = await u.press("Refresh", message=card)
    refreshed = await u.update()
    assert "In progress" in (refreshed.text or "")
    start = bot.panel.orders[order.panel_order_id].start_count
    assert f"Start count: {start:,}" in (refreshed.text or "")
    assert "Updated" in str((await u.answer(qid)).params.get("text"))
    assert bot.panel.count("status") == 1
    stored = await bot.deps.storage.orders.get(order.id)
    assert stored is not None and stored.status == "In progress" and stored.start_count == start


async def test_refill_button_requests_and_stores(bot: Harness) -> None:
    u = await bot.member(USER_A, key=KEY_A)
    order = await place(bot, USER_A, KEY_A, status="Completed")
    assert order.panel_order_id is not None
    await u.send("/orders")
    await u.press(f"#{order.panel_order_id}", message=await u.reply())
    card = await u.update()
    await u.press("Refill", message=card)
    after = await u.update()
    assert "refill requested (refill #<code>1</code>)" in (after.text or "")
    assert bot.panel.count("refill") == 1
    [refill] = await bot.deps.storage.refills.for_order(USER_A, order.panel_order_id)
    assert refill.refill_id == 1 and refill.order_id == order.id and refill.status == "pending"


async def test_cancel_button_asks_then_cancels(bot: Harness) -> None:
    u = await bot.member(USER_A, key=KEY_A)
    order = await place(bot, USER_A, KEY_A, service=1)
    pid = order.panel_order_id
    assert pid is not None
    await u.send("/orders")
    await u.press(f"#{pid}", message=await u.reply())
    card = await u.update()

    await u.press("Cancel order", message=card)
    question = await u.update()
    assert f"Cancel order #<code>{pid}</code>?" in (question.text or "")
    await u.press("No", message=question)
    back = await u.update()
    assert f"Order #<code>{pid}</code>" in (back.text or "")
    assert bot.panel.count("cancel") == 0

    await u.press("Cancel order", message=back)
    question = await u.update()
    await u.press("Yes", message=question)
    done = await u.update()
    assert "cancel requested" in (done.text or "")
    assert "Canceled" in (done.text or "")
    assert "Cancel order" not in " ".join(labels(done))
    assert bot.panel.count("cancel") == 1
    assert bot.panel.orders[pid].status == "Canceled"
    stored = await bot.deps.storage.orders.get(order.id)
    assert stored is not None and stored.status == "Canceled"
    assert bot.telegram.bad_requests() == []


async def test_forged_callbacks_for_another_users_order_are_refused(bot: Harness) -> None:
    u = await bot.member(USER_A, key=KEY_A)
    await bot.member(USER_B, key=KEY_B)
    theirs = await place(bot, USER_B, KEY_B, status="Completed")
    theirs_running = await place(bot, USER_B, KEY_B)
    await u.send("/orders")
    mine = await u.reply()
    bot.panel.clear_log()
    forged = [
        encode(OrderCard.action, theirs.id),
        encode(RefreshOrder.action, theirs.id),
        encode(RefillOrder.action, theirs.id),
        encode(CancelOrder.action, theirs_running.id),
        encode(CancelOrderYes.action, theirs_running.id),
    ]
    for data in forged:
        qid = await u.press_data(data, mine)
        answer = await u.answer(qid)
        assert "expired" in str(answer.params.get("text")), data
    assert bot.panel.count() == 0
    assert mine.edit_count == 0
    assert len(u.bot_messages()) == 1
    assert bot.panel.orders[theirs_running.panel_order_id or 0].status == "Pending"
    assert await bot.deps.storage.refills.for_order(USER_B, theirs.panel_order_id or 0) == []


async def test_status_of_button_opens_card_or_looks_up(bot: Harness) -> None:
    u = await bot.member(USER_A, key=KEY_A)
    await bot.member(USER_B, key=KEY_B)
    order = await place(bot, USER_A, KEY_A)
    outside = bot.panel.create_order(KEY_A, 9, "https://t.me/chan", 200, status="In progress")
    foreign = bot.panel.create_order(KEY_B, 1, "https://instagram.com/b", 100)
    await u.send("/orders")
    anchor = await u.reply()

    await u.press_data(encode(StatusOf.action, order.panel_order_id or 0), anchor)
    card = await u.reply()
    assert f"Order #<code>{order.panel_order_id}</code>" in (card.text or "")
    assert anchor.edit_count == 0  # the message carrying the button stays as it was

    await u.press_data(encode(StatusOf.action, outside), card)
    looked_up = await u.reply()
    assert f"#<code>{outside}</code>" in (looked_up.text or "") and "In progress" in (
        looked_up.text or ""
    )

    await u.press_data(encode(StatusOf.action, foreign), card)
    refused = await u.reply()
    assert f"#<code>{foreign}</code> — not found" in (refused.text or "")
