"""A user's service catalog: fetched with their key, cached per key for SERVICES_CACHE_SECONDS."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.services.accounts import NoKey, PanelAccounts
from bot.services.catalog_index import CatalogCache, CatalogIndex

# Confirm compares a preview with prices at most this old (PRICE_CHECK_SECONDS's default).
PRICE_CHECK_SECONDS = 30.0

# Told of every catalog read for a user: (key id, user id, panel account slot, the catalog).
ReadHook = Callable[[str, int, int, CatalogIndex], None]


@dataclass(frozen=True, slots=True)
class CatalogService:
    cache: CatalogCache
    accounts: PanelAccounts
    # The price watch checks a catalog the bot read anyway (bot/services/pricewatch.py).
    on_read: ReadHook | None = None

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
        keyed = await self.accounts.account_client(user_id, slot)
        index = await self.cache.get(
            keyed.key_id, keyed.client.services, force=force, max_age=max_age
        )
        if self.on_read is not None:
            self.on_read(keyed.key_id, user_id, keyed.slot, index)
        return index

    async def cached(self, user_id: int, slot: int | None = None) -> CatalogIndex | None:
        """The catalog the cache holds for the user's key on panel account `slot`, however
        old, or None: never a panel call (a card's estimate must not cost a `services`)."""
        try:
            keyed = await self.accounts.account_client(user_id, slot)
        except NoKey:
            return None
        return self.cache.peek(keyed.key_id)
