"""A user's panel accounts (a linked panel and its API key): linking, the key, a client for it,
the balance. Keys are checked against the panel, stored encrypted (bot/storage/accounts.py),
redacted in logs.

A user may link several panels; every method taking `slot=None` works on the user's default
account, so single-panel code paths stay as they were. The /panels screen that manages them
is bot/services/panels.py; the clients are opened by bot/services/panel_clients.py.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from bot.config import preset_name_of
from bot.logs import SecretRegistry
from bot.panel.client import PanelClient
from bot.panel.models import Balance
from bot.services.panel_clients import PanelClients
from bot.storage.accounts import AccountsRepo
from bot.storage.crypto import UndecryptableKey
from bot.storage.models import OutboxKind, PanelAccount
from bot.storage.outbox import OutboxMessage, OutboxRepo

log = logging.getLogger(__name__)


class NoKey(Exception):
    """The user has not linked a panel key yet (or not on the panel asked for)."""


def key_id_of(url: str, api_key: str) -> str:
    """A digest naming a key on one panel (never the key): what per-key caches file under.
    The URL is in it: the same key string on two panels is two different catalogs."""
    return hashlib.sha256(f"{url}\n{api_key}".encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class AccountClient:
    """A client for the user's current key, and a digest that names the key (never the key
    itself): what a per-key cache files its entries under."""

    key_id: str
    client: PanelClient
    slot: int = 1
    account: PanelAccount | None = None


@dataclass(frozen=True, slots=True)
class PanelAccounts:
    """Every feature's way to a user's panel account: `account_client` for its client."""

    repo: AccountsRepo
    panel_clients: PanelClients
    secrets: SecretRegistry
    # The name PANEL_API_URL's panel gets in a user's list (its preset's name).
    default_label: str = ""
    # Where low-balance alerts go (None: no alerts, e.g. in tools and some tests).
    outbox: OutboxRepo | None = None

    @property
    def default_panel_label(self) -> str:
        return self.default_label or preset_name_of(self.panel_clients.api_url)

    async def adopt_legacy(self) -> int:
        """Give the accounts migrated from the single-key table PANEL_API_URL and its name."""
        return await self.repo.adopt_legacy(self.panel_clients.api_url, self.default_panel_label)

    async def load_secrets(self, outbox: OutboxRepo | None = None) -> int:
        """Register every stored key for redaction; returns how many cannot be decrypted.

        Those are treated as absent (see `key`): one WARNING with their count, and each user is
        told once through `outbox` (the dedupe key names the stored value, so a restart does not
        repeat it, and a key linked and lost again later is told again).

        Keys an older ENCRYPTION_KEY encrypted are first re-encrypted with the first one, so
        that a rotation ends at the next start: the older key can then be removed.
        """
        rotated = await self.repo.rotate_old_keys()
        if rotated:
            # Said so that the operator knows when the older ENCRYPTION_KEY can go.
            log.info(
                "re-encrypted %d stored panel API %s with the first ENCRYPTION_KEY; "
                "the keys after it are no longer needed for them",
                rotated,
                "key" if rotated == 1 else "keys",
            )
        scan = await self.repo.scan()
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

    async def key(self, user_id: int, slot: int | None = None) -> str | None:
        """The user's key (on `slot`, the default panel without); one that no configured
        encryption key opens counts as none."""
        try:
            return await self.repo.get(user_id, slot)
        except UndecryptableKey:
            return None

    async def accounts(self, user_id: int, *, removed: bool = False) -> list[PanelAccount]:
        return await self.repo.accounts(user_id, removed=removed)

    async def names(self, user_id: int) -> dict[int, str]:
        """Every panel the user ever linked, by slot (removed ones too: history names them)."""
        return {a.slot: a.label for a in await self.repo.accounts(user_id, removed=True)}

    async def account(self, user_id: int, slot: int | None = None) -> PanelAccount | None:
        return await self.repo.account(user_id, slot)

    def _url(self, account: PanelAccount | None) -> str:
        return account.url if account is not None and account.url else self.panel_clients.api_url

    async def link(self, user_id: int, api_key: str) -> Balance:
        """/setkey: check the key on the default panel with a `balance` call and store it
        only if the panel accepts it (the first account is PANEL_API_URL's panel).

        Raises the panel client's errors (InvalidApiKey, PanelUnavailable, ...) unchanged.
        """
        api_key = api_key.strip()
        # Registered before the first request so that even a failure log line is redacted.
        self.secrets.add(api_key)
        account = await self.repo.account(user_id)
        custom = account.custom if account is not None else False
        balance = await self.panel_clients.client(
            api_key, self._url(account), custom=custom
        ).balance()
        old = await self.key(user_id)
        await self.repo.set(
            user_id, api_key, label=self.default_panel_label, url=self.panel_clients.api_url
        )
        if old and old != api_key:
            self.secrets.discard(old)
        return balance

    async def add_panel(
        self,
        user_id: int,
        api_key: str,
        *,
        label: str,
        url: str,
        custom: bool,
        limit: int | None = None,
    ) -> tuple[int, Balance]:
        """Check the key on `url` with a `balance` call, then store a new account; returns its
        slot and the balance. Raises the client's errors, LabelTaken, PanelLimitReached (past
        `limit` live accounts) and PanelLinkedAlready (an operator's panel linked twice)."""
        api_key = api_key.strip()
        self.secrets.add(api_key)
        balance = await self.panel_clients.client(api_key, url, custom=custom).balance()
        slot = await self.repo.add(
            user_id, api_key, label=label, url=url, custom=custom, limit=limit, once=not custom
        )
        return slot, balance

    async def replace_panel_key(self, user_id: int, account: PanelAccount, api_key: str) -> Balance:
        """Check `api_key` on the account's panel, then store it in place of the old one (a
        key change: open previews are voided; polling un-paused)."""
        api_key = api_key.strip()
        self.secrets.add(api_key)
        url = self._url(account)
        balance = await self.panel_clients.client(api_key, url, custom=account.custom).balance()
        old = await self.key(user_id, account.slot)
        if not await self.repo.replace_key(user_id, account.slot, api_key):
            raise NoKey
        if old and old != api_key:
            self.secrets.discard(old)
        return balance

    async def unlink(self, user_id: int, slot: int | None = None) -> bool:
        old = await self.key(user_id, slot)
        removed = await self.repo.delete(user_id, slot)
        if old:
            self.secrets.discard(old)
        return removed

    async def has_key(self, user_id: int) -> bool:
        return await self.key(user_id) is not None

    async def client(self, user_id: int, slot: int | None = None) -> PanelClient:
        return (await self.account_client(user_id, slot)).client

    async def account_client(self, user_id: int, slot: int | None = None) -> AccountClient:
        """Raises NoKey when the user has no (readable) key on that panel."""
        account = await self.repo.account(user_id, slot)
        if account is None:
            raise NoKey
        key = await self.key(user_id, account.slot)
        if key is None:
            raise NoKey
        url = self._url(account)
        client = self.panel_clients.client(key, url, custom=account.custom)
        return AccountClient(key_id_of(url, key), client, account.slot, account)

    async def balance(self, user_id: int, slot: int | None = None) -> Balance:
        """The panel's balance; every balance the bot reads also feeds the low-balance alert."""
        keyed = await self.account_client(user_id, slot)
        balance = await keyed.client.balance()
        account = keyed.account
        # Only an account with an alert set costs a look at the database here.
        if account is not None and account.low_balance_threshold is not None:
            await self.watch_balance(user_id, keyed.slot, balance)
        return balance

    async def watch_balance(self, user_id: int, slot: int, balance: Balance) -> bool:
        """Queue the low-balance alert once the balance fell below the account's threshold;
        re-armed only once it rose above it again. True when an alert was queued."""
        account = await self.repo.account(user_id, slot)
        if account is None or account.low_balance_threshold is None or self.outbox is None:
            return False
        threshold = account.low_balance_threshold
        if balance.amount > threshold and account.low_balance_alerted:
            await self.repo.set_low_balance_alerted(user_id, slot, False)
            return False
        if balance.amount >= threshold or account.low_balance_alerted:
            return False
        # The flag is the once-only claim: two balance reads at once queue one alert.
        if not await self.repo.set_low_balance_alerted(user_id, slot, True):
            return False
        payload = {
            "slot": slot,
            "amount": str(balance.amount),
            "currency": balance.currency_text,
            "threshold": str(threshold),
        }
        await self.outbox.enqueue(user_id, OutboxKind.LOW_BALANCE, payload)
        log.info("low balance on panel %s of user %s; alert queued", slot, user_id)
        return True
