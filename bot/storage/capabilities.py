"""What each panel's API takes, by panel URL (bot/panel/capabilities.py says why)."""

from __future__ import annotations

from bot.storage.rows import Repo


class CapabilitiesRepo(Repo):
    __slots__ = ()

    async def learned_since(self, url: str, since: float) -> dict[str, str]:
        """feature → "yes"/"no" for what was learned about `url` at or after `since`."""
        rows = await self._db.fetchall(
            "SELECT feature, support FROM panel_capabilities WHERE url = ? AND learned_at >= ?",
            (url, since),
        )
        return {str(row["feature"]): str(row["support"]) for row in rows}

    async def learn(self, url: str, feature: str, support: str) -> None:
        await self._db.execute(
            "INSERT INTO panel_capabilities (url, feature, support, learned_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (url, feature) DO UPDATE SET "
            "support = excluded.support, learned_at = excluded.learned_at",
            (url, feature, support, self._clock()),
        )
