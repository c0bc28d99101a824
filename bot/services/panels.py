"""The /panels feature: several panel accounts per user (/panels, /balance): linking, naming,
the default, balances. bot/services/accounts.py is the accounts themselves (key, client).

The operator offers panels by name (PANELS presets, trusted); with ALLOW_CUSTOM_PANELS a user
may add any API v2 URL, which is checked here (https, no address outside the public internet)
and whose client checks every connection again (bot/panel/address_guard.py).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from bot.config import PANEL_NAME_RE, PanelPreset, preset_name_of
from bot.panel.address_guard import check_panel_url
from bot.panel.capabilities import Capabilities
from bot.panel.errors import PanelError
from bot.panel.models import Balance, Service
from bot.services.accounts import NoKey, PanelAccounts
from bot.services.catalog import CatalogService
from bot.storage.models import LabelTaken, PanelAccount, PanelLimitReached, PanelLinkedAlready

DEFAULT_MAX_PANELS = 5


class BadPanelName(ValueError):
    """A panel name the bulk format or the buttons cannot carry."""


@dataclass(frozen=True, slots=True)
class PanelLine:
    """One linked panel with its balance; `balance` None when the panel did not answer."""

    account: PanelAccount
    balance: Balance | None
    error: PanelError | None = None


def totals(lines: list[PanelLine]) -> dict[str, Decimal]:
    """The balances summed per currency: amounts in different currencies never add up."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        if line.balance is not None:
            sums[line.balance.currency_text] += line.balance.amount
    return dict(sorted(sums.items()))


def clean_name(name: str) -> str:
    """The name as stored; BadPanelName when it could not be typed in a bulk line."""
    name = " ".join(name.split())
    if not PANEL_NAME_RE.fullmatch(name):
        raise BadPanelName(name)
    return name


