"""OutboxRepo.enqueue_many: one transaction, dedupe keys honoured inside the batch and across."""

from __future__ import annotations

from bot.storage import OutboxKind, Storage
from bot.storage.outbox import OutboxMessage

from .conftest import FakeClock


async def test_enqueue_many_inserts_in_order_and_counts_new_rows(
    storage: Storage, clock: FakeClock
) -> None:
    items = [
        OutboxMessage(
            1, OutboxKind.ORDER_STATUS, {"order_id": 1, "status": "Completed"}, "order:1:C"
        ),
        OutboxMessage(2, OutboxKind.KEY_REJECTED, {}),
        OutboxMessage(
            1, OutboxKind.ORDER_STARTED, {"order_id": 2}, "order:2:started", not_before=5.0
        ),
    ]
    assert await storage.outbox.enqueue_many(items) == 3
    due = await storage.outbox.due(clock.now)
    # Ids follow the batch order, which keeps each user's messages in sequence.
    assert [(i.user_id, i.kind, i.payload, i.dedupe_key) for i in due] == [
        (1, "order_status", {"order_id": 1, "status": "Completed"}, "order:1:C"),
        (2, "key_rejected", {}, None),
        (1, "order_started", {"order_id": 2}, "order:2:started"),
    ]
    assert all(i.created_at == clock.now for i in due)
    assert {i.dedupe_key: i.next_attempt_at for i in due}["order:2:started"] == 5.0
    assert await storage.outbox.pending_count() == 3


async def test_enqueue_many_dedupes_within_the_batch(storage: Storage) -> None:
    first = OutboxMessage(1, OutboxKind.ORDER_STATUS, {"n": 1}, dedupe_key="order:9:Completed")
    again = OutboxMessage(1, OutboxKind.ORDER_STATUS, {"n": 2}, dedupe_key="order:9:Completed")
    keyless = OutboxMessage(1, OutboxKind.KEY_REJECTED, {})
    assert await storage.outbox.enqueue_many([first, again, keyless, keyless]) == 3
    rows = await storage.db.fetchall("SELECT payload, dedupe_key FROM outbox ORDER BY id")
    # The first of two equal keys wins; NULL keys never collide.
    assert [(r["payload"], r["dedupe_key"]) for r in rows] == [
        ('{"n": 1}', "order:9:Completed"),
        ("{}", None),
        ("{}", None),
    ]


async def test_enqueue_many_skips_keys_queued_before_even_if_sent(storage: Storage) -> None:
    assert await storage.outbox.enqueue(1, OutboxKind.ORDER_STATUS, {"old": True}, dedupe_key="k1")
    [sent] = await storage.outbox.due(1e12)
    assert await storage.outbox.mark_sent(sent.id)
    assert await storage.outbox.enqueue(1, OutboxKind.ORDER_STATUS, {"old": True}, dedupe_key="k2")
    batch = [
        OutboxMessage(1, OutboxKind.ORDER_STATUS, {"new": True}, dedupe_key="k1"),
        OutboxMessage(1, OutboxKind.ORDER_STATUS, {"new": True}, dedupe_key="k2"),
        OutboxMessage(1, OutboxKind.ORDER_STATUS, {"new": True}, dedupe_key="k3"),
    ]
    assert await storage.outbox.enqueue_many(batch) == 1
    rows = await storage.db.fetchall("SELECT dedupe_key, payload FROM outbox ORDER BY id")
    assert [(r["dedupe_key"], r["payload"]) for r in rows] == [
        ("k1", '{"old": true}'),
        ("k2", '{"old": true}'),
        ("k3", '{"new": true}'),
    ]
    assert await storage.outbox.enqueue_many(batch) == 0


async def test_enqueue_many_empty_is_a_no_op(storage: Storage) -> None:
    assert await storage.outbox.enqueue_many([]) == 0
    assert await storage.outbox.enqueue_many(iter(())) == 0
    assert await storage.outbox.pending_count() == 0


def test_kinds_keep_their_stored_values() -> None:
    # Items already queued in a database carry these strings: renaming one orphans them.
    assert {k.name: k.value for k in OutboxKind} == {
        "ORDER_STATUS": "order_status",
        "ORDER_STARTED": "order_started",
        "ORDER_UNKNOWN": "order_unknown",
        "REFILL_STATUS": "refill_status",
        "KEY_REJECTED": "key_rejected",
        "KEY_UNREADABLE": "key_unreadable",
        "REPLY": "reply",
        "ORDER_DIGEST": "order_digest",
        "LOW_BALANCE": "low_balance",
        "PRICE_CHANGES": "price_changes",
        "SCHEDULED": "scheduled",
    }
