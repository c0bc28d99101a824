"""Favourite services (the ★ on a service card) and the services a user ordered last."""

from __future__ import annotations

from collections.abc import Collection

from bot.storage.db import Transaction
from bot.storage.models import Starred
from bot.storage.rows import Repo


class FavouritesRepo(Repo):
    __slots__ = ()

    async def ids(self, user_id: int) -> list[int]:
        """The user's favourite service ids, the latest starred first."""
        rows = await self._db.fetchall(
            "SELECT service_id FROM favourite_services WHERE user_id = ? "
            "ORDER BY created_at DESC, service_id",
            (user_id,),
        )
        return [int(row["service_id"]) for row in rows]

    async def contains(self, user_id: int, service_id: int) -> bool:
        row = await self._db.fetchone(
            "SELECT 1 FROM favourite_services WHERE user_id = ? AND service_id = ?",
            (user_id, service_id),
        )
        return row is not None

    async def add(
        self, user_id: int, service_id: int, *, limit: int, make_room: Collection[int] = ()
    ) -> Starred:
        """Star `service_id`, keeping at most `limit` favourites.

        When the list is full, the favourites in `make_room` (ones the panel no longer lists)
        are removed first to make room; if that is not enough, nothing changes.
        """
        async with self._db.transaction() as tx:
            present = await tx.fetchone(
                "SELECT 1 FROM favourite_services WHERE user_id = ? AND service_id = ?",
                (user_id, service_id),
            )
            if present is not None:
                return Starred.ADDED
            if await self._count(tx, user_id) >= limit and make_room:
                await tx.executemany(
                    "DELETE FROM favourite_services WHERE user_id = ? AND service_id = ?",
                    [(user_id, gone) for gone in make_room],
                )
            if await self._count(tx, user_id) >= limit:
                return Starred.FULL
            await tx.execute(
                "INSERT INTO favourite_services (user_id, service_id, created_at) "
                "VALUES (?, ?, ?) ON CONFLICT (user_id, service_id) DO NOTHING",
                (user_id, service_id, self._clock()),
            )
        return Starred.ADDED

    @staticmethod
    async def _count(tx: Transaction, user_id: int) -> int:
        row = await tx.fetchone(
            "SELECT COUNT(*) AS n FROM favourite_services WHERE user_id = ?", (user_id,)
        )
        return int(row["n"]) if row is not None else 0

    async def remove(self, user_id: int, service_id: int) -> bool:
        """Unstar; False when it was not a favourite (a double tap)."""
        changed = await self._db.execute(
            "DELETE FROM favourite_services WHERE user_id = ? AND service_id = ?",
            (user_id, service_id),
        )
        return changed > 0

    async def recent_services(self, user_id: int, limit: int) -> list[int]:
        """The services of the user's latest orders, newest first, each once.

        An order counts from its Confirm (whatever the panel then said): drafts are previews
        nobody confirmed.
        """
        rows = await self._db.fetchall(
            "SELECT service_id, MAX(COALESCE(submitted_at, created_at)) AS last_used "
            "FROM orders WHERE user_id = ? AND submit_state <> 'draft' "
            "GROUP BY service_id ORDER BY last_used DESC, service_id LIMIT ?",
            (user_id, limit),
        )
        return [int(row["service_id"]) for row in rows]
