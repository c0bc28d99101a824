"""SQLite with its write lock held by another connection (issue 19 item 8), and `refuses`."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import pytest

from bot.storage import open_database
from bot.storage.db import WriteRefused
from bot.storage.sqlite import SQLiteDatabase


@contextmanager
def held_elsewhere(path: Path) -> Iterator[None]:
    """A second sqlite3 connection, on its own thread, holds `BEGIN IMMEDIATE` in the block."""
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            locked.set()
            release.wait(30)
            conn.execute("ROLLBACK")
        finally:
            conn.close()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert locked.wait(10)
        yield
    finally:
        release.set()
        thread.join(10)


async def test_reads_do_not_wait_for_a_held_lock_and_writers_keep_their_budget(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bot.sqlite3"
    db = await open_database(path, busy_seconds=0.5)
    try:
        assert isinstance(db, SQLiteDatabase)
        await db.execute("INSERT INTO users (id, created_at, updated_at) VALUES (1, 0, 0)")
        with held_elsewhere(path):
            # Two writers at once: the second queues behind the first inside this process, and
            # still gives up within its own budget instead of starting a full wait of its own.
            first = asyncio.create_task(db.execute("UPDATE users SET language = 'tr'"))
            second = asyncio.create_task(db.execute("UPDATE users SET language = 'en'"))
            await asyncio.sleep(0)
            assert db.writing
            # A read meanwhile is answered from the reader connection.
            row = await db.fetchone("SELECT id FROM users")
            assert row is not None and row[0] == 1 and not first.done()
            results = await asyncio.gather(first, second, return_exceptions=True)
        assert all(isinstance(r, WriteRefused) for r in results), results
        assert "other writes held it" in str(results[1])
        assert isinstance(results[0], WriteRefused) and db.refuses(results[0])
        # Released: writes go through again, and the reader sees them at once.
        assert await db.execute("UPDATE users SET language = 'tr'") == 1
        row = await db.fetchone("SELECT language FROM users")
        assert row is not None and row[0] == "tr"
    finally:
        await db.close()


async def test_the_reader_never_writes(tmp_path: Path) -> None:
    db = await open_database(tmp_path / "bot.sqlite3")
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            await db.fetchall("DELETE FROM users")
    finally:
        await db.close()


async def test_refuses_names_what_the_database_did_not_take(database: Path | str) -> None:
    db = await open_database(database)
    try:
        refused: Exception
        bug: Exception
        if db.engine == "sqlite":
            full = sqlite3.OperationalError("database or disk is full")
            full.sqlite_errorcode = sqlite3.SQLITE_FULL
            wrong = sqlite3.OperationalError("no such column: x")
            wrong.sqlite_errorcode = sqlite3.SQLITE_ERROR
            refused, bug = full, wrong
        else:
            refused = asyncpg.exceptions.DiskFullError("no space left")
            bug = asyncpg.exceptions.UndefinedColumnError("no such column: x")
        assert db.refuses(refused) and db.refuses(WriteRefused("busy"))
        assert not db.refuses(bug) and not db.refuses(ValueError("x"))
    finally:
        await db.close()
