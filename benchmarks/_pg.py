"""A local PostgreSQL for the benchmarks' PostgreSQL figures (pgserver, from the `test` extra).

Unlike the tests' server, this one keeps PostgreSQL's default durability (fsync on, synchronous
commits), as SQLite runs with synchronous=FULL: the figures compare like with like.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg


class BenchPostgres:
    def __init__(self) -> None:
        # A test dependency: imported only when a PostgreSQL run is asked for. It asks
        # platformdirs for a runtime dir that root lacks, which only warns.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
            from pgserver.postgres_server import get_server

        self._dir = Path(tempfile.mkdtemp(prefix="smm-bench-pg-"))
        self._server = get_server(self._dir, cleanup_mode="delete")
        self._counter = itertools.count(1)

    @asynccontextmanager
    async def database(self) -> AsyncIterator[str]:
        """A fresh database's URL, dropped afterwards."""
        name = f"bench_{next(self._counter)}"
        admin = await asyncpg.connect(self._server.get_uri())
        try:
            await admin.execute(f"CREATE DATABASE {name} TEMPLATE template0")
        finally:
            await admin.close()
        try:
            yield self._server.get_uri(name)
        finally:
            admin = await asyncpg.connect(self._server.get_uri())
            try:
                await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            finally:
                await admin.close()

    def stop(self) -> None:
        self._server.cleanup()
        shutil.rmtree(self._dir, ignore_errors=True)
