"""The price and availability watch (issue 24 part 1).

Watched: on each panel account, the services its user ordered there in the last 30 days, and on
their default panel their favourites (★ belongs to the user, and /order offers it on the default).

When: a cycle every PRICE_WATCH_SECONDS reads the catalog of every panel key with a watched
service through the shared catalog cache, at most once per period and key (a catalog the bot
read for a user within the period is used as it is: no call); and whenever the bot reads a
catalog for a user anyway, a catalog newer than the last one checked for that key is checked
at once, for every account known on that key. One fetch serves every user on a panel and key.

What counts, per account against what it last saw (storage keeps one snapshot per account and
service): a rate change of at least the user's threshold (5% unless set in Settings; a smaller
change leaves the stored rate, so a slow creep is told once it adds up), a min or max change, a
service gone or back. The changes, the new snapshots and one push per account (the digest)
are stored in one transaction. Services muted on their card are left out of the push only.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from bot.panel.errors import PanelError
from bot.panel.models import Service
from bot.services.accounts import AccountClient, NoKey, PanelAccounts
from bot.services.catalog_index import CatalogCache, CatalogIndex
from bot.storage.models import OutboxKind
from bot.storage.outbox import OutboxMessage
from bot.storage.pricewatch import ChangeKind, PriceChange, PriceSnapshot, PriceWatchRepo

log = logging.getLogger(__name__)

Account = tuple[int, int]  # a panel account: (user id, slot)

DEFAULT_THRESHOLD = Decimal(5)
# What Settings offers (percent): small enough for thin margins, large enough for noisy panels.
THRESHOLDS = (Decimal(1), Decimal(2), Decimal(5), Decimal(10), Decimal(20))
WATCH_SECONDS = 30 * 86_400.0  # "ordered in the last 30 days"
LIST_SECONDS = 7 * 86_400.0  # /prices: the last 7 days (older changes are purged)
LIST_MAX = 40


def percent_change(old: Decimal, new: Decimal) -> Decimal | None:
    """The change from `old` to `new` in percent; None when `old` is zero (no percentage)."""
    if old == 0:
        return None
    return (new - old) * 100 / old


def rate_changed(old: Decimal, new: Decimal, threshold: Decimal) -> bool:
    """True when the rate moved by at least `threshold` percent (any move from zero counts)."""
    if new == old:
        return False
    if old == 0:
        return True
    return abs(new - old) * 100 >= threshold * abs(old)


@dataclass(frozen=True, slots=True)
class Found:
    """One service's comparison: the snapshot to store (None: nothing new) and its changes as
    (kind, old, new)."""

    snapshot: PriceSnapshot | None
    changes: tuple[tuple[ChangeKind, str | None, str | None], ...] = ()


def _seen(service: Service) -> PriceSnapshot:
    return PriceSnapshot(
        service.id, service.name_text, service.rate, service.min, service.max, present=True
    )


def compare(before: PriceSnapshot | None, service: Service | None, threshold: Decimal) -> Found:
    """What changed between the snapshot `before` and the catalog's `service` (None: not
    listed); a service seen for the first time is stored without a change."""
    if service is None:
        if before is None or not before.present:
            return Found(None)
        return Found(replace(before, present=False), ((ChangeKind.GONE, None, None),))
    now = _seen(service)
    if before is None:
        return Found(now)
    if not before.present:
        return Found(now, ((ChangeKind.BACK, str(before.rate), str(now.rate)),))
    changes: list[tuple[ChangeKind, str | None, str | None]] = []
    rate = before.rate
    if rate_changed(before.rate, now.rate, threshold):
        changes.append((ChangeKind.RATE, str(before.rate), str(now.rate)))
        rate = now.rate
    if now.min != before.min:
        changes.append((ChangeKind.MIN, str(before.min), str(now.min)))
    if now.max != before.max:
        changes.append((ChangeKind.MAX, str(before.max), str(now.max)))
    kept = replace(now, rate=rate)
    return Found(None if kept == before else kept, tuple(changes))


def push_payload(slot: int, changes: Collection[PriceChange]) -> dict[str, Any]:
    """The digest's outbox payload (OutboxKind.PRICE_CHANGES)."""
    return {
        "slot": slot,
        "changes": [
            {
                "service_id": c.service_id,
                "kind": str(c.kind),
                "name": c.name_text,
                "old": c.old,
                "new": c.new,
            }
            for c in changes
        ],
    }


