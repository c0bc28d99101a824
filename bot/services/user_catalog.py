"""A user's service catalog: fetched with their key, cached per key for SERVICES_CACHE_SECONDS."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.catalog_index import CatalogCache, CatalogIndex
from bot.services.keys import KeyService

# Confirm compares a preview with prices at most this old (PRICE_CHECK_SECONDS's default).
PRICE_CHECK_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class CatalogService:
    cache: CatalogCache
    keys: KeyService

    async def get(
        self,
        user_id: int,
        *,
        force: bool = False,
        slot: int | None = None,
        max_age: float | None = None,
    ) -> CatalogIndex:
        """The catalog for the user's current key on panel account `slot` (the default one
        without), no older than `max_age` seconds when given (Confirm's price check); raises
        NoKey or the panel client's errors."""
        # Cached per key and panel, not per user: users sharing a key share the catalog, and a
        # changed key never sees the old key's catalog. The cache id is a digest of URL and key.
        keyed = await self.keys.keyed_client(user_id, slot)
        return await self.cache.get(
            keyed.key_id, keyed.client.services, force=force, max_age=max_age
        )
