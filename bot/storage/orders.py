"""Local order rows and the submit protocol that keeps a confirmation from ordering twice.

A preview writes drafts; the confirm button calls `claim()`, whose single conditional UPDATE
lets exactly one caller move the batch to `submitting`; the winner then records the panel's
answer with `mark_placed` / `mark_failed` / `mark_unknown`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from bot.links import link_key
from bot.panel.models import TERMINAL_STATUSES, Status
from bot.storage.db import Row, Transaction
from bot.storage.drafts import cancel_batches
from bot.storage.journal import JournalEntry
from bot.storage.models import (
    ClaimResult,
    DraftKind,
    LinkCheck,
    Order,
    OrderDraft,
    OrderFilter,
    Settled,
    StatusUpdate,
    SubmitState,
)
from bot.storage.outbox import OutboxMessage, queue_grouped
from bot.storage.rows import Repo, from_row

log = logging.getLogger(__name__)

# Used when a caller does not say when a draft expires (the bot passes DRAFT_TTL_SECONDS).
DEFAULT_DRAFT_TTL = 1800.0
# The largest id a BIGINT column holds: a longer run of digits is searched as link text.
_MAX_PANEL_ID = 2**63 - 1
# Pages looked up per query: SQLite and PostgreSQL cap the bound parameters of one statement.
_KEYS_PER_QUERY = 500
_TERMINAL_SQL = ", ".join(f"'{s.value}'" for s in sorted(TERMINAL_STATUSES))
_NOT_TERMINAL = f"(status IS NULL OR status NOT IN ({_TERMINAL_SQL}))"
# The user's open orders on one panel account for some pages (`orders.link_key`).
_OPEN_ON_PAGES = (
    "SELECT * FROM orders WHERE user_id = ? AND panel_slot = ? AND link_key IN ({marks}) "
    f"AND submit_state IN ('submitting', 'placed', 'unknown') AND {_NOT_TERMINAL}"
)
# See `OrdersRepo.claim`.
_CLAIM_SQL = """
    UPDATE orders SET submit_state = 'submitting', submitted_at = :now,
        updated_at = :now
    WHERE batch = :batch AND user_id = :user AND submit_state = 'draft'
      AND EXISTS (
        SELECT 1 FROM drafts d JOIN users u ON u.id = d.user_id
        WHERE d.batch = :batch AND d.user_id = :user AND d.state = 'open'
          AND d.expires_at > :now AND d.key_version = u.key_version
          AND (d.kind = :kind OR :kind IS NULL)
          AND (d.key_version = :version OR :version IS NULL)
          AND (d.panel_slot = :slot OR :slot IS NULL)
          AND (d.duplicates = 0 OR :anyway = 1 OR :anyway IS NULL)
          AND (d.offered IS NULL OR d.offered >= (
            SELECT COUNT(*) FROM orders w
            WHERE w.batch = :batch AND w.user_id = :user
              AND w.submit_state = 'draft'
          ))
      )
"""
_VISIBLE = "submit_state IN ('placed', 'unknown', 'not_placed')"
# Each final status belongs to exactly one of the Completed and Canceled filters, so a filter
# named "Completed" never lists a Canceled order.
_DELIVERED_SQL = f"'{Status.COMPLETED.value}', '{Status.PARTIAL.value}'"
_CANCELED_SQL = f"'{Status.CANCELED.value}', '{Status.REFUNDED.value}'"
_FILTERS: dict[OrderFilter, str] = {
    OrderFilter.OPEN: f"submit_state = 'placed' AND {_NOT_TERMINAL}",
    OrderFilter.COMPLETED: f"{_VISIBLE} AND status IN ({_DELIVERED_SQL})",
    OrderFilter.CANCELED: f"{_VISIBLE} AND status IN ({_CANCELED_SQL})",
    OrderFilter.ALL: _VISIBLE,
}


@dataclass(frozen=True, slots=True)
class PolledStatuses:
    """What one key's answers of a poll cycle change (`OrdersRepo.record_poll`)."""

    updates: Sequence[StatusUpdate] = ()  # rows whose stored status changes
    unchanged: Sequence[int] = ()  # ids of rows without news: only polled_at moves
    started: Sequence[int] = ()  # ids whose "started" notice is queued now
    notices: Sequence[OutboxMessage] = ()  # the user's once-only notices (dedupe keys)


def _order(row: Row) -> Order:
    # The `last_notified_status` column (0001) is not read: nothing ever wrote it, and once-only
    # status notices rest on the outbox's dedupe keys. Dropping it would take a migration.
    return from_row(Order, row)


def _money(value: Decimal | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, Decimal):
        raise TypeError("money must be a Decimal")
    return str(value)


