"""Messages to deliver to users, persisted so a restart or a Telegram outage loses none."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from bot.storage.db import Database, Row
from bot.storage.models import OutboxItem, OutboxKind

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """One message to queue with `OutboxRepo.enqueue_many`; fields as in `enqueue`."""

    user_id: int
    kind: OutboxKind
    payload: dict[str, Any]
    dedupe_key: str | None = None
    not_before: float | None = None


_INSERT = """
    INSERT INTO outbox (user_id, kind, payload, dedupe_key, created_at, next_attempt_at)
    VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (dedupe_key) DO NOTHING
"""


def _item(row: Row) -> OutboxItem:
    return OutboxItem(
        id=row["id"],
        user_id=row["user_id"],
        kind=row["kind"],
        payload=json.loads(row["payload"]),
        dedupe_key=row["dedupe_key"],
        created_at=row["created_at"],
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        sent_at=row["sent_at"],
        dropped_at=row["dropped_at"],
        last_error=row["last_error"],
    )


class OutboxRepo:
    __slots__ = ("_clock", "_db")

    def __init__(self, db: Database, *, clock: Clock = time.time) -> None:
        self._db = db
        self._clock = clock

    async def enqueue(
        self,
        user_id: int,
        kind: OutboxKind,
        payload: dict[str, Any],
        *,
        dedupe_key: str | None = None,
        not_before: float | None = None,
    ) -> bool:
        """Queue a message; False when `dedupe_key` was queued before (sent or not)."""
        message = OutboxMessage(user_id, kind, payload, dedupe_key, not_before)
        return await self.enqueue_many([message]) > 0

    async def enqueue_many(self, items: Iterable[OutboxMessage]) -> int:
        """Queue many messages in one transaction; returns how many were new.

        A dedupe key seen before (in the table or earlier in `items`) is skipped, as in
        `enqueue`. One commit instead of one per message: with synchronous=FULL each commit
        is an fsync, which is what made a 10,000-completion poll cycle slow.
        """
        now = self._clock()
        rows = [
            (
                m.user_id,
                str(m.kind),
                json.dumps(m.payload, ensure_ascii=False),
                m.dedupe_key,
                now,
                now if m.not_before is None else m.not_before,
            )
            for m in items
        ]
        if not rows:
            return 0
        async with self._db.transaction() as tx:
            # executemany counts affected rows: a skipped duplicate counts 0.
            return await tx.executemany(_INSERT, rows)

    async def due(self, now: float, limit: int = 50) -> list[OutboxItem]:
        """Undelivered items whose time has come, oldest first (keeps per-user order)."""
        rows = await self._db.fetchall(
            "SELECT * FROM outbox WHERE sent_at IS NULL AND dropped_at IS NULL "
            "AND next_attempt_at <= ? ORDER BY id LIMIT ?",
            (now, limit),
        )
        return [_item(r) for r in rows]

    async def get(self, item_id: int) -> OutboxItem | None:
        row = await self._db.fetchone("SELECT * FROM outbox WHERE id = ?", (item_id,))
        return None if row is None else _item(row)

    async def mark_sent(self, item_id: int) -> bool:
        changed = await self._db.execute(
            "UPDATE outbox SET sent_at = ? WHERE id = ? AND sent_at IS NULL",
            (self._clock(), item_id),
        )
        return changed > 0

    async def mark_dropped(self, item_id: int, reason: str) -> bool:
        """Give up on an item (user blocked the bot, message invalid…)."""
        changed = await self._db.execute(
            "UPDATE outbox SET dropped_at = ?, last_error = ? WHERE id = ? AND sent_at IS NULL",
            (self._clock(), reason, item_id),
        )
        return changed > 0

    async def defer(self, item_id: int, until: float, error: str) -> bool:
        """A failed attempt: count it and retry at `until`."""
        changed = await self._db.execute(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? "
            "WHERE id = ? AND sent_at IS NULL AND dropped_at IS NULL",
            (until, error, item_id),
        )
        return changed > 0

    async def pending_count(self) -> int:
        row = await self._db.fetchone(
            "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND dropped_at IS NULL"
        )
        return int(row[0]) if row else 0
