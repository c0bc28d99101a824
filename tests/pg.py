"""A real PostgreSQL for the tests: one server per test worker (pgserver), one database per test.

pgserver ships PostgreSQL 16 binaries in its wheel, so `pip install -e '.[test]'` is all it
takes: no Docker, no system package. The server starts once, on first use, with durability
switched off (fsync, synchronous_commit): a test database never has to survive a power cut, and
every commit would otherwise wait for the disk. Each test gets a fresh database, dropped
afterwards: a copy of one the server migrated once (the migrations took a second a test on a
loaded machine), or an empty one from `template0` for a test that migrates by itself
(`@EMPTY_DATABASE`).
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest

from bot.storage.db import Database
from bot.storage.engines import open_database

# For a test about the SQLite file itself (modes, locks, pragmas): no PostgreSQL run.
SQLITE_ONLY = pytest.mark.parametrize("engine", ["sqlite"])
# For a test that migrates the database itself (an upgrade from an older schema): the
# `database` fixture then hands out a PostgreSQL database without any table.
EMPTY_DATABASE = pytest.mark.empty_database

# What a violated constraint raises, on either engine.
INTEGRITY_ERRORS = (sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)


class PgCluster:
    """A running test server; `database()` hands out fresh databases on it."""

    def __init__(self, datadir: Path) -> None:
        from pgserver.postgres_server import get_server

        self._server = get_server(datadir, cleanup_mode="delete")
        self.url = self._server.get_uri()
        self._counter = itertools.count(1)
        self._tuned = False
        self._migrated: str | None = None

    async def _admin(self) -> asyncpg.Connection:
        conn = await asyncpg.connect(self.url)
        if not self._tuned:
            for setting in ("fsync", "synchronous_commit", "full_page_writes"):
                await conn.execute(f"ALTER SYSTEM SET {setting} = off")
            await conn.execute("SELECT pg_reload_conf()")
            self._tuned = True
        return conn

    async def _template(self) -> str:
        """A database at the current schema, made once: each test database is a copy."""
        if self._migrated is None:
            name = "migrated_template"
            conn = await self._admin()
            try:
                await conn.execute(f"CREATE DATABASE {name} TEMPLATE template0")
            finally:
                await conn.close()
            db = await open_database(self._server.get_uri(name))
            await db.close()  # a template takes no connections while it is copied
            self._migrated = name
        return self._migrated

    @asynccontextmanager
    async def database(self, *, empty: bool = False) -> AsyncIterator[str]:
        """The URL of a new database at the current schema (`empty`: without any table),
        dropped (connections and all) afterwards."""
        template = "template0" if empty else await self._template()
        name = f"test_{next(self._counter)}"
        conn = await self._admin()
        try:
            await conn.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
        finally:
            await conn.close()
        try:
            yield self._server.get_uri(name)
        finally:
            conn = await self._admin()
            try:
                await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            finally:
                await conn.close()

    async def password_role(self, name: str, password: str) -> str:
        """A login role that must give `password` (scram; every other role keeps trust), and a
        URL for it with `password` in it: change the password in the URL to be refused."""
        conn = await self._admin()
        try:
            await conn.execute(f"DROP ROLE IF EXISTS {name}")
            await conn.execute(f"CREATE ROLE {name} LOGIN PASSWORD '{password}'")
            _require_password(Path(await conn.fetchval("SHOW hba_file")), name)
            await conn.execute("SELECT pg_reload_conf()")
        finally:
            await conn.close()
        socket_dir = self.url.rsplit("host=", 1)[1]
        return f"postgresql://{name}:{password}@/postgres?host={socket_dir}"

    def stop(self) -> None:
        self._server.cleanup()


def _require_password(hba: Path, role: str) -> None:
    """A pg_hba.conf line making `role` log in with its password, first: the first match wins."""
    rule = f"local all {role} scram-sha-256\n"
    text = hba.read_text()
    if rule not in text:
        hba.write_text(rule + text)


# What `PRAGMA query_only` does to SQLite (a read-only remount, a full disk): every write fails
# with "attempt to write a readonly database". On PostgreSQL a statement trigger on every table
# refuses the same way, for the connections already in the pool too.
_REFUSE_ON = """
CREATE OR REPLACE FUNCTION test_refuse_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'attempt to write a readonly database';
END;
$$;
DO $$
DECLARE t record;
BEGIN
    FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
        EXECUTE format('CREATE TRIGGER test_refuse BEFORE INSERT OR UPDATE OR DELETE ON %I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION test_refuse_write()', t.tablename);
    END LOOP;
END;
$$;
"""
_REFUSE_OFF = """
DO $$
DECLARE t record;
BEGIN
    FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS test_refuse ON %I', t.tablename);
    END LOOP;
END;
$$;
"""


async def refuse_writes(db: Database, refuse: bool) -> None:
    """Make the database refuse (or take again) every write, on either engine."""
    if db.engine == "sqlite":
        await db.execute(f"PRAGMA query_only = {'ON' if refuse else 'OFF'}")
    else:
        await db.execute(_REFUSE_ON if refuse else _REFUSE_OFF)
