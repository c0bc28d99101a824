"""SQLite's reader connection: a read right after a commit sees it, whatever reads overlap.

aiosqlite runs `execute`, each fetch and the cursor's close as separate jobs on the
connection's thread. A SELECT whose statement is still active (rows not all fetched, cursor
not closed) keeps the connection inside one read transaction; a second read that ran on the
same connection in between answered from that older snapshot, so a read that followed a
commit did not see it (seen under load as a bulk reporting settled lines "still being sent").
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bot.storage import open_database
from bot.storage.db import Row
from bot.storage.sqlite import SQLiteDatabase

Read = Callable[[SQLiteDatabase], Coroutine[Any, Any, object]]


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[SQLiteDatabase]:
    opened = await open_database(tmp_path / "bot.sqlite3")
    assert isinstance(opened, SQLiteDatabase)
    try:
        for uid in (1, 2):
            await opened.execute(
                "INSERT INTO users (id, created_at, updated_at) VALUES (?, 0, 0)", (uid,)
            )
        yield opened
    finally:
        await opened.close()


def gate_cursor_step(
    monkeypatch: pytest.MonkeyPatch, step: str, reached: asyncio.Event, gate: asyncio.Event
) -> None:
    """The first call of `aiosqlite.Cursor.<step>` sets `reached` and waits for `gate` before
    it runs: the read is held between two of its jobs, its statement still active."""
    original = getattr(aiosqlite.Cursor, step)

    async def gated(self: aiosqlite.Cursor, *args: Any) -> Any:
        if not reached.is_set():
            reached.set()
            await gate.wait()
        return await original(self, *args)

    monkeypatch.setattr(aiosqlite.Cursor, step, gated)


async def read_all(db: SQLiteDatabase) -> object:
    return await db.fetchall("SELECT id FROM users ORDER BY id")


async def read_first(db: SQLiteDatabase) -> object:
    # Two rows match: after fetching one the statement stays active until the cursor closes.
    return await db.fetchone("SELECT id FROM users ORDER BY id")


@pytest.mark.parametrize(
    ("step", "first_read"),
    [("fetchall", read_all), ("fetchone", read_first), ("close", read_first)],
)
async def test_a_read_after_a_commit_sees_it_while_an_older_read_is_unfinished(
    db: SQLiteDatabase, monkeypatch: pytest.MonkeyPatch, step: str, first_read: Read
) -> None:
    reached, gate = asyncio.Event(), asyncio.Event()
    gate_cursor_step(monkeypatch, step, reached, gate)
    # The first read has run its statement (its snapshot began) and waits before its `step`.
    older = asyncio.create_task(first_read(db))
    await asyncio.wait_for(reached.wait(), timeout=30)
    await db.execute("UPDATE users SET language = 'tr' WHERE id = 1")

    async def read_after_commit() -> Row | None:
        # Opening the gate here queues this read's statement on the reader's thread ahead
        # of the older read's next job: exactly the interleaving seen under load.
        gate.set()
        return await db.fetchone("SELECT language FROM users WHERE id = 1")

    row = await asyncio.wait_for(read_after_commit(), timeout=30)
    assert row is not None and row[0] == "tr"
    await asyncio.wait_for(older, timeout=30)
