"""Status push notifications end to end: poller → outbox → notifier → real PTB → fake Telegram."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest

from bot.callbacks.base import encode
from bot.callbacks.new_order import Reorder
from bot.callbacks.notifications import MuteOrder, OpenCard
from bot.callbacks.order_history import RefillOrder
from bot.jobs import jobs_of
from bot.services.notifications.notifier import BASE_RETRY, MAX_ATTEMPTS
from bot.services.poller import CycleReport
from bot.storage import KeyCipher, OrderDraft, OutboxKind, Storage
from bot.storage.models import Order
from bot.storage.orders import OrdersRepo
from tests.e2e.steps import drain, due_again, place_many, poll
from tests.failover import until
from tests.fakes.panel import FakeRefill
from tests.harness import Harness, running_bot

KEY = "pk_live_notify_4f9a8e7d6c5b4a39281706f5"
KEY_2 = "pk_live_notify_second_8e7d6c5b4a392817"
UID = 7001
UID_2 = 7002


def record_poll_cycles(bot: Harness, monkeypatch: pytest.MonkeyPatch) -> list[CycleReport]:
    """The report of every poll cycle the bot's own job runs from now on, in order."""
    assert bot.app is not None
    poller = jobs_of(bot.app).poller
    run_cycle = poller.run_cycle
    reports: list[CycleReport] = []

    async def recorded() -> CycleReport | None:
        report = await run_cycle()
        if report is not None:
            reports.append(report)
        return report

    monkeypatch.setattr(poller, "run_cycle", recorded)
    return reports


async def test_completion_reaches_the_user_within_two_poll_intervals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real repeating poll job, counted in cycles rather than seconds: on a loaded machine
    # an interval may stretch, but the completion must still come from the first or second
    # cycle that finished after the panel changed (the first may have read the status before).
    interval = 0.5
    async with running_bot(tmp_path, status_poll_seconds=interval) as bot:
        u = await bot.member(UID, key=KEY)
        [order] = await place_many(bot, UID, KEY)
        assert order.panel_order_id is not None
        cycles = record_poll_cycles(bot, monkeypatch)

        bot.panel.advance(order.panel_order_id)  # In progress
        msg = await u.reply(timeout=30)
        assert "has started" in (msg.text or "")
        assert f"#<code>{order.panel_order_id}</code>" in (msg.text or "")

        bot.panel.advance(order.panel_order_id)  # Completed
        before = len(cycles)
        done = await u.reply(timeout=30)
        # The drain job may send it before the cycle that queued it has returned its report.
        await until(lambda: any(r.queued for r in cycles[before:]), 30, "the queuing cycle")
        queued_by = next(i for i, report in enumerate(cycles[before:]) if report.queued)
        assert queued_by < 2, cycles[before:]
        text = done.text or ""
        assert f"Order <b>#<code>{order.panel_order_id}</code></b> is completed" in text
        assert "Instagram Takipçi" in text and (order.link or "") in text
        assert "$1.25" in text  # the charge, with the panel's currency
        assert done.buttons() == [
            ("📄 Open order", encode(OpenCard.action, order.id)),
            ("🔕 Mute", encode(MuteOrder.action, order.id, 1, 0)),
            ("🔁 Reorder", encode(Reorder.action, order.id)),
            ("♻️ Refill", RefillOrder(order.id).pack()),
        ]

        # The button opens the order card (as a new message: tests/e2e/test_pushes.py).
        await u.press("Open order", message=done)
        card = await u.reply()
        assert f"Order #<code>{order.panel_order_id}</code>" in (card.text or "")
        assert bot.telegram.bad_requests() == []

        # Terminal now: no more polling of it, no second message.
        await poll(bot)
        await drain(bot)
        sent = [c for c in bot.telegram.calls_to("sendMessage") if "completed" in c.params["text"]]
        assert len(sent) == 1


