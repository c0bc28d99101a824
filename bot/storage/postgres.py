"""The PostgreSQL engine: an asyncpg pool behind the same interface as SQLite.

Writers are serialized the way SQLite's `BEGIN IMMEDIATE` serializes them: every transaction
(and every statement run outside one through `execute`) first takes one transaction-scoped
advisory lock, `WRITE_LOCK_KEY`, so the repositories' read-then-write steps behave exactly as on
SQLite, across processes too, and writers never deadlock on each other's row locks. Reads run
in parallel on the pool under READ COMMITTED and see every committed write.

Leadership (`bot/leadership.py`) holds its own session-level advisory lock on a connection of its
own; the pool's connections never hold session state (no SET, LISTEN or session locks), which is
why releasing one to the pool runs no reset query.

The URL may carry a password: it is never logged or shown (`repr` and errors name the host
only); the application adds it to the log redaction as well.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import asyncpg

from bot.storage.db import Database, Engine, Migration, MigrationError, Params, Row
from bot.storage.sql import Numbered, affected_rows, has_returning, number_placeholders

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

    PoolConnection = PoolConnectionProxy[asyncpg.Record]
    # What reads run on: the pool (outside a transaction) or a transaction's connection.
    Queries = asyncpg.Pool[asyncpg.Record] | PoolConnection

# Advisory lock keys (64-bit), spelled in ASCII so a DBA can tell them apart in pg_locks.
WRITE_LOCK_KEY = int.from_bytes(b"smm:wrte", "big") & 0x7FFFFFFFFFFFFFFF
MIGRATION_LOCK_KEY = int.from_bytes(b"smm:migr", "big") & 0x7FFFFFFFFFFFFFFF

POOL_MIN = 1
POOL_MAX = 10
# Distinct statements the repositories use are a few hundred at most: keep them all prepared.
STATEMENT_CACHE = 1024
TRANSLATION_CACHE = 4096
COMMAND_TIMEOUT = 60.0

_BEGIN_LOCKED = f"BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})"
# SQLSTATEs of a write the server did not take: read-only transaction, insufficient resources
# (disk full, out of memory), lock not available, statement cancelled (a timeout).
_REFUSING_STATES = ("25006", "53", "55P03", "57014")


async def _keep_session(conn: asyncpg.Connection[asyncpg.Record]) -> None:
    """Pool reset: nothing to undo, so no round trip on every release.

    Nothing here changes session state (no SET, LISTEN, cursors or session-level locks); an open
    transaction is rolled back by the pool anyway.
    """


async def _rollback(conn: PoolConnection) -> None:
    """Best effort: a connection that cannot roll back is closed by the pool on release."""
    if conn.is_closed() or not conn.is_in_transaction():
        return
    try:
        await conn.execute("ROLLBACK")
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
        log.debug("rollback failed; the pool drops the connection")


_VERSIONS_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    BIGINT PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at DOUBLE PRECISION NOT NULL
)
"""


