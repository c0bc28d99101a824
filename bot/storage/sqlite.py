"""The SQLite engine: one aiosqlite connection, versioned migrations, serialized transactions.

Every statement goes through one `asyncio.Lock`: aiosqlite runs a single connection on one
thread, so without the lock a statement from coroutine B could land inside coroutine A's open
transaction and be committed or rolled back with it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import stat
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage.db import MEMORY, Database, Engine, Migration, MigrationError, Params, Row

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
# The database holds key ciphertexts, links and order history: for the bot's user only.
PRIVATE_MODE = 0o600
SIDE_FILE_SUFFIXES = ("-wal", "-shm", "-journal")


def make_private(path: Path) -> None:
    """Create the database file with mode 0600 before SQLite opens it; narrow existing files.

    SQLite creates the -wal, -shm and -journal files with the mode of the main file (whatever
    the umask would give), so a private main file keeps them private too. Files left readable
    by an older version are narrowed to their owner.
    """
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    except FileExistsError:
        pass
    else:
        os.close(fd)  # an empty file is a new database to SQLite
    for file in (path, *(Path(f"{path}{suffix}") for suffix in SIDE_FILE_SUFFIXES)):
        try:
            mode = stat.S_IMODE(file.stat().st_mode)
        except FileNotFoundError:
            continue
        if not mode & 0o077:
            continue
        try:
            os.chmod(file, mode & ~0o077)
        except OSError as exc:
            log.warning("%s is readable by others (mode %o); chmod failed: %s", file, mode, exc)
        else:
            log.info("%s was readable by other users: mode %o -> %o", file, mode, mode & ~0o077)


class SQLiteTransaction:
    """Statements inside one `BEGIN IMMEDIATE … COMMIT` (see `SQLiteDatabase.transaction`)."""

    __slots__ = ("_conn",)

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self._conn.execute(sql, params) as cur:
            return int(cur.rowcount)

    async def insert(self, sql: str, params: Params = ()) -> int:
        async with self._conn.execute(sql, params) as cur:
            rowid = cur.lastrowid
        if rowid is None:  # pragma: no cover - sqlite always sets it after an INSERT
            raise RuntimeError("INSERT did not produce a rowid")
        return int(rowid)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> int:
        # sqlite3 sums executemany's rowcount over the rows (0 for an ignored insert).
        async with self._conn.executemany(sql, rows) as cur:
            return int(cur.rowcount)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._conn.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        async with self._conn.execute(sql, params) as cur:
            row: sqlite3.Row | None = await cur.fetchone()
            return row


class SQLiteDatabase(Database):
    """The bot's SQLite database (see `open_database`)."""

    __slots__ = ("_closed", "_conn", "_lock", "path")

    engine: Engine = "sqlite"

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self._closed = False
        self.path = path

    def __repr__(self) -> str:
        return f"SQLiteDatabase(path={self.path!r})"

    @classmethod
    async def connect(cls, path: Path | str, *, migrations: Sequence[Migration]) -> SQLiteDatabase:
        """Connect, set pragmas, and bring the schema to the latest migration."""
        target = str(path)
        if target != MEMORY:
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            make_private(Path(target))
        # isolation_level=None: the sqlite3 module must not open transactions behind our back;
        # we issue BEGIN IMMEDIATE ourselves so writers take the lock up front.
        conn = await aiosqlite.connect(target, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA foreign_keys = ON")
            # FULL, not WAL's usual NORMAL: a power cut must not roll back a committed
            # `submitting` claim, or a re-confirm could order twice. Writes are rare here.
            await conn.execute("PRAGMA synchronous = FULL")
            db = cls(conn, target)
            await db._migrate(migrations)
        except BaseException:
            await conn.close()
            raise
        return db

    async def _migrate(self, migrations: Sequence[Migration]) -> None:
        async with self._lock:
            current = await self._user_version()
            latest = migrations[-1].version if migrations else 0
            if current > latest:
                raise MigrationError(
                    f"database schema version {current} is newer than this bot ({latest})"
                )
            for migration in migrations:
                if migration.version <= current:
                    continue
                log.info("Applying database migration %s", migration.name)
                # executescript commits any open transaction first, so the BEGIN/COMMIT live in
                # the script itself; user_version is written in the same transaction.
                script = (
                    "BEGIN IMMEDIATE;\n"
                    f"{migration.sql}\n;\n"
                    f"PRAGMA user_version = {migration.version};\n"
                    "COMMIT;"
                )
                try:
                    await self._conn.executescript(script)
                except BaseException:
                    if self._conn.in_transaction:
                        await self._conn.execute("ROLLBACK")
                    raise
            # A migration that rebuilds tables may have left dangling references.
            problems = await self._conn.execute_fetchall("PRAGMA foreign_key_check")
            if list(problems):
                raise MigrationError("foreign key check failed after migrations")

    async def _user_version(self) -> int:
        rows = list(await self._conn.execute_fetchall("PRAGMA user_version"))
        return int(rows[0][0])

    async def schema_version(self) -> int:
        async with self._lock:
            return await self._user_version()

    async def pragma(self, name: str) -> Any:
        """Value of a read-only PRAGMA such as `journal_mode` (for diagnostics and tests)."""
        if not name.replace("_", "").isalpha():
            raise ValueError("invalid pragma name")
        async with self._lock:
            rows = list(await self._conn.execute_fetchall(f"PRAGMA {name}"))
        return rows[0][0] if rows else None

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self._lock, self._conn.execute(sql, params) as cur:
            return int(cur.rowcount)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._lock, self._conn.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        async with self._lock, self._conn.execute(sql, params) as cur:
            row: sqlite3.Row | None = await cur.fetchone()
            return row

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SQLiteTransaction]:
        """`BEGIN IMMEDIATE` … `COMMIT`, rolled back if the block raises.

        Do not call other `Database` methods inside the block: the lock is not re-entrant.
        """
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield SQLiteTransaction(self._conn)
                await self._conn.execute("COMMIT")
            except BaseException:
                # COMMIT itself can fail (disk full, busy): never leave a transaction open.
                if self._conn.in_transaction:
                    await self._conn.execute("ROLLBACK")
                raise

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        async with self._lock:
            await self._conn.close()
