"""Scheduled and repeated orders (migration 0012): made from a preview, placed by the leader.

A schedule is the preview the user saw, copied when they chose "🕒 Later" (`create`, which
closes that preview in the same transaction, so its Confirm orders nothing any more). Each run
is claimed by `claim_run`: one conditional UPDATE that moves `done` from the run's number and
the INSERT of that run's `orders` row (already `submitting`, token `sch<id>.<run>`) in one
transaction. Only the caller whose UPDATE changed the row talks to the panel; a crash after
the claim leaves the row `submitting`, which start-up turns into `unknown` (never resent).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from bot.storage.db import Row, Transaction
from bot.storage.models import LinkCheck, Order, OrderDraft, SubmitState
from bot.storage.orders import insert_order_rows, open_on_page, order_of
from bot.storage.rows import Repo, from_row


class Every(StrEnum):
    ONCE = "once"
    DAILY = "daily"
    WEEKLY = "weekly"


class ScheduleState(StrEnum):
    WAITING = "waiting"  # its next run is due at `next_at`
    HELD = "held"  # the price rose: the user was asked (place at the new price, or skip)
    MISSED = "missed"  # due while the bot was down, past the grace: the user was asked
    FINISHED = "finished"  # every run done
    CANCELLED = "cancelled"  # the user cancelled it


# What /scheduled lists and Cancel may end.
OPEN_STATES = (ScheduleState.WAITING, ScheduleState.HELD, ScheduleState.MISSED)


@dataclass(frozen=True, slots=True)
class Schedule:
    id: int
    user_id: int
    batch: str
    panel_slot: int
    key_version: int
    order: OrderDraft  # exactly what the preview showed, placed as it is
    rate: Decimal | None
    zone: str
    first_at: float
    every: Every
    times: int
    done: int
    next_at: float
    state: ScheduleState
    held_rate: Decimal | None
    held_cost: Decimal | None
    last_order: int | None
    # `panel_accounts.added_at` of its account when scheduled: that account's key (0013).
    key_added: float | None = None

    @property
    def run(self) -> int:
        """The number of the run due next (0 for the first)."""
        return self.done

    @property
    def left(self) -> int:
        return self.times - self.done


# The columns copied from the preview's order row as they are, by the `OrderDraft` field each
# fills (the panel's words are kept plain in `*_text`: bot/storage/models.py).
_ANSWERS = {
    "service_id": "service_id",
    "service_name_text": "service_name",
    "service_type": "service_type",
    "link": "link",
    "quantity": "quantity",
    "currency_text": "currency",
    "runs": "runs",
    "interval": "interval",
}


def _schedule(row: Row) -> Schedule:
    return from_row(
        Schedule,
        row,
        order=OrderDraft(
            **{name: row[col] for name, col in _ANSWERS.items()},
            cost=Decimal(row["cost"]),
            extra=json.loads(row["extra"]),
        ),
    )


def run_token(schedule_id: int, run: int) -> str:
    """The `orders.token` (and batch) of a schedule's run: unique, so never two rows."""
    return f"sch{schedule_id}.{run}"


def _states(states: Sequence[ScheduleState]) -> str:
    """`state IN (?, …)`: one placeholder per state (the states follow in the parameters)."""
    return f"state IN ({', '.join('?' * len(states))})"


@dataclass(frozen=True, slots=True)
class When:
    """When a schedule runs: the first time, the repeat and how many times, in `zone`."""

    first_at: float
    every: Every = Every.ONCE
    times: int = 1
    zone: str = "UTC"


