"""The status poller: one cycle asks the panel about every open order and refill that is due.

Cost is the point of the design: a cycle makes Σ over keys of ⌈due orders / 100⌉ status requests
(plus the same for refills in progress), because orders are grouped by the panel key they were
placed with (a user's panel account: one user with three panels is three keys) and sent in the
panel's multi-order form. Old orders are due less often, so the cost tracks fresh activity.

A transition worth telling the user about goes into the persistent outbox in the same transaction
as the new status (one per key and cycle): a crash before the commit loses both, and the next
cycle detects the transition again; the outbox's dedupe key swallows any repeat (a status saved
by another path without its notice), so nothing is lost and nothing is said twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import KW_ONLY, dataclass, field
from typing import Protocol, TypeVar

from bot.panel.capabilities import Feature, Support
from bot.panel.client import PanelClient
from bot.panel.errors import ActionUnsupported, InvalidApiKey, PanelError, PanelRejected
from bot.panel.models import OrderStatus, RefillState, RefillStatus, Status
from bot.services.notifications.compose import STARTED
from bot.services.panel_clients import PanelClients
from bot.storage import Order, OutboxKind, Refill, StatusUpdate, Storage, UndecryptableKey
from bot.storage.orders import PolledStatuses
from bot.storage.outbox import OutboxMessage

log = logging.getLogger(__name__)


T = TypeVar("T")

CHUNK = 100  # the spec's cap on ids per multi-status request
FRESH_AGE = 86_400.0  # orders younger than a day are polled every interval
STALE_INTERVAL = 3_600.0  # older ones hourly
MAX_BACKOFF = 3_600.0
# A cycle started a hair before a full interval after the last one must still find its orders
# due (scheduler jitter), otherwise they would silently slip to the cycle after.
DUE_TOLERANCE = 0.9

NOTIFY_STATUSES = frozenset({Status.COMPLETED, Status.PARTIAL, Status.CANCELED, Status.REFUNDED})
_STARTED_STATUSES = frozenset({Status.IN_PROGRESS, Status.PROCESSING})
_FINAL_REFILL = frozenset({RefillState.COMPLETED, RefillState.REJECTED})


class ClientFor(Protocol):
    """Builds the poller's client for a key on a panel (PANEL_API_URL's without `url`)."""

    def __call__(
        self, api_key: str, url: str | None = None, *, custom: bool = False
    ) -> PanelClient: ...


# A multi-status of 100 orders may legitimately take a panel longer than a balance, and no user
# waits on the poller; but a cycle waits for its slowest key, so the wait is still bounded.
POLL_DEADLINE_FACTOR = 2.0


def polling_clients(panels: PanelClients) -> ClientFor:
    """Clients without read retries: the next cycle is the retry, and a sick panel must not
    hold a cycle up for the length of a retry ladder. Each request has a wall-clock deadline of
    twice the user-facing one (PANEL_TIMEOUT_SECONDS)."""

    def client_for(api_key: str, url: str | None = None, *, custom: bool = False) -> PanelClient:
        # A user's own URL is guarded on every connection, the poller's too.
        return panels.client(
            api_key,
            url,
            custom=custom,
            timeout=panels.timeout * POLL_DEADLINE_FACTOR,
            read_retries=0,
            observed=False,
        )

    return client_for


@dataclass(slots=True)
class CycleReport:
    """What one cycle did; `requests` is the number of panel calls it made."""

    keys: int = 0
    orders: int = 0
    refills: int = 0
    requests: int = 0
    changed: int = 0
    queued: int = 0
    skipped_keys: int = 0  # in backoff after earlier failures
    failed_keys: int = 0  # the panel failed this cycle
    paused_keys: int = 0  # the panel rejected the key this cycle
    seconds: float = 0.0


@dataclass(slots=True)
class _Backoff:
    failures: int
    until: float


# How long the other keys of a panel wait for the first key's learning of it: long enough for
# a panel that answers (a classic panel is learned in two quick requests, then the others are
# paced within its budget), short enough that a hanging panel costs them about one second.
LEARNING_WAIT_SECONDS = 1.0


@dataclass(slots=True)
class _CyclePanels:
    """One cycle's view of each panel URL: what is left of a single-status panel's budget, and
    which key learns whether a panel answers many orders at once: the first to ask, once a
    cycle. The others wait a moment for its answer, never a whole deadline each in turn: one
    user's hanging panel must not hold the cycle (and everyone's pushes) key after key."""

    budgets: dict[str, int] = field(default_factory=dict)
    _learning: dict[str, asyncio.Lock] = field(default_factory=dict)

    async def learner(self, client: PanelClient) -> asyncio.Lock | None:
        """The held lock when this key is the first to learn it (release it after polling),
        else None."""
        if await _status_known(client):
            return None
        url = client.api_url
        lock = self._learning.get(url)
        if lock is None:
            lock = self._learning[url] = asyncio.Lock()
            await lock.acquire()
            return lock
        if lock.locked():
            # Still learning after that: poll as if the panel takes many orders at once.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(_released(lock), LEARNING_WAIT_SECONDS)
        return None


async def _released(lock: asyncio.Lock) -> None:
    async with lock:
        pass


async def _status_known(client: PanelClient) -> bool:
    return (await client.capabilities()).of(Feature.MULTI_STATUS) is not Support.UNKNOWN


@dataclass(slots=True)
class _Work:
    orders: list[Order] = field(default_factory=list)
    refills: list[Refill] = field(default_factory=list)


def _chunks(items: Sequence[T], size: int = CHUNK) -> list[Sequence[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _staleness(entry: tuple[tuple[int, int], _Work]) -> tuple[bool, float, tuple[int, int]]:
    """Sort key of an account's work: its least recently checked order (never checked first)."""
    account, work = entry
    first = work.orders[0] if work.orders else None
    polled = None if first is None else first.polled_at
    return (polled is not None, polled or 0.0, account)


