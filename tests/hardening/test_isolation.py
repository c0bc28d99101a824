"""User A can never see, refill, cancel, reorder or confirm user B's orders."""

from __future__ import annotations

from bot.callbacks.base import decode, encode
from bot.callbacks.new_order import Reorder
from bot.callbacks.order_history import (
    CancelOrder,
    CancelOrderYes,
    OrderCard,
    RefillOrder,
    RefreshOrder,
    StatusOf,
)
from bot.storage.models import SubmitState
from tests.e2e.steps import ORDERS_KEY_A as KEY_A
from tests.e2e.steps import ORDERS_KEY_B as KEY_B
from tests.e2e.steps import ORDERS_USER_A as USER_A
from tests.e2e.steps import ORDERS_USER_B as USER_B
from tests.e2e.steps import data_of, dialog, place, text_of
from tests.harness import Harness

WRITES = ("add", "add_bulk", "refill", "cancel")


async def test_a_cannot_reach_bs_orders_by_any_command_or_button(bot: Harness) -> None:
    a = await bot.member(USER_A, key=KEY_A)
    b = await bot.member(USER_B, key=KEY_B)
    done = await place(bot, USER_B, KEY_B, status="Completed")
    running = await place(bot, USER_B, KEY_B)
    # B's open previews and confirmation: tokens A might guess or see forwarded.
    await dialog(b, 1, "https://instagram.com/b_only")
    await b.send("1000")
    confirm = data_of(await b.reply(), "Confirm")
    await b.send("/bulk")
    await b.reply()
    await b.send("1 | https://instagram.com/b_bulk | 1000")
    bulk_confirm = data_of(await b.reply(), "Confirm")
    await b.send(f"/cancelorder {running.panel_order_id}")
    cancel_many = data_of(await b.reply(), "Yes")
    b_messages = len(b.bot_messages())
    bot.panel.clear_log()

    b_ids = f"{done.panel_order_id} {running.panel_order_id}"
    await a.send(f"/status {b_ids}")
    text = text_of(await a.reply())
    assert f"#<code>{done.panel_order_id}</code> — not found" in text
    assert f"#<code>{running.panel_order_id}</code> — not found" in text
    assert "Completed" not in text and "Pending" not in text
    await a.send(f"/refill {done.panel_order_id}")
    assert f"#<code>{done.panel_order_id}</code> — not found" in text_of(await a.reply())
    await a.send(f"/cancelorder {running.panel_order_id}")
    refused = await a.reply()
    assert f"#<code>{running.panel_order_id}</code> — not found" in text_of(refused)
    assert refused.buttons() == []
    await a.send("/orders")
    listing = await a.reply()
    assert str(done.panel_order_id) not in text_of(listing)
    await a.send("/export")
    assert "no orders to export" in text_of(await a.reply())
    # Every status lookup A caused went out with A's key only.
    assert {r.params.get("key") for r in bot.panel.requests} <= {KEY_A}

    expired = [
        encode(OrderCard.action, done.id),
        encode(RefreshOrder.action, done.id),
        encode(RefillOrder.action, done.id),
        encode(CancelOrder.action, running.id),
        encode(CancelOrderYes.action, running.id),
        encode(Reorder.action, done.id),
        cancel_many,
    ]
    for data in expired:
        qid = await a.press_data(data, listing)
        assert "expired" in str((await a.answer(qid)).params.get("text")), data
    # Confirming B's previews: refused, and B's drafts stay drafts.
    for data in (confirm, bulk_confirm):
        qid = await a.press_data(data, listing)
        answer = str((await a.answer(qid)).params.get("text"))
        assert "expired" in answer, (data, answer)
    await a.press_data(encode(StatusOf.action, done.panel_order_id or 0), listing)
    assert f"#<code>{done.panel_order_id}</code> — not found" in text_of(await a.reply())

    assert [bot.panel.count(w) for w in WRITES] == [0, 0, 0, 0]
    assert {r.params.get("key") for r in bot.panel.requests} <= {KEY_A}
    assert bot.panel.orders[running.panel_order_id or 0].status == "Pending"
    assert bot.panel.refills == {}
    for data in (confirm, bulk_confirm):
        decoded = decode(data)
        assert decoded is not None
        rows = await bot.deps.storage.orders.get_batch(decoded.text(0))
        assert rows and {r.submit_state for r in rows} == {SubmitState.DRAFT}
        assert {r.user_id for r in rows} == {USER_B}
    assert await bot.deps.storage.refills.for_order(USER_A, done.panel_order_id or 0) == []
    assert await bot.deps.storage.orders.all_for_user(USER_A) == []
    # Nothing of B's was rendered into A's chat by any forged button.
    for msg in a.bot_messages():
        shown = text_of(msg)
        assert "b_only" not in shown and "b_bulk" not in shown
        assert str(running.panel_order_id) not in shown or "not found" in shown
    assert len(b.bot_messages()) == b_messages  # and nothing A did reached B's chat

    # B's own buttons still work afterwards: A's attempts consumed nothing.
    qid = await b.press_data(cancel_many, b.last())
    await b.answer(qid)
    assert "cancel requested" in text_of(await b.update())
    assert bot.panel.count("cancel") == 1
    assert bot.telegram.bad_requests() == []
