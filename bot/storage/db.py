"""The repositories' view of the database: one interface, two engines, versioned migrations.

`open_database(target)` (bot/storage/engines.py) opens SQLite for a file path (or `:memory:`)
and PostgreSQL for a `postgresql://` URL (`bot.storage.sqlite`, `bot.storage.postgres`). The
repositories write one portable SQL text with SQLite's `?` / `:name` placeholders; each engine
runs it as its dialect needs (`bot.storage.sql`). Rows are addressed by column name or position
(`Row`).

Both engines give the same guarantees the repositories were written for:
- `transaction()` blocks run one at a time, across processes too: SQLite by `BEGIN IMMEDIATE`,
  PostgreSQL by a transaction-scoped advisory lock taken first. Every read-then-write in the
  repositories relies on it (the claim is additionally one conditional UPDATE whose affected row
  count says who won).
- `execute` outside a transaction is one committed statement, serialized with the transactions.
- `insert` returns the new row's `id`; `executemany` and `execute` return affected row counts.

Migrations: `NNNN_name.sql` is shared by both engines (portable DDL; PostgreSQL gets SQLite's
type names mapped by `bot.storage.sql.map_types`, and both engines spell a `{identity}` key their
own way); `NNNN_name.postgres.sql` or `NNNN_name.sqlite.sql` is that engine's own part, run
verbatim (triggers, and what else the engines do not share): before the shared file when the
version has one, else alone. What both engines run is written once.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal, Protocol

from bot.closing import AsyncClosing
from bot.storage.sql import map_types, sqlite_ddl

MEMORY = ":memory:"
Engine = Literal["sqlite", "postgres"]
ENGINES: tuple[Engine, ...] = ("sqlite", "postgres")
_URL_SCHEMES = ("postgresql://", "postgres://")
_MIGRATION_NAME = re.compile(r"^(\d{4})_[A-Za-z0-9_]+?(?:\.(sqlite|postgres))?\.sql$")

Params = Sequence[Any] | dict[str, Any]


class Row(Protocol):
    """A result row: `row["column"]`, `row[0]`, and unpacking (sqlite3.Row, asyncpg.Record)."""

    def __getitem__(self, key: Any, /) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...

    def __len__(self) -> int: ...


class MigrationError(Exception):
    """The migrations on disk do not fit the database (gap, duplicate, or db is newer)."""


class WriteRefused(Exception):
    """The database did not take a write: its lock stayed held past the writer's budget, or it
    refuses writes altogether (full or read-only disk). Nothing of the write was stored."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def is_url(target: Path | str) -> bool:
    """True for a PostgreSQL URL, False for an SQLite file path."""
    return isinstance(target, str) and target.startswith(_URL_SCHEMES)


def load_migrations(
    migrations_dir: Path | Traversable | None = None, *, engine: Engine = "sqlite"
) -> list[Migration]:
    """The migrations for `engine`, sorted by version; the packaged ones unless a dir is given.

    `importlib.resources` keeps this working when the package is installed as a wheel.
    """
    root: Traversable = (
        files("bot.storage").joinpath("migrations") if migrations_dir is None else migrations_dir
    )
    shared: dict[int, Migration] = {}
    own: dict[int, Migration] = {}
    for entry in root.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match is None or not entry.is_file():
            continue
        version, flavour = int(match.group(1)), match.group(2)
        if flavour is not None and flavour != engine:
            continue
        found = shared if flavour is None else own
        if version in found:
            raise MigrationError(f"two migrations with version {version}")
        found[version] = Migration(version, entry.name, entry.read_text(encoding="utf-8"))
    merged = dict(own)  # an engine's own part is used as written
    for version, migration in shared.items():
        sql = map_types(migration.sql) if engine == "postgres" else sqlite_ddl(migration.sql)
        part = own.get(version)
        if part is not None:  # its own part first, in the order released migrations ran
            migration, sql = part, f"{part.sql}\n{sql}"
        merged[version] = Migration(version, migration.name, sql)
    ordered = [merged[v] for v in sorted(merged)]
    for expected, migration in enumerate(ordered, start=1):
        if migration.version != expected:
            raise MigrationError(f"migration {expected:04d} is missing")
    return ordered


class Transaction(Protocol):
    """Statements inside one serialized transaction (see `Database.transaction`)."""

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns the affected row count."""

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run an INSERT into a table whose key column is `id`; returns the new id."""

    async def executemany(self, sql: str, rows: Iterable[Params]) -> int:
        """Run one statement per parameter row; returns the total affected row count."""

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]: ...

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None: ...


class Database(AsyncClosing):
    """The bot's database. Open with `await open_database(target)` (bot/storage/engines.py);
    close with `close()`.

    `path` is where local side files live (the placement journal): the SQLite file itself, or
    for PostgreSQL the `local_path` given to `open_database` (`:memory:`: none).
    """

    __slots__ = ("_closed", "path")

    engine: Engine

    def __init__(self, path: str) -> None:
        self.path = path
        self._closed = False

    @abstractmethod
    async def schema_version(self) -> int: ...

    @abstractmethod
    async def execute(self, sql: str, params: Params = ()) -> int:
        """One committed statement; returns the affected row count."""

    @abstractmethod
    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]: ...

    @abstractmethod
    async def fetchone(self, sql: str, params: Params = ()) -> Row | None: ...

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """A serialized transaction, committed at the end, rolled back if the block raises.

        Do not call other `Database` methods inside the block: use the `Transaction`.
        """

    def refuses(self, exc: BaseException) -> bool:
        """True when `exc` says the database did not take a write (busy, full, read-only):
        the user is told to try again later, not that something is broken."""
        return isinstance(exc, WriteRefused) or self._refuses(exc)

    @abstractmethod
    def _refuses(self, exc: BaseException) -> bool:
        """The engine's own errors for a write it did not take."""

    async def close(self) -> None:
        """Close the connections, once: later calls do nothing."""
        if self._closed:
            return
        self._closed = True
        await self._close()

    @abstractmethod
    async def _close(self) -> None:
        """The engine's own closing of its connections (called once)."""
