"""Recording what the panel did with claimed orders, even when the database refuses the write.

Once `add`/`add_bulk` has answered, the outcome has to be written: an order id the panel
returned is money spent. `PlacementRecorder.record` writes every outcome of one confirm in one
transaction and retries it with backoff for a few seconds (a full disk may clear, a lock may be
released). If the database still refuses, the outcomes go to the placement journal beside it
(`bot.storage.journal`) and the caller gets `Unsaved`, built from memory only, so the user can
be told the exact ids without another database round trip. `restore` imports the journal at
start-up and from a periodic job. When the journal cannot be written either (a full disk holds
both), the outcomes are held in memory and the same job imports them once the database takes
writes again: the ids are not lost unless the process also dies before that. No Telegram in here.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.storage.journal import JournalEntry, PlacementJournal, journal_path
from bot.storage.models import Order, SubmitState
from bot.storage.orders import OrdersRepo, RestoreReport

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


def journal_for(database_path: Path | str) -> PlacementJournal | None:
    """The journal beside the database file (None for an in-memory database)."""
    path = journal_path(database_path)
    return None if path is None else PlacementJournal(path)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Waits between attempts; none starts later than `budget` seconds after the first refusal.

    A full or read-only disk refuses at once: five attempts within 3.75 s. A held lock makes
    each attempt wait out DATABASE_BUSY_SECONDS (5 s) first: two attempts, about 10 s. The user
    is waiting on "Submitting…" meanwhile, so this stays short.
    """

    delays: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0)
    budget: float = 4.0


@dataclass(frozen=True, slots=True)
class Unsaved:
    """Outcomes the database refused. `journaled`: they are in the journal file (else only
    in the log). `placed` are the panel's order ids in input order, for the user."""

    placed: tuple[int, ...]
    journaled: bool


@dataclass(frozen=True, slots=True)
class Recorded:
    """The rows after recording: read back when saved, else the claimed rows with the
    outcomes applied in memory (what the panel did, which the user must see either way)."""

    orders: list[Order]
    unsaved: Unsaved | None = None

    @property
    def saved(self) -> bool:
        return self.unsaved is None


Placed = Sequence[tuple[Order, int]]
Settled = Sequence[tuple[Order, str]]


def settle_in_memory(
    rows: Sequence[Order], placed: Placed = (), failed: Settled = (), unknown: Settled = ()
) -> list[Order]:
    """`rows` with the outcomes applied the way `OrdersRepo.record_outcomes` would."""
    outcome: dict[int, tuple[SubmitState, int | None, str | None]] = {}
    for order, pid in placed:
        outcome[order.id] = (SubmitState.PLACED, pid, None)
    for order, error in failed:
        outcome[order.id] = (SubmitState.FAILED, None, error)
    for order, error in unknown:
        outcome[order.id] = (SubmitState.UNKNOWN, None, error)
    settled: list[Order] = []
    for row in rows:
        found = outcome.get(row.id)
        if found is None or row.submit_state is not SubmitState.SUBMITTING:
            settled.append(row)
            continue
        state, panel_id, reason = found
        status = "Pending" if state is SubmitState.PLACED else row.status
        settled.append(
            replace(
                row, submit_state=state, panel_order_id=panel_id, error_text=reason, status=status
            )
        )
    return settled


