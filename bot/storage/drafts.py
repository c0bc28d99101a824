"""What each preview promised, and closing previews whose promise no longer holds.

`OrdersRepo.create_drafts` writes a preview's `drafts` row with its order rows, and
`OrdersRepo.claim` checks it inside the claim's conditional UPDATE. This repository reads those
rows, remembers which message shows a preview's Confirm button, closes previews (key changed,
/cancel, over the cap) and purges dead ones.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.storage.db import Row, Transaction
from bot.storage.models import Draft, DraftMessage, DraftState
from bot.storage.rows import Repo, from_row

# A preview that still has rows waiting for Confirm (not claimed, cancelled or purged).
_WAITING = "EXISTS (SELECT 1 FROM orders o WHERE o.batch = d.batch AND o.submit_state = 'draft')"


def _draft(row: Row) -> Draft:
    return from_row(Draft, row, cancelled=row["cancelled_at"] is not None)


def _messages(rows: Sequence[Row]) -> list[DraftMessage]:
    return [
        DraftMessage(r["batch"], r["chat_id"], r["message_id"])
        for r in rows
        if r["chat_id"] is not None and r["message_id"] is not None
    ]


class DraftsRepo(Repo):
    __slots__ = ()

    async def get(self, batch: str, user_id: int) -> Draft | None:
        row = await self._db.fetchone(
            "SELECT *, expires_at <= ? AS expired FROM drafts WHERE batch = ? AND user_id = ?",
            (self._clock(), batch, user_id),
        )
        return None if row is None else _draft(row)

    async def key_version(self, user_id: int) -> int:
        """The user's key version now (0 for an unknown user); see migration 0002."""
        row = await self._db.fetchone("SELECT key_version FROM users WHERE id = ?", (user_id,))
        return 0 if row is None else int(row[0])

    async def attach_message(self, batch: str, user_id: int, chat_id: int, message_id: int) -> bool:
        """Remember the message showing the preview's Confirm button (it survives a restart)."""
        changed = await self._db.execute(
            "UPDATE drafts SET chat_id = ?, message_id = ? WHERE batch = ? AND user_id = ?",
            (chat_id, message_id, batch, user_id),
        )
        return changed > 0

    async def warn_duplicates(self, batch: str, user_id: int) -> bool:
        """An open preview now warns of an open order on its link (one placed after it was
        made): from here on only "Order anyway" places it, as if it had warned from the start.
        False when it is no longer open (claimed, closed): then its claim decides."""
        changed = await self._db.execute(
            "UPDATE drafts SET duplicates = 1 WHERE batch = ? AND user_id = ? AND state = 'open'",
            (batch, user_id),
        )
        return changed > 0

    async def replace(self, batch: str, user_id: int) -> bool:
        """Close an open draft because a fresh preview takes its place; True for one caller."""
        changed = await self._db.execute(
            "UPDATE drafts SET state = 'replaced', closed_at = ? "
            "WHERE batch = ? AND user_id = ? AND state = 'open'",
            (self._clock(), batch, user_id),
        )
        return changed > 0

    async def close_open(self, user_id: int, state: DraftState) -> list[DraftMessage]:
        """Close every open preview of the user as `state`; their messages, to strip buttons."""
        if state is DraftState.OPEN:
            raise ValueError("closing means leaving the open state")
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                f"SELECT * FROM drafts d WHERE user_id = ? AND state = 'open' AND {_WAITING}",
                (user_id,),
            )
            await tx.execute(
                "UPDATE drafts SET state = ?, closed_at = ? WHERE user_id = ? AND state = 'open'",
                (DraftState(state).value, self._clock(), user_id),
            )
        return _messages(rows)

    async def cancel_open(self, user_id: int) -> list[DraftMessage]:
        """/cancel: delete every preview still waiting for Confirm (rows and `drafts` row).

        Returns one entry per cancelled preview; `message_id` is 0 when the message is unknown.
        """
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                f"SELECT * FROM drafts d WHERE user_id = ? AND state = 'open' AND {_WAITING} "
                "ORDER BY created_at, batch",
                (user_id,),
            )
            batches = [r["batch"] for r in rows]
            await cancel_batches(tx, user_id, batches, self._clock())
        return [DraftMessage(r["batch"], r["chat_id"] or 0, r["message_id"] or 0) for r in rows]

    async def enforce_cap(
        self, user_id: int, *, max_open: int, max_lines: int
    ) -> list[DraftMessage]:
        """Close the user's oldest open previews past `max_open` previews or `max_lines` rows.

        The newest preview always stays open, however many lines it has.
        """
        async with self._db.transaction() as tx:
            return await self._cap(tx, user_id, max_open, max_lines)

    async def shown(
        self,
        batch: str,
        user_id: int,
        chat_id: int,
        message_id: int,
        *,
        max_open: int,
        max_lines: int,
    ) -> list[DraftMessage]:
        """`attach_message` and `enforce_cap` in one transaction (one disk sync per preview)."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE drafts SET chat_id = ?, message_id = ? WHERE batch = ? AND user_id = ?",
                (chat_id, message_id, batch, user_id),
            )
            return await self._cap(tx, user_id, max_open, max_lines)

    async def _cap(
        self, tx: Transaction, user_id: int, max_open: int, max_lines: int
    ) -> list[DraftMessage]:
        now = self._clock()
        rows = await tx.fetchall(
            f"""
            SELECT * FROM (
                SELECT d.*,
                    ROW_NUMBER() OVER newest AS rank_no,
                    SUM(d.lines) OVER newest AS running_lines
                FROM (
                    -- Insertion order breaks ties of created_at: a preview's drafts row is
                    -- written with its order rows, so its first row id tells (no rowid on
                    -- PostgreSQL).
                    SELECT d.*, (SELECT MIN(o.id) FROM orders o WHERE o.batch = d.batch) AS seq
                    FROM drafts d
                    WHERE d.user_id = :user AND d.state = 'open' AND d.expires_at > :now
                      AND {_WAITING}
                ) d
                WINDOW newest AS (ORDER BY d.created_at DESC, d.seq DESC)
            ) ranked
            WHERE rank_no > 1 AND (rank_no > :max_open OR running_lines > :max_lines)
            """,
            {"user": user_id, "now": now, "max_open": max_open, "max_lines": max_lines},
        )
        for row in rows:
            await tx.execute(
                "UPDATE drafts SET state = 'dropped', closed_at = ? "
                "WHERE batch = ? AND state = 'open'",
                (now, row["batch"]),
            )
        return _messages(rows)

    async def purge(self, *, grace: float) -> int:
        """Delete previews dead for longer than `grace` seconds: expired or closed.

        Their rows still in `draft` go too (claimed rows are orders and stay); so do draft rows
        without a `drafts` row (made before migration 0002, never claimable). Returns the
        number of order rows deleted. The grace keeps a late tap answered precisely ("your key
        changed", "expired" with a button to make a new preview) for a while.
        """
        cutoff = self._clock() - grace
        dead = "(expires_at <= :cutoff OR (state != 'open' AND closed_at <= :cutoff))"
        async with self._db.transaction() as tx:
            removed = await tx.execute(
                "DELETE FROM orders WHERE submit_state = 'draft' AND batch IN "
                f"(SELECT batch FROM drafts WHERE {dead})",
                {"cutoff": cutoff},
            )
            removed += await tx.execute(
                "DELETE FROM orders WHERE submit_state = 'draft' AND NOT EXISTS "
                "(SELECT 1 FROM drafts d WHERE d.batch = orders.batch)"
            )
            await tx.execute(f"DELETE FROM drafts WHERE {dead}", {"cutoff": cutoff})
        return removed

    async def count_rows(self, user_id: int) -> int:
        """Draft order rows the user has (tests and diagnostics)."""
        row = await self._db.fetchone(
            "SELECT COUNT(*) FROM orders WHERE user_id = ? AND submit_state = 'draft'", (user_id,)
        )
        return int(row[0]) if row else 0


async def cancel_batches(tx: Transaction, user_id: int, batches: Sequence[str], now: float) -> int:
    """Delete the previews' rows still waiting for Confirm; their `drafts` rows stay, closed
    and marked cancelled until the purge, so a late Confirm can say so. Rows deleted."""
    removed = 0
    for batch in batches:
        removed += await tx.execute(
            "DELETE FROM orders WHERE batch = ? AND user_id = ? AND submit_state = 'draft'",
            (batch, user_id),
        )
        await tx.execute(
            "UPDATE drafts SET state = 'dropped', closed_at = ?, cancelled_at = ? "
            "WHERE batch = ? AND user_id = ? AND state != 'claimed'",
            (now, now, batch, user_id),
        )
    return removed
