"""Outbox leases: two drains (two processes at a hand-over) never take the same row."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.storage import OutboxKind, Storage
from bot.storage.crypto import KeyCipher
from bot.storage.outbox import OutboxMessage

from .conftest import FakeClock

LEASE = 60.0


async def _queue(storage: Storage, n: int) -> None:
    await storage.outbox.enqueue_many(
        OutboxMessage(1, OutboxKind.ORDER_STATUS, {"order_id": i, "status": "Completed"})
        for i in range(n)
    )


async def test_a_claimed_row_is_not_claimed_again_until_its_lease_ends(
    storage: Storage, clock: FakeClock
) -> None:
    await _queue(storage, 5)
    first = await storage.outbox.claim_due(clock.now, 3, LEASE)
    second = await storage.outbox.claim_due(clock.now, 3, LEASE)
    assert [i.payload["order_id"] for i in first] == [0, 1, 2]
    assert [i.payload["order_id"] for i in second] == [3, 4]  # the rest, in order
    assert await storage.outbox.claim_due(clock.now, 10, LEASE) == []
    # A drain that stopped early gives its rows back; a dead one's run out.
    assert await storage.outbox.release([first[2].id]) == 1
    assert [i.id for i in await storage.outbox.claim_due(clock.now, 10, LEASE)] == [first[2].id]
    clock.advance(LEASE + 1)
    assert len(await storage.outbox.claim_due(clock.now, 10, LEASE)) == 5


async def test_sent_rows_stay_out_and_a_new_leader_frees_the_rest(
    storage: Storage, clock: FakeClock
) -> None:
    await _queue(storage, 3)
    claimed = await storage.outbox.claim_due(clock.now, 10, LEASE)
    assert await storage.outbox.mark_sent(claimed[0].id)
    assert await storage.outbox.defer(claimed[1].id, clock.now, "try again")
    # Deferred: claimable again at once; leased and never sent: only after a release.
    assert [i.id for i in await storage.outbox.claim_due(clock.now, 10, LEASE)] == [claimed[1].id]
    assert await storage.outbox.release_leases() == 2
    again = await storage.outbox.claim_due(clock.now, 10, LEASE)
    assert [i.id for i in again] == [claimed[1].id, claimed[2].id]


async def test_two_storages_claiming_at_once_never_share_a_row(
    database: Path | str, cipher: KeyCipher, clock: FakeClock
) -> None:
    """Two processes' worth of connections on one database (SQLite file or PostgreSQL)."""
    one = await Storage.open(database, cipher, clock=clock)
    two = await Storage.open(database, cipher, clock=clock)
    try:
        await _queue(one, 200)
        taken: list[list[int]] = [[], []]

        async def drain(storage: Storage, into: list[int]) -> None:
            while batch := await storage.outbox.claim_due(clock.now, 7, LEASE):
                into.extend(i.id for i in batch)
                await asyncio.sleep(0)

        await asyncio.gather(drain(one, taken[0]), drain(two, taken[1]))
        assert not set(taken[0]) & set(taken[1])
        assert len(taken[0]) + len(taken[1]) == 200
    finally:
        await one.close()
        await two.close()
