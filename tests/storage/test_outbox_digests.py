"""OutboxRepo digests: one row for many transitions, each still said once; held items merged."""

from __future__ import annotations

from bot.storage import OutboxKind, Storage
from bot.storage.outbox import OutboxMessage

from .conftest import FakeClock


def done(order_id: int) -> OutboxMessage:
    return OutboxMessage(
        1,
        OutboxKind.ORDER_STATUS,
        {"order_id": order_id, "status": "Completed"},
        f"order:{order_id}:Completed",
    )


def combine(messages: list[OutboxMessage]) -> OutboxMessage:
    ids = [[m.payload["order_id"], "Completed"] for m in messages]
    return OutboxMessage(1, OutboxKind.ORDER_DIGEST, {"orders": ids})


async def test_several_new_transitions_are_one_row_and_never_queued_again(
    storage: Storage, clock: FakeClock
) -> None:
    outbox = storage.outbox
    assert await outbox.enqueue_grouped(1, [done(1), done(2), done(3)], combine) == 3
    [digest] = await outbox.due(clock.now)
    assert digest.kind == "order_digest" and digest.dedupe_key is None
    assert digest.payload == {"orders": [[1, "Completed"], [2, "Completed"], [3, "Completed"]]}

    # Seen again (a crash before the statuses were saved): nothing, as a group or one by one.
    assert await outbox.enqueue_grouped(1, [done(1), done(2), done(3)], combine) == 0
    assert await outbox.enqueue_grouped(1, [done(2)], combine) == 0
    # A new one next to a covered one is queued as itself, with its own key.
    assert await outbox.enqueue_grouped(1, [done(3), done(4)], combine) == 1
    rows = await outbox.due(clock.now)
    assert [(r.kind, r.dedupe_key) for r in rows] == [
        ("order_digest", None),
        ("order_status", "order:4:Completed"),
    ]
    # …and a key queued singly is not covered again by a later digest.
    assert await outbox.enqueue_grouped(1, [done(4), done(5)], combine) == 1
    # A key twice in one group is one transition (one digest covering 6 and 7).
    assert await outbox.enqueue_grouped(1, [done(6), done(6), done(7)], combine) == 2
    assert (await outbox.due(clock.now))[-1].payload == {
        "orders": [[6, "Completed"], [7, "Completed"]]
    }


async def test_merge_replaces_open_items_by_one_and_refuses_a_stale_set(
    storage: Storage, clock: FakeClock
) -> None:
    outbox = storage.outbox
    await outbox.enqueue_many([done(1), done(2), done(3)])
    a, b, c = await outbox.due(clock.now)
    assert await outbox.hold(a.id, clock.now + 60) and await outbox.hold(b.id, clock.now + 60)
    assert await outbox.held_due(1, clock.now) == []
    clock.now += 60
    assert [i.id for i in await outbox.held_due(1, clock.now)] == [a.id, b.id]

    merged = await outbox.merge(1, [a.id, b.id], OutboxKind.ORDER_DIGEST, {"orders": []})
    assert merged is not None
    due = await outbox.due(clock.now)
    assert [i.id for i in due] == [c.id, merged]
    gone = await outbox.get(a.id)
    assert gone is not None and gone.last_error == f"merged into digest {merged}"

    # One of them already sent: nothing changes.
    await outbox.mark_sent(c.id)
    assert await outbox.merge(1, [merged, c.id], OutboxKind.ORDER_DIGEST, {}) is None
    assert [i.id for i in await outbox.due(clock.now)] == [merged]
