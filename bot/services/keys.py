"""Linking a panel API key: checked against the panel, stored encrypted, redacted in logs."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from bot.logs import SecretRegistry
from bot.panel import Balance, PanelClient
from bot.services.panels import PanelFactory
from bot.storage.crypto import UndecryptableKey
from bot.storage.keys import KeysRepo
from bot.storage.models import OutboxKind
from bot.storage.outbox import OutboxMessage, OutboxRepo

log = logging.getLogger(__name__)


class NoKey(Exception):
    """The user has not linked a panel key yet."""


@dataclass(frozen=True, slots=True)
class KeyedClient:
    """A client for the user's current key, and a digest that names the key (never the key
    itself): what a per-key cache files its entries under."""

    key_id: str
    client: PanelClient


@dataclass(frozen=True, slots=True)
class KeyService:
    keys: KeysRepo
    panels: PanelFactory
    secrets: SecretRegistry

    async def load_secrets(self, outbox: OutboxRepo | None = None) -> int:
        """Register every stored key for redaction; returns how many cannot be decrypted.

        Those are treated as absent (see `key`): one WARNING with their count, and each user is
        told once through `outbox` (the dedupe key names the stored value, so a restart does not
        repeat it, and a key linked and lost again later is told again).
        """
        scan = await self.keys.scan()
        for key in scan.readable:
            self.secrets.add(key)
        count = len(scan.unreadable)
        if count:
            log.warning(
                "%d stored panel API %s cannot be decrypted with the configured ENCRYPTION_KEY "
                "(lost or replaced?); treated as absent, the users are asked to send /setkey again",
                count,
                "key" if count == 1 else "keys",
            )
        if count and outbox is not None:
            await outbox.enqueue_many(
                OutboxMessage(
                    u.user_id,
                    OutboxKind.KEY_UNREADABLE,
                    {},
                    # Once per stored key: a restart does not repeat it, a key lost later does.
                    dedupe_key=f"{OutboxKind.KEY_UNREADABLE}:{u.user_id}:{u.fingerprint}",
                )
                for u in scan.unreadable
            )
        return count

    async def key(self, user_id: int) -> str | None:
        """The user's key; one that no configured encryption key opens counts as none."""
        try:
            return await self.keys.get(user_id)
        except UndecryptableKey:
            return None

    async def link(self, user_id: int, api_key: str) -> Balance:
        """Check the key with a `balance` call and store it only if the panel accepts it.

        Raises the panel client's errors (InvalidApiKey, PanelUnavailable, ...) unchanged.
        """
        api_key = api_key.strip()
        # Registered before the first request so that even a failure log line is redacted.
        self.secrets.add(api_key)
        balance = await self.panels.client(api_key).balance()
        old = await self.key(user_id)
        await self.keys.set(user_id, api_key)
        if old and old != api_key:
            self.secrets.discard(old)
        return balance

    async def unlink(self, user_id: int) -> bool:
        old = await self.key(user_id)
        removed = await self.keys.delete(user_id)
        if old:
            self.secrets.discard(old)
        return removed

    async def has_key(self, user_id: int) -> bool:
        return await self.key(user_id) is not None

    async def client(self, user_id: int) -> PanelClient:
        return (await self.keyed_client(user_id)).client

    async def keyed_client(self, user_id: int) -> KeyedClient:
        """Raises NoKey when the user has no (readable) key."""
        key = await self.key(user_id)
        if key is None:
            raise NoKey
        return KeyedClient(hashlib.sha256(key.encode()).hexdigest()[:32], self.panels.client(key))

    async def balance(self, user_id: int) -> Balance:
        return await (await self.client(user_id)).balance()
