"""Quick picks: favourite services (★ on a card) and the last services a user ordered.

Both are shown as buttons at the top of /order and /services. Only ids are stored; names and
prices come from the current catalog, so a button never shows a stale price. A favourite the
catalog no longer lists gets no button (it cannot be opened nor ordered) but is named in the
text, and keeps its row: panels switch services off for a while and back on. When the list is
full, such favourites make room for a new one.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.panel.models import Service
from bot.services.catalog_index import CatalogIndex
from bot.storage import FavouritesRepo, Starred

# Each is one button row: 10 + 5 rows stay on a phone's screen with the list under them.
FAVOURITES_MAX = 10
RECENT_MAX = 5


@dataclass(frozen=True, slots=True)
class StoredPicks:
    """What the database holds for a user, before it is matched with the catalog."""

    favourites: tuple[int, ...]
    recent: tuple[int, ...]

    @property
    def empty(self) -> bool:
        return not self.favourites and not self.recent

    def resolve(self, index: CatalogIndex) -> QuickPicks:
        favourites = [s for s in map(index.get, self.favourites) if s is not None]
        starred = set(self.favourites)
        recent = [s for s in map(index.get, self.recent) if s is not None and s.id not in starred]
        gone = tuple(sid for sid in self.favourites if index.get(sid) is None)
        return QuickPicks(tuple(favourites), tuple(recent), gone)


@dataclass(frozen=True, slots=True)
class QuickPicks:
    favourites: tuple[Service, ...]
    # The last services ordered that are not favourites (a favourite is shown once, as one).
    recent: tuple[Service, ...]
    # Favourite ids the catalog does not list now.
    unavailable: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.favourites and not self.recent and not self.unavailable


NO_PICKS = QuickPicks((), (), ())


@dataclass(frozen=True, slots=True)
class FavouritesService:
    repo: FavouritesRepo

    async def stored(self, user_id: int) -> StoredPicks:
        favourites = await self.repo.ids(user_id)
        recent = await self.repo.recent_services(user_id, RECENT_MAX)
        return StoredPicks(tuple(favourites), tuple(recent))

    async def picks(self, user_id: int, index: CatalogIndex) -> QuickPicks:
        return (await self.stored(user_id)).resolve(index)

    async def is_favourite(self, user_id: int, service_id: int) -> bool:
        return await self.repo.contains(user_id, service_id)

    async def star(self, user_id: int, service_id: int, index: CatalogIndex) -> Starred:
        """Make `service_id` a favourite; `Starred.FULL` when the user has the most already."""
        gone = [sid for sid in await self.repo.ids(user_id) if index.get(sid) is None]
        return await self.repo.add(user_id, service_id, limit=FAVOURITES_MAX, make_room=gone)

    async def unstar(self, user_id: int, service_id: int) -> bool:
        return await self.repo.remove(user_id, service_id)