class OrdersRepo(Repo):
    __slots__ = ()

    @property
    def _postgres(self) -> bool:
        return self._db.engine == "postgres"

    # --- drafts and the submit protocol -------------------------------------------------------

    async def create_drafts(
        self,
        user_id: int,
        batch: str,
        drafts: Sequence[OrderDraft],
        *,
        kind: DraftKind | None = None,
        key_version: int | None = None,
        ttl: float = DEFAULT_DRAFT_TTL,
        rate: Decimal | None = None,
        panel_slot: int = 1,
        offered: int | None = None,
        duplicates: bool = False,
    ) -> list[Order]:
        """Insert all drafts and their `drafts` row in one transaction.

        Tokens are `batch` (one row) or `batch:i`. `kind` defaults to single for one row
        without a line number; `key_version` to the user's current one (callers that priced
        the preview pass the version they read before pricing); the draft expires `ttl`
        seconds from now; `rate` is the single order's rate as shown; `panel_slot` the panel
        account it was priced on (and the only one its Confirm may place it on); `offered`
        the most rows its Confirm may place (a bulk preview the balance covered in part);
        `duplicates` that it warned of an open order on the same link (only "Order anyway"
        places it then).
        """
        if not drafts:
            raise ValueError("no drafts")
        now = self._clock()
        single = len(drafts) == 1
        if kind is None:
            kind = DraftKind.SINGLE if single and drafts[0].line_no is None else DraftKind.BULK
        async with self._db.transaction() as tx:
            if key_version is None:
                row = await tx.fetchone("SELECT key_version FROM users WHERE id = ?", (user_id,))
                key_version = int(row[0]) if row is not None else 0
            await tx.execute(
                """
                INSERT INTO drafts (batch, user_id, kind, key_version, lines, rate, created_at,
                    expires_at, panel_slot, offered, duplicates)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                (
                    batch,
                    user_id,
                    DraftKind(kind).value,
                    key_version,
                    len(drafts),
                    _money(rate),
                    now,
                    now + ttl,
                    panel_slot,
                    offered,
                    int(duplicates),
                ),
            )
            await _insert_draft_rows(tx, user_id, batch, drafts, now, panel_slot)
            rows = await tx.fetchall(_BATCH_SQL, (batch, user_id))
        return [_order(r) for r in rows]

    async def claim(
        self,
        batch: str,
        user_id: int,
        *,
        kind: DraftKind | None = None,
        key_version: int | None = None,
        panel_slot: int | None = None,
        anyway: bool | None = None,
        link_check: LinkCheck | None = None,
    ) -> ClaimResult:
        """Move the batch's drafts to `submitting`; `won` is True for exactly one caller.

        The one conditional UPDATE also holds the preview's promise: its `drafts` row must be
        open, unexpired, made for the user's current key and, when given, of `kind` (the
        Confirm button the tap came from) and `key_version` (the key the caller is about to
        use) and `panel_slot` (the panel account it is about to send to), and it takes no more
        rows than the preview offered (`drafts.offered`), and a preview that warned of an open
        order on the same link (`drafts.duplicates`) only with `anyway` ("Order anyway").
        Otherwise no row is touched. Services always pass all four. With `link_check`, nothing
        is claimed either when the link's page has an open order it does not clear.
        """
        now = self._clock()
        async with self._db.transaction() as tx:
            if link_check is None or link_check.clear(await open_on_page(tx, user_id, link_check)):
                changed = await tx.execute(
                    _CLAIM_SQL,
                    {
                        "now": now,
                        "batch": batch,
                        "user": user_id,
                        "kind": None if kind is None else DraftKind(kind).value,
                        "version": key_version,
                        "slot": panel_slot,
                        "anyway": None if anyway is None else int(anyway),
                    },
                )
            else:
                changed = 0
            if changed:
                await tx.execute(
                    "UPDATE drafts SET state = 'claimed', closed_at = ? "
                    "WHERE batch = ? AND user_id = ?",
                    (now, batch, user_id),
                )
            rows = await tx.fetchall(_BATCH_SQL, (batch, user_id))
        return ClaimResult(won=changed > 0, orders=[_order(r) for r in rows])

    async def discard_draft(self, batch: str, user_id: int) -> int:
        """Delete a cancelled preview's rows (only while still drafts); returns how many."""
        async with self._db.transaction() as tx:
            return await cancel_batches(tx, user_id, [batch], self._clock())

    async def void_drafts_after(self, batch: str, user_id: int, keep: int, error: str) -> int:
        """Drafts past the batch's first `keep` rows (line order) become `failed` with `error`.

        They were never sent; `failed` keeps them out of every later claim and of /orders.
        Returns how many changed (0 once the batch is claimed: only drafts change).
        """
        if keep < 0:
            raise ValueError("keep must not be negative")
        now = self._clock()
        return await self._db.execute(
            "UPDATE orders SET submit_state = 'failed', error = ?, updated_at = ? "
            "WHERE batch = ? AND user_id = ? AND submit_state = 'draft' AND id NOT IN ("
            "SELECT id FROM orders WHERE batch = ? AND user_id = ? ORDER BY line_no, id LIMIT ?)",
            (error, now, batch, user_id, batch, user_id, keep),
        )

    async def mark_placed(
        self, order_id: int, panel_order_id: int, *, status: str = "Pending"
    ) -> bool:
        return await self.mark_placed_many([(order_id, panel_order_id)], status=status) > 0

    async def mark_placed_many(
        self, placed: Sequence[tuple[int, int]], *, status: str = "Pending"
    ) -> int:
        """(local id, panel order id) pairs; only rows in submitting/unknown change."""
        now = self._clock()
        async with self._db.transaction() as tx:
            return await _apply_placed(tx, placed, str(status), now)

    async def mark_failed(self, order_id: int, error: str) -> bool:
        return await self.mark_failed_many([(order_id, error)]) > 0

    async def mark_failed_many(self, failed: Sequence[tuple[int, str]]) -> int:
        """The panel definitely did not create these orders."""
        return await self._set_outcome(SubmitState.FAILED, failed)

    async def mark_unknown(self, order_id: int, error: str) -> bool:
        return await self.mark_unknown_many([(order_id, error)]) > 0

    async def mark_unknown_many(self, unknown: Sequence[tuple[int, str]]) -> int:
        """The request may have reached the panel; never resubmit these automatically."""
        return await self._set_outcome(SubmitState.UNKNOWN, unknown)

    async def _set_outcome(self, state: SubmitState, pairs: Sequence[tuple[int, str]]) -> int:
        now = self._clock()
        async with self._db.transaction() as tx:
            return await _apply_outcome(tx, state, pairs, now)

    async def record_outcomes(
        self,
        *,
        placed: Sequence[tuple[int, int]] = (),
        failed: Sequence[tuple[int, str]] = (),
        unknown: Sequence[tuple[int, str]] = (),
        status: str = "Pending",
    ) -> int:
        """`mark_placed_many` + `mark_failed_many` + `mark_unknown_many` in one transaction.

        One write to retry when the database refuses it, and all or nothing: a retry never
        finds half a batch recorded.
        """
        now = self._clock()
        async with self._db.transaction() as tx:
            changed = await _apply_placed(tx, placed, str(status), now)
            changed += await _apply_outcome(tx, SubmitState.FAILED, failed, now)
            changed += await _apply_outcome(tx, SubmitState.UNKNOWN, unknown, now)
        return changed

    async def restore_outcomes(self, entries: Sequence[JournalEntry]) -> RestoreReport:
        """Apply outcomes from the placement journal (see `bot.storage.journal`), idempotently.

        A placed entry whose panel id is already stored for the user is done. Otherwise the
        row (found by its unique token) gets its panel id, or is inserted again from the
        entry when it is missing. Entries that contradict the database (another row holds the
        panel id, the row already has another panel id, the user is gone) change nothing and
        come back in `rejected`, for a person to look at.
        """
        now = self._clock()
        report = RestoreReport()
        async with self._db.transaction() as tx:
            for entry in entries:
                result = await _restore_one(tx, entry, now)
                if result == "rejected":
                    report.rejected.append(entry)
                elif result == "already":
                    report.already += 1
                elif result == "inserted":
                    report.inserted += 1
                else:
                    report.restored += 1
        return report

    async def recover_submitting(self, error: str = "interrupted by restart") -> list[Order]:
        """At start-up: rows left in `submitting` by a crash become `unknown`; returns them."""
        now = self._clock()
        async with self._db.transaction() as tx:
            ids = [
                r[0]
                for r in await tx.fetchall(
                    "SELECT id FROM orders WHERE submit_state = 'submitting' ORDER BY id"
                )
            ]
            if not ids:
                return []
            await tx.execute(
                "UPDATE orders SET submit_state = 'unknown', error = ?, updated_at = ? "
                "WHERE submit_state = 'submitting'",
                (error, now),
            )
            rows = await tx.fetchall(
                f"SELECT * FROM orders WHERE id IN ({_marks(ids)}) ORDER BY id", ids
            )
        return [_order(r) for r in rows]

    # --- reads ------------------------------------------------------------------------------

    async def get(self, order_id: int) -> Order | None:
        row = await self._db.fetchone("SELECT * FROM orders WHERE id = ?", (order_id,))
        return None if row is None else _order(row)

    async def get_batch(self, batch: str) -> list[Order]:
        rows = await self._db.fetchall(
            "SELECT * FROM orders WHERE batch = ? ORDER BY line_no, id", (batch,)
        )
        return [_order(r) for r in rows]

    async def get_by_panel_id(
        self, user_id: int, panel_order_id: int, panel_slot: int | None = None
    ) -> Order | None:
        """The order with this panel id (on `panel_slot`; without one, the user's order on
        the lowest-numbered panel that has this id)."""
        on_slot, slot_params = _on_slot(panel_slot)
        row = await self._db.fetchone(
            f"SELECT * FROM orders WHERE user_id = ? AND panel_order_id = ?{on_slot} "
            "ORDER BY panel_slot LIMIT 1",
            (user_id, panel_order_id, *slot_params),
        )
        return None if row is None else _order(row)

    async def by_panel_ids(self, user_id: int, panel_order_ids: Iterable[int]) -> list[Order]:
        """Every order of the user with one of these panel ids, on any of their panels."""
        ids = sorted(set(panel_order_ids))
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = await self._db.fetchall(
            f"SELECT * FROM orders WHERE user_id = ? AND panel_order_id IN ({marks}) "
            "ORDER BY panel_slot, id",
            (user_id, *ids),
        )
        return [_order(r) for r in rows]

    async def list_for_user(
        self,
        user_id: int,
        *,
        filter: OrderFilter = OrderFilter.ALL,
        offset: int = 0,
        limit: int = 10,
        panel_slot: int | None = None,
    ) -> list[Order]:
        """Placed/unknown orders, newest first (drafts and failed submits are not orders);
        only those of one panel account with `panel_slot`. A negative `limit` means all."""
        on_slot, slot_params = _on_slot(panel_slot)
        rows = await self._db.fetchall(
            f"SELECT * FROM orders WHERE user_id = ? AND {_FILTERS[OrderFilter(filter)]}"
            f"{on_slot} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
            (user_id, *slot_params, _NO_LIMIT if limit < 0 else limit, offset),
        )
        return [_order(r) for r in rows]

    async def count_for_user(
        self,
        user_id: int,
        *,
        filter: OrderFilter = OrderFilter.ALL,
        panel_slot: int | None = None,
    ) -> int:
        on_slot, slot_params = _on_slot(panel_slot)
        row = await self._db.fetchone(
            f"SELECT COUNT(*) FROM orders WHERE user_id = ? AND {_FILTERS[OrderFilter(filter)]}"
            f"{on_slot}",
            (user_id, *slot_params),
        )
        return int(row[0]) if row else 0

    async def search_for_user(
        self, user_id: int, query: str, *, limit: int = 10
    ) -> tuple[list[Order], int]:
        """/orders <query>: the user's orders (as /orders lists them), newest first, whose
        panel order id is `query` (all digits) or whose link contains it (any case); at most
        `limit` of them, and how many match in all."""
        match, params = _search_clause(query)
        where = f"WHERE user_id = ? AND {_VISIBLE} AND {match}"
        rows = await self._db.fetchall(
            f"SELECT * FROM orders {where} ORDER BY created_at DESC, id DESC LIMIT ?",
            (user_id, *params, limit),
        )
        count = await self._db.fetchone(f"SELECT COUNT(*) FROM orders {where}", (user_id, *params))
        return [_order(r) for r in rows], int(count[0]) if count else 0

    async def visible_for_user(self, user_id: int) -> list[Order]:
        """What /orders lists (placed or unknown), oldest first: the CSV export."""
        rows = await self._db.fetchall(
            f"SELECT * FROM orders WHERE user_id = ? AND {_VISIBLE} ORDER BY created_at, id",
            (user_id,),
        )
        return [_order(r) for r in rows]

    async def all_for_user(self, user_id: int) -> list[Order]:
        """Everything but drafts, oldest first (refused and never-sent rows included)."""
        rows = await self._db.fetchall(
            "SELECT * FROM orders WHERE user_id = ? AND submit_state != 'draft' "
            "ORDER BY created_at, id",
            (user_id,),
        )
        return [_order(r) for r in rows]

    async def recent_links(
        self, user_id: int, service_id: int, *, limit: int = 3, scan: int = 100
    ) -> list[tuple[int, str]]:
        """(order id, link) of the user's last distinct links for a service, newest first.

        Orders as /orders lists them (placed or unknown); only the newest `scan` rows are read.
        """
        rows = await self._db.fetchall(
            "SELECT id, link FROM orders WHERE user_id = ? AND service_id = ? "
            f"AND link IS NOT NULL AND {_VISIBLE} ORDER BY created_at DESC, id DESC LIMIT ?",
            (user_id, service_id, scan),
        )
        found: dict[str, int] = {}
        for row in rows:
            link = str(row[1])
            if link and link not in found:
                found[link] = int(row[0])
                if len(found) >= limit:
                    break
        return [(order_id, link) for link, order_id in found.items()]

    async def open_on_links(
        self, user_id: int, panel_slot: int, links: Iterable[str]
    ) -> list[Order]:
        """The user's open orders on panel account `panel_slot` (in flight, placed or unknown,
        not final) whose link names the same page as one of `links` (`bot.links.link_key`),
        oldest first: one indexed query per `_KEYS_PER_QUERY` distinct pages."""
        keys = sorted({link_key(link) for link in links})
        rows: list[Row] = []
        for start in range(0, len(keys), _KEYS_PER_QUERY):
            chunk = keys[start : start + _KEYS_PER_QUERY]
            rows += await self._db.fetchall(
                _OPEN_ON_PAGES.format(marks=_marks(chunk)), (user_id, panel_slot, *chunk)
            )
        orders = [_order(r) for r in rows]
        return sorted(orders, key=lambda o: (o.created_at, o.id))

    async def backfill_link_keys(self, *, chunk: int = 500) -> int:
        """Start-up: write `link_key` on rows older than migration 0014; how many it wrote.

        Idempotent and safe beside another process doing the same (same key, same row).
        """
        done, after = 0, 0
        while True:
            rows = await self._db.fetchall(
                "SELECT id, link FROM orders WHERE id > ? AND link_key IS NULL "
                "AND link IS NOT NULL ORDER BY id LIMIT ?",
                (after, chunk),
            )
            if not rows:
                return done
            async with self._db.transaction() as tx:
                await tx.executemany(
                    "UPDATE orders SET link_key = ? WHERE id = ? AND link_key IS NULL",
                    [(link_key(str(r[1])), int(r[0])) for r in rows],
                )
            done += len(rows)
            after = int(rows[-1][0])

    async def completion_times(
        self, user_id: int, panel_slot: int, service_id: int, *, newest: int
    ) -> list[float]:
        """Seconds from submit to completion of the user's `newest` completed orders of the
        service on the panel account, newest first (the ETA's history; see migration 0015)."""
        rows = await self._db.fetchall(
            "SELECT completed_at - submitted_at FROM orders "
            "WHERE user_id = ? AND panel_slot = ? AND service_id = ? AND status = 'Completed' "
            "AND completed_at IS NOT NULL AND submitted_at IS NOT NULL "
            "ORDER BY completed_at DESC LIMIT ?",
            (user_id, panel_slot, service_id, newest),
        )
        return [max(0.0, float(r[0])) for r in rows]

    # --- status polling ---------------------------------------------------------------------

    async def open_for_polling(
        self,
        now: float,
        *,
        fresh_age: float = 86400,
        fresh_interval: float,
        stale_interval: float = 3600,
        limit: int | None = None,
    ) -> list[Order]:
        """Placed, non-terminal orders whose status is due for a refresh.

        Orders younger than `fresh_age` (since submit) are due every `fresh_interval` seconds;
        older ones only every `stale_interval`. Never-polled rows come first.
        """
        rows = await self._db.fetchall(
            f"""
            SELECT * FROM orders
            WHERE submit_state = 'placed' AND panel_order_id IS NOT NULL AND {_NOT_TERMINAL}
              AND (
                polled_at IS NULL
                OR (:now - COALESCE(submitted_at, created_at) < :fresh_age
                    AND polled_at <= :now - :fresh_interval)
                OR (:now - COALESCE(submitted_at, created_at) >= :fresh_age
                    AND polled_at <= :now - :stale_interval)
              )
            ORDER BY polled_at IS NOT NULL, polled_at, id
            """
            + ("" if limit is None else "LIMIT :limit"),
            {
                "now": now,
                "fresh_age": fresh_age,
                "fresh_interval": fresh_interval,
                "stale_interval": stale_interval,
                **({} if limit is None else {"limit": limit}),
            },
        )
        return [_order(r) for r in rows]

    async def update_statuses(self, updates: Sequence[StatusUpdate], *, polled_at: float) -> int:
        """Apply polled statuses in one transaction; `None` fields keep the stored value."""
        if not updates:
            return 0
        now = self._clock()
        async with self._db.transaction() as tx:
            return await _write_statuses(tx, updates, polled_at, now, self._postgres)

    async def record_poll(
        self,
        user_id: int,
        polled: PolledStatuses,
        combine: Callable[[list[OutboxMessage]], OutboxMessage],
        *,
        polled_at: float,
    ) -> int:
        """One key's answers of a poll cycle in ONE transaction: the user's notices they call
        for (queued as one item, `combine` making the digest: see `OutboxRepo.enqueue_grouped`),
        the "started" flags, the new statuses and the polled time of the rows without news.
        Returns how many notices were new.

        One commit, not four: on PostgreSQL each is a round trip and a flush of the log under
        the write lock. The notices are committed with the statuses that called for them, so a
        crash loses both and the next cycle sees the same transitions again."""
        now = self._clock()
        postgres = self._postgres
        async with self._db.transaction() as tx:
            queued = 0
            if polled.notices:
                queued = await queue_grouped(
                    tx, user_id, polled.notices, combine, now=now, postgres=postgres
                )
            await _update_ids(tx, _STARTED_SQL, [now], polled.started, postgres)
            if polled.updates:
                await _write_statuses(tx, polled.updates, polled_at, now, postgres)
            await _update_ids(tx, _POLLED_SQL, [polled_at], polled.unchanged, postgres)
        return queued

    async def set_charges(self, charges: Sequence[tuple[int, Decimal]]) -> int:
        """(order id, charge) the panel reported right after placing; nothing else changes
        (the status stays for the poller, which tells the user of its changes)."""
        if not charges:
            return 0
        now = self._clock()
        async with self._db.transaction() as tx:
            return await tx.executemany(
                "UPDATE orders SET charge = ?, updated_at = ? WHERE id = ?",
                [(_money(charge), now, order_id) for order_id, charge in charges],
            )

    async def mark_polled(self, order_ids: Sequence[int], at: float) -> int:
        """Record a poll that brought no news (so the row is not due again at once)."""
        async with self._db.transaction() as tx:
            return await _update_ids(tx, _POLLED_SQL, [at], order_ids, self._postgres)

    async def set_muted(self, user_id: int, order_id: int, muted: bool) -> bool:
        """🔕 / 🔔 of one of the user's orders; False when it is not theirs."""
        changed = await self._db.execute(
            "UPDATE orders SET muted = ? WHERE id = ? AND user_id = ?",
            (int(muted), order_id, user_id),
        )
        return changed > 0

    async def set_started_notified(self, order_id: int) -> bool:
        """True only for the call that flipped the flag (so the notice goes out once)."""
        changed = await self._db.execute(
            "UPDATE orders SET started_notified = 1, updated_at = ? "
            "WHERE id = ? AND started_notified = 0",
            (self._clock(), order_id),
        )
        return changed > 0

    # --- unknown outcomes the user settles (issue 20 item 4) ----------------------------------

    async def settle_found(
        self, order_id: int, user_id: int, update: StatusUpdate, panel_order_id: int
    ) -> Settled:
        """The user found the unknown order on its panel as `panel_order_id` (the caller
        checked with the panel that it exists): store it as placed with its status, unless
        the row is not an unknown one of theirs any more, or some order of any user on the
        same panel (the same account, or another account on the same panel URL) holds that
        id already: panel ids are the panel's, whoever's key placed them. `polled_at` stays
        empty, so the poller takes the order up in its next cycle."""
        now = self._clock()
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT submit_state, panel_slot FROM orders WHERE id = ? AND user_id = ?",
                (order_id, user_id),
            )
            if row is None or row["submit_state"] != SubmitState.UNKNOWN.value:
                return Settled.GONE
            if await _panel_id_taken(tx, order_id, user_id, int(row["panel_slot"]), panel_order_id):
                return Settled.TAKEN
            await tx.execute(
                """
                UPDATE orders SET submit_state = 'placed', panel_order_id = ?, status = ?,
                    raw_status = ?, charge = COALESCE(?, charge),
                    start_count = COALESCE(?, start_count), remains = COALESCE(?, remains),
                    currency = COALESCE(?, currency), error = NULL, updated_at = ?
                WHERE id = ? AND submit_state = 'unknown'
                """,
                (
                    panel_order_id,
                    str(update.status),
                    update.raw_status,
                    _money(update.charge),
                    update.start_count,
                    update.remains,
                    update.currency,
                    now,
                    order_id,
                ),
            )
        return Settled.DONE

    async def settle_not_placed(self, order_id: int, user_id: int, note: str) -> bool:
        """The user says the panel has no such order: an unknown row of theirs becomes
        `not_placed` (kept in the history); False when it is not one (any more)."""
        changed = await self._db.execute(
            "UPDATE orders SET submit_state = 'not_placed', error = ?, updated_at = ? "
            "WHERE id = ? AND user_id = ? AND submit_state = 'unknown'",
            (note, self._clock(), order_id, user_id),
        )
        return changed > 0