@dataclass(slots=True)
class WatchReport:
    """What one cycle did; `calls` counts the panel calls it made (`services`)."""

    keys: int = 0
    accounts: int = 0
    calls: int = 0
    reused: int = 0  # keys a user's read had checked within the period: no call
    failed: int = 0
    changes: int = 0
    pushes: int = 0


@dataclass(frozen=True, slots=True)
class Checked:
    changes: int = 0
    pushed: bool = False


@dataclass(slots=True)
class PriceWatch:
    repo: PriceWatchRepo
    accounts: PanelAccounts
    cache: CatalogCache
    period: float
    # Key id → when the catalog last checked for it was fetched (the cache's clock) and the
    # accounts checked with it; and the accounts the last cycle found on each key, so that a
    # user's read checks the others on that key too.
    _checked: dict[str, tuple[float, frozenset[Account]]] = field(default_factory=dict)
    _accounts: dict[str, frozenset[Account]] = field(default_factory=dict)
    # One check at a time: a cycle and a read's check never compare the same account at once.
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def run_cycle(self) -> WatchReport:
        """Read (or reuse) the catalog of every panel key with watched services, and check
        every account on it; a key whose accounts a user's read checked within the period
        costs nothing."""
        report = WatchReport()
        now = self.repo.now()
        await self.repo.purge_changes(now - LIST_SECONDS)
        groups = await self._groups(now - WATCH_SECONDS)
        self._accounts = {
            key_id: frozenset((user_id, keyed.slot) for user_id, keyed in group)
            for key_id, group in groups.items()
        }
        for key_id, group in groups.items():
            report.keys += 1
            if self._covered(key_id, self._accounts[key_id]):
                report.reused += 1
                continue
            index = await self._catalog(key_id, group[0][1], report)
            if index is not None:
                await self._check_group(key_id, group, index, report)
        return report

    def _covered(self, key_id: str, accounts: frozenset[Account]) -> bool:
        """True when every account of the key was checked with a catalog younger than the
        period (by a user's read since the last cycle)."""
        checked = self._checked.get(key_id)
        if checked is None:
            return False
        fetched_at, covered = checked
        return self.cache.now() - fetched_at < self.period and accounts <= covered

    async def _check_group(
        self,
        key_id: str,
        group: list[tuple[int, AccountClient]],
        index: CatalogIndex,
        report: WatchReport,
    ) -> None:
        async with self._lock:
            self._checked[key_id] = (index.fetched_at, self._accounts[key_id])
            for user_id, keyed in group:
                checked = await self._check(user_id, keyed.slot, index)
                report.accounts += 1
                report.changes += checked.changes
                report.pushes += int(checked.pushed)

    async def _groups(self, since: float) -> dict[str, list[tuple[int, AccountClient]]]:
        """The watched accounts by panel key (URL and key: who may share one catalog)."""
        groups: dict[str, list[tuple[int, AccountClient]]] = defaultdict(list)
        for user_id, slot in await self.repo.watched_accounts(since):
            try:
                keyed = await self.accounts.account_client(user_id, slot)
            except NoKey:
                continue
            groups[keyed.key_id].append((user_id, keyed))
        return groups

    async def _catalog(
        self, key_id: str, keyed: AccountClient, report: WatchReport
    ) -> CatalogIndex | None:
        async def fetch() -> list[Service]:
            report.calls += 1
            return await keyed.client.services()

        try:
            return await self.cache.get(key_id, fetch, max_age=self.period)
        except PanelError as exc:
            # The next cycle is the retry; the users' own reads meanwhile are checked too.
            log.info("price watch: panel %s unreadable: %s", keyed.slot, type(exc).__name__)
            report.failed += 1
            return None

    def saw(self, key_id: str, user_id: int, slot: int, index: CatalogIndex) -> None:
        """The bot read a catalog for a user: one newer than the last checked for its key is
        checked now, in the background, for every account known on that key."""
        checked = self._checked.get(key_id)
        if checked is not None and checked[0] >= index.fetched_at:
            return
        accounts = self._accounts.get(key_id, frozenset()) | {(user_id, slot)}
        self._checked[key_id] = (index.fetched_at, accounts)
        task = asyncio.get_running_loop().create_task(self._check_read(accounts, index))
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("price watch check failed", exc_info=task.exception())

    async def _check_read(self, accounts: frozenset[Account], index: CatalogIndex) -> None:
        async with self._lock:
            for user_id, slot in sorted(accounts):
                account = await self.accounts.account(user_id, slot)
                if account is not None and not account.removed:
                    await self._check(user_id, slot, index)

    async def settle(self) -> None:
        """Wait for the checks that reads started (tests, and before the storage closes)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _check(self, user_id: int, slot: int, index: CatalogIndex) -> Checked:
        """Compare one account's watched services with `index`; store what changed and queue
        its digest (muted services left out of it)."""
        if len(index) == 0:
            # A panel that lists nothing is having a bad moment: telling every user that every
            # service is gone (and back an hour later) would be noise, not news.
            return Checked()
        now = self.repo.now()
        watched = await self.repo.watched_services(user_id, slot, now - WATCH_SECONDS)
        before = await self.repo.snapshots(user_id, slot)
        if not watched and not before:
            return Checked()
        threshold = await self.threshold(user_id)
        snapshots: list[PriceSnapshot] = []
        changes: list[PriceChange] = []
        for service_id in sorted(watched):
            found = compare(before.get(service_id), index.get(service_id), threshold)
            if found.snapshot is None:
                continue
            snapshots.append(found.snapshot)
            name = found.snapshot.name
            changes.extend(
                PriceChange(user_id, slot, service_id, kind, name, old, new, now)
                for kind, old, new in found.changes
            )
        # No longer watched: forgotten, so a service watched again later starts afresh.
        forget = [service_id for service_id in before if service_id not in watched]
        muted = await self.repo.muted(user_id, slot) if changes else set()
        told = [c for c in changes if c.service_id not in muted]
        push = (
            OutboxMessage(user_id, OutboxKind.PRICE_CHANGES, push_payload(slot, told))
            if told
            else None
        )
        await self.repo.record(user_id, slot, snapshots, changes, push, forget=forget)
        if changes:
            log.info(
                "price watch: %d change(s) on panel %s of user %s", len(changes), slot, user_id
            )
        return Checked(len(changes), push is not None)

    # --- what the user sees and sets --------------------------------------------------------

    async def threshold(self, user_id: int) -> Decimal:
        stored = await self.repo.threshold(user_id)
        return DEFAULT_THRESHOLD if stored is None else stored

    async def set_threshold(self, user_id: int, percent: Decimal) -> bool:
        """False for a threshold Settings does not offer (a forged button)."""
        if percent not in THRESHOLDS:
            return False
        await self.repo.set_threshold(user_id, percent)
        return True

    async def recent_changes(self, user_id: int) -> list[PriceChange]:
        """/prices: the user's changes of the last 7 days, newest first."""
        since = self.repo.now() - LIST_SECONDS
        return await self.repo.changes_since(user_id, since, LIST_MAX)

    async def is_watched(self, user_id: int, slot: int, service_id: int) -> bool:
        since = self.repo.now() - WATCH_SECONDS
        return service_id in await self.repo.watched_services(user_id, slot, since)

    async def is_muted(self, user_id: int, slot: int, service_id: int) -> bool:
        return service_id in await self.repo.muted(user_id, slot)

    async def mute_state(self, user_id: int, slot: int, service_id: int) -> bool | None:
        """For a card: True when its alerts are muted, False when it is watched and not muted,
        None when neither (the card offers no 🔕)."""
        if await self.is_muted(user_id, slot, service_id):
            return True
        return False if await self.is_watched(user_id, slot, service_id) else None

    async def mute(self, user_id: int, slot: int, service_id: int, muted: bool) -> bool:
        return await self.repo.set_muted(user_id, slot, service_id, muted)
