"""The price and availability watch (issue 24 part 1): what each panel account last saw of the
services it watches, the changes found, the services muted on a card, and the users' thresholds."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from bot.panel.text import PanelText, PanelWords
from bot.storage.db import Row
from bot.storage.outbox import OutboxMessage
from bot.storage.rows import Repo, column, from_row


class ChangeKind(StrEnum):
    RATE = "rate"
    MIN = "min"
    MAX = "max"
    GONE = "gone"  # the panel stopped listing the service
    BACK = "back"  # listed again after it was gone


@dataclass(frozen=True, slots=True)
class PriceSnapshot:
    """One watched service as a panel account last saw it; `rate` is the rate last reported
    (or first seen), not necessarily the latest."""

    service_id: int
    name: str
    rate: Decimal
    min: int
    max: int
    present: bool


@dataclass(frozen=True, slots=True)
class PriceChange:
    """A change the watch found; `old` and `new` are rates (Decimal strings) or quantities, both
    None for GONE, and `old` the rate it had before it went for BACK (`new`: the rate now)."""

    user_id: int
    slot: int
    service_id: int
    kind: ChangeKind
    # The panel's name for the service as stored; views read `name` (`PanelText`).
    name_text: str = field(metadata=column("name"))
    old: str | None
    new: str | None
    at: float

    name = PanelWords("name_text", PanelText)


def _snapshot(row: Row) -> PriceSnapshot:
    return from_row(PriceSnapshot, row)


def _change(row: Row) -> PriceChange:
    return from_row(
        PriceChange,
        row,
        old=row["old_value"],
        new=row["new_value"],
        at=row["changed_at"],
    )


_UPSERT_SNAPSHOT = """
    INSERT INTO price_snapshots (user_id, slot, service_id, name, rate, min, max, present, seen_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (user_id, slot, service_id) DO UPDATE SET
        name = excluded.name, rate = excluded.rate, min = excluded.min, max = excluded.max,
        present = excluded.present, seen_at = excluded.seen_at
"""
_INSERT_CHANGE = """
    INSERT INTO price_changes (user_id, slot, service_id, kind, name, old_value, new_value,
                               changed_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT DO NOTHING
"""
_INSERT_PUSH = """
    INSERT INTO outbox (user_id, kind, payload, dedupe_key, created_at, next_attempt_at)
    VALUES (?, ?, ?, ?, ?, ?)
"""
# Accounts with something to watch: a live key (not paused by a refused key), a user who has
# not blocked the bot, and an order on it since `?` or a favourite (favourites are the user's,
# not a panel's: they are watched on the default panel, where /order uses them).
_WATCHED_ACCOUNTS = """
    SELECT a.user_id, a.slot FROM panel_accounts a JOIN users u ON u.id = a.user_id
    WHERE a.removed_at IS NULL AND a.ciphertext IS NOT NULL AND a.paused = 0
      AND u.blocked_bot = 0
      AND (EXISTS (SELECT 1 FROM orders o
                   WHERE o.user_id = a.user_id AND o.panel_slot = a.slot
                     AND o.submit_state <> 'draft' AND o.created_at >= ?)
           OR (a.is_default = 1
               AND EXISTS (SELECT 1 FROM favourite_services f WHERE f.user_id = a.user_id)))
    ORDER BY a.user_id, a.slot
"""


class PriceWatchRepo(Repo):
    __slots__ = ()

    async def watched_accounts(self, since: float) -> list[tuple[int, int]]:
        """(user id, slot) of every panel account with a service to watch (orders since
        `since`, or favourites on a default account)."""
        rows = await self._db.fetchall(_WATCHED_ACCOUNTS, (since,))
        return [(int(row["user_id"]), int(row["slot"])) for row in rows]

    async def watched_services(self, user_id: int, slot: int, since: float) -> set[int]:
        """The services the account watches: ordered on it since `since`, and the user's
        favourites when it is their default panel."""
        rows = await self._db.fetchall(
            "SELECT DISTINCT service_id FROM orders WHERE user_id = ? AND panel_slot = ? "
            "AND submit_state <> 'draft' AND created_at >= ?",
            (user_id, slot, since),
        )
        found = {int(row["service_id"]) for row in rows}
        starred = await self._db.fetchall(
            "SELECT f.service_id FROM favourite_services f JOIN panel_accounts a "
            "ON a.user_id = f.user_id AND a.slot = ? AND a.is_default = 1 "
            "AND a.removed_at IS NULL WHERE f.user_id = ?",
            (slot, user_id),
        )
        return found | {int(row["service_id"]) for row in starred}

    async def snapshots(self, user_id: int, slot: int) -> dict[int, PriceSnapshot]:
        rows = await self._db.fetchall(
            "SELECT service_id, name, rate, min, max, present FROM price_snapshots "
            "WHERE user_id = ? AND slot = ?",
            (user_id, slot),
        )
        return {snap.service_id: snap for snap in map(_snapshot, rows)}

    async def record(
        self,
        user_id: int,
        slot: int,
        snapshots: Sequence[PriceSnapshot],
        changes: Sequence[PriceChange],
        push: OutboxMessage | None = None,
        *,
        forget: Sequence[int] = (),
    ) -> None:
        """Store the new snapshots, the changes and their push in one transaction: a crash
        leaves either all of them or none (then the next check finds the same changes).
        `forget`: services no longer watched, whose snapshots go."""
        if not snapshots and not changes and push is None and not forget:
            return
        now = self._clock()
        snapshot_rows = [
            (user_id, slot, s.service_id, s.name, str(s.rate), s.min, s.max, int(s.present), now)
            for s in snapshots
        ]
        change_rows = [
            (c.user_id, c.slot, c.service_id, str(c.kind), c.name_text, c.old, c.new, c.at)
            for c in changes
        ]
        async with self._db.transaction() as tx:
            if snapshot_rows:
                await tx.executemany(_UPSERT_SNAPSHOT, snapshot_rows)
            if change_rows:
                await tx.executemany(_INSERT_CHANGE, change_rows)
            if forget:
                await tx.executemany(
                    "DELETE FROM price_snapshots WHERE user_id = ? AND slot = ? AND service_id = ?",
                    [(user_id, slot, service_id) for service_id in forget],
                )
            if push is not None:
                payload = json.dumps(push.payload, ensure_ascii=False)
                await tx.execute(
                    _INSERT_PUSH,
                    (push.user_id, str(push.kind), payload, push.dedupe_key, now, now),
                )

    async def changes_since(self, user_id: int, since: float, limit: int) -> list[PriceChange]:
        """The user's changes at or after `since`, newest first, at most `limit`."""
        rows = await self._db.fetchall(
            "SELECT user_id, slot, service_id, kind, name, old_value, new_value, changed_at "
            "FROM price_changes WHERE user_id = ? AND changed_at >= ? "
            "ORDER BY changed_at DESC, slot, service_id, kind LIMIT ?",
            (user_id, since, limit),
        )
        return [_change(row) for row in rows]

    async def purge_changes(self, before: float) -> int:
        """Forget changes older than `before` (/prices shows a week)."""
        return await self._db.execute("DELETE FROM price_changes WHERE changed_at < ?", (before,))

    async def muted(self, user_id: int, slot: int) -> set[int]:
        rows = await self._db.fetchall(
            "SELECT service_id FROM price_mutes WHERE user_id = ? AND slot = ?", (user_id, slot)
        )
        return {int(row["service_id"]) for row in rows}

    async def set_muted(self, user_id: int, slot: int, service_id: int, muted: bool) -> bool:
        """Mute or unmute; False when it already was so (a double tap)."""
        if muted:
            sql = (
                "INSERT INTO price_mutes (user_id, slot, service_id) VALUES (?, ?, ?) "
                "ON CONFLICT DO NOTHING"
            )
        else:
            sql = "DELETE FROM price_mutes WHERE user_id = ? AND slot = ? AND service_id = ?"
        return await self._db.execute(sql, (user_id, slot, service_id)) > 0

    async def threshold(self, user_id: int) -> Decimal | None:
        """The user's threshold in percent; None: the default."""
        row = await self._db.fetchone(
            "SELECT threshold FROM price_watch_settings WHERE user_id = ?", (user_id,)
        )
        return None if row is None else Decimal(str(row["threshold"]))

    async def set_threshold(self, user_id: int, percent: Decimal) -> None:
        await self._db.execute(
            "INSERT INTO price_watch_settings (user_id, threshold) VALUES (?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET threshold = excluded.threshold",
            (user_id, str(percent)),
        )