# "No limit" in a LIMIT clause both engines accept (SQLite's -1 is an error on PostgreSQL).
_NO_LIMIT = 2**62

_BATCH_SQL = "SELECT * FROM orders WHERE batch = ? AND user_id = ? ORDER BY line_no, id"


def _on_slot(panel_slot: int | None) -> tuple[str, tuple[int, ...]]:
    """` AND panel_slot = ?` for one panel account, nothing for all (built here: PostgreSQL
    cannot type a parameter that is only compared with NULL)."""
    return ("", ()) if panel_slot is None else (" AND panel_slot = ?", (panel_slot,))


# Rows per status UPDATE: on SQLite 8 parameters each, under its oldest limit of 999.
_STATUS_CHUNK = 100
# polled_at, now (also when first read Completed, migration 0015), then the columns of
# `_status_values`, one array each.
_STATUS_SQL_POSTGRES = f"""
    UPDATE orders SET
        status = v.status, raw_status = v.raw_status, charge = COALESCE(v.charge, orders.charge),
        start_count = COALESCE(v.start_count, orders.start_count),
        remains = COALESCE(v.remains, orders.remains),
        currency = COALESCE(v.currency, orders.currency), polled_at = ?, updated_at = ?,
        completed_at = CASE WHEN v.status = '{Status.COMPLETED.value}'
            THEN COALESCE(orders.completed_at, ?) ELSE orders.completed_at END
    FROM unnest(CAST(? AS BIGINT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]),
                CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS TEXT[]))
        AS v (id, status, raw_status, charge, start_count, remains, currency)
    WHERE orders.id = v.id
"""
# Statements over a list of order ids (`_update_ids`): the new values, then the ids.
_POLLED_SQL = "UPDATE orders SET polled_at = ? WHERE {ids}"
_STARTED_SQL = (
    "UPDATE orders SET started_notified = 1, updated_at = ? WHERE started_notified = 0 AND {ids}"
)
_COMPLETED_SQL = "UPDATE orders SET completed_at = ? WHERE completed_at IS NULL AND {ids}"


