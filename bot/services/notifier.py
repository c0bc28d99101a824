"""Delivers the persistent outbox: each notification exactly once, in the user's language.

An item is marked sent only after Telegram accepted it, so a crash between the two can repeat at
most that one message and never loses one. Sending goes through an injected `send(chat_id, text,
markup)` so this module stays free of Telegram imports; the adapter (bot/jobs.py) turns
Telegram's errors into the exceptions below.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

from bot.i18n import Catalogs, Translator
from bot.panel import Status
from bot.storage import Order, OutboxItem, OutboxKind, Storage, User
from bot.storage.models import Refill
from bot.storage.pricewatch import ChangeKind, PriceChange
from bot.storage.schedules import Schedule
from bot.zones import effective_zone, quiet_until

log = logging.getLogger(__name__)

M = TypeVar("M")

# Sent whatever the Settings toggle says: they answer the user's own action or explain why
# tracking stopped; staying silent would cost them money or leave them wondering.
ALWAYS_SENT = frozenset(
    {
        OutboxKind.ORDER_UNKNOWN,
        OutboxKind.KEY_REJECTED,
        OutboxKind.KEY_UNREADABLE,
        OutboxKind.REPLY,
        # An alert the user set up themselves, per panel.
        OutboxKind.LOW_BALANCE,
        # The result of a run of an order the user scheduled, or a question about it.
        OutboxKind.SCHEDULED,
    }
)
# Never given up on after transient failures: the user may not know the outcome otherwise.
# Retried at most every REPLY_MAX_RETRY seconds, so it arrives soon after Telegram is back.
PERSISTENT = frozenset({OutboxKind.REPLY})
# Pushes the poller queues: held back during the user's quiet hours (and then sent as one
# digest), never about a muted order. The others answer the user or explain a stop: never held.
PUSHES = frozenset(
    {
        OutboxKind.ORDER_STATUS,
        OutboxKind.ORDER_STARTED,
        OutboxKind.REFILL_STATUS,
        OutboxKind.ORDER_DIGEST,
        OutboxKind.PRICE_CHANGES,
    }
)
# The pushes about orders: what quiet hours merge into one digest (a price digest held by
# quiet hours is sent as it is afterwards).
ORDER_PUSHES = PUSHES - {OutboxKind.PRICE_CHANGES}
REPLY_MAX_RETRY = 60.0
STARTED = "started"  # a digest entry's status for "the order has started"
# A push about an order reaching one of these offers 🔁 Reorder (and ♻️ Refill when eligible).
FINISHED_DELIVERED = frozenset({Status.COMPLETED.value, Status.PARTIAL.value})

MAX_ATTEMPTS = 8
# Far above a healthy send (PTB's own timeouts are 5 s, a 429 wait a few seconds more).
SEND_DEADLINE = 20.0
BASE_RETRY = 5.0
MAX_RETRY = 600.0
BATCH = 100
# Consecutive transient failures after which a pass stops: Telegram itself is probably down.
MAX_FAILURE_STREAK = 3
# How long a drain holds the rows it claimed; a drain that dies keeps them from another
# drain this long at most (a new leader releases them at once: bot/app.py).
LEASE_SECONDS = 120.0
# Telegram allows about 30 messages/s per bot, counted over any one-second window. The bot's
# rate limiter (bot/ratelimit.py) keeps every call within that and serves replies first; this
# pace is the notifier's own bound whatever `send` is wired to, a little under 30 so that pushes
# alone never fill the window and a live reply still finds a free place at once.
MAX_RATE = 28.0


@dataclass(frozen=True, slots=True)
class Notice:
    """A rendered notification; `order_id` (local id) gets the order-card and 🔕 buttons,
    `digest_id` (the digest's outbox item) the button listing its orders."""

    text: str
    order_id: int | None = None
    digest_id: int | None = None
    # 🔕 is offered under pushes about an order, not under a delayed result of the user's action.
    mutable: bool = True
    # The order's outcome is unknown: the push offers the buttons that settle it.
    settle: bool = False
    # The order finished: the push offers 🔁 Reorder, and ♻️ Refill when one may be asked now.
    reorder: bool = False
    refill: bool = False
    # A scheduled run held or missed: (schedule id, run) its ✅ Place / ✖️ Skip buttons answer.
    ask: tuple[int, int] | None = None
    # Buttons to services' cards: (panel account slot, service id), the price watch's digest.
    cards: tuple[tuple[int, int], ...] = ()


class NoticeWording(Protocol):
    """The text of each notice (bot/views/notices.py is one): services sit below views, so the
    wording is handed in rather than imported."""

    def panel_line(self, name: str) -> str: ...
    def low_balance(
        self,
        t: Translator,
        panel: str,
        amount: Decimal,
        currency: str,
        limit: Decimal,
        api_url: str = "",
    ) -> Notice: ...
    def panel_key_rejected(self, t: Translator) -> Notice: ...
    def key_notice(self, t: Translator, *, unreadable: bool) -> Notice: ...
    def order_started(self, t: Translator, order: Order) -> Notice: ...
    def order_status(self, t: Translator, order: Order, status: str) -> Notice: ...
    def order_unknown(self, t: Translator, order: Order, count: object = None) -> Notice: ...
    def refill_status(self, t: Translator, refill: Refill, status: object = None) -> Notice: ...
    def scheduled(
        self, t: Translator, schedule: Schedule, payload: Mapping[str, Any], order: Order | None
    ) -> Notice: ...
    def digest(
        self,
        t: Translator,
        orders: list[tuple[Order, str]],
        refills: list[tuple[Refill, str]],
        digest_id: int,
        panels: Mapping[int, str] | None = None,
    ) -> Notice: ...
    def price_digest(
        self, t: Translator, panel: str, slot: int, changes: Sequence[PriceChange]
    ) -> Notice: ...


class SendError(Exception):
    """Base of the errors a `send` callable may raise."""


class Blocked(SendError):
    """The user blocked the bot (403): never send to them again until they write."""


class RetryLater(SendError):
    """Flood control (429) that the rate limiter's own retries did not absorb."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after:g}s")
        self.retry_after = retry_after


class Undeliverable(SendError):
    """Telegram refused this message for good (chat not found, bad request)."""


class SendFailed(SendError):
    """A transient failure (network, timeout, 5xx): try again later."""


class Delivery(StrEnum):
    """What became of one item in a drain."""

    SENT = "sent"
    DROPPED = "dropped"  # given up for good: blocked, notifications off, unrenderable, refused
    FAILED = "failed"  # a transient failure: retried later (dropped after the last attempt)
    RETRY_LATER = "retry_later"  # flood control: the whole drain stops until it has passed
    HELD = "held"  # quiet hours: kept until they end
    MERGED = "merged"  # held items became one digest item (delivered in the same drain)


Send = Callable[[int, str, M | None], Awaitable[None]]
# The buttons under a rendered notice (the order's card and 🔕, a digest's list), or None.
PushMarkup = Callable[[Translator, Notice], M | None]
# Whether the user's order may be refilled now, as its card would offer (user id, order).
RefillOffered = Callable[[int, Order], Awaitable[bool]]


@dataclass(slots=True)
class DrainReport:
    sent: int = 0
    dropped: int = 0
    deferred: int = 0
    rate_limited: int = 0
    held: int = 0
    merged: int = 0


class _Drop(Exception):
    """The item can never be rendered (its order is gone, unknown kind)."""


class _Muted(_Drop):
    """Every order the item is about is muted: nothing to say (not a warning)."""


class Notifier(Generic[M]):
    def __init__(
        self,
        storage: Storage,
        catalogs: Catalogs,
        send: Send[M],
        markup: PushMarkup[M],
        *,
        wording: NoticeWording,
        default_language: str,
        default_zone: str | None = None,
        clock: Callable[[], float] = time.time,
        max_attempts: int = MAX_ATTEMPTS,
        max_rate: float = MAX_RATE,
        refill_offered: RefillOffered | None = None,
    ) -> None:
        self._storage = storage
        self._refill_offered = refill_offered
        self._catalogs = catalogs
        self._send = send
        self._markup = markup
        self._wording = wording
        self._default_language = default_language
        self._default_zone = default_zone
        self._clock = clock
        self._max_attempts = max_attempts
        self._gap = 1.0 / max_rate if max_rate > 0 else 0.0
        self._next_send = 0.0  # time.monotonic() before which the next send waits
        self._lock = asyncio.Lock()

    @property
    def running(self) -> bool:
        return self._lock.locked()

    async def drain(
        self, *, keep_going: Callable[[], bool] = lambda: True, batch: int = BATCH
    ) -> DrainReport | None:
        """Deliver everything due; None when another drain is already at work.

        One drain at a time, items in id order: that keeps each user's messages in order and
        makes a double send impossible. `keep_going` lets shutdown cut a long drain short.
        """
        if self._lock.locked():
            return None
        report = DrainReport()
        async with self._lock:
            seen: set[int] = set()
            streak = 0
            # Claimed (leased) and not yet handled: released when the drain stops early, so
            # the next drain need not wait for their leases to run out.
            claimed: set[int] = set()
            try:
                while keep_going():
                    items = await self._storage.outbox.claim_due(
                        self._clock(), batch, LEASE_SECONDS
                    )
                    fresh = [i for i in items if i.id not in seen]
                    claimed.update(i.id for i in fresh)
                    if not fresh:
                        break
                    for item in fresh:
                        if not keep_going():
                            return report
                        claimed.discard(item.id)
                        if item.id in seen:  # merged into a digest earlier in this batch
                            continue
                        seen.add(item.id)
                        outcome = await self._deliver(item, report, seen)
                        if outcome is Delivery.RETRY_LATER:
                            return report  # Telegram said wait: every other send would too
                        streak = streak + 1 if outcome is Delivery.FAILED else 0
                        if streak >= MAX_FAILURE_STREAK:
                            log.warning("notifications paused: %d sends failed in a row", streak)
                            return report
            finally:
                if claimed:
                    await self._storage.outbox.release(claimed)
        return report

    async def _deliver(self, item: OutboxItem, report: DrainReport, seen: set[int]) -> Delivery:
        outbox = self._storage.outbox
        user = await self._storage.users.get(item.user_id)
        if user is not None and user.blocked_bot:
            await outbox.mark_dropped(item.id, "user blocked the bot")
            report.dropped += 1
            return Delivery.DROPPED
        if user is not None and not user.notifications and item.kind not in ALWAYS_SENT:
            await outbox.mark_dropped(item.id, "notifications off")
            report.dropped += 1
            return Delivery.DROPPED
        t = self._translator(user)
        if user is not None and item.kind in PUSHES:
            quiet = await self._quiet(item, user, t, report, seen)
            if quiet is not None:
                return quiet
        try:
            notice = await self._render(item, t)
        except _Drop as exc:
            if not isinstance(exc, _Muted):
                log.warning("dropping notification %s (%s): %s", item.id, item.kind, exc)
            await outbox.mark_dropped(item.id, str(exc))
            report.dropped += 1
            return Delivery.DROPPED
        markup = self._markup(t, notice)
        await self._pace()
        try:
            # A send that never returns would hold the drain (and every later notice) forever;
            # past the deadline it counts as failed and is retried later, like a network error.
            async with asyncio.timeout(SEND_DEADLINE):
                await self._send(item.user_id, notice.text, markup)
        except TimeoutError:
            log.warning("notification %s: send did not finish in %.0f s", item.id, SEND_DEADLINE)
            return await self._failed(item, "send timed out", report)
        except Blocked:
            await self._storage.users.set_blocked(item.user_id, True)
            await outbox.mark_dropped(item.id, "user blocked the bot")
            log.info("user %s blocked the bot; notifications stop", item.user_id)
            report.dropped += 1
            return Delivery.DROPPED
        except RetryLater as exc:
            # Never dropped: flood control says "later", not "no".
            await outbox.defer(item.id, self._clock() + exc.retry_after, "rate limited")
            report.rate_limited += 1
            return Delivery.RETRY_LATER
        except Undeliverable as exc:
            log.warning("notification %s to user %s refused: %s", item.id, item.user_id, exc)
            await outbox.mark_dropped(item.id, f"refused: {exc}"[:200])
            report.dropped += 1
            return Delivery.DROPPED
        except SendFailed as exc:
            return await self._failed(item, str(exc), report)
        await outbox.mark_sent(item.id)
        report.sent += 1
        return Delivery.SENT

    async def _quiet(
        self, item: OutboxItem, user: User, t: Translator, report: DrainReport, seen: set[int]
    ) -> Delivery | None:
        """Quiet hours: hold the push until they end; once over, the user's held pushes become
        one digest item. None: deliver `item` as it is."""
        now = self._clock()
        until = quiet_until(now, t.zone, user.quiet_from, user.quiet_to)
        if until is not None:
            await self._storage.outbox.hold(item.id, until)
            report.held += 1
            return Delivery.HELD
        if not item.held:
            return None
        held = [
            h for h in await self._storage.outbox.held_due(user.id, now) if h.kind in ORDER_PUSHES
        ]
        if len(held) < 2 or item.id not in {h.id for h in held}:
            return None
        orders: list[list[object]] = []
        refills: list[list[object]] = []
        for h in held:
            _entries(h, orders, refills)
        merged = await self._storage.outbox.merge(
            user.id,
            [h.id for h in held],
            OutboxKind.ORDER_DIGEST,
            {"orders": _latest(orders), "refills": _latest(refills)},
        )
        if merged is None:  # one of them changed meanwhile: send this one as it is
            return None
        seen.update(h.id for h in held)
        report.merged += len(held)
        return Delivery.MERGED

    async def _pace(self) -> None:
        now = time.monotonic()
        if self._next_send > now:
            await asyncio.sleep(self._next_send - now)
            now = self._next_send
        self._next_send = now + self._gap

    async def _failed(self, item: OutboxItem, error: str, report: DrainReport) -> Delivery:
        attempts = item.attempts + 1
        if item.kind in PERSISTENT:
            delay = min(BASE_RETRY * 2 ** min(attempts - 1, 16), REPLY_MAX_RETRY)
            await self._storage.outbox.defer(item.id, self._clock() + delay, error[:200])
            report.deferred += 1
        elif attempts >= self._max_attempts:
            log.warning(
                "dropping notification %s to user %s after %d attempts: %s",
                item.id,
                item.user_id,
                attempts,
                error,
            )
            await self._storage.outbox.mark_dropped(item.id, error[:200])
            report.dropped += 1
        else:
            delay = min(BASE_RETRY * 2 ** (attempts - 1), MAX_RETRY)
            await self._storage.outbox.defer(item.id, self._clock() + delay, error[:200])
            report.deferred += 1
        return Delivery.FAILED

    def _translator(self, user: User | None) -> Translator:
        language = user.language if user is not None else None
        language = language or self._default_language
        own = user.time_zone if user is not None else None
        zone = effective_zone(own, self._default_zone, language)
        return self._catalogs.translator(language).with_zone(zone)

    # --- what to render (the wording: `self._wording`) -----------------------------

    async def _render(self, item: OutboxItem, t: Translator) -> Notice:
        payload = item.payload
        if item.kind == OutboxKind.REPLY:
            return await self._reply(payload.get("text"), payload.get("order_id"), item.user_id)
        slot, notice = await self._render_notice(item, t)
        return await self._named(item.user_id, slot, notice)

    async def _render_notice(self, item: OutboxItem, t: Translator) -> tuple[int | None, Notice]:
        """The notice and the panel account it is about (None: unknown, say nothing)."""
        payload = item.payload
        if item.kind in (OutboxKind.KEY_REJECTED, OutboxKind.KEY_UNREADABLE):
            raw = payload.get("slot")
            slot = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
            unreadable = item.kind == OutboxKind.KEY_UNREADABLE
            several = len(await self._storage.accounts.accounts(item.user_id)) > 1
            if slot is not None and several and not unreadable:
                # /setkey replaces the default panel's key: the card replaces this one's.
                return slot, self._wording.panel_key_rejected(t)
            return slot, self._wording.key_notice(t, unreadable=unreadable)
        if item.kind == OutboxKind.REFILL_STATUS:
            refill = await self._refill(payload.get("refill_id"), item.user_id)
            if await self._muted_refill(refill):
                raise _Muted("order muted")
            return refill.panel_slot, self._wording.refill_status(t, refill, payload.get("status"))
        if item.kind == OutboxKind.ORDER_DIGEST:
            return None, await self._digest(item, t)
        if item.kind == OutboxKind.LOW_BALANCE:
            return None, await self._low_balance(payload, item.user_id, t)
        if item.kind == OutboxKind.SCHEDULED:
            return await self._scheduled(payload, item.user_id, t)
        if item.kind == OutboxKind.PRICE_CHANGES:
            # Each line names the panel already: no panel line on top.
            return None, await self._price_changes(item, t)
        order = await self._order(payload.get("order_id"), item.user_id)
        if item.kind == OutboxKind.ORDER_UNKNOWN:
            return order.panel_slot, self._wording.order_unknown(t, order, payload.get("count"))
        if order.muted and item.kind in PUSHES:
            raise _Muted("order muted")
        if item.kind == OutboxKind.ORDER_STATUS:
            status = str(payload.get("status") or order.status)
            notice = self._wording.order_status(t, order, status)
            return order.panel_slot, await self._offers(item.user_id, order, status, notice)
        if item.kind == OutboxKind.ORDER_STARTED:
            return order.panel_slot, self._wording.order_started(t, order)
        raise _Drop(f"unknown kind {item.kind!r}")

    async def _digest(self, item: OutboxItem, t: Translator) -> Notice:
        """Several pushes in one message; what is left after muted and vanished orders."""
        orders: list[tuple[Order, str]] = []
        for entry in _pairs(item.payload.get("orders")):
            try:
                order = await self._order(entry[0], item.user_id)
            except _Drop:
                continue  # deleted meanwhile: the others are still worth saying
            if not order.muted:
                orders.append((order, entry[1]))
        refills: list[tuple[Refill, str]] = []
        for entry in _pairs(item.payload.get("refills")):
            try:
                refill = await self._refill(entry[0], item.user_id)
            except _Drop:
                continue
            if not await self._muted_refill(refill):
                refills.append((refill, entry[1]))
        if len(orders) + len(refills) == 0:
            raise _Muted("every order muted or gone")
        if len(orders) + len(refills) > 1:
            accounts = await self._storage.accounts.accounts(item.user_id, removed=True)
            names = {a.slot: a.label for a in accounts} if len(accounts) > 1 else None
            return self._wording.digest(t, orders, refills, item.id, names)
        # One left: it reads best as the single push it would have been.
        if refills:
            return self._wording.refill_status(t, refills[0][0], refills[0][1])
        order, status = orders[0]
        if status == STARTED:
            return self._wording.order_started(t, order)
        notice = self._wording.order_status(t, order, status)
        return await self._offers(item.user_id, order, status, notice)

    async def _offers(self, user_id: int, order: Order, status: str, notice: Notice) -> Notice:
        """Under a completion push: 🔁 Reorder, and ♻️ Refill when the order's card offers it."""
        if status not in FINISHED_DELIVERED:
            return notice
        # Judged by the status this push is about: the poller queues the push before it saves
        # the status, and a drain in between reads the row still "In progress".
        pushed = replace(order, status=status)
        refill = self._refill_offered is not None and await self._refill_offered(user_id, pushed)
        return replace(notice, reorder=True, refill=refill)

    async def _muted_refill(self, refill: Refill) -> bool:
        if refill.order_id is None:
            return False
        order = await self._storage.orders.get(refill.order_id)
        return order is not None and order.muted

    async def _named(self, user_id: int, slot: int | None, notice: Notice) -> Notice:
        """With several panels (ever linked), a push says which panel it is about."""
        if slot is None:
            return notice
        accounts = await self._storage.accounts.accounts(user_id, removed=True)
        if len(accounts) < 2:
            return notice
        name = next((a.label for a in accounts if a.slot == slot), "")
        if not name:
            return notice
        return replace(notice, text=self._wording.panel_line(name) + "\n" + notice.text)

    async def _low_balance(self, payload: dict[str, Any], user_id: int, t: Translator) -> Notice:
        slot = payload.get("slot")
        accounts = await self._storage.accounts.accounts(user_id, removed=True)
        account = next((a for a in accounts if a.slot == slot), None)
        try:
            amount = Decimal(str(payload.get("amount")))
            limit = Decimal(str(payload.get("threshold")))
        except InvalidOperation:
            raise _Drop("bad low-balance payload") from None
        if account is None:
            raise _Drop("panel not found")
        currency = str(payload.get("currency") or "")
        return self._wording.low_balance(t, account.label, amount, currency, limit, account.url)

    async def _scheduled(
        self, payload: dict[str, Any], user_id: int, t: Translator
    ) -> tuple[int | None, Notice]:
        raw = payload.get("schedule_id")
        schedule = await self._storage.schedules.get(raw, user_id) if isinstance(raw, int) else None
        if schedule is None:
            raise _Drop("schedule not found")
        raw_order = payload.get("order_id")
        order = await self._order(raw_order, user_id) if raw_order is not None else None
        return schedule.panel_slot, self._wording.scheduled(t, schedule, payload, order)

    async def _price_changes(self, item: OutboxItem, t: Translator) -> Notice:
        """The watch's digest for one panel account, without the services muted since."""
        slot = item.payload.get("slot")
        if not isinstance(slot, int) or isinstance(slot, bool):
            raise _Drop("bad price payload")
        accounts = await self._storage.accounts.accounts(item.user_id, removed=True)
        account = next((a for a in accounts if a.slot == slot), None)
        if account is None:
            raise _Drop("panel not found")
        muted = await self._storage.prices.muted(item.user_id, slot)
        changes = [
            c
            for c in price_entries(item.user_id, slot, item.payload.get("changes"), item.created_at)
            if c.service_id not in muted
        ]
        if not changes:
            raise _Muted("every service muted")
        # With one panel linked its name says nothing: the lines go without it.
        panel = account.label if len(accounts) > 1 else ""
        return self._wording.price_digest(t, panel, slot, changes)

    async def _reply(self, text: object, raw_id: object, user_id: int) -> Notice:
        """A result rendered when it was due (in the user's language then), sent as it was."""
        if not isinstance(text, str) or not text:
            raise _Drop("empty reply")
        order = await self._storage.orders.get(raw_id) if isinstance(raw_id, int) else None
        # The card button only for the user's own order (as for every other notice).
        owned = order is not None and order.user_id == user_id
        return Notice(text, order.id if owned and order is not None else None, mutable=False)

    async def _order(self, raw_id: object, user_id: int) -> Order:
        order = await self._storage.orders.get(raw_id) if isinstance(raw_id, int) else None
        # A payload naming someone else's order would leak it: the owner check is not optional.
        if order is None or order.user_id != user_id:
            raise _Drop("order not found")
        return order

    async def _refill(self, raw_pk: object, user_id: int) -> Refill:
        refill = await self._storage.refills.get(raw_pk) if isinstance(raw_pk, int) else None
        if refill is None or refill.user_id != user_id:
            raise _Drop("refill not found")
        return refill


def price_entries(user_id: int, slot: int, raw: object, at: float) -> list[PriceChange]:
    """A price digest payload's changes, skipping anything else (a damaged row)."""
    if not isinstance(raw, list):
        return []
    found: list[PriceChange] = []
    for entry in raw:
        if not isinstance(entry, dict):
            continue
        service_id, kind, name = entry.get("service_id"), entry.get("kind"), entry.get("name")
        old, new = entry.get("old"), entry.get("new")
        if not isinstance(service_id, int) or kind not in set(ChangeKind):
            continue
        found.append(
            PriceChange(
                user_id,
                slot,
                service_id,
                ChangeKind(kind),
                str(name or ""),
                old if isinstance(old, str) else None,
                new if isinstance(new, str) else None,
                at,
            )
        )
    return found


def _pairs(raw: object) -> list[tuple[int, str]]:
    """A digest payload's [[id, status], ...], skipping anything else (a damaged row)."""
    if not isinstance(raw, list):
        return []
    return [
        (int(e[0]), str(e[1]))
        for e in raw
        if isinstance(e, list) and len(e) == 2 and isinstance(e[0], int) and isinstance(e[1], str)
    ]


def _latest(entries: list[list[object]]) -> list[list[object]]:
    """One entry per id, its latest status ("started" then "Completed" reads "Completed"),
    in the order the ids first came."""
    last: dict[object, object] = {}
    for entry_id, status in entries:
        last[entry_id] = status
    return [[entry_id, status] for entry_id, status in last.items()]


def _entries(item: OutboxItem, orders: list[list[object]], refills: list[list[object]]) -> None:
    """Add what one push (or digest) says to a digest's entries."""
    payload = item.payload
    if item.kind == OutboxKind.ORDER_DIGEST:
        orders.extend([i, s] for i, s in _pairs(payload.get("orders")))
        refills.extend([i, s] for i, s in _pairs(payload.get("refills")))
    elif item.kind == OutboxKind.ORDER_STATUS:
        orders.append([payload.get("order_id"), str(payload.get("status") or "")])
    elif item.kind == OutboxKind.ORDER_STARTED:
        orders.append([payload.get("order_id"), STARTED])
    elif item.kind == OutboxKind.REFILL_STATUS:
        refills.append([payload.get("refill_id"), str(payload.get("status") or "")])