@dataclass(slots=True)
class PlacementRecorder:
    orders: OrdersRepo
    journal: PlacementJournal | None
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Sleep = asyncio.sleep
    clock: Clock = time.monotonic
    wall: Clock = time.time
    # One import at a time (start-up, the periodic job); appends need no lock (see journal).
    _restoring: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Outcomes neither the database nor the journal took, oldest first, until an import.
    _held: list[JournalEntry] = field(default_factory=list)

    async def record(
        self,
        rows: Sequence[Order],
        *,
        placed: Placed = (),
        failed: Settled = (),
        unknown: Settled = (),
    ) -> Recorded:
        """Write the outcomes of claimed `rows` (all of a batch); never raises for the database.

        Returns the rows as they stand: read back when the write went through, in memory
        otherwise (then with `unsaved`).
        """
        if not (placed or failed or unknown):
            return Recorded(list(rows))
        try:
            error = await self._write_with_retries(placed, failed, unknown)
        except asyncio.CancelledError:
            # Shut down mid-retry: the outcomes must outlive the process. (If the write did
            # commit after all, the import finds it stored: entries are idempotent.)
            self._journal(placed, failed, unknown, "cancelled")
            raise
        if error is None:
            try:
                fresh = await self.orders.get_batch(rows[0].batch) if rows else []
            except Exception:
                log.warning("outcomes saved, but reading them back failed", exc_info=True)
                fresh = []
            by_id = {o.id: o for o in fresh}
            read = [by_id[r.id] for r in rows] if all(r.id in by_id for r in rows) else rows
            # The outcomes just written are laid over what was read back: SQLite's reader
            # connection was seen (under load) to answer from a snapshot older than this
            # commit, and the result then said "still being sent" of lines already settled.
            return Recorded(settle_in_memory(read, placed, failed, unknown))
        journaled = self._journal(placed, failed, unknown, type(error).__name__)
        return Recorded(
            settle_in_memory(rows, placed, failed, unknown),
            Unsaved(tuple(pid for _, pid in placed), journaled),
        )

    async def _write_with_retries(
        self, placed: Placed, failed: Settled, unknown: Settled
    ) -> BaseException | None:
        """None once written; the last error when the database kept refusing."""
        start = self.clock()
        first_refusal: float | None = None
        delays = iter(self.policy.delays)
        attempt = 0
        while True:
            attempt += 1
            try:
                await self.orders.record_outcomes(
                    placed=[(o.id, pid) for o, pid in placed],
                    failed=[(o.id, err) for o, err in failed],
                    unknown=[(o.id, err) for o, err in unknown],
                )
            except Exception as exc:
                now = self.clock()
                if first_refusal is None:
                    # Counted from here: the first attempt may have queued behind other
                    # writes that each waited out the busy timeout.
                    first_refusal = now
                delay = next(delays, None)
                if delay is None or now - first_refusal + delay > self.policy.budget:
                    log.error(
                        "the database refused %d order outcome(s) %d time(s) in %.1f s: %s",
                        len(placed) + len(failed) + len(unknown),
                        attempt,
                        now - start,
                        exc,
                    )
                    return exc
                log.warning(
                    "the database refused order outcomes (%s); retrying in %.2f s", exc, delay
                )
                await self.sleep(delay)
            else:
                if attempt > 1:
                    log.info("order outcomes written on attempt %d", attempt)
                return None

    def _journal(self, placed: Placed, failed: Settled, unknown: Settled, why: str) -> bool:
        """Append the outcomes to the journal (synchronously: see `PlacementJournal`)."""
        now = self.wall()
        entries = [
            *(JournalEntry.of(o, SubmitState.PLACED, panel_order_id=p, at=now) for o, p in placed),
            *(JournalEntry.of(o, SubmitState.FAILED, error=e, at=now) for o, e in failed),
            *(JournalEntry.of(o, SubmitState.UNKNOWN, error=e, at=now) for o, e in unknown),
        ]
        ids = ", ".join(f"{o.id}→#{pid}" for o, pid in placed) or "none"
        if self.journal is not None:
            try:
                self.journal.append(entries)
            except Exception as exc:
                log.error("could not write the placement journal %s: %s", self.journal.path, exc)
            else:
                log.error(
                    "%d order outcome(s) kept in %s until the database takes them; "
                    "placed (order→panel id): %s",
                    len(entries),
                    self.journal.path,
                    ids,
                )
                return True
        # Last resort: memory, for the next import, and the log. The ids are not secret;
        # links and users' texts stay out.
        self._held.extend(entries)
        log.critical(
            "order outcomes refused by the database (%s) and not journaled: held in memory "
            "until the database takes them (lost if the process dies first); "
            "placed on the panel (order→panel id): %s",
            why,
            ids,
        )
        return False

    @property
    def held(self) -> int:
        """Outcomes held in memory only (neither the database nor the journal took them)."""
        return len(self._held)

    async def restore(self) -> RestoreReport | None:
        """Import the outcomes held in memory, then the journal; None when there was nothing.

        The file is emptied only after the import committed; a database that still refuses
        raises here and the journal (and what memory holds) stays as it was.
        """
        async with self._restoring:
            held = await self._restore_held()
            journal = self.journal
            if journal is None:
                return held
            if not journal.pending():
                journal.keep_reserve()  # room for the next refusal, while there is room
                return held
            contents = journal.read()
            report = await self.orders.restore_outcomes(contents.entries)
            journal.consume(contents, report.rejected)
        if contents.bad_lines or report.rejected:
            log.error(
                "%d unreadable line(s) and %d entries the database contradicts moved from "
                "%s to %s: look at them by hand",
                len(contents.bad_lines),
                len(report.rejected),
                journal.path,
                journal.rejected_path,
            )
        _log_imported("placement journal", report)
        return report

    async def _restore_held(self) -> RestoreReport | None:
        """Import what memory holds; entries added meanwhile stay for the next import."""
        entries = list(self._held)
        if not entries:
            return None
        report = await self.orders.restore_outcomes(entries)
        del self._held[: len(entries)]
        for entry in report.rejected:
            log.error(
                "held outcome of order %d (panel id %s) contradicts the database: look at it "
                "by hand",
                entry.order_id,
                entry.panel_order_id,
            )
        _log_imported("held order outcomes", report)
        return report

    async def restore_quietly(self) -> RestoreReport | None:
        """`restore` for the periodic job: a database still refusing is logged, not raised."""
        try:
            return await self.restore()
        except Exception as exc:
            log.warning("placement journal not imported yet: %s", exc)
            return None


def _log_imported(source: str, report: RestoreReport) -> None:
    log.warning(
        "%s imported: %d restored, %d re-inserted, %d already stored",
        source,
        report.restored,
        report.inserted,
        report.already,
    )