def _status_sql_sqlite(rows: int) -> str:
    """One UPDATE for `rows` polled statuses (`_status_values` each), then polled_at, now and
    the rows' ids. No UPDATE … FROM (SQLite has it only since 3.33) and no WITH (Python's
    sqlite3 counts no changed rows behind one): a VALUES table's columns are column1, …"""
    values = ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * rows)
    return f"""
        UPDATE orders SET
            (status, raw_status, charge, start_count, remains, currency) = (
                SELECT v.column2, v.column3, COALESCE(v.column4, orders.charge),
                    COALESCE(v.column5, orders.start_count),
                    COALESCE(v.column6, orders.remains), COALESCE(v.column7, orders.currency)
                FROM (VALUES {values}) AS v
                WHERE v.column1 = orders.id
            ),
            polled_at = ?, updated_at = ?
        WHERE id IN ({_marks(range(rows))})
        """


async def _write_statuses(
    tx: Transaction,
    updates: Sequence[StatusUpdate],
    polled_at: float,
    now: float,
    postgres: bool,
) -> int:
    """The polled statuses, one statement per chunk of rows, not one per row: PostgreSQL pays a
    round of parse, plan and execute per statement (its poll cycle was 1.5x SQLite's)."""
    total = 0
    for start in range(0, len(updates), _STATUS_CHUNK):
        chunk = updates[start : start + _STATUS_CHUNK]
        rows = [_status_values(u) for u in chunk]
        if postgres:  # one array a column; completed_at in the same statement
            columns = [list(column) for column in zip(*rows, strict=True)]
            total += await tx.execute(_STATUS_SQL_POSTGRES, [polled_at, now, now, *columns])
        else:
            values = [value for row in rows for value in row]
            ids = [u.order_id for u in chunk]
            sql = _status_sql_sqlite(len(chunk))
            total += await tx.execute(sql, [*values, polled_at, now, *ids])
    if not postgres:
        # When each order was first read `Completed` (the ETA's history, migration 0015).
        done = [u.order_id for u in updates if str(u.status) == Status.COMPLETED.value]
        await _update_ids(tx, _COMPLETED_SQL, [now], done, postgres)
    return total


