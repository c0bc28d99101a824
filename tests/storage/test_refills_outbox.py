from __future__ import annotations

from decimal import Decimal

import pytest

from bot.panel.models import RefillState
from bot.storage import OrderDraft, OutboxKind, Storage
from tests.pg import INTEGRITY_ERRORS

from .conftest import FakeClock

USER = 7


@pytest.fixture
async def st(storage: Storage) -> Storage:
    await storage.users.touch(USER, username=None, first_name=None)
    return storage


async def test_refill_add_and_for_order(st: Storage, clock: FakeClock) -> None:
    [order] = await st.orders.create_drafts(
        USER, "b", [OrderDraft(1, "Likes", "Default", "l", 100, Decimal("0.1"))]
    )
    mine = await st.refills.add(USER, 500, 77, RefillState.PENDING, order_id=order.id)
    # Order placed outside the bot: no local row; a rejected request has no refill id.
    outside = await st.refills.add(USER, 900, None, RefillState.REJECTED, raw_status="Refill off")
    assert (mine.order_id, mine.refill_id, mine.status) == (order.id, 77, "pending")
    assert mine.created_at == mine.updated_at == clock.now and mine.polled_at is None
    assert (outside.order_id, outside.refill_id, outside.raw_status_text) == (
        None,
        None,
        "Refill off",
    )
    second = await st.refills.add(USER, 500, 78, "pending")
    assert await st.refills.for_order(USER, 500) == [mine, second]
    assert await st.refills.for_order(USER + 1, 500) == []
    assert await st.refills.get(mine.id) == mine
    with pytest.raises(INTEGRITY_ERRORS):
        await st.refills.add(USER, 1, 1, "pending", order_id=999)


async def test_refill_polling_due_and_updates(st: Storage, clock: FakeClock) -> None:
    a = await st.refills.add(USER, 1, 11, RefillState.PENDING)
    b = await st.refills.add(USER, 2, 12, "In progress")  # a panel's own wording: keep polling
    await st.refills.add(USER, 3, None, RefillState.REJECTED)
    await st.refills.add(USER, 4, 14, RefillState.COMPLETED)
    now = clock.now
    assert [r.id for r in await st.refills.pending_for_polling(now, 300)] == [a.id, b.id]

    assert await st.refills.update_status(a.id, RefillState.PENDING, now)
    assert [r.id for r in await st.refills.pending_for_polling(now + 299, 300)] == [b.id]
    assert [r.id for r in await st.refills.pending_for_polling(now + 300, 300)] == [b.id, a.id]

    assert await st.refills.update_status(b.id, RefillState.COMPLETED, now, raw_status="Completed")
    assert await st.refills.set_last_notified(b.id, "completed")
    got = await st.refills.get(b.id)
    assert got is not None
    assert (got.status, got.raw_status_text, got.last_notified_status) == (
        "completed",
        "Completed",
        "completed",
    )
    assert [r.id for r in await st.refills.pending_for_polling(now + 300, 300)] == [a.id]
    assert not await st.refills.update_status(999, "pending", now)


async def test_outbox_dedupe(storage: Storage) -> None:
    assert await storage.outbox.enqueue(
        1, OutboxKind.ORDER_STATUS, {"order": 5}, dedupe_key="o5:Completed"
    )
    assert not await storage.outbox.enqueue(
        1, OutboxKind.ORDER_STATUS, {"order": 5}, dedupe_key="o5:Completed"
    )
    # No key: never deduplicated.
    assert await storage.outbox.enqueue(1, OutboxKind.KEY_REJECTED, {"t": "a"})
    assert await storage.outbox.enqueue(1, OutboxKind.KEY_REJECTED, {"t": "a"})
    assert await storage.outbox.pending_count() == 3
    # Still deduplicated after delivery.
    [first, *_] = await storage.outbox.due(10**10, 10)
    assert await storage.outbox.mark_sent(first.id)
    assert not await storage.outbox.enqueue(
        1, OutboxKind.ORDER_STATUS, {}, dedupe_key="o5:Completed"
    )