def _digest_of(messages: list[OutboxMessage]) -> OutboxMessage:
    """Several order pushes of one user and cycle as one item: a digest, or the one push left
    when they are all about one order (started and completed at once: "completed" says it)."""
    latest: dict[int, OutboxMessage] = {}
    for m in messages:
        latest[m.payload["order_id"]] = m
    if len(latest) == 1:
        [only] = latest.values()
        return OutboxMessage(only.user_id, only.kind, only.payload)
    orders = [[order_id, m.payload.get("status", STARTED)] for order_id, m in latest.items()]
    return OutboxMessage(messages[0].user_id, OutboxKind.ORDER_DIGEST, {"orders": orders})


def _differs(order: Order, update: StatusUpdate) -> bool:
    """True when saving `update` would change the row (None fields keep the stored value)."""
    if order.status != update.status or order.raw_status_text != update.raw_status:
        return True
    pairs = (
        (order.charge, update.charge),
        (order.start_count, update.start_count),
        (order.remains, update.remains),
        (order.currency_text, update.currency),
    )
    return any(new is not None and new != old for old, new in pairs)


# No slots: tests wrap an instance's `run_cycle` to count what each cycle did.
@dataclass
class StatusPoller:
    """Polls order and refill statuses; `run_cycle()` is what the repeating job calls.

    `max_rps` (PANEL_MAX_RPS) bounds a single-status panel's requests: a cycle asks it about at
    most 0.9 × `interval * max_rps` orders, least recently checked first, and the rest in the
    next cycle (their `polled_at` is then the oldest)."""

    storage: Storage
    client_for: ClientFor
    _: KW_ONLY
    interval: float
    fresh_age: float = FRESH_AGE
    stale_interval: float = STALE_INTERVAL
    concurrency: int = 8
    max_backoff: float = MAX_BACKOFF
    clock: Callable[[], float] = time.time
    max_rps: float = 5.0
    # A tenth kept free for the requests' own time, so a cycle ends before the next is due.
    _single_budget: int = field(init=False)
    _lock: asyncio.Lock = field(init=False, default_factory=asyncio.Lock)
    # Per panel account (user, slot): one panel down does not hold up the user's others.
    _backoff: dict[tuple[int, int], _Backoff] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        if self.interval <= 0 or self.concurrency < 1 or self.max_rps <= 0:
            raise ValueError("interval, max_rps must be positive and concurrency at least 1")
        self._single_budget = max(1, int(self.interval * self.max_rps * DUE_TOLERANCE))

    @property
    def running(self) -> bool:
        return self._lock.locked()

    def backing_off(self, user_id: int, slot: int | None = None) -> float | None:
        """Until when the user's key (on `slot`; any of their panels without) is skipped
        after panel failures (None: not skipped)."""
        untils = [
            state.until
            for (user, s), state in self._backoff.items()
            if user == user_id and (slot is None or s == slot)
        ]
        return max(untils) if untils else None

    async def run_cycle(self) -> CycleReport | None:
        """One cycle; None (and no panel traffic) when the previous cycle is still running."""
        if self._lock.locked():
            log.debug("status poll skipped: the previous cycle is still running")
            return None
        async with self._lock:
            started = time.perf_counter()
            report = await self._cycle(self.clock())
            report.seconds = time.perf_counter() - started
        if report.keys:
            log.debug(
                "status poll: %d keys, %d orders, %d refills, %d requests, %d changed, %d queued",
                report.keys,
                report.orders,
                report.refills,
                report.requests,
                report.changed,
                report.queued,
            )
        return report

    async def _cycle(self, now: float) -> CycleReport:
        st = self.storage
        report = CycleReport()
        orders = await st.orders.open_for_polling(
            now,
            fresh_age=self.fresh_age,
            fresh_interval=self.interval * DUE_TOLERANCE,
            stale_interval=self.stale_interval,
        )
        refills = await st.refills.pending_for_polling(now, self.interval * DUE_TOLERANCE)
        if not orders and not refills:
            return report
        active = set(await st.accounts.active_accounts())
        work: dict[tuple[int, int], _Work] = defaultdict(_Work)
        for order in orders:
            account = (order.user_id, order.panel_slot)
            if account in active:
                work[account].orders.append(order)
        for refill in refills:
            account = (refill.user_id, refill.panel_slot)
            if account in active:
                work[account].refills.append(refill)

        due: list[tuple[tuple[int, int], _Work]] = []
        # Least recently checked first: on a single-status panel the accounts that start first
        # take its cycle budget, so the others' orders are first in the next cycle.
        for account, item in sorted(work.items(), key=_staleness):
            state = self._backoff.get(account)
            if state is not None and state.until > now:
                report.skipped_keys += 1
            else:
                due.append((account, item))

        gate = asyncio.Semaphore(self.concurrency)
        panels = _CyclePanels()

        async def bounded(account: tuple[int, int], item: _Work) -> None:
            async with gate:
                await self._poll_key(account, item, now, report, panels)

        await asyncio.gather(*(bounded(a, w) for a, w in due))
        return report

    async def _poll_key(
        self,
        account: tuple[int, int],
        work: _Work,
        now: float,
        report: CycleReport,
        panels: _CyclePanels,
    ) -> None:
        report.keys += 1
        user_id, slot = account
        keys = self.storage.accounts
        try:
            found = await keys.with_key(user_id, slot)
        except UndecryptableKey:
            # Treated as no key: start-up warned the operator once and queued the user's notice.
            return
        if found is None:  # unlinked since the cycle began
            return
        linked, api_key = found
        # Never another panel's key: an order is only ever asked about where it was placed.
        client = self.client_for(api_key, linked.url or None, custom=linked.custom)
        learner = await panels.learner(client) if work.orders else None
        try:
            await self._poll_account(account, client, work, now, report, panels.budgets)
        finally:
            if learner is not None:
                learner.release()

    async def _poll_account(
        self,
        account: tuple[int, int],
        client: PanelClient,
        work: _Work,
        now: float,
        report: CycleReport,
        budgets: dict[str, int],
    ) -> None:
        user_id, slot = account
        orders, size = await self._single_status_share(client, work.orders, budgets)
        answered: list[tuple[Sequence[Order], dict[int, OrderStatus | PanelRejected]]] = []
        try:
            try:
                for order_chunk in _chunks(orders, size):
                    report.requests += 1
                    report.orders += len(order_chunk)
                    statuses = await client.statuses([o.panel_order_id or 0 for o in order_chunk])
                    answered.append((order_chunk, statuses))
                    if size > 1 and await self._turned_single(client):
                        # Asked one by one already: it counts against the budget, and the rest
                        # waits for the next cycle's, oldest first.
                        url = client.api_url
                        left = budgets.setdefault(url, self._single_budget)
                        budgets[url] = left - len(order_chunk)
                        break
            except Exception:
                # The chunks answered before the failure still count, as they did chunk by chunk.
                if answered:
                    await self._apply_statuses(user_id, answered, now, report)
                raise
            # All of the key's answers at once, so that the user's changes of this cycle become
            # one push (a digest).
            if answered:
                await self._apply_statuses(user_id, answered, now, report)
            await self._poll_refills(client, work.refills, now, report)
        except InvalidApiKey:
            await self._pause(account, report)
        except PanelError as exc:
            # Unavailable, or an answer to the whole request that is an error: either way this
            # key waits; the other keys of the cycle are not affected.
            self._failed(account, now, str(exc))
            report.failed_keys += 1
        except Exception:
            log.exception("status poll of user %s (panel %s) failed", user_id, slot)
            self._failed(account, now, "unexpected error")
            report.failed_keys += 1
        else:
            self._recovered(account)

    async def _single_status_share(
        self, client: PanelClient, orders: list[Order], budgets: dict[str, int]
    ) -> tuple[list[Order], int]:
        """The orders to ask about this cycle and how many per request: all of them, 100 at a
        time, unless the panel answers one order at a time (bot/panel/capabilities.py); then
        one by one, within what is left of its budget for the cycle."""
        if not orders or not (await client.capabilities()).lacks(Feature.MULTI_STATUS):
            return orders, CHUNK
        url = client.api_url
        left = budgets.setdefault(url, self._single_budget)
        share = orders[:left]
        budgets[url] = left - len(share)
        if len(share) < len(orders):
            log.debug(
                "single-status panel: %d orders wait for the next cycle", len(orders) - len(share)
            )
        return share, 1

    @staticmethod
    async def _turned_single(client: PanelClient) -> bool:
        """The panel was just learned to answer one order at a time (its first chunk was asked
        one by one): the key's other orders are left to the next cycle's budget."""
        return (await client.capabilities()).lacks(Feature.MULTI_STATUS)

    async def _poll_refills(
        self, client: PanelClient, refills: list[Refill], now: float, report: CycleReport
    ) -> None:
        for refill_chunk in _chunks(refills):
            report.requests += 1
            report.refills += len(refill_chunk)
            try:
                states = await client.refill_statuses([r.refill_id or 0 for r in refill_chunk])
            except ActionUnsupported:
                # The panel has no refill_status: nothing to learn about these, ask no more.
                states = {}
            await self._apply_refills(refill_chunk, states, now, report)

    # --- applying answers ---------------------------------------------------------------

    async def _apply_statuses(
        self,
        user_id: int,
        answered: Sequence[tuple[Sequence[Order], dict[int, OrderStatus | PanelRejected]]],
        now: float,
        report: CycleReport,
    ) -> None:
        st = self.storage
        updates: list[StatusUpdate] = []
        unchanged: list[int] = []
        notices: list[OutboxMessage] = []
        started: list[int] = []
        for orders, answers in answered:
            for order in orders:
                answer = answers.get(order.panel_order_id or 0)
                if not isinstance(answer, OrderStatus):
                    # "Incorrect order ID" and the like: keep the row, ask again next time.
                    unchanged.append(order.id)
                    continue
                update = StatusUpdate.from_panel(order.id, answer)
                if _differs(order, update):
                    updates.append(update)
                else:
                    unchanged.append(order.id)
                if self._order_notices(order, answer, notices):
                    started.append(order.id)
        # One transaction for the key: the notices (one change is one push, several are one
        # digest item covering them all, the user's whole cycle), the flags and the statuses.
        polled = PolledStatuses(updates, unchanged, started, notices)
        queued = await st.orders.record_poll(user_id, polled, _digest_of, polled_at=now)
        # Not `+= await`: the read of report.queued would race the other keys' tasks.
        report.queued += queued
        report.changed += len(updates)

    @staticmethod
    def _order_notices(order: Order, answer: OrderStatus, out: list[OutboxMessage]) -> bool:
        """Append the notices `answer` calls for to `out`; True when "started" is among them
        (its flag is set once the batch is queued)."""
        status = answer.status
        started = (
            status in _STARTED_STATUSES
            and answer.start_count is not None
            and not order.started_notified
        )
        if order.muted:
            # 🔕: nothing to say now, and nothing saved up for an unmute later.
            return started
        if started:
            out.append(
                OutboxMessage(
                    order.user_id,
                    OutboxKind.ORDER_STARTED,
                    {"order_id": order.id},
                    dedupe_key=f"order:{order.id}:started",
                )
            )
        # The dedupe key is the once-only guarantee: a transition seen again (a crash between
        # queueing and saving the status) is swallowed by the outbox, sent or not.
        if status in NOTIFY_STATUSES and order.status != status.value:
            out.append(
                OutboxMessage(
                    order.user_id,
                    OutboxKind.ORDER_STATUS,
                    {"order_id": order.id, "status": status.value},
                    dedupe_key=f"order:{order.id}:{status.value}",
                )
            )
        return started

    async def _apply_refills(
        self,
        refills: Sequence[Refill],
        answers: dict[int, RefillStatus | PanelRejected],
        now: float,
        report: CycleReport,
    ) -> None:
        st = self.storage
        for refill in refills:
            answer = answers.get(refill.refill_id or 0)
            if not isinstance(answer, RefillStatus):
                await st.refills.update_status(refill.id, refill.status, now)
                continue
            state = answer.state
            if state in _FINAL_REFILL and refill.last_notified_status != state.value:
                if await st.outbox.enqueue(
                    refill.user_id,
                    OutboxKind.REFILL_STATUS,
                    {"refill_id": refill.id, "status": state.value},
                    dedupe_key=f"refill:{refill.id}:{state.value}",
                ):
                    report.queued += 1
                await st.refills.set_last_notified(refill.id, state.value)
            if state.value != refill.status or answer.raw_status_text != refill.raw_status_text:
                report.changed += 1
            await st.refills.update_status(
                refill.id, state.value, now, raw_status=answer.raw_status_text
            )

    # --- key health -----------------------------------------------------------------------

    async def _pause(self, account: tuple[int, int], report: CycleReport) -> None:
        keys = self.storage.accounts
        user_id, slot = account
        self._backoff.pop(account, None)
        if await keys.set_paused(user_id, True, slot):
            report.paused_keys += 1
            log.warning(
                "the panel rejected the API key of user %s (panel %s); polling paused",
                user_id,
                slot,
            )
        # The claim makes the notice one-off even if two cycles raced here.
        if await keys.mark_paused_notified(user_id, slot):
            await self.storage.outbox.enqueue(user_id, OutboxKind.KEY_REJECTED, {"slot": slot})
            report.queued += 1

    def _failed(self, account: tuple[int, int], now: float, reason: str) -> None:
        state = self._backoff.get(account)
        failures = 1 if state is None else state.failures + 1
        delay = min(self.interval * 2 ** (failures - 1), self.max_backoff)
        self._backoff[account] = _Backoff(failures, now + delay)
        user_id, slot = account
        if failures == 1:
            # Once per outage, not once per cycle: a panel down for a day must not flood logs.
            log.warning(
                "status poll for user %s (panel %s) failed, backing off: %s", user_id, slot, reason
            )
        else:
            log.debug(
                "status poll for user %s (panel %s) failed again (%d): %s",
                user_id,
                slot,
                failures,
                reason,
            )

    def _recovered(self, account: tuple[int, int]) -> None:
        state = self._backoff.pop(account, None)
        if state is not None:
            log.info(
                "status poll for user %s (panel %s) works again after %d failures",
                account[0],
                account[1],
                state.failures,
            )