def describe_url(url: str) -> str:
    """The URL without user name or password, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"postgresql://{host}{port}{parts.path}"


class _Dialect:
    """Translated statements, once per distinct SQL text.

    The repositories use literal SQL, plus `IN (?, …)` lists of varying length: the cache is
    emptied when it grows past `TRANSLATION_CACHE` entries rather than grow without bound.
    """

    __slots__ = ("_cache",)

    def __init__(self) -> None:
        self._cache: dict[str, Numbered] = {}

    def _remember(self, key: str, stmt: Numbered) -> Numbered:
        if len(self._cache) >= TRANSLATION_CACHE:
            self._cache.clear()
        self._cache[key] = stmt
        return stmt

    def numbered(self, sql: str) -> Numbered:
        found = self._cache.get(sql)
        return found if found is not None else self._remember(sql, number_placeholders(sql))

    def prepare(self, sql: str, params: Params) -> tuple[str, tuple[Any, ...]]:
        stmt = self.numbered(sql)
        return stmt.sql, stmt.args(params)

    async def fetchall(self, on: Queries, sql: str, params: Params) -> list[Row]:
        text, args = self.prepare(sql, params)
        return list(await on.fetch(text, *args))

    async def fetchone(self, on: Queries, sql: str, params: Params) -> Row | None:
        text, args = self.prepare(sql, params)
        row: Row | None = await on.fetchrow(text, *args)
        return row

    def counted(self, sql: str) -> Numbered:
        """`sql` with `RETURNING 1`: one returned row per affected row (see `executemany`)."""
        return self._with_returning("count", sql, _returning_one)

    def returning_id(self, sql: str) -> Numbered:
        return self._with_returning("id", sql, _returning_id)

    def _with_returning(self, kind: str, sql: str, clause: Callable[[str], str]) -> Numbered:
        """`sql` numbered, its text ended by `clause`; cached apart from the plain statement."""
        key = f"\0{kind}\0{sql}"
        found = self._cache.get(key)
        if found is None:
            stmt = number_placeholders(sql)
            text = clause(stmt.sql.rstrip().rstrip(";"))
            found = self._remember(key, Numbered(text, stmt.count, stmt.names))
        return found


def _returning_one(sql: str) -> str:
    if has_returning(sql):
        raise ValueError("executemany takes statements without RETURNING")
    return f"{sql} RETURNING 1"


def _returning_id(sql: str) -> str:
    return sql if has_returning(sql) else f"{sql} RETURNING id"


class PostgresTransaction:
    """Statements on one connection inside `BEGIN … COMMIT`, after the write lock."""

    __slots__ = ("_conn", "_dialect")

    def __init__(self, conn: PoolConnection, dialect: _Dialect) -> None:
        self._conn = conn
        self._dialect = dialect

    async def execute(self, sql: str, params: Params = ()) -> int:
        text, args = self._dialect.prepare(sql, params)
        status = await self._conn.execute(text, *args)
        return affected_rows(status)

    async def insert(self, sql: str, params: Params = ()) -> int:
        stmt = self._dialect.returning_id(sql)
        new_id = await self._conn.fetchval(stmt.sql, *stmt.args(params))
        if new_id is None:
            raise RuntimeError("INSERT did not return an id")
        return int(new_id)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> int:
        # asyncpg's executemany reports no row counts; fetchmany pipelines the statements the
        # same way and returns the RETURNING rows, one per affected row.
        stmt = self._dialect.counted(sql)
        batch = [stmt.args(params) for params in rows]
        if not batch:
            return 0
        return len(await self._conn.fetchmany(stmt.sql, batch))

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return await self._dialect.fetchall(self._conn, sql, params)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        return await self._dialect.fetchone(self._conn, sql, params)


class PostgresDatabase(Database):
    """The bot's PostgreSQL database (see `open_database`)."""

    __slots__ = ("_dialect", "_pool", "_url")

    engine: Engine = "postgres"

    def __init__(self, pool: asyncpg.Pool[asyncpg.Record], url: str, local_path: str) -> None:
        super().__init__(local_path)
        self._pool = pool
        self._url = url
        self._dialect = _Dialect()

    def __repr__(self) -> str:
        return f"PostgresDatabase({describe_url(self._url)!r})"

    @classmethod
    async def connect(
        cls,
        url: str,
        *,
        migrations: Sequence[Migration],
        local_path: str,
        min_size: int = POOL_MIN,
        max_size: int = POOL_MAX,
    ) -> PostgresDatabase:
        """Open a pool on `url` and bring the schema to the latest migration."""
        try:
            pool = await asyncpg.create_pool(
                url,
                min_size=min_size,
                max_size=max_size,
                statement_cache_size=STATEMENT_CACHE,
                command_timeout=COMMAND_TIMEOUT,
                reset=_keep_session,
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            # The driver's message names host and user at most; say which database, not how.
            raise ConnectionError(
                f"cannot connect to {describe_url(url)}: {type(exc).__name__}"
            ) from None
        db = cls(pool, url, local_path)
        try:
            await db._migrate(migrations)
        except BaseException:
            await db.close()
            raise
        return db

    async def _migrate(self, migrations: Sequence[Migration]) -> None:
        latest = migrations[-1].version if migrations else 0
        by_version = {m.version: m for m in migrations}
        while True:
            # One transaction per migration (DDL is transactional here), each under a lock so
            # two processes starting together apply every migration once.
            async with self._pool.acquire() as conn, conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK_KEY)
                await conn.execute(_VERSIONS_TABLE)
                current = int(
                    await conn.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
                )
                if current > latest:
                    raise MigrationError(
                        f"database schema version {current} is newer than this bot ({latest})"
                    )
                if current == latest:
                    return
                migration = by_version[current + 1]
                log.info("Applying database migration %s", migration.name)
                await conn.execute(migration.sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                    migration.version,
                    migration.name,
                    time.time(),
                )

    async def schema_version(self) -> int:
        value = await self._pool.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
        return int(value)

    async def execute(self, sql: str, params: Params = ()) -> int:
        # A lone write is serialized with the transactions, as on SQLite.
        async with self.transaction() as tx:
            return await tx.execute(sql, params)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return await self._dialect.fetchall(self._pool, sql, params)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        return await self._dialect.fetchone(self._pool, sql, params)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresTransaction]:
        """`BEGIN` + the write lock … `COMMIT`, rolled back if the block raises."""
        async with self._pool.acquire() as conn:
            try:
                # BEGIN and the lock in one round trip (a simple query may hold several).
                await conn.execute(_BEGIN_LOCKED)
                yield PostgresTransaction(conn, self._dialect)
                await conn.execute("COMMIT")
            except BaseException:
                # Also when COMMIT failed, or a cancel hit while waiting for the lock.
                await _rollback(conn)
                raise

    def _refuses(self, exc: BaseException) -> bool:
        state = getattr(exc, "sqlstate", None)
        return (
            isinstance(exc, asyncpg.PostgresError)
            and isinstance(state, str)
            and state.startswith(_REFUSING_STATES)
        )

    async def _close(self) -> None:
        await self._pool.close()