_COPY = """
    INSERT INTO scheduled_orders (user_id, batch, panel_slot, key_version, service_id,
        service_name, service_type, link, quantity, runs, interval, extra, cost, currency,
        rate, zone, first_at, every, times, next_at, created_at, updated_at, key_added)
    SELECT o.user_id, o.batch, d.panel_slot, d.key_version, o.service_id, o.service_name,
        o.service_type, o.link, o.quantity, o.runs, o.interval, o.extra, o.cost, o.currency,
        d.rate, :zone, :first, :every, :times, :first, :now, :now, a.added_at
    FROM orders o JOIN drafts d ON d.batch = o.batch
    JOIN panel_accounts a ON a.user_id = d.user_id AND a.slot = d.panel_slot
        AND a.removed_at IS NULL
    WHERE o.batch = :batch AND o.user_id = :user AND o.submit_state = 'draft'
      AND d.user_id = :user AND d.kind = 'single'
"""
# Its own panel account still live with the key it was scheduled with (before 0013: the
# user's key version, as for a preview).
SAME_KEY = """
    CASE WHEN key_added IS NULL
        THEN key_version = (SELECT u.key_version FROM users u
                            WHERE u.id = scheduled_orders.user_id)
        ELSE EXISTS (SELECT 1 FROM panel_accounts a
                     WHERE a.user_id = scheduled_orders.user_id
                       AND a.slot = scheduled_orders.panel_slot
                       AND a.removed_at IS NULL AND a.added_at = scheduled_orders.key_added)
    END
"""


