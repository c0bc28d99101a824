"""Messages to deliver to users, persisted so a restart or a Telegram outage loses none."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.storage.db import Row, Transaction
from bot.storage.models import OutboxItem, OutboxKind
from bot.storage.rows import Clock, Repo, from_row


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


# A grouped batch's dedupe keys already queued (as an item's own key or covered by a digest).
_KNOWN_SQLITE = (
    "SELECT dedupe_key FROM outbox WHERE dedupe_key IN ({marks}) "
    "UNION SELECT dedupe_key FROM outbox_covers WHERE dedupe_key IN ({marks})"
)
# PostgreSQL: one array parameter, so one statement text (prepared once per connection)
# whatever the number of keys.
_KNOWN_POSTGRES = (
    "SELECT dedupe_key FROM outbox WHERE dedupe_key = ANY(CAST(? AS TEXT[])) "
    "UNION SELECT dedupe_key FROM outbox_covers WHERE dedupe_key = ANY(CAST(? AS TEXT[]))"
)
_ITEM = (
    "INSERT INTO outbox (user_id, kind, payload, dedupe_key, created_at, next_attempt_at) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
# PostgreSQL: a digest and the keys it covers in one statement (one round trip, not two).
_DIGEST_POSTGRES = (
    f"WITH item AS ({_ITEM} RETURNING id), covers AS (INSERT INTO outbox_covers "
    "(dedupe_key, item_id) SELECT unnest(CAST(? AS TEXT[])), id FROM item) SELECT id FROM item"
)

# PostgreSQL: `_KNOWN_POSTGRES` and `_DIGEST_POSTGRES` in one statement, writing only when no
# key is known (the known keys' array twice, `_ITEM`'s values, the covered keys: none for one).
_UNLESS_KNOWN_POSTGRES = (
    "WITH known AS (SELECT 1 FROM outbox WHERE dedupe_key = ANY(CAST(? AS TEXT[])) "
    "UNION ALL SELECT 1 FROM outbox_covers WHERE dedupe_key = ANY(CAST(? AS TEXT[]))), "
    "item AS (INSERT INTO outbox (user_id, kind, payload, dedupe_key, created_at, "
    "next_attempt_at) SELECT CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), "
    "CAST(? AS TEXT), CAST(? AS DOUBLE PRECISION), CAST(? AS DOUBLE PRECISION) "
    "WHERE NOT EXISTS (SELECT 1 FROM known) RETURNING id), "
    "covers AS (INSERT INTO outbox_covers (dedupe_key, item_id) "
    "SELECT unnest(CAST(? AS TEXT[])), id FROM item) "
    "SELECT id FROM item"
)


class _Stale(Exception):
    """An item to merge was no longer open: roll the merge back."""


def _item(row: Row) -> OutboxItem:
    return from_row(OutboxItem, row)


class OutboxRepo(Repo):
    __slots__ = ()

    @property
    def clock(self) -> Clock:
        return self._clock

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

    async def enqueue_grouped(
        self,
        user_id: int,
        messages: Sequence[OutboxMessage],
        combine: Callable[[list[OutboxMessage]], OutboxMessage],
    ) -> int:
        """Queue one user's once-only `messages` as ONE item; returns how many were new.

        Every message needs a dedupe key. Those seen before (an item's key, or covered by an
        earlier digest) are skipped; one new message is queued as itself, several as the single
        item `combine(new ones)`, whose covered keys are recorded in `outbox_covers` in the same
        transaction: a transition seen again later (a crash before its status was saved) is
        swallowed whichever way it was first queued.
        """
        now = self._clock()
        async with self._db.transaction() as tx:
            return await queue_grouped(
                tx, user_id, messages, combine, now=now, postgres=self._db.engine == "postgres"
            )

    async def hold(self, item_id: int, until: float) -> bool:
        """Quiet hours: keep the item back until `until` (not a failed attempt)."""
        changed = await self._db.execute(
            "UPDATE outbox SET held = 1, leased_until = NULL, next_attempt_at = ? "
            "WHERE id = ? AND sent_at IS NULL AND dropped_at IS NULL",
            (until, item_id),
        )
        return changed > 0

    async def release_held(self, user_id: int, now: float) -> int:
        """The user ended or changed their quiet hours: what they held back is due now."""
        return await self._db.execute(
            "UPDATE outbox SET next_attempt_at = ? WHERE user_id = ? AND held = 1 "
            "AND sent_at IS NULL AND dropped_at IS NULL AND next_attempt_at > ?",
            (now, user_id, now),
        )

    async def held_due(self, user_id: int, now: float) -> list[OutboxItem]:
        """The user's held items whose quiet hours are over, oldest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM outbox WHERE user_id = ? AND held = 1 AND sent_at IS NULL "
            "AND dropped_at IS NULL AND next_attempt_at <= ? ORDER BY id",
            (user_id, now),
        )
        return [_item(r) for r in rows]

    async def merge(
        self, user_id: int, item_ids: Sequence[int], kind: OutboxKind, payload: dict[str, Any]
    ) -> int | None:
        """Replace the open items `item_ids` by one new item; None (and no change) when any of
        them was sent, dropped or merged meanwhile. The old ones are closed as merged."""
        try:
            now = self._clock()
            async with self._db.transaction() as tx:
                new_id = await tx.insert(
                    "INSERT INTO outbox (user_id, kind, payload, created_at, next_attempt_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (user_id, str(kind), json.dumps(payload, ensure_ascii=False), now, now),
                )
                closed = 0
                for item_id in item_ids:
                    closed += await tx.execute(
                        "UPDATE outbox SET dropped_at = ?, last_error = ? WHERE id = ? "
                        "AND user_id = ? AND sent_at IS NULL AND dropped_at IS NULL",
                        (now, f"merged into digest {new_id}", item_id, user_id),
                    )
                    await tx.execute(
                        "UPDATE outbox_covers SET item_id = ? WHERE item_id = ?", (new_id, item_id)
                    )
                if closed != len(item_ids):
                    raise _Stale
        except _Stale:
            return None
        return new_id

    async def due(self, now: float, limit: int = 50) -> list[OutboxItem]:
        """Undelivered items whose time has come, oldest first (keeps per-user order)."""
        rows = await self._db.fetchall(
            "SELECT * FROM outbox WHERE sent_at IS NULL AND dropped_at IS NULL "
            "AND next_attempt_at <= ? ORDER BY id LIMIT ?",
            (now, limit),
        )
        return [_item(r) for r in rows]

    async def claim_due(self, now: float, limit: int, lease_seconds: float) -> list[OutboxItem]:
        """Like `due`, but leased to the caller for `lease_seconds`: until the lease ends (or
        the row is sent, dropped or deferred) no other `claim_due` returns it.

        On PostgreSQL the rows are locked with `FOR UPDATE SKIP LOCKED` while they are leased,
        so two drains in two processes never take the same row, even at the same instant. On
        SQLite the write transaction already excludes every other writer.
        """
        skip_locked = " FOR UPDATE SKIP LOCKED" if self._db.engine == "postgres" else ""
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT * FROM outbox WHERE sent_at IS NULL AND dropped_at IS NULL "
                "AND next_attempt_at <= ? AND (leased_until IS NULL OR leased_until <= ?) "
                f"ORDER BY id LIMIT ?{skip_locked}",
                (now, now, limit),
            )
            if rows:
                ids = [int(r["id"]) for r in rows]
                marks = ", ".join("?" * len(ids))
                await tx.execute(
                    f"UPDATE outbox SET leased_until = ? WHERE id IN ({marks})",
                    (now + lease_seconds, *ids),
                )
        return [_item(r) for r in rows]

    async def release(self, item_ids: Iterable[int]) -> int:
        """End the leases of items a drain claimed and did not get to."""
        ids = list(item_ids)
        if not ids:
            return 0
        marks = ", ".join("?" * len(ids))
        return await self._db.execute(
            f"UPDATE outbox SET leased_until = NULL WHERE id IN ({marks})", tuple(ids)
        )

    async def release_leases(self) -> int:
        """Forget every lease: the leader taking over after a crash resends what the previous
        one leased and never sent (it has stopped: see bot/leadership.py)."""
        return await self._db.execute(
            "UPDATE outbox SET leased_until = NULL WHERE leased_until IS NOT NULL "
            "AND sent_at IS NULL AND dropped_at IS NULL"
        )

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
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, "
            "leased_until = NULL "
            "WHERE id = ? AND sent_at IS NULL AND dropped_at IS NULL",
            (until, error, item_id),
        )
        return changed > 0

    async def pending_count(self) -> int:
        row = await self._db.fetchone(
            "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND dropped_at IS NULL"
        )
        return int(row[0]) if row else 0


