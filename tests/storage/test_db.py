from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import zipfile
from importlib.resources import files
from pathlib import Path

import asyncpg
import pytest

from bot.storage import Database, MigrationError, open_database
from bot.storage.db import ENGINES, load_migrations
from bot.storage.sql import folded_ddl
from bot.storage.sqlite import SQLiteDatabase

SECOND_MIGRATION = """
ALTER TABLE users ADD COLUMN timezone TEXT NOT NULL DEFAULT 'UTC';
CREATE TABLE notes (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id));
"""

# What each released migration runs, folded (comments and layout dropped) and hashed, as
# (SQLite, PostgreSQL): a database made now must get the schema the older ones got, so a released
# migration may be reworded or its engines' files merged, never changed in what it does.
RELEASED_MIGRATIONS = {
    1: ("84b4bfc278cf9236", "63346d6a3f7e6da0"),
    2: ("a62a62ede16554f8", "1a8056ba86d13cfe"),
    3: ("4e10309b22913ac7", "6e36a37f71f5caea"),
    4: ("fc25b02bffa73778", "948c1edb895a5663"),
    5: ("58989daeccb3b515", "a2162730de50935f"),
    6: ("24af4d5784e7dbc7", "d4e300df64f86c0f"),
    7: ("4c665404c649176a", "9315e1be43d371c0"),
    8: ("06f4517348b7b465", "2a1634cbe452f894"),
    9: ("c798c84c0e6031e0", "9bca23943f0bed0b"),
    10: ("830ad67a6e2f8f81", "eb8882f8c6869f27"),
    11: ("0c9ec0140ee87a84", "9c8a1a57eba1d6df"),
    12: ("f0de3237d0fe4463", "b79cead60ab226d3"),
    13: ("86c55074bd2e028d", "35e751f29095ebad"),
    14: ("9af005da0ce8ddfb", "14b5294f29afe066"),
    15: ("2eaa322e876e4866", "8ec32d7bb0c60bad"),
}


def _copy_packaged(dest: Path) -> Path:
    """The packaged migration files as they are: shared ones and engine-specific ones."""
    dest.mkdir()
    for entry in files("bot.storage").joinpath("migrations").iterdir():
        if entry.name.endswith(".sql"):
            (dest / entry.name).write_text(entry.read_text(encoding="utf-8"), encoding="utf-8")
    return dest


async def _tables(db: Database) -> set[str]:
    if db.engine == "sqlite":
        rows = await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    else:
        rows = await db.fetchall(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        )
    return {r[0] for r in rows}


def test_packaged_migrations_load_in_order() -> None:
    migrations = load_migrations()
    assert [m.version for m in migrations] == list(range(1, len(migrations) + 1))
    assert migrations[0].name == "0001_initial.sql"
    assert "CREATE TABLE orders" in migrations[0].sql


async def test_fresh_file_gets_latest_schema_wal_and_foreign_keys(db_path: Path) -> None:
    async with await open_database(db_path) as db:
        assert isinstance(db, SQLiteDatabase) and db.engine == "sqlite"
        assert db_path.parent.is_dir()
        assert await db.schema_version() == len(load_migrations())
        assert await db.pragma("journal_mode") == "wal"
        assert await db.pragma("foreign_keys") == 1
        assert await db.pragma("busy_timeout") > 0
        assert await db.pragma("synchronous") == 2  # FULL
        tables = {r[0] for r in await db.fetchall("SELECT name FROM sqlite_master")}
        assert {"users", "panel_accounts", "orders", "refills", "outbox", "ptb_state"} <= tables
        with pytest.raises(sqlite3.IntegrityError):
            # FK enforcement: no such user.
            await db.execute(
                "INSERT INTO panel_accounts (user_id, slot, ciphertext, added_at) "
                "VALUES (42, 1, x'00', 0)"
            )


async def test_memory_database_works() -> None:
    async with await open_database(":memory:") as db:
        assert await db.schema_version() == len(load_migrations())
        assert await db.execute("INSERT INTO ptb_state VALUES ('k', 'a', '1')") == 1


async def test_reopen_is_idempotent_and_keeps_data(database: Path | str) -> None:
    async with await open_database(database) as db:
        await db.execute("INSERT INTO ptb_state VALUES ('k', 'a', '1')")
    async with await open_database(database) as db:
        assert await db.schema_version() == len(load_migrations())
        assert [tuple(r) for r in await db.fetchall("SELECT * FROM ptb_state")] == [("k", "a", "1")]