async def test_outbox_due_order_defer_sent_dropped(storage: Storage, clock: FakeClock) -> None:
    t0 = clock.now
    await storage.outbox.enqueue(1, OutboxKind.ORDER_STATUS, {"n": 1, "text": "çay ☕"})
    clock.advance(1)
    await storage.outbox.enqueue(2, OutboxKind.ORDER_STARTED, {"n": 2})
    await storage.outbox.enqueue(3, OutboxKind.REFILL_STATUS, {"n": 3}, not_before=t0 + 100)
    clock.advance(1)
    await storage.outbox.enqueue(1, OutboxKind.KEY_REJECTED, {"n": 4})

    items = await storage.outbox.due(clock.now, 10)
    assert [i.kind for i in items] == [
        OutboxKind.ORDER_STATUS,
        OutboxKind.ORDER_STARTED,
        OutboxKind.KEY_REJECTED,
    ]
    assert items[0].payload == {"n": 1, "text": "çay ☕"}
    assert items[0].attempts == 0 and items[0].created_at == t0
    assert [i.kind for i in await storage.outbox.due(clock.now, 2)] == [
        OutboxKind.ORDER_STATUS,
        OutboxKind.ORDER_STARTED,
    ]
    assert [i.kind for i in await storage.outbox.due(t0 + 100, 10)] == [
        OutboxKind.ORDER_STATUS,
        OutboxKind.ORDER_STARTED,
        OutboxKind.REFILL_STATUS,
        OutboxKind.KEY_REJECTED,
    ]

    a, b, d = items
    assert await storage.outbox.defer(a.id, t0 + 50, "RetryAfter 48")
    assert await storage.outbox.mark_sent(b.id)
    assert not await storage.outbox.mark_sent(b.id)
    assert await storage.outbox.mark_dropped(d.id, "Forbidden: bot was blocked")
    assert not await storage.outbox.defer(d.id, t0, "x")  # dropped stays dropped
    assert await storage.outbox.due(clock.now, 10) == []
    assert await storage.outbox.pending_count() == 2  # a (deferred) and c (not yet due)

    [again] = await storage.outbox.due(t0 + 50, 10)
    assert (again.id, again.attempts, again.last_error) == (a.id, 1, "RetryAfter 48")
    dropped = await storage.outbox.get(d.id)
    assert dropped is not None
    assert dropped.dropped_at == clock.now and dropped.last_error.startswith("Forbidden")  # type: ignore[union-attr]


async def test_refills_belong_to_their_panel_account(st: Storage) -> None:
    """Panels number orders and refills themselves: #500 and refill #1 exist on slot 1 and
    on slot 2, and each panel account's history stays its own."""
    alpha = await st.refills.add(USER, 500, 1, "pending", panel_slot=1)
    beta = await st.refills.add(USER, 500, 1, "Completed", panel_slot=2)
    beta_only = await st.refills.add(USER, 600, 2, "pending", panel_slot=2)
    assert await st.refills.for_order(USER, 500, 1) == [alpha]
    assert await st.refills.for_order(USER, 500, 2) == [beta]
    assert await st.refills.by_refill_id(USER, 1, 1) == alpha
    assert await st.refills.by_refill_id(USER, 1, 2) == beta
    assert await st.refills.by_refill_id(USER, 2, 1) is None
    assert await st.refills.by_refill_id(USER, 2) == beta_only
    # Each id with the panel accounts that hold it as a refill id or a refilled order's id.
    assert await st.refills.slots_by_id(USER, [1, 2, 500, 600, 700]) == {
        1: [1, 2],
        2: [2],
        500: [1, 2],
        600: [2],
    }
    assert await st.refills.slots_by_id(USER + 1, [1, 500]) == {}
    assert await st.refills.slots_by_id(USER, []) == {}