async def _update_ids(
    tx: Transaction, sql: str, values: Sequence[Any], ids: Sequence[int], postgres: bool
) -> int:
    """`sql` (its `{ids}` the id condition, after `values`' placeholders) over `ids`: one array
    on PostgreSQL (one statement text, prepared once, whatever the count), chunks of
    `IN (?, …)` on SQLite (it caps the bound parameters of a statement)."""
    if not ids:
        return 0
    if postgres:
        return await tx.execute(
            sql.format(ids="id = ANY(CAST(? AS BIGINT[]))"), [*values, list(ids)]
        )
    total = 0
    for start in range(0, len(ids), _KEYS_PER_QUERY):
        chunk = ids[start : start + _KEYS_PER_QUERY]
        total += await tx.execute(sql.format(ids=f"id IN ({_marks(chunk)})"), [*values, *chunk])
    return total


def _status_values(u: StatusUpdate) -> tuple[Any, ...]:
    return (
        u.order_id,
        str(u.status),
        u.raw_status,
        _money(u.charge),
        u.start_count,
        u.remains,
        u.currency,
    )


async def open_on_page(tx: Transaction, user_id: int, check: LinkCheck) -> list[Order]:
    """`OrdersRepo.open_on_links` for one link, inside a transaction (a claim's, a schedule's)."""
    key = link_key(check.link)
    rows = await tx.fetchall(_OPEN_ON_PAGES.format(marks="?"), (user_id, check.slot, key))
    return sorted((_order(r) for r in rows), key=lambda o: (o.created_at, o.id))


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