async def queue_grouped(
    tx: Transaction,
    user_id: int,
    messages: Sequence[OutboxMessage],
    combine: Callable[[list[OutboxMessage]], OutboxMessage],
    *,
    now: float,
    postgres: bool,
) -> int:
    """`OutboxRepo.enqueue_grouped` inside the caller's transaction `tx` (the poller saves the
    statuses that called for the messages in the same one)."""
    keys = [m.dedupe_key for m in messages]
    if any(k is None for k in keys):
        raise ValueError("grouped messages need dedupe keys")
    unique = [k for k in dict.fromkeys(keys) if k is not None]
    if postgres:
        queued = await _queue_unless_known(tx, user_id, messages, combine, now, unique)
        if queued is not None:
            return queued
    fresh = _fresh(messages, await _known_keys(tx, unique, postgres))
    if not fresh:
        return 0
    row, covered = _grouped_row(user_id, fresh, combine, now)
    if not covered:
        await tx.execute(_ITEM, row)
    elif postgres:
        await tx.fetchone(_DIGEST_POSTGRES, (*row, covered))
    else:
        item_id = await tx.insert(_ITEM, row)
        await tx.executemany(
            "INSERT INTO outbox_covers (dedupe_key, item_id) VALUES (?, ?)",
            [(key, item_id) for key in covered],
        )
    return len(fresh)