@dataclass(frozen=True, slots=True)
class PanelsService:
    accounts: PanelAccounts
    presets: tuple[PanelPreset, ...]
    allow_custom: bool = False
    # MAX_PANELS_PER_USER: every linked panel costs a catalog in memory and polls.
    max_panels: int = DEFAULT_MAX_PANELS

    @property
    def allow_private(self) -> bool:
        """ALLOW_PRIVATE_PANELS: a typed URL may then be http, on a private address."""
        return self.accounts.panel_clients.allow_private

    async def overview(self, user_id: int) -> list[PanelLine]:
        """Every linked panel with its balance, asked of all panels at once."""
        accounts = await self.accounts.accounts(user_id)

        async def line(account: PanelAccount) -> PanelLine:
            try:
                return PanelLine(account, await self.accounts.balance(user_id, account.slot))
            except PanelError as exc:
                return PanelLine(account, None, exc)

        return list(await asyncio.gather(*(line(a) for a in accounts)))

    async def capabilities(self, user_id: int, slot: int) -> Capabilities:
        """What the panel of account `slot` was learned to take through its API (issue 20)."""
        try:
            client = await self.accounts.client(user_id, slot)
        except NoKey:
            return Capabilities()
        return await client.capabilities()

    def unused_presets(self, accounts: list[PanelAccount]) -> list[tuple[int, PanelPreset]]:
        """The operator's panels the user has not linked yet, with their index in PANELS."""
        linked = {a.url for a in accounts}
        return [(i, p) for i, p in enumerate(self.presets) if p.url not in linked]

    def preset(self, index: int) -> PanelPreset | None:
        return self.presets[index] if 0 <= index < len(self.presets) else None

    def check_url(self, url: str) -> str:
        """A user's panel URL, stripped; AddressRefused (one line saying why) otherwise."""
        return check_panel_url(url, self.accounts.panel_clients.address_policy)

    async def _free_label(self, user_id: int, wanted: str) -> str:
        taken = {a.label.casefold() for a in await self.accounts.accounts(user_id)}
        label, n = wanted[:24], 2
        while label.casefold() in taken:
            suffix = f" {n}"
            label, n = wanted[: 24 - len(suffix)] + suffix, n + 1
        return label

    async def check_room(self, user_id: int, url: str | None = None) -> None:
        """PanelLimitReached when the user has MAX_PANELS_PER_USER panels; PanelLinkedAlready
        when `url` (an operator's panel) is linked. Asked before a key is asked for or checked;
        the storage checks again when it links."""
        accounts = await self.accounts.accounts(user_id)
        if url is not None and any(a.url == url for a in accounts):
            raise PanelLinkedAlready(url)
        if len(accounts) >= self.max_panels:
            raise PanelLimitReached(self.max_panels)

    async def add(
        self, user_id: int, api_key: str, *, url: str, name: str, custom: bool
    ) -> tuple[PanelAccount, Balance]:
        """Check the key with `balance` on the panel and link it under a free name."""
        await self.check_room(user_id, None if custom else url)
        label = await self._free_label(user_id, name)
        slot, balance = await self.accounts.add_panel(
            user_id, api_key, label=label, url=url, custom=custom, limit=self.max_panels
        )
        account = await self.accounts.account(user_id, slot)
        assert account is not None
        return account, balance

    async def add_preset(
        self, user_id: int, index: int, api_key: str
    ) -> tuple[PanelAccount, Balance]:
        preset = self.preset(index)
        if preset is None:
            raise LookupError(index)
        return await self.add(user_id, api_key, url=preset.url, name=preset.name, custom=False)

    async def add_custom(
        self, user_id: int, url: str, api_key: str
    ) -> tuple[PanelAccount, Balance]:
        url = self.check_url(url)
        return await self.add(user_id, api_key, url=url, name=preset_name_of(url), custom=True)

    async def replace_key(
        self, user_id: int, slot: int, api_key: str
    ) -> tuple[PanelAccount, Balance]:
        """A new key for a linked panel, checked with `balance` there first; LookupError
        when the panel is no longer linked."""
        account = await self.accounts.account(user_id, slot)
        if account is None:
            raise LookupError(slot)
        balance = await self.accounts.replace_panel_key(user_id, account, api_key)
        return account, balance

    async def rename(self, user_id: int, slot: int, name: str) -> str:
        """Raises BadPanelName or LabelTaken; returns the name as stored."""
        label = clean_name(name)
        if not await self.accounts.repo.rename(user_id, slot, label):
            raise LookupError(slot)
        return label

    async def make_default(self, user_id: int, slot: int) -> bool:
        return await self.accounts.repo.make_default(user_id, slot)

    async def remove(self, user_id: int, slot: int) -> bool:
        """Forget the panel's key; its orders stay in the history under its name."""
        return await self.accounts.unlink(user_id, slot)


__all__ = [
    "BadPanelName",
    "LabelTaken",
    "PanelLimitReached",
    "PanelLine",
    "PanelLinkedAlready",
    "PanelMatches",
    "PanelsService",
    "clean_name",
    "search_panels",
    "totals",
]


@dataclass(frozen=True, slots=True)
class PanelMatches:
    """One panel's search results (its first `limit`), or why there are none."""

    account: PanelAccount
    services: list[Service]
    currency: str | None
    error: Exception | None = None
    # How many more matches there are beyond the ones shown ("… and 12 more").
    more: int = 0


async def search_panels(
    linked: PanelAccounts, catalog: CatalogService, user_id: int, query: str, limit: int = 5
) -> list[PanelMatches]:
    """`query` searched in every linked panel's catalog at once, default panel first."""
    accounts = sorted(await linked.accounts(user_id), key=lambda a: (not a.is_default, a.slot))

    async def one(account: PanelAccount) -> PanelMatches:
        found, balance = await asyncio.gather(
            catalog.get(user_id, slot=account.slot),
            linked.balance(user_id, account.slot),
            return_exceptions=True,
        )
        if isinstance(found, PanelError | NoKey):
            return PanelMatches(account, [], None, found)
        if isinstance(found, BaseException):
            raise found
        currency = balance.currency_text if isinstance(balance, Balance) else None
        # Every match is counted (the scan is sliced), only the first `limit` kept.
        matches = await found.search_sliced(query, len(found) + 1)
        more = max(0, len(matches) - limit)
        return PanelMatches(account, matches[:limit], currency, more=more)

    return list(await asyncio.gather(*(one(a) for a in accounts)))
