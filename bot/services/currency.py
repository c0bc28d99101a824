"""The account currency per user: catalog views show rates in it, without a balance call each."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.panel.errors import PanelError
from bot.services.accounts import PanelAccounts

log = logging.getLogger(__name__)

# Past this many users the cache starts over rather than grow without bound.
MAX_USERS = 10_000


@dataclass(slots=True)
class CurrencyService:
    accounts: PanelAccounts
    ttl: float = 600.0
    clock: Callable[[], float] = time.monotonic
    # user id → (currency, when it was learnt, by `clock`)
    _cached: dict[int, tuple[str | None, float]] = field(default_factory=dict)

    async def currency(self, user_id: int, *, force: bool = False) -> str | None:
        """The account currency, cached per user; None when the panel cannot tell us now.

        Raises NoKey when the user has no key.
        """
        cached = self._cached.get(user_id)
        now = self.clock()
        if cached is not None and not force and now - cached[1] < self.ttl:
            return cached[0]
        try:
            balance = await self.accounts.balance(user_id)
        except PanelError as exc:
            log.info("no currency for the catalog view: %s", exc)
            return cached[0] if cached is not None else None
        self.remember(user_id, balance.currency_text)
        return balance.currency_text

    def remember(self, user_id: int, currency: str | None) -> None:
        """A currency learnt elsewhere (a preview's balance call) saves the next lookup."""
        if len(self._cached) > MAX_USERS:
            self._cached.clear()
        self._cached[user_id] = (currency, self.clock())
