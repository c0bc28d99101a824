"""Key/value JSON store behind the python-telegram-bot persistence (`bot.persistence`)."""

from __future__ import annotations

import json
from typing import Any

from bot.storage.db import Database


class StateRepo:
    __slots__ = ("_db",)

    def __init__(self, db: Database) -> None:
        self._db = db

    async def load(self, kind: str) -> dict[str, Any]:
        rows = await self._db.fetchall("SELECT key, value FROM ptb_state WHERE kind = ?", (kind,))
        return {key: json.loads(value) for key, value in rows}

    async def put(self, kind: str, key: str, value: Any) -> None:
        """Store `value` as JSON; raises TypeError/ValueError if it is not JSON-serialisable."""
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
        await self._db.execute(
            "INSERT INTO ptb_state (kind, key, value) VALUES (?, ?, ?) "
            "ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value",
            (kind, key, text),
        )

    async def delete(self, kind: str, key: str) -> bool:
        changed = await self._db.execute(
            "DELETE FROM ptb_state WHERE kind = ? AND key = ?", (kind, key)
        )
        return changed > 0