async def test_older_file_is_upgraded_in_place(database: Path | str, tmp_path: Path) -> None:
    async with await open_database(database) as db:
        await db.execute("INSERT INTO users (id, created_at, updated_at) VALUES (7, 1, 1)")
    migrations = _copy_packaged(tmp_path / "migs")
    nxt = len(load_migrations()) + 1
    (migrations / f"{nxt:04d}_timezone.sql").write_text(SECOND_MIGRATION, encoding="utf-8")

    async with await open_database(database, migrations_dir=migrations) as db:
        assert await db.schema_version() == nxt
        row = await db.fetchone("SELECT id, timezone FROM users")
        assert row is not None and tuple(row) == (7, "UTC")
        # The shared file's INTEGER ids hold a Telegram-sized id on PostgreSQL too (BIGINT).
        assert await db.execute("INSERT INTO notes (id, user_id) VALUES (?, 7)", (2**40,)) == 1
    # A fresh file runs all migrations.
    async with await open_database(tmp_path / "fresh.db", migrations_dir=migrations) as db:
        assert await db.schema_version() == nxt


async def test_failing_migration_rolls_back_completely(
    database: Path | str, tmp_path: Path
) -> None:
    async with await open_database(database):
        pass
    migrations = _copy_packaged(tmp_path / "migs")
    latest = len(load_migrations())
    (migrations / f"{latest + 1:04d}_broken.sql").write_text(
        "CREATE TABLE half (id INTEGER);\nTHIS IS NOT SQL;", encoding="utf-8"
    )
    with pytest.raises((sqlite3.OperationalError, asyncpg.PostgresSyntaxError)):
        await open_database(database, migrations_dir=migrations)
    async with await open_database(database) as db:
        assert await db.schema_version() == latest
        assert "half" not in await _tables(db)


async def test_database_newer_than_code_is_refused(database: Path | str, tmp_path: Path) -> None:
    migrations = _copy_packaged(tmp_path / "migs")
    nxt = len(load_migrations()) + 1
    (migrations / f"{nxt:04d}_x.sql").write_text("CREATE TABLE x (id INTEGER);", encoding="utf-8")
    async with await open_database(database, migrations_dir=migrations):
        pass
    with pytest.raises(MigrationError, match="newer"):
        await open_database(database)


def test_gap_in_migrations_is_refused(tmp_path: Path) -> None:
    migrations = _copy_packaged(tmp_path / "migs")
    n = len(load_migrations())
    (migrations / f"{n + 2:04d}_x.sql").write_text("SELECT 1;", encoding="utf-8")
    with pytest.raises(MigrationError, match=f"{n + 1:04d}"):
        load_migrations(migrations)


async def test_transaction_rolls_back_on_error_and_serializes(database: Path | str) -> None:
    async with await open_database(database) as db:
        with pytest.raises(RuntimeError):
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO ptb_state VALUES ('k', 'a', '1')")
                raise RuntimeError("boom")
        assert await db.fetchall("SELECT * FROM ptb_state") == []

        # Concurrent transactions each read-modify-write one counter: no lost updates.
        await db.execute("INSERT INTO ptb_state VALUES ('c', 'n', '0')")

        async def bump() -> None:
            async with db.transaction() as tx:
                row = await tx.fetchone("SELECT value FROM ptb_state WHERE kind = 'c'")
                assert row is not None
                await asyncio.sleep(0)  # yield inside the transaction on purpose
                await tx.execute(
                    "UPDATE ptb_state SET value = ? WHERE kind = 'c'", (str(int(row[0]) + 1),)
                )

        await asyncio.gather(*(bump() for _ in range(25)))
        row = await db.fetchone("SELECT value FROM ptb_state WHERE kind = 'c'")
        assert row is not None and row[0] == "25"


async def test_close_twice_is_harmless(db_path: Path) -> None:
    db = await open_database(db_path)
    await db.close()
    await db.close()
    assert "bot.sqlite3" in repr(db)


async def test_migrations_load_from_a_zip_traversable(tmp_path: Path) -> None:
    """Installed packages may live in archives: only the Traversable API is used."""
    archive = tmp_path / "pkg.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for m in load_migrations():
            zf.writestr(f"bot/storage/migrations/{m.name}", m.sql)
        zf.writestr("bot/storage/migrations/README.txt", "not a migration")
    root = zipfile.Path(archive, "bot/storage/migrations/")
    assert [m.name for m in load_migrations(root)] == [m.name for m in load_migrations()]
    async with await open_database(":memory:", migrations_dir=root) as db:
        assert await db.schema_version() == len(load_migrations())


def test_released_migrations_still_run_what_they_ran() -> None:
    for column, engine in enumerate(ENGINES):
        migrations = {m.version: m for m in load_migrations(engine=engine)}
        for version, hashes in RELEASED_MIGRATIONS.items():
            folded = folded_ddl(migrations[version].sql).encode()
            assert hashlib.sha256(folded).hexdigest()[:16] == hashes[column], (engine, version)


def test_folding_keeps_what_a_statement_says() -> None:
    laid_out = "CREATE TABLE t (\n    a  INTEGER, -- why\n    b TEXT DEFAULT 'x  -- y' /* z */\n) ;"
    assert folded_ddl(laid_out) == "CREATE TABLE t(a INTEGER,b TEXT DEFAULT 'x  -- y');"
    assert folded_ddl("SELECT 1;") != folded_ddl("SELECT 2;")