class SchedulesRepo(Repo):
    __slots__ = ()

    async def create(
        self, batch: str, user_id: int, when: When, link_check: LinkCheck | None = None
    ) -> Schedule | None:
        """Schedule the open single-order preview `batch` and close it, in one transaction.

        None (nothing changed) unless the preview is still open, unexpired and priced with
        the user's current key: the same promise its Confirm would have had to keep. Nor one
        that warned of an open order on the same link: only ⚠️ Order anyway places that. Nor,
        with `link_check`, one whose link's page has an open order it does not clear (its run
        is placed without a Confirm that could stop it): checked as a Confirm's claim does.
        """
        now = self._clock()
        async with self._db.transaction() as tx:
            if link_check is not None and not link_check.clear(
                await open_on_page(tx, user_id, link_check)
            ):
                return None
            closed = await tx.execute(
                "UPDATE drafts SET state = 'replaced', closed_at = :now "
                "WHERE batch = :batch AND user_id = :user AND state = 'open' "
                "AND kind = 'single' AND duplicates = 0 AND expires_at > :now AND key_version = "
                "(SELECT u.key_version FROM users u WHERE u.id = drafts.user_id)",
                {"now": now, "batch": batch, "user": user_id},
            )
            if not closed:
                return None
            await tx.execute(
                _COPY,
                {
                    "zone": when.zone,
                    "first": when.first_at,
                    "every": Every(when.every).value,
                    "times": when.times,
                    "now": now,
                    "batch": batch,
                    "user": user_id,
                },
            )
            row = await tx.fetchone("SELECT * FROM scheduled_orders WHERE batch = ?", (batch,))
        return None if row is None else _schedule(row)

    async def get(self, schedule_id: int, user_id: int | None = None) -> Schedule | None:
        row = await self._db.fetchone("SELECT * FROM scheduled_orders WHERE id = ?", (schedule_id,))
        if row is None or (user_id is not None and int(row["user_id"]) != user_id):
            return None
        return _schedule(row)

    async def open_for_user(self, user_id: int) -> list[Schedule]:
        """What /scheduled lists: waiting, held or missed, the soonest first."""
        where = _states(OPEN_STATES)
        rows = await self._db.fetchall(
            f"SELECT * FROM scheduled_orders WHERE user_id = ? AND {where} ORDER BY next_at, id",
            (user_id, *[str(x.value) for x in OPEN_STATES]),
        )
        return [_schedule(r) for r in rows]

    async def due(self, now: float, limit: int = 100) -> list[Schedule]:
        rows = await self._db.fetchall(
            "SELECT * FROM scheduled_orders WHERE state = 'waiting' AND next_at <= ? "
            "ORDER BY next_at, id LIMIT ?",
            (now, limit),
        )
        return [_schedule(r) for r in rows]

    async def hold(
        self,
        schedule: Schedule,
        state: ScheduleState,
        *,
        rate: Decimal | None = None,
        cost: Decimal | None = None,
        states: Sequence[ScheduleState] = (ScheduleState.WAITING,),
    ) -> bool:
        """From one of `states` to held (at `rate`/`cost`) or missed, the run unchanged; True
        for the one caller that did it."""
        changed = await self._db.execute(
            "UPDATE scheduled_orders SET state = ?, held_rate = ?, held_cost = ?, updated_at = ? "
            f"WHERE id = ? AND done = ? AND {_states(states)}",
            (
                ScheduleState(state).value,
                None if rate is None else str(rate),
                None if cost is None else str(cost),
                self._clock(),
                schedule.id,
                schedule.done,
                *[str(x.value) for x in states],
            ),
        )
        return changed > 0

    async def skip_run(
        self, schedule: Schedule, next_at: float | None, *, states: Sequence[ScheduleState]
    ) -> bool:
        """The run is over without an order (skipped, refused): on to the next one, or
        finished when `next_at` is None. True for the one caller that moved it."""
        async with self._db.transaction() as tx:
            return await _advance(tx, schedule, next_at, states, self._clock())

    async def claim_run(
        self,
        schedule: Schedule,
        order: OrderDraft,
        next_at: float | None,
        *,
        states: Sequence[ScheduleState],
        rate: Decimal | None = None,
    ) -> Order | None:
        """Claim the run due now and write its `orders` row, already `submitting`.

        The run must still be the schedule's current one, in one of `states`, and the user's
        key must still be the one it was priced with; otherwise None and nothing changes.
        `rate` (the dearer price the user accepted) becomes the schedule's for later runs.
        """
        now = self._clock()
        token = run_token(schedule.id, schedule.done)
        async with self._db.transaction() as tx:
            if not await _advance(tx, schedule, next_at, states, now, same_key=True):
                return None
            if rate is not None:
                await tx.execute(
                    "UPDATE scheduled_orders SET rate = ? WHERE id = ?", (str(rate), schedule.id)
                )
            await insert_order_rows(
                tx,
                schedule.user_id,
                token,
                [order],
                now,
                schedule.panel_slot,
                state=SubmitState.SUBMITTING,
            )
            row = await tx.fetchone("SELECT * FROM orders WHERE token = ?", (token,))
            assert row is not None  # inserted just above, in this transaction
            await tx.execute(
                "UPDATE scheduled_orders SET last_order = ? WHERE id = ?", (row["id"], schedule.id)
            )
        return order_of(row)

    async def cancel(self, schedule_id: int, user_id: int) -> bool:
        where = _states(OPEN_STATES)
        changed = await self._db.execute(
            f"UPDATE scheduled_orders SET state = 'cancelled', updated_at = ? "
            f"WHERE id = ? AND user_id = ? AND {where}",
            (self._clock(), schedule_id, user_id, *[str(x.value) for x in OPEN_STATES]),
        )
        return changed > 0


async def _advance(
    tx: Transaction,
    schedule: Schedule,
    next_at: float | None,
    states: Sequence[ScheduleState],
    now: float,
    *,
    same_key: bool = False,
) -> bool:
    """Move the schedule past its current run, if it is still there (one caller wins)."""
    where = _states(states)
    key = f" AND {SAME_KEY}" if same_key else ""
    params: list[Any] = [
        ScheduleState.FINISHED.value if next_at is None else ScheduleState.WAITING.value,
        schedule.next_at if next_at is None else next_at,
        now,
        schedule.id,
        schedule.done,
        *[str(x.value) for x in states],
    ]
    changed = await tx.execute(
        "UPDATE scheduled_orders SET done = done + 1, state = ?, next_at = ?, "
        "held_rate = NULL, held_cost = NULL, updated_at = ? "
        f"WHERE id = ? AND done = ? AND {where}{key}",
        params,
    )
    return changed > 0
