"""The PostgreSQL test databases (tests/pg.py): one a test used is handed to the next test
emptied, exactly as a fresh copy of the template would be."""

from __future__ import annotations

import asyncpg

from tests.pg import PgCluster

# Over the 1,000 rows above which tests/pg.py truncates a table instead of deleting its rows.
MANY = 1500


async def _fill(url: str) -> None:
    """Rows in tables that reference each other, one table with many rows, used identities."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "INSERT INTO users (id, created_at, updated_at)"
            " SELECT g, 0, 0 FROM generate_series(1, 3) g"
        )
        await conn.execute(
            "INSERT INTO orders (user_id, token, batch, service_id, service_name, service_type,"
            " cost, created_at, updated_at)"
            " SELECT 1, 't' || g, 'b', 1, 's', 'Default', '1', 0, 0 FROM generate_series(1, 2) g"
        )
        await conn.execute(
            "INSERT INTO outbox (user_id, kind, payload, created_at, next_attempt_at)"
            f" SELECT 1, 'k', '{{}}', 0, 0 FROM generate_series(1, {MANY}) g"
        )
    finally:
        await conn.close()


async def test_a_database_handed_out_again_has_no_row_and_restarts_its_ids(
    pg_cluster: PgCluster,
) -> None:
    async with pg_cluster.database() as first:
        await _fill(first)
    async with pg_cluster.database() as second:
        assert second == first  # the same database, handed out again
        conn = await asyncpg.connect(second)
        try:
            tables = await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                " AND tablename <> 'schema_migrations'"
            )
            left = {
                t["tablename"]: n
                for t in tables
                if (n := await conn.fetchval(f"SELECT count(*) FROM {t['tablename']}"))
            }
            assert left == {}
            await conn.execute("INSERT INTO users (id, created_at, updated_at) VALUES (1, 0, 0)")
            order_id = await conn.fetchval(
                "INSERT INTO orders (user_id, token, batch, service_id, service_name,"
                " service_type, cost, created_at, updated_at)"
                " VALUES (1, 't', 'b', 1, 's', 'Default', '1', 0, 0) RETURNING id"
            )
            push_id = await conn.fetchval(
                "INSERT INTO outbox (user_id, kind, payload, created_at, next_attempt_at)"
                " VALUES (1, 'k', '{}', 0, 0) RETURNING id"
            )
            # Identities start again: the truncated table's and the one whose rows were deleted.
            assert (order_id, push_id) == (1, 1)
        finally:
            await conn.close()