def _search_clause(query: str) -> tuple[str, tuple[object, ...]]:
    """An id (digits, within a BIGINT) matches the panel order id exactly; any other text is a
    piece of the link, compared in lower case with LIKE's wildcards taken literally."""
    text = query.strip()
    if text.isascii() and text.isdigit() and int(text) <= _MAX_PANEL_ID:
        return "panel_order_id = ?", (int(text),)
    piece = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return "LOWER(link) LIKE ? ESCAPE '\\'", (f"%{piece}%",)


async def _panel_id_taken(
    tx: Transaction, order_id: int, user_id: int, slot: int, panel_order_id: int
) -> bool:
    """Another order row holds `panel_order_id` on the panel of (`user_id`, `slot`): on that
    account, or on any user's account with the same panel URL."""
    row = await tx.fetchone(
        """
        SELECT 1 FROM orders o
        LEFT JOIN panel_accounts a ON a.user_id = o.user_id AND a.slot = o.panel_slot
        WHERE o.panel_order_id = :pid AND o.id <> :id
          AND ((o.user_id = :user AND o.panel_slot = :slot)
               OR a.url = (SELECT url FROM panel_accounts WHERE user_id = :user AND slot = :slot))
        LIMIT 1
        """,
        {"pid": panel_order_id, "id": order_id, "user": user_id, "slot": slot},
    )
    return row is not None


