"""The SQLite engine: a writer and a reader connection, versioned migrations, serialized writes.

Every write goes through one `asyncio.Lock` on the writer connection: aiosqlite runs a
connection on one thread, so without the lock a statement from coroutine B could land inside
coroutine A's open transaction and be committed or rolled back with it.

Reads go through a second connection (a file database in WAL mode): a reader never waits for
the write lock, so a /help or a listing is answered while another process (a backup, a second
instance) holds SQLite's write lock, or while this process's own writer waits for it. Outside
a transaction every read sees every committed write. An in-memory database has one
connection, so there the reads share the writer's lock.

Each read holds the reader's own lock from its `execute` to its cursor's close. aiosqlite runs
those as separate jobs on the connection's thread, and a SELECT whose statement is still
active keeps the connection inside one read transaction: another read run in between answered
from that older snapshot, so a read right after a commit did not see it.

A writer waits at most `busy_seconds` in all, queueing behind this process's other writers
included, then raises `WriteRefused`: the caller tells its user plainly instead of hanging.
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

from bot.storage.db import (
    MEMORY,
    Database,
    Engine,
    Migration,
    MigrationError,
    Params,
    Row,
    WriteRefused,
)

log = logging.getLogger(__name__)

# How long a writer may wait for the write lock (another process's, and this process's other
# writers); DATABASE_BUSY_SECONDS.
BUSY_SECONDS = 5.0
# SQLite's result codes for a write it did not take: busy/locked, read-only, I/O error, full.
_REFUSING_CODES = frozenset({5, 6, 8, 10, 13})
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

    __slots__ = (
        "_busy",
        "_busy_ms",
        "_conn",
        "_lock",
        "_reader",
        "_reader_lock",
    )

    engine: Engine = "sqlite"

    def __init__(
        self,
        conn: aiosqlite.Connection,
        path: str,
        *,
        reader: aiosqlite.Connection | None = None,
        busy_seconds: float = BUSY_SECONDS,
    ) -> None:
        super().__init__(path)
        self._conn = conn
        self._lock = asyncio.Lock()
        # None for an in-memory database: reads then share the writer's connection and lock.
        self._reader = reader
        # One whole read at a time on the reader connection (see the module's docstring).
        self._reader_lock = asyncio.Lock()
        self._busy = busy_seconds
        self._busy_ms = _milliseconds(busy_seconds)  # the writer's busy_timeout right now

    def __repr__(self) -> str:
        return f"SQLiteDatabase(path={self.path!r})"

    @classmethod
    async def connect(
        cls,
        path: Path | str,
        *,
        migrations: Sequence[Migration],
        busy_seconds: float = BUSY_SECONDS,
    ) -> SQLiteDatabase:
        """Connect, set pragmas, and bring the schema to the latest migration."""
        target = str(path)
        if target != MEMORY:
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            make_private(Path(target))
        conn = await _open(target, busy_seconds)
        reader: aiosqlite.Connection | None = None
        try:
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA foreign_keys = ON")
            # FULL, not WAL's usual NORMAL: a power cut must not roll back a committed
            # `submitting` claim, or a re-confirm could order twice. Writes are rare here.
            await conn.execute("PRAGMA synchronous = FULL")
            db = cls(conn, target, busy_seconds=busy_seconds)
            await db._migrate(migrations)
            if target != MEMORY:
                reader = await _open(target, busy_seconds)
                # The reader never writes: a write sent to it by mistake fails loudly.
                await reader.execute("PRAGMA query_only = ON")
                db._reader = reader
        except BaseException:
            await conn.close()
            if reader is not None:
                await reader.close()
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

    def _refuses(self, exc: BaseException) -> bool:
        code = getattr(exc, "sqlite_errorcode", None)
        return isinstance(exc, sqlite3.OperationalError) and (
            code is not None and code & 0xFF in _REFUSING_CODES
        )

    @property
    def writing(self) -> bool:
        """A write holds or waits for the writer connection now (for tests and diagnostics)."""
        return self._lock.locked()

    @asynccontextmanager
    async def _writer(self) -> AsyncIterator[aiosqlite.Connection]:
        """The writer connection, once this process's earlier writers are done; the busy
        timeout gets what is left of the budget, so the whole wait stays within it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._busy
        try:
            async with asyncio.timeout(self._busy):
                await self._lock.acquire()
        except TimeoutError:
            raise WriteRefused(
                f"the database is busy: other writes held it for {self._busy:g} s"
            ) from None
        try:
            left = _milliseconds(max(deadline - loop.time(), 0.0))
            if left != self._busy_ms:
                await self._conn.execute(f"PRAGMA busy_timeout = {left}")
                self._busy_ms = left
            try:
                yield self._conn
            except sqlite3.OperationalError as exc:
                if self.refuses(exc):
                    raise WriteRefused(f"the database refused the write: {exc}") from exc
                raise
        finally:
            self._lock.release()

    @asynccontextmanager
    async def _read(self, sql: str, params: Params) -> AsyncIterator[aiosqlite.Cursor]:
        """A cursor on the reader connection, alone on it until the cursor is closed."""
        if self._reader is None:
            conn, lock = self._conn, self._lock
        else:
            conn, lock = self._reader, self._reader_lock
        async with lock, conn.execute(sql, params) as cur:
            yield cur

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self._writer() as conn, conn.execute(sql, params) as cur:
            return int(cur.rowcount)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._read(sql, params) as cur:
            return list(await cur.fetchall())

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        async with self._read(sql, params) as cur:
            row: sqlite3.Row | None = await cur.fetchone()
            return row

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SQLiteTransaction]:
        """`BEGIN IMMEDIATE` … `COMMIT`, rolled back if the block raises.

        Do not call other `Database` methods inside the block: the lock is not re-entrant.
        """
        async with self._writer() as conn:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield SQLiteTransaction(conn)
                await conn.execute("COMMIT")
            except BaseException:
                # COMMIT itself can fail (disk full, busy): never leave a transaction open.
                if conn.in_transaction:
                    await conn.execute("ROLLBACK")
                raise

    async def _close(self) -> None:
        if self._reader is not None:
            async with self._reader_lock:
                await self._reader.close()
        async with self._lock:
            await self._conn.close()


def _milliseconds(seconds: float) -> int:
    return max(0, round(seconds * 1000))


async def _open(target: str, busy_seconds: float) -> aiosqlite.Connection:
    """One connection: rows by name, the busy timeout set."""
    # isolation_level=None: the sqlite3 module must not open transactions behind our back;
    # we issue BEGIN IMMEDIATE ourselves so writers take the lock up front.
    conn = await aiosqlite.connect(target, isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        await conn.execute(f"PRAGMA busy_timeout = {_milliseconds(busy_seconds)}")
    except BaseException:
        await conn.close()
        raise
    return conn
