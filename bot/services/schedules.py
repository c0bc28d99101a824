"""Scheduled and repeated orders: a preview placed later, by the leader, once. No Telegram.

"🕒 Later" on a single-order preview turns that preview into a schedule (`ScheduleService.
schedule`): the same promise as its Confirm (open, unexpired, same key), checked and kept in
one transaction that also closes the preview. At each run's time the leader's tick
(`run_due`) checks, in this order:

* the run is not older than SCHEDULE_GRACE_SECONDS (a bot that was down longer asks the user);
* the user's key is still the one it was priced with (else the schedule ends, user told);
* the service still takes the answers unchanged, at a rate not above the preview's (else the
  run is held and the user asked: place at the new price, or skip);
* the balance covers it (else this run is not placed, user told).

Then `SchedulesRepo.claim_run` claims the run in the database (once, whatever restarts or fails
over) and the panel is called exactly like Confirm does (`OrderingService.submit_claimed`). Every
result reaches the user through the outbox (`OutboxKind.SCHEDULED`), so a restart loses none.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any

from bot.panel.client import PanelClient
from bot.panel.errors import PanelError
from bot.panel.models import Service
from bot.services.accounts import NoKey
from bot.services.drafts import DraftRefusal, DraftService
from bot.services.ordering import (
    OrderingService,
    OrderOutcome,
    SubmitResult,
    answers_of,
    unchanged_cost,
)
from bot.services.schedule_times import next_run_at
from bot.storage import Storage
from bot.storage.models import DraftKind, DraftMessage, OutboxKind
from bot.storage.schedules import Every, Schedule, ScheduleState, When

# What handlers name when they make a schedule (they reach storage only through services).
__all__ = ["Every", "ScheduleService", "When"]

log = logging.getLogger(__name__)

Clock = Callable[[], float]

# A run later than this after its time is not placed without asking (SCHEDULE_GRACE_SECONDS).
SCHEDULE_GRACE_SECONDS = 3600.0
# How often the leader looks for runs that are due (SCHEDULE_CHECK_SECONDS).
SCHEDULE_CHECK_SECONDS = 1.0
# Runs looked at per tick: more wait for the next tick, a second later.
DUE_PER_TICK = 100


class ScheduleEvent(StrEnum):
    """What a SCHEDULED notice tells (its payload's "event")."""

    PLACED = "placed"
    FAILED = "failed"  # the panel refused it
    HELD = "held"  # dearer than previewed: asked
    MISSED = "missed"  # due while the bot was down, past the grace: asked
    KEY_CHANGED = "key_changed"  # the key changed since the preview: the schedule ended
    BALANCE = "balance"  # the balance did not cover this run
    CHANGED = "changed"  # the service is gone or no longer takes the answers as they are
    SKIPPED = "skipped"  # the user skipped a held or missed run


class Answer(StrEnum):
    """What a tap on a held or missed run's buttons did."""

    STARTED = "started"  # the run went ahead (its result follows as a notice)
    GONE = "gone"  # no such run waiting for an answer (answered already, cancelled, forged)


@dataclass(slots=True)
class Tick:
    """One look at the due runs: how late each placed run was (seconds past its time)."""

    placed: list[float] = field(default_factory=list)
    queued: int = 0


@dataclass(frozen=True, slots=True)
class Scheduled:
    """The answer to "🕒 Later" with a time: the schedule, or why the preview cannot be."""

    schedule: Schedule | None = None
    refusal: DraftRefusal | None = None
    # The message that showed the preview (its buttons go: it became the schedule).
    preview: DraftMessage | None = None
    # Not made: its link got an open order since the preview (DUPLICATE, as its Confirm).
    stopped: SubmitResult | None = None


@dataclass(slots=True)
class ScheduleService:
    """Scheduled orders. A run is placed exactly as Confirm places a preview, so it takes the
    panel accounts, the catalog and the price-check age from `ordering`."""

    storage: Storage
    ordering: OrderingService
    drafts: DraftService
    clock: Clock = time.time
    grace: float = SCHEDULE_GRACE_SECONDS
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    # --- making one -----------------------------------------------------------------------

    async def may_schedule(self, user_id: int, batch: str) -> DraftRefusal | None:
        """Could "🕒 Later" still take this preview (what its Confirm would answer)?"""
        return (await self.drafts.check(user_id, batch, DraftKind.SINGLE)).refusal

    async def schedule(self, user_id: int, batch: str, when: When) -> Scheduled:
        """Turn the open preview `batch` into a schedule; the preview closes."""
        refusal = await self.may_schedule(user_id, batch)
        if refusal is not None:
            return Scheduled(refusal=refusal)
        # The link is checked in the write, as a Confirm's claim checks it: an order placed on
        # it since 🕒 Later was tapped (the preview's other Confirm) stops it here.
        check = await self.ordering.later_link_check(user_id, batch)
        made = await self.storage.schedules.create(batch, user_id, when, check)
        if made is None:  # the promise broke between the check and the write, or the link
            stopped = await self.ordering.stopped_for_later(user_id, batch)
            if stopped is not None:
                return Scheduled(stopped=stopped)
            refusal = await self.may_schedule(user_id, batch)
            return Scheduled(refusal=refusal or DraftRefusal.ALREADY)
        draft = await self.drafts.drafts.get(batch, user_id)
        shown = None
        if draft is not None and draft.chat_id is not None and draft.message_id is not None:
            shown = DraftMessage(batch, draft.chat_id, draft.message_id)
        return Scheduled(made, preview=shown)

    async def waiting(self, user_id: int) -> list[Schedule]:
        return await self.storage.schedules.open_for_user(user_id)

    async def cancel(self, user_id: int, schedule_id: int) -> bool:
        return await self.storage.schedules.cancel(schedule_id, user_id)

    # --- the leader's tick ----------------------------------------------------------------

    async def run_due(self) -> Tick:
        """Place (or hold, or ask about) every run that is due; one tick at a time."""
        async with self._lock:
            tick = Tick()
            for schedule in await self.storage.schedules.due(self.clock(), DUE_PER_TICK):
                await self._run(schedule, (ScheduleState.WAITING,), tick)
            return tick

    async def answer(self, user_id: int, schedule_id: int, run: int, *, place: bool) -> Answer:
        """✅ Place / ✖️ Skip under a held or missed run's notice."""
        schedule = await self.storage.schedules.get(schedule_id, user_id)
        asked = (ScheduleState.HELD, ScheduleState.MISSED)
        if schedule is None or schedule.done != run or schedule.state not in asked:
            return Answer.GONE
        if not place:
            if not await self._skip(schedule, (schedule.state,), ScheduleEvent.SKIPPED):
                return Answer.GONE
            return Answer.STARTED
        async with self._lock:
            await self._run(schedule, (schedule.state,), Tick(), accept=schedule.held_rate)
        return Answer.STARTED

    async def _run(
        self,
        schedule: Schedule,
        states: Sequence[ScheduleState],
        tick: Tick,
        accept: Decimal | None = None,
    ) -> None:
        """One run of `schedule`, which is in one of `states`; `accept`: a dearer rate the
        user agreed to under a held run's notice."""
        late = self.clock() - schedule.next_at
        if states == (ScheduleState.WAITING,) and late > self.grace:
            if await self.storage.schedules.hold(schedule, ScheduleState.MISSED):
                await self._tell(schedule, ScheduleEvent.MISSED, tick)
            return
        client = await self._client(schedule, tick)
        if client is None:
            return
        try:
            index = await self.ordering.catalog.get(
                schedule.user_id, slot=schedule.panel_slot, max_age=self.ordering.price_check_age
            )
        except (PanelError, NoKey) as exc:
            # Tried again at the next tick; past the grace the user is asked instead.
            log.info("scheduled run %s: no catalog (%s)", schedule.id, type(exc).__name__)
            return
        service = index.get(schedule.order.service_id)
        fits, cost = _fits(service, schedule)
        if service is None or not fits:
            await self._skip(schedule, states, ScheduleEvent.CHANGED, tick)
            return
        if _dearer(service, cost, schedule, accept):
            await self._hold(schedule, states, service.rate, cost, tick)
            return
        if not await self._covered(schedule, cost, tick, states):
            return
        await self._place(schedule, states, client, cost, tick, accept)

    async def _client(self, schedule: Schedule, tick: Tick) -> PanelClient | None:
        """The panel client when its panel account still has the key the preview was priced
        with; otherwise the schedule ends and the user is told. Another panel's changes do
        not matter (see migration 0013)."""
        try:
            if await self._same_key(schedule):
                return await self.ordering.accounts.client(schedule.user_id, schedule.panel_slot)
        except NoKey:
            pass
        if await self.storage.schedules.cancel(schedule.id, schedule.user_id):
            await self._tell(schedule, ScheduleEvent.KEY_CHANGED, tick)
        return None

    async def _same_key(self, schedule: Schedule) -> bool:
        if schedule.key_added is None:
            return await self.drafts.key_version(schedule.user_id) == schedule.key_version
        account = await self.ordering.accounts.account(schedule.user_id, schedule.panel_slot)
        return account is not None and account.added_at == schedule.key_added

    async def _hold(
        self,
        schedule: Schedule,
        states: Sequence[ScheduleState],
        rate: Decimal,
        cost: Decimal | None,
        tick: Tick,
    ) -> None:
        held = await self.storage.schedules.hold(
            schedule, ScheduleState.HELD, rate=rate, cost=cost, states=states
        )
        if held:
            extra = {"rate": str(rate), "cost": None if cost is None else str(cost)}
            await self._tell(schedule, ScheduleEvent.HELD, tick, extra, tag=str(rate))

    async def _covered(
        self,
        schedule: Schedule,
        cost: Decimal | None,
        tick: Tick,
        states: Sequence[ScheduleState],
    ) -> bool:
        """Does the balance cover the run? A balance that cannot be read does not stop it:
        the panel checks the balance itself, as with Confirm."""
        if cost is None or cost <= 0:
            return True
        try:
            balance = await self.ordering.accounts.balance(schedule.user_id, schedule.panel_slot)
        except (PanelError, NoKey) as exc:
            log.info("scheduled run %s: no balance (%s)", schedule.id, type(exc).__name__)
            return True
        if balance.amount >= cost:
            return True
        extra = {
            "balance": str(balance.amount),
            "currency": balance.currency_text,
            "cost": str(cost),
        }
        await self._skip(schedule, states, ScheduleEvent.BALANCE, tick, extra)
        return False

    async def _place(
        self,
        schedule: Schedule,
        states: Sequence[ScheduleState],
        client: PanelClient,
        cost: Decimal | None,
        tick: Tick,
        accept: Decimal | None,
    ) -> None:
        draft = replace(schedule.order, cost=cost if cost is not None else Decimal(0))
        order = await self.storage.schedules.claim_run(
            schedule, draft, self._next(schedule), states=states, rate=accept
        )
        if order is None:
            return  # claimed elsewhere, cancelled or the key changed meanwhile: nothing sent
        late = self.clock() - schedule.next_at
        result = await self.ordering.submit_claimed(client, order)
        if result.outcome is OrderOutcome.UNKNOWN:
            # The same notice (and buttons to settle it) as an interrupted Confirm.
            await self.storage.outbox.enqueue(
                order.user_id,
                OutboxKind.ORDER_UNKNOWN,
                {"order_id": order.id, "count": 1},
                dedupe_key=f"{OutboxKind.ORDER_UNKNOWN}:{order.id}",
            )
            tick.placed.append(late)
            return
        placed = result.outcome is OrderOutcome.PLACED
        if placed:
            tick.placed.append(late)
        error = None if result.error is None else str(result.error)
        event = ScheduleEvent.PLACED if placed else ScheduleEvent.FAILED
        await self._tell(schedule, event, tick, {"order_id": order.id, "error": error})

    async def _skip(
        self,
        schedule: Schedule,
        states: Sequence[ScheduleState],
        event: ScheduleEvent,
        tick: Tick | None = None,
        extra: dict[str, Any] | None = None,
    ) -> bool:
        moved = await self.storage.schedules.skip_run(schedule, self._next(schedule), states=states)
        if moved:
            await self._tell(schedule, event, tick, extra)
        return moved

    @staticmethod
    def _next(schedule: Schedule) -> float | None:
        return next_run_at(
            schedule.first_at, schedule.every, schedule.times, schedule.done, schedule.zone
        )

    async def _tell(
        self,
        schedule: Schedule,
        event: ScheduleEvent,
        tick: Tick | None,
        extra: dict[str, Any] | None = None,
        *,
        tag: str = "",
    ) -> None:
        payload = {"schedule_id": schedule.id, "run": schedule.done, "event": event.value}
        payload.update(extra or {})
        queued = await self.storage.outbox.enqueue(
            schedule.user_id,
            OutboxKind.SCHEDULED,
            payload,
            dedupe_key=f"{OutboxKind.SCHEDULED}:{schedule.id}:{schedule.done}:{event}:{tag}",
        )
        if queued and tick is not None:
            tick.queued += 1


def _fits(service: Service | None, schedule: Schedule) -> tuple[bool, Decimal | None]:
    """Does the service still take the scheduled answers as they are; their cost now."""
    if service is None or service.type != schedule.order.service_type:
        return False, None
    return unchanged_cost(service, answers_of(schedule.order))


def _dearer(
    service: Service, cost: Decimal | None, schedule: Schedule, accept: Decimal | None
) -> bool:
    """Above the preview's rate (or the dearer one the user accepted since)."""
    limit = accept if accept is not None else schedule.rate
    if limit is not None:
        return service.rate > limit
    return cost is not None and cost > schedule.order.cost