async def _apply_placed(
    tx: Transaction, placed: Sequence[tuple[int, int]], status: str, now: float
) -> int:
    return await _sum(
        tx,
        "UPDATE orders SET submit_state = 'placed', panel_order_id = ?, status = ?, "
        "error = NULL, updated_at = ? "
        "WHERE id = ? AND submit_state IN ('submitting', 'unknown')",
        [(pid, status, now, oid) for oid, pid in placed],
    )


async def _apply_outcome(
    tx: Transaction, state: SubmitState, pairs: Sequence[tuple[int, str]], now: float
) -> int:
    allowed = "('submitting', 'unknown')" if state is SubmitState.FAILED else "('submitting')"
    return await _sum(
        tx,
        f"UPDATE orders SET submit_state = ?, error = ?, updated_at = ? "
        f"WHERE id = ? AND submit_state IN {allowed}",
        [(state.value, err, now, oid) for oid, err in pairs],
    )


@dataclass(slots=True)
class RestoreReport:
    """What `restore_outcomes` did with each journal entry."""

    restored: int = 0  # an existing row got its outcome (and panel id)
    inserted: int = 0  # the row was missing and was written again from the entry
    already: int = 0  # the database already had it (an earlier import)
    rejected: list[JournalEntry] = field(default_factory=list)  # contradicts the database


