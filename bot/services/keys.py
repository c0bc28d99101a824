"""Linking a panel API key: checked against the panel, stored encrypted, redacted in logs."""

from __future__ import annotations

from dataclasses import dataclass

from bot.logs import SecretRegistry
from bot.panel import Balance, PanelClient
from bot.services.panels import PanelFactory
from bot.storage.keys import KeysRepo


class NoKey(Exception):
    """The user has not linked a panel key yet."""


@dataclass(frozen=True, slots=True)
class KeyService:
    keys: KeysRepo
    panels: PanelFactory
    secrets: SecretRegistry

    async def load_secrets(self) -> None:
        for key in await self.keys.all_plaintext():
            self.secrets.add(key)

    async def link(self, user_id: int, api_key: str) -> Balance:
        """Check the key with a `balance` call and store it only if the panel accepts it.

        Raises the panel client's errors (InvalidApiKey, PanelUnavailable, ...) unchanged.
        """
        api_key = api_key.strip()
        # Registered before the first request so that even a failure log line is redacted.
        self.secrets.add(api_key)
        balance = await self.panels.client(api_key).balance()
        old = await self.keys.get(user_id)
        await self.keys.set(user_id, api_key)
        if old and old != api_key:
            self.secrets.discard(old)
        return balance

    async def unlink(self, user_id: int) -> bool:
        old = await self.keys.get(user_id)
        removed = await self.keys.delete(user_id)
        if old:
            self.secrets.discard(old)
        return removed

    async def has_key(self, user_id: int) -> bool:
        return await self.keys.has(user_id)

    async def client(self, user_id: int) -> PanelClient:
        key = await self.keys.get(user_id)
        if key is None:
            raise NoKey
        return self.panels.client(key)

    async def balance(self, user_id: int) -> Balance:
        return await (await self.client(user_id)).balance()
