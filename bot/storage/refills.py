"""Refill requests, including ones for orders the bot did not place itself."""

from __future__ import annotations

from collections.abc import Sequence

from bot.panel.models import RefillState
from bot.storage.db import Database, Row, Transaction
from bot.storage.models import Refill
from bot.storage.rows import Repo, from_row

# A refill in any other state (pending, unknown, a panel's own wording) is still polled.
FINAL_REFILL_STATES = (RefillState.COMPLETED.value, RefillState.REJECTED.value)


def is_pending(refill: Refill) -> bool:
    """The panel accepted it (it has an id) and has not finished or rejected it yet: what the
    poller still asks about, and what keeps a second refill of the same order from being sent."""
    return refill.refill_id is not None and refill.status not in FINAL_REFILL_STATES


def _refill(row: Row) -> Refill:
    return from_row(Refill, row)


async def _refill_by_id(source: Database | Transaction, refill_pk: int) -> Refill | None:
    row = await source.fetchone("SELECT * FROM refills WHERE id = ?", (refill_pk,))
    return None if row is None else _refill(row)


class RefillsRepo(Repo):
    __slots__ = ()

    async def add(
        self,
        user_id: int,
        panel_order_id: int,
        refill_id: int | None,
        status: str,
        order_id: int | None = None,
        *,
        raw_status: str | None = None,
        panel_slot: int = 1,
    ) -> Refill:
        """Record a refill request; `status` is a `RefillState` value (or the panel's word)."""
        now = self._clock()
        async with self._db.transaction() as tx:
            pk = await tx.insert(
                """
                INSERT INTO refills (user_id, panel_order_id, order_id, refill_id, status,
                    raw_status, created_at, updated_at, panel_slot)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                (
                    user_id,
                    panel_order_id,
                    order_id,
                    refill_id,
                    str(status),
                    raw_status,
                    now,
                    now,
                    panel_slot,
                ),
            )
            refill = await _refill_by_id(tx, pk)
        assert refill is not None
        return refill

    async def get(self, refill_pk: int) -> Refill | None:
        return await _refill_by_id(self._db, refill_pk)

    async def pending_for_polling(self, now: float, interval: float) -> list[Refill]:
        """Accepted refills not yet final whose last poll is at least `interval` ago."""
        rows = await self._db.fetchall(
            """
            SELECT * FROM refills
            WHERE refill_id IS NOT NULL AND status NOT IN (?, ?)
              AND (polled_at IS NULL OR polled_at <= ?)
            ORDER BY polled_at IS NOT NULL, polled_at, id
            """,
            (*FINAL_REFILL_STATES, now - interval),
        )
        return [_refill(r) for r in rows]

    async def update_status(
        self, refill_pk: int, status: str, polled_at: float, *, raw_status: str | None = None
    ) -> bool:
        changed = await self._db.execute(
            "UPDATE refills SET status = ?, raw_status = COALESCE(?, raw_status), polled_at = ?, "
            "updated_at = ? WHERE id = ?",
            (str(status), raw_status, polled_at, self._clock(), refill_pk),
        )
        return changed > 0

    async def set_last_notified(self, refill_pk: int, status: str) -> bool:
        changed = await self._db.execute(
            "UPDATE refills SET last_notified_status = ?, updated_at = ? WHERE id = ?",
            (str(status), self._clock(), refill_pk),
        )
        return changed > 0

    async def slots_by_id(self, user_id: int, ids: Sequence[int]) -> dict[int, list[int]]:
        """The panel accounts on which each id is one of the user's refill ids, or the order
        id of one of their refills (panels number both themselves, so several may)."""
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        marks = ",".join("?" * len(wanted))
        rows = await self._db.fetchall(
            f"SELECT refill_id AS id, panel_slot FROM refills WHERE user_id = ? "
            f"AND refill_id IN ({marks}) "
            f"UNION SELECT panel_order_id AS id, panel_slot FROM refills WHERE user_id = ? "
            f"AND panel_order_id IN ({marks})",
            (user_id, *wanted, user_id, *wanted),
        )
        slots: dict[int, list[int]] = {}
        for row in rows:
            slots.setdefault(int(row["id"]), []).append(int(row["panel_slot"]))
        return {rid: sorted(set(held)) for rid, held in slots.items()}

    async def for_order(
        self, user_id: int, panel_order_id: int, panel_slot: int | None = None
    ) -> list[Refill]:
        """Refills of one panel order (on `panel_slot` when given), oldest first."""
        on_slot = "" if panel_slot is None else " AND panel_slot = ?"
        rows = await self._db.fetchall(
            f"SELECT * FROM refills WHERE user_id = ? AND panel_order_id = ?{on_slot} ORDER BY id",
            (user_id, panel_order_id, *(() if panel_slot is None else (panel_slot,))),
        )
        return [_refill(r) for r in rows]

    async def by_refill_id(
        self, user_id: int, refill_id: int, panel_slot: int | None = None
    ) -> Refill | None:
        """The user's newest row for a refill id the panel gave (on `panel_slot` when given;
        None: not one of theirs)."""
        on_slot = "" if panel_slot is None else " AND panel_slot = ?"
        row = await self._db.fetchone(
            f"SELECT * FROM refills WHERE user_id = ? AND refill_id = ?{on_slot} "
            "ORDER BY id DESC LIMIT 1",
            (user_id, refill_id, *(() if panel_slot is None else (panel_slot,))),
        )
        return None if row is None else _refill(row)