async def test_a_completion_drained_before_its_status_is_saved_still_offers_refill(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The poller saves a status and queues its push in one transaction; but a drain whose read
    # of the order answers from before the save (a reader on an older snapshot: SQLite's did
    # under load) sees it still "In progress", and the completion push came without ♻️ Refill.
    u = await bot.member(UID, key=KEY)
    [order] = await place_many(bot, UID, KEY)
    assert order.panel_order_id is not None
    bot.panel.advance(order.panel_order_id)  # In progress
    await poll(bot)
    assert "has started" in ((await u.reply(timeout=30)).text or "")
    before = await bot.deps.storage.orders.get(order.id)
    assert before is not None and before.status == "In progress"

    bot.panel.advance(order.panel_order_id)  # Completed
    await due_again(bot)
    get = OrdersRepo.get

    async def read_before_the_save(repo: OrdersRepo, order_id: int) -> Order | None:
        found = await get(repo, order_id)
        return before if found is not None and found.id == order.id else found

    monkeypatch.setattr(OrdersRepo, "get", read_before_the_save)
    await poll(bot)
    await drain(bot)
    done = await u.reply(timeout=30)
    monkeypatch.undo()

    assert "is completed" in (done.text or "")
    assert ("♻️ Refill", RefillOrder(order.id).pack()) in done.buttons()
    stored = await bot.deps.storage.orders.get(order.id)
    assert stored is not None and stored.status == "Completed"


async def test_250_open_orders_over_two_keys_take_four_requests(bot: Harness) -> None:
    await bot.member(UID, key=KEY)
    await bot.member(UID_2, key=KEY_2)
    await place_many(bot, UID, KEY, 201)
    await place_many(bot, UID_2, KEY_2, 49)
    bot.panel.clear_log()

    report = await poll(bot)

    assert report is not None and report.orders == 250
    assert bot.panel.count("status") == 4  # ⌈201/100⌉ + ⌈49/100⌉ = 3 + 1
    assert bot.panel.count() == 4


async def test_refill_outcome_is_pushed(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    [order] = await place_many(bot, UID, KEY)
    assert order.panel_order_id is not None
    bot.panel.set_order(order.panel_order_id, status="Completed", remains=0)
    await poll(bot)
    completed = await u.reply()
    assert "is completed" in (completed.text or "")

    bot.panel.refills[7] = FakeRefill(7, KEY, order.panel_order_id)
    await bot.deps.storage.refills.add(UID, order.panel_order_id, 7, "pending", order.id)
    report = await poll(bot)
    assert report is not None and report.queued == 0  # still pending: nothing to say

    bot.panel.set_refill(7, "completed")
    await due_again(bot)
    await poll(bot)
    msg = await u.reply()
    assert (
        f"Refill #<code>7</code> of order <b>#<code>{order.panel_order_id}</code></b> is completed"
        in (msg.text or "")
    )
    assert msg.buttons()[0] == ("📄 Open order", encode(OpenCard.action, order.id))
    refill = await bot.deps.storage.refills.for_order(UID, order.panel_order_id)
    assert [r.status for r in refill] == ["completed"]


async def test_429_is_waited_out_and_delivered_once(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    [order] = await place_many(bot, UID, KEY)
    assert order.panel_order_id is not None
    bot.telegram.inject("sendMessage", error_code=429, retry_after=1, chat_id=UID)
    bot.panel.set_order(order.panel_order_id, status="Completed", remains=0)

    await poll(bot)
    msg = await u.reply()

    assert "is completed" in (msg.text or "")
    calls = [c for c in bot.telegram.calls_to("sendMessage") if c.params.get("chat_id") == UID]
    assert [c.status for c in calls] == [429, 200]
    assert calls[1].at - calls[0].at >= 0.9  # PTB's rate limiter waited retry_after
    await drain(bot)
    assert await bot.deps.storage.outbox.pending_count() == 0
    assert bot.telegram.bad_requests() == []


async def test_403_marks_the_user_blocked_and_others_still_get_theirs(bot: Harness) -> None:
    blocked = await bot.member(UID, key=KEY)
    other = await bot.member(UID_2, key=KEY_2)
    [a] = await place_many(bot, UID, KEY)
    [b] = await place_many(bot, UID_2, KEY_2)
    assert a.panel_order_id is not None and b.panel_order_id is not None
    bot.telegram.inject("sendMessage", error_code=403, chat_id=UID, times=None)
    bot.panel.set_order(a.panel_order_id, status="Completed", remains=0)
    bot.panel.set_order(b.panel_order_id, status="Completed", remains=0)

    await poll(bot)
    msg = await other.reply()
    await drain(bot)

    assert "is completed" in (msg.text or "")
    assert blocked.bot_messages() == []
    user = await bot.deps.storage.users.get(UID)
    assert user is not None and user.blocked_bot
    assert await bot.deps.storage.outbox.pending_count() == 0
    # Later notices to the blocked user are dropped without another attempt.
    tried = bot.telegram.count("sendMessage")
    await bot.deps.storage.outbox.enqueue(UID, OutboxKind.ORDER_STATUS, {"order_id": a.id})
    await drain(bot)
    assert bot.telegram.count("sendMessage") == tried
    assert await bot.deps.storage.outbox.pending_count() == 0


async def test_unsent_notifications_survive_a_restart_and_go_out_once(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    orders = await place_many(bot, UID, KEY, 3)
    settings = bot.settings
    await bot.stop()
    # Queued while the bot is down, as a crash between "queued" and "sent" would leave them.
    storage = await Storage.open(
        settings.database,
        KeyCipher([k for k in settings.encryption_keys]),
    )
    try:
        for order in orders:
            await storage.outbox.enqueue(
                UID,
                OutboxKind.ORDER_STATUS,
                {"order_id": order.id, "status": "Completed"},
                dedupe_key=f"order:{order.id}:Completed",
            )
    finally:
        await storage.close()

    await bot.start()
    for _ in orders:
        await u.reply()
    await drain(bot)
    await bot.restart()
    await drain(bot)

    texts = [t for t in u.sent_texts() if "is completed" in t]
    assert len(texts) == 3
    assert [t for t in texts if f"#<code>{orders[0].panel_order_id}</code></b>" in t] == [texts[0]]
    assert bot.telegram.count("sendMessage") == 3
    assert await bot.deps.storage.outbox.pending_count() == 0


async def test_invalid_key_pauses_and_tells_the_user_once(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await place_many(bot, UID, KEY, 2)
    # The panel owner revoked the key: the stored one is no longer known to the panel.
    await bot.deps.storage.accounts.set(UID, "pk_revoked_by_the_panel_0000000000")

    for _ in range(3):
        await poll(bot)
        await due_again(bot)
    msg = await u.reply()
    await drain(bot)

    assert "no longer accepts your API key" in (msg.text or "")
    assert "/setkey" in (msg.text or "")
    assert len(u.bot_messages()) == 1
    assert bot.panel.count("status") == 1
    assert await bot.deps.storage.accounts.is_paused(UID)


async def test_notifications_off_in_settings_sends_nothing(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    [first, second] = await place_many(bot, UID, KEY, 2)
    assert first.panel_order_id is not None and second.panel_order_id is not None
    await u.send("/settings")
    await u.reply()
    await u.press("Notifications: on")
    toggled = await u.update()
    assert any("Notifications: off" in text for text, _ in toggled.buttons())

    bot.panel.set_order(first.panel_order_id, status="Completed", remains=0)
    await poll(bot)
    await drain(bot)
    assert not [t for t in u.sent_texts() if "is completed" in t]
    assert await bot.deps.storage.outbox.pending_count() == 0

    await u.press("Notifications: off", message=toggled)
    await u.update()
    bot.panel.set_order(second.panel_order_id, status="Completed", remains=0)
    await due_again(bot)
    await poll(bot)
    msg = await u.reply()
    assert f"#<code>{second.panel_order_id}</code></b> is completed" in (msg.text or "")


async def test_interrupted_order_warning_is_delivered(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    storage = bot.deps.storage
    [row] = await storage.orders.create_drafts(
        UID,
        "lost",
        [
            OrderDraft(
                service_id=1,
                service_name_text="Instagram <Takipçi>",
                service_type="Default",
                link="https://instagram.com/p/a&b",
                quantity=100,
                cost=Decimal("1.25"),
            )
        ],
    )
    await storage.orders.claim("lost", UID)
    await storage.orders.mark_unknown(row.id, "timeout")
    await storage.outbox.enqueue(UID, OutboxKind.ORDER_UNKNOWN, {"order_id": row.id})

    msg = await u.reply()

    assert "may or may not have been placed" in (msg.text or "")
    assert "Instagram &lt;Takipçi&gt;" in (msg.text or "")  # escaped, and Telegram accepted it
    assert "https://instagram.com/p/a&amp;b" in (msg.text or "")
    assert bot.telegram.bad_requests() == []


async def test_transient_send_failures_are_retried_then_given_up(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    [order] = await place_many(bot, UID, KEY)
    outbox = bot.deps.storage.outbox
    bot.telegram.inject("sendMessage", error_code=502, chat_id=UID)
    # Before the enqueue: the app's own drain (every second) may try the item before ours does.
    before = time.time()
    await outbox.enqueue(
        UID, OutboxKind.ORDER_STATUS, {"order_id": order.id, "status": "Completed"}
    )
    await drain(bot)

    [item] = await bot.deps.storage.db.fetchall("SELECT * FROM outbox")
    assert item["attempts"] == 1 and item["sent_at"] is None and item["dropped_at"] is None
    # Backed off, not hammered: measured from before the drain, however long it took.
    assert item["next_attempt_at"] >= before + BASE_RETRY
    assert u.bot_messages() == []

    await bot.deps.storage.db.execute("UPDATE outbox SET next_attempt_at = 0")
    await drain(bot)
    msg = await u.reply()
    assert "is completed" in (msg.text or "")
    assert await outbox.pending_count() == 0

    # A message that keeps failing is dropped after the last attempt, never retried forever.
    bot.telegram.inject("sendMessage", error_code=502, chat_id=UID, times=2)
    await outbox.enqueue(UID, OutboxKind.ORDER_STARTED, {"order_id": order.id})
    await drain(bot)  # its first attempt fails, whichever drain (ours or the app's) made it
    # Made the last attempt only now, when no drain holds the item: a drain that claimed it
    # before the update would add its failure to the updated count and defer it once more.
    await bot.deps.storage.db.execute(
        "UPDATE outbox SET attempts = ?, next_attempt_at = 0 WHERE sent_at IS NULL",
        (MAX_ATTEMPTS - 1,),
    )
    await drain(bot)
    [dropped] = await bot.deps.storage.db.fetchall(
        "SELECT * FROM outbox WHERE kind = ?", (OutboxKind.ORDER_STARTED,)
    )
    assert dropped["dropped_at"] is not None and dropped["sent_at"] is None
    assert len(u.bot_messages()) == 1
