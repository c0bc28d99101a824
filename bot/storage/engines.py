"""Opening the database: the one place that knows both engines (SQLite and PostgreSQL).

Apart from bot/storage/db.py, which both engines import, so that the engines and their
interface form no import circle.
"""

from __future__ import annotations

from importlib.resources.abc import Traversable
from pathlib import Path

from bot.storage.db import MEMORY, Database, is_url, load_migrations


async def open_database(
    target: Path | str,
    *,
    migrations_dir: Path | Traversable | None = None,
    local_path: Path | str | None = None,
    busy_seconds: float | None = None,
) -> Database:
    """Connect to an SQLite file or a PostgreSQL URL and migrate to the latest schema.

    `busy_seconds`: how long an SQLite writer waits for the write lock (its default when
    None); PostgreSQL's writers queue on the server.
    """
    if is_url(target):
        # Imported on use: an SQLite deployment never loads asyncpg.
        from bot.storage.postgres import PostgresDatabase

        return await PostgresDatabase.connect(
            str(target),
            migrations=load_migrations(migrations_dir, engine="postgres"),
            local_path=MEMORY if local_path is None else str(local_path),
        )
    from bot.storage.sqlite import BUSY_SECONDS, SQLiteDatabase

    return await SQLiteDatabase.connect(
        target,
        migrations=load_migrations(migrations_dir, engine="sqlite"),
        busy_seconds=BUSY_SECONDS if busy_seconds is None else busy_seconds,
    )