async def _queue_unless_known(
    tx: Transaction,
    user_id: int,
    messages: Sequence[OutboxMessage],
    combine: Callable[[list[OutboxMessage]], OutboxMessage],
    now: float,
    unique: list[str],
) -> int | None:
    """PostgreSQL, the usual case in one round trip, not two: no key is queued yet, so every
    message (the first of each key) is fresh; the item and its covered keys are written unless
    some key is known after all. How many were queued, or None when a key was known and
    nothing was written (the caller then reads which, and queues the rest)."""
    fresh = _fresh(messages, set())
    row, covered = _grouped_row(user_id, fresh, combine, now)
    written = await tx.fetchone(_UNLESS_KNOWN_POSTGRES, (unique, unique, *row, covered))
    return None if written is None else len(fresh)


def _fresh(messages: Sequence[OutboxMessage], known: set[str]) -> list[OutboxMessage]:
    """The first message of each dedupe key not in `known`."""
    seen = set(known)
    fresh: list[OutboxMessage] = []
    for m in messages:
        if m.dedupe_key not in seen:
            seen.add(str(m.dedupe_key))
            fresh.append(m)
    return fresh


def _grouped_row(
    user_id: int,
    fresh: list[OutboxMessage],
    combine: Callable[[list[OutboxMessage]], OutboxMessage],
    now: float,
) -> tuple[tuple[Any, ...], list[str]]:
    """The outbox row for `fresh` (`_ITEM`'s values) and the keys a digest covers: one message
    is queued as itself under its own key, several as one digest covering all their keys."""
    item = fresh[0] if len(fresh) == 1 else combine(fresh)
    row = (
        user_id,
        str(item.kind),
        json.dumps(item.payload, ensure_ascii=False),
        item.dedupe_key if len(fresh) == 1 else None,
        now,
        now if item.not_before is None else item.not_before,
    )
    return row, [] if len(fresh) == 1 else [str(m.dedupe_key) for m in fresh]


async def _known_keys(tx: Transaction, unique: list[str], postgres: bool) -> set[str]:
    if postgres:
        rows = await tx.fetchall(_KNOWN_POSTGRES, (unique, unique))
        return {str(r[0]) for r in rows}
    known: set[str] = set()
    for start in range(0, len(unique), 400):  # under SQLite's bound-parameter limit
        part = unique[start : start + 400]
        marks = ", ".join("?" * len(part))
        rows = await tx.fetchall(_KNOWN_SQLITE.format(marks=marks), (*part, *part))
        known.update(str(r[0]) for r in rows)
    return known
