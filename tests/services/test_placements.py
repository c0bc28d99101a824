"""PlacementRecorder against a real SQLite database that refuses writes (`query_only`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import pytest
from cryptography.fernet import Fernet

from bot.services.placements import PlacementRecorder, RetryPolicy, journal_for
from bot.storage import KeyCipher, Storage, SubmitState
from bot.storage.journal import PlacementJournal
from bot.storage.models import Order
from bot.storage.orders import OrdersRepo
from tests.clocks import TestClock
from tests.e2e.steps import order_draft

UID = 7401


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    st = await Storage.open(tmp_path / "bot.sqlite3", KeyCipher([Fernet.generate_key()]))
    await st.users.touch(UID, username=None, first_name=None)
    try:
        yield st
    finally:
        await st.close()


def recorder(storage: Storage, time: TestClock, **kw: object) -> PlacementRecorder:
    journal = journal_for(storage.db.path)
    return PlacementRecorder(
        storage.orders,
        journal,
        sleep=time.sleep,
        clock=time,
        **kw,  # type: ignore[arg-type]
    )


async def claimed(storage: Storage, batch: str, n: int) -> list[Order]:
    drafts = [
        order_draft(service_name_text="Followers", link=f"https://t.me/{batch}{i}", line_no=i + 1)
        for i in range(n)
    ]
    await storage.orders.create_drafts(UID, batch, drafts)
    claim = await storage.orders.claim(batch, UID)
    assert claim.won
    return claim.orders


def journal_bytes(storage: Storage) -> bytes | None:
    try:
        return Path(f"{storage.db.path}.journal").read_bytes()
    except FileNotFoundError:
        return None


async def refuse_writes(storage: Storage, refuse: bool = True) -> None:
    await storage.db.execute(f"PRAGMA query_only = {'ON' if refuse else 'OFF'}")


async def test_saved_at_once_reads_the_rows_back(storage: Storage) -> None:
    time = TestClock(0.0)  # moves only when the recorder sleeps
    rows = await claimed(storage, "ok", 2)
    done = await recorder(storage, time).record(
        rows, placed=[(rows[0], 11)], failed=[(rows[1], "refused")]
    )
    assert done.saved and time.sleeps == []
    assert [(o.submit_state, o.panel_order_id) for o in done.orders] == [
        (SubmitState.PLACED, 11),
        (SubmitState.FAILED, None),
    ]
    assert journal_bytes(storage) is None


class _OldSnapshot:
    """The orders repository, but its reads of a batch answer the rows as they were."""

    def __init__(self, orders: OrdersRepo, rows: list[Order]) -> None:
        self._orders = orders
        self._rows = rows

    def __getattr__(self, name: str) -> Any:
        return getattr(self._orders, name)

    async def get_batch(self, batch: str) -> list[Order]:
        return self._rows


async def test_a_stale_read_back_still_shows_the_outcomes_written(storage: Storage) -> None:
    # Seen under load: SQLite's reader answered from a snapshot older than the commit, and a
    # bulk's result said "still being sent" of lines the panel had answered.
    time = TestClock(0.0)  # moves only when the recorder sleeps
    rows = await claimed(storage, "stale", 2)
    stale = cast(OrdersRepo, _OldSnapshot(storage.orders, rows))
    rec = PlacementRecorder(stale, journal_for(storage.db.path), sleep=time.sleep, clock=time)
    done = await rec.record(rows, placed=[(rows[0], 12)], unknown=[(rows[1], "timed out")])
    assert done.saved
    assert [(o.submit_state, o.panel_order_id) for o in done.orders] == [
        (SubmitState.PLACED, 12),
        (SubmitState.UNKNOWN, None),
    ]


async def test_refused_writes_are_retried_with_backoff_then_journaled(
    storage: Storage, caplog: pytest.LogCaptureFixture
) -> None:
    time = TestClock(0.0)  # moves only when the recorder sleeps
    rows = await claimed(storage, "full", 3)
    rec = recorder(storage, time)
    await refuse_writes(storage)
    caplog.set_level(logging.INFO)
    done = await rec.record(
        rows,
        placed=[(rows[0], 501), (rows[2], 503)],
        unknown=[(rows[1], "no answer")],
    )
    # Five attempts: at once, then after 0.25, 0.5, 1 and 2 seconds (3.75 s ≤ the 4 s budget).
    assert time.sleeps == [0.25, 0.5, 1.0, 2.0]
    assert caplog.text.count("retrying in") == 4
    assert done.unsaved is not None and done.unsaved.journaled
    assert done.unsaved.placed == (501, 503)
    # What the user is shown comes from memory: what the panel did.
    assert [(o.submit_state, o.panel_order_id) for o in done.orders] == [
        (SubmitState.PLACED, 501),
        (SubmitState.UNKNOWN, None),
        (SubmitState.PLACED, 503),
    ]
    stored = await storage.orders.get_batch("full")
    assert {o.submit_state for o in stored} == {SubmitState.SUBMITTING}
    assert "1→#501, 3→#503" in caplog.text

    # Still refusing: the import raises and the journal stays as it was.
    before = journal_bytes(storage)
    assert before is not None
    with pytest.raises(Exception, match="readonly"):
        await rec.restore()
    assert await rec.restore_quietly() is None
    assert journal_bytes(storage) == before

    await refuse_writes(storage, False)
    report = await rec.restore()
    assert report is not None and report.restored == 3
    assert journal_bytes(storage) is None
    assert await rec.restore() is None  # nothing left to do
    stored = await storage.orders.get_batch("full")
    assert [(o.submit_state, o.panel_order_id) for o in stored] == [
        (SubmitState.PLACED, 501),
        (SubmitState.UNKNOWN, None),
        (SubmitState.PLACED, 503),
    ]


async def test_a_slow_first_refusal_still_gets_a_retry(storage: Storage) -> None:
    """The budget counts from the first refusal, not from a queue in front of it."""
    time = TestClock(0.0)  # moves only when the recorder sleeps
    rows = await claimed(storage, "slow", 1)
    readings = iter([0.0, 100.0])  # the first attempt waited 100 s behind other writes

    def clock() -> float:
        time.now = next(readings, time.now)
        return time.now

    rec = PlacementRecorder(
        storage.orders,
        journal_for(storage.db.path),
        policy=RetryPolicy(delays=(0.25, 0.5), budget=0.6),
        sleep=time.sleep,
        clock=clock,
    )
    await refuse_writes(storage)
    done = await rec.record(rows, placed=[(rows[0], 9)])
    assert time.sleeps == [0.25]  # a retry; 0.25 + 0.5 would pass the 0.6 s budget
    assert done.unsaved is not None


async def test_when_the_journal_cannot_be_written_memory_holds_the_ids_until_an_import(
    storage: Storage, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    time = TestClock(0.0)  # moves only when the recorder sleeps
    rows = await claimed(storage, "nojournal", 1)
    blocked = tmp_path / "blocked.journal"
    blocked.mkdir()  # a directory where the file should be: every append fails
    rec = PlacementRecorder(
        storage.orders,
        PlacementJournal(blocked),
        policy=RetryPolicy(delays=()),
        sleep=time.sleep,
        clock=time,
    )
    await refuse_writes(storage)
    done = await rec.record(rows, placed=[(rows[0], 4242)])
    assert done.unsaved is not None and not done.unsaved.journaled
    assert done.unsaved.placed == (4242,)
    assert "held in memory" in caplog.text and "#4242" in caplog.text
    assert rec.held == 1
    with pytest.raises(Exception, match="refused"):
        await rec.restore()  # the database still refuses: memory keeps them
    assert rec.held == 1
    blocked.rmdir()  # the disk is freed
    await refuse_writes(storage, False)
    report = await rec.restore()
    assert report is not None and report.restored == 1 and rec.held == 0
    [row] = await storage.orders.get_batch(rows[0].batch)
    assert row.submit_state is SubmitState.PLACED and row.panel_order_id == 4242


async def test_shutdown_during_the_retries_still_journals(storage: Storage) -> None:
    rows = await claimed(storage, "cancel", 1)
    started = asyncio.Event()

    async def slow_sleep(seconds: float) -> None:
        started.set()
        await asyncio.sleep(60)

    rec = PlacementRecorder(storage.orders, journal_for(storage.db.path), sleep=slow_sleep)
    await refuse_writes(storage)
    task = asyncio.create_task(rec.record(rows, placed=[(rows[0], 77)]))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await refuse_writes(storage, False)
    report = await rec.restore()
    assert report is not None and report.restored == 1
    stored = await storage.orders.get(rows[0].id)
    assert stored is not None and stored.panel_order_id == 77