RestoreResult = Literal["restored", "inserted", "already", "rejected"]


async def _restore_one(tx: Transaction, entry: JournalEntry, now: float) -> RestoreResult:
    row = await tx.fetchone(
        "SELECT id, user_id, submit_state, panel_order_id FROM orders WHERE token = ?",
        (entry.token,),
    )
    if row is not None and row["user_id"] != entry.user_id:
        log.error("journal entry for order %d names another user; set aside", entry.order_id)
        return "rejected"
    if entry.state is SubmitState.PLACED:
        holder = await tx.fetchone(
            "SELECT token FROM orders WHERE user_id = ? AND panel_slot = ? AND panel_order_id = ?",
            (entry.user_id, entry.panel_slot, entry.panel_order_id),
        )
        if holder is not None:
            if holder["token"] == entry.token:
                return "already"
            log.error(
                "journal: panel order %s is stored on another row than order %d; set aside",
                entry.panel_order_id,
                entry.order_id,
            )
            return "rejected"
        if row is not None:
            if row["panel_order_id"] is not None or row["submit_state"] == "draft":
                log.error(
                    "journal: order %d is %s with panel id %s, journal says %s; set aside",
                    row["id"],
                    row["submit_state"],
                    row["panel_order_id"],
                    entry.panel_order_id,
                )
                return "rejected"
            # Any non-draft state without a panel id: the panel's id is the truth.
            await tx.execute(
                "UPDATE orders SET submit_state = 'placed', panel_order_id = ?, "
                "status = 'Pending', error = NULL, updated_at = ? WHERE id = ?",
                (entry.panel_order_id, now, row["id"]),
            )
            return "restored"
    elif row is not None:
        state = SubmitState(entry.state)
        allowed = {"submitting", "unknown"} if state is SubmitState.FAILED else {"submitting"}
        if row["submit_state"] not in allowed:
            return "already"  # the same or a later outcome is stored
        await tx.execute(
            "UPDATE orders SET submit_state = ?, error = ?, updated_at = ? WHERE id = ?",
            (state.value, entry.error, now, row["id"]),
        )
        return "restored"
    return await _reinsert(tx, entry, now)


async def _reinsert(tx: Transaction, entry: JournalEntry, now: float) -> RestoreResult:
    """Write a journalled order whose row is missing again, unless its user is gone."""
    user = await tx.fetchone("SELECT 1 FROM users WHERE id = ?", (entry.user_id,))
    if user is None:
        log.error("journal entry for order %d: the user is gone; set aside", entry.order_id)
        return "rejected"
    placed = entry.state is SubmitState.PLACED
    await tx.execute(
        _INSERT_ORDER,
        (
            *(entry.user_id, entry.token, entry.batch, entry.panel_slot, *_ordered(entry.order)),
            *(entry.state.value, entry.panel_order_id, "Pending" if placed else None, entry.error),
            *(entry.created_at, entry.submitted_at, now),
        ),
    )
    return "inserted"


async def _insert_draft_rows(
    tx: Transaction,
    user_id: int,
    batch: str,
    drafts: Sequence[OrderDraft],
    now: float,
    panel_slot: int = 1,
    *,
    state: SubmitState = SubmitState.DRAFT,
) -> None:
    """The `orders` rows of `create_drafts`, inside its transaction: token `batch` for a single
    row, `batch:i` otherwise. A scheduled run writes its row already claimed (`state`
    submitting, bot/storage/schedules.py)."""
    single = len(drafts) == 1
    submitted = None if state is SubmitState.DRAFT else now
    for i, d in enumerate(drafts):
        token = batch if single else f"{batch}:{i}"
        await tx.execute(
            _INSERT_ORDER,
            (
                *(user_id, token, batch, panel_slot, *_ordered(d)),
                *(SubmitState(state).value, None, None, None),  # no panel id, status or error
                *(now, submitted, now),
            ),
        )


# One `orders` row: whose it is, what it orders (`_ordered`), how far it got, and when.
_INSERT_ORDER = """
    INSERT INTO orders (user_id, token, batch, panel_slot,
        line_no, service_id, service_name, service_type, link, link_key, quantity, runs,
        interval, extra, cost, currency,
        submit_state, panel_order_id, status, error, created_at, submitted_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


def _ordered(d: OrderDraft) -> tuple[Any, ...]:
    """`_INSERT_ORDER`'s columns from line_no to currency: what the row orders."""
    return (
        d.line_no,
        d.service_id,
        d.service_name_text,
        d.service_type,
        d.link,
        None if d.link is None else link_key(d.link),
        d.quantity,
        d.runs,
        d.interval,
        json.dumps(d.extra, ensure_ascii=False),
        _money(d.cost),
        d.currency_text,
    )


async def _sum(tx: Transaction, sql: str, rows: Sequence[Sequence[Any]]) -> int:
    """Run `sql` once per row inside `tx`; total affected rows (executemany's is unreliable)."""
    total = 0
    for params in rows:
        total += await tx.execute(sql, params)
    return total


# Shared with the schedules repository (bot/storage/schedules.py): one row reader, one writer.
order_of = _order
insert_order_rows = _insert_draft_rows
