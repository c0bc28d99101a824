"""A user's service catalog: fetched with their key, cached per key for SERVICES_CACHE_SECONDS."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.catalog_index import CatalogCache, CatalogIndex
from bot.services.keys import KeyService


@dataclass(frozen=True, slots=True)
class CatalogService:
    cache: CatalogCache
    keys: KeyService

    async def get(self, user_id: int, *, force: bool = False) -> CatalogIndex:
        """The catalog for the user's current key; raises NoKey or the panel client's errors."""
        # Cached per key, not per user: users sharing a key share the catalog, and a changed key
        # never sees the old key's catalog. The cache id is a digest, never the key itself.
        keyed = await self.keys.keyed_client(user_id)
        return await self.cache.get(keyed.key_id, keyed.client.services, force=force)
