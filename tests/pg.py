"""A real PostgreSQL for the tests: one server per test worker (pgserver), one database per test.

pgserver ships PostgreSQL 16 binaries in its wheel, so `pip install -e '.[test]'` is all it
takes: no Docker, no system package. The server starts once, on first use, with durability
switched off (fsync, synchronous_commit): a test database never has to survive a power cut, and
every commit would otherwise wait for the disk. Each test gets a database at the current schema
with no rows: a copy of one the server migrated once (the migrations took a second a test on a
loaded machine), or one an earlier test used, emptied. Copying a database cost PostgreSQL about
0.2 s of CPU, emptying one (deleting the rows a test left) a few ms, and a suite holds some 600
PostgreSQL tests. A
database is used again only when nothing else is connected to it and its schema (tables,
columns, indexes, constraints, triggers, functions, grants, applied migrations, settings) is
still exactly the template's; any other is dropped. A test that migrates by itself
(`@EMPTY_DATABASE`) gets an empty one from `template0`, dropped afterwards.
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
        # The template's schema digest (_SCHEMA_DIGEST), and databases emptied for another test.
        self._digest: str | None = None
        self._spares: list[str] = []

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
            conn = await asyncpg.connect(self._server.get_uri(name))
            try:
                self._digest = await _digest_of(conn)
                assert self._digest is not None, "the template's schema has no digest"
            finally:
                await conn.close()
            self._migrated = name
        return self._migrated

    @asynccontextmanager
    async def database(self, *, empty: bool = False) -> AsyncIterator[str]:
        """The URL of a database at the current schema without any row (`empty`: without any
        table), emptied for the next test or dropped (connections and all) afterwards."""
        if empty:
            name = await self._create("template0")
        elif self._spares:
            name = self._spares.pop()
        else:
            name = await self._create(await self._template())
        try:
            yield self._server.get_uri(name)
        finally:
            if not empty and await self._emptied(name):
                self._spares.append(name)
            else:
                await self._drop(name)

    async def _create(self, template: str) -> str:
        name = f"test_{next(self._counter)}"
        conn = await self._admin()
        try:
            await conn.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
        finally:
            await conn.close()
        return name

    async def _drop(self, name: str) -> None:
        conn = await self._admin()
        try:
            await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        finally:
            await conn.close()

    async def _emptied(self, name: str) -> bool:
        """Whether database `name` is now as a copy of the template would be: the sessions
        a test left (a killed bot's) ended, and, when its schema is still the template's,
        every row deleted and every identity restarted."""
        conn = await asyncpg.connect(self._server.get_uri(name))
        try:
            # Waits (up to 10 s) for each to end: their locks go with them.
            ended = await conn.fetchval(_END_OTHER_SESSIONS)
            digest = await _digest_of(conn)
            if ended is False or digest is None or digest != self._digest:
                return False
            await conn.execute(_DELETE_EVERY_ROW)
            return True
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


# False when a session of another connection did not end within 10 s.
_END_OTHER_SESSIONS = """
SELECT bool_and(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid()
"""
# Everything a test could change in a database besides its rows, as one digest.
_SCHEMA_DIGEST = """
WITH ours AS (
    SELECT oid FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%'
)
SELECT md5(string_agg(part, E'\\n' ORDER BY part)) FROM (
    SELECT format('rel %s %s %s %s', c.oid::regclass, c.relkind, c.relacl, c.reloptions)
    FROM pg_class c WHERE c.relnamespace IN (SELECT oid FROM ours)
    UNION ALL
    SELECT format('col %s %s %s %s %s %s', a.attrelid::regclass, a.attname, a.atttypid::regtype,
                  a.attnotnull, a.attisdropped, pg_get_expr(d.adbin, d.adrelid))
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE c.relnamespace IN (SELECT oid FROM ours) AND a.attnum > 0
    UNION ALL
    SELECT format('index %s', pg_get_indexdef(i.indexrelid))
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE c.relnamespace IN (SELECT oid FROM ours)
    UNION ALL
    SELECT format('constraint %s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
    FROM pg_constraint WHERE connamespace IN (SELECT oid FROM ours)
    UNION ALL
    SELECT format('trigger %s %s %s', tgrelid::regclass, tgname, tgenabled)
    FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL
    SELECT format('function %s %s', p.oid::regprocedure, md5(p.prosrc))
    FROM pg_proc p WHERE p.pronamespace IN (SELECT oid FROM ours)
    UNION ALL
    SELECT format('namespace %s %s', nspname, nspacl) FROM pg_namespace
    WHERE oid IN (SELECT oid FROM ours)
    UNION ALL
    SELECT format('setting %s %s', setrole, setconfig) FROM pg_db_role_setting
    WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
    UNION ALL
    SELECT format('migration %s %s', version, name) FROM public.schema_migrations
) AS parts (part)
"""
# Every table's rows, and the identities restarted; schema_migrations is part of the schema.
# Only the tables a test wrote to are touched, and rows are deleted, not truncated: TRUNCATE of
# every table (with CASCADE) gave each table, index and sequence a new file, 50-80 ms of the
# server's CPU at every test, some 600 times a run; a DELETE of a test's few rows costs about 1.
# Foreign keys and triggers are left out while the rows go (every table ends empty, so none is
# left dangling). A table a test filled with many rows is truncated still, so that no later
# test reads through their dead versions; every used sequence starts again, as in a copy.
_DELETE_EVERY_ROW = """
DO $$
DECLARE
    t record;
    rows bigint;
    filled text[] := '{}';
    large text[] := '{}';
BEGIN
    FOR t IN SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables
             WHERE schemaname = 'public' AND tablename <> 'schema_migrations' LOOP
        EXECUTE format('SELECT count(*) FROM (SELECT FROM %s LIMIT 1001) AS r', t.name)
            INTO rows;
        IF rows > 1000 THEN
            large := large || t.name;
        ELSIF rows > 0 THEN
            filled := filled || t.name;
        END IF;
    END LOOP;
    IF cardinality(large) > 0 THEN
        EXECUTE 'TRUNCATE ' || array_to_string(large, ', ') || ' CASCADE';
    END IF;
    SET LOCAL session_replication_role = replica;
    FOR i IN 1 .. cardinality(filled) LOOP
        EXECUTE 'DELETE FROM ' || filled[i];
    END LOOP;
    FOR t IN SELECT format('%I.%I', schemaname, sequencename) AS name FROM pg_sequences
             WHERE schemaname = 'public' AND last_value IS NOT NULL LOOP
        EXECUTE 'ALTER SEQUENCE ' || t.name || ' RESTART';
    END LOOP;
END;
$$;
"""


async def _digest_of(conn: asyncpg.Connection) -> str | None:
    """The schema digest; None when there is none to take (a test dropped a table it reads)."""
    try:
        digest = await conn.fetchval(_SCHEMA_DIGEST)
    except asyncpg.PostgresError:
        return None
    return None if digest is None else str(digest)


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
