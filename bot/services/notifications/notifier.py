"""Drains the outbox: each notification sent exactly once, in the user's language.

When and whether an item is sent (blocked users, the Settings toggle, quiet hours and their
digest, retries, pace) is decided here; what it says is composed by `compose.Composer`.

An item is marked sent only after Telegram accepted it, so a crash between the two can repeat at
most that one message and never loses one. Sending goes through an injected `send(chat_id, text,
markup)` so this module stays free of Telegram imports; the adapter
(bot/handlers/notifications.py) turns Telegram's errors into the exceptions below.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from bot.i18n import Catalogs, Translator
from bot.services.notifications.compose import (
    ORDER_PUSHES,
    PUSHES,
    AllMuted,
    CannotCompose,
    Composer,
    Notification,
    NotificationWording,
    RefillOffered,
    digest_entries,
    latest_entries,
)
from bot.storage import OutboxItem, OutboxKind, Storage, User
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
REPLY_MAX_RETRY = 60.0

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
NotificationMarkup = Callable[[Translator, Notification], M | None]


@dataclass(slots=True)
class DrainReport:
    sent: int = 0
    dropped: int = 0
    deferred: int = 0
    rate_limited: int = 0
    held: int = 0
    merged: int = 0


class Notifier(Generic[M]):
    def __init__(
        self,
        storage: Storage,
        catalogs: Catalogs,
        send: Send[M],
        markup: NotificationMarkup[M],
        *,
        wording: NotificationWording,
        default_language: str,
        default_zone: str | None = None,
        clock: Callable[[], float] = time.time,
        max_attempts: int = MAX_ATTEMPTS,
        max_rate: float = MAX_RATE,
        refill_offered: RefillOffered | None = None,
    ) -> None:
        self._storage = storage
        self._catalogs = catalogs
        self._send = send
        self._markup = markup
        self._composer = Composer(storage, wording, refill_offered)
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
            notice = await self._composer.compose(item, t)
        except CannotCompose as exc:
            if not isinstance(exc, AllMuted):
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
            digest_entries(h, orders, refills)
        merged = await self._storage.outbox.merge(
            user.id,
            [h.id for h in held],
            OutboxKind.ORDER_DIGEST,
            {"orders": latest_entries(orders), "refills": latest_entries(refills)},
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
