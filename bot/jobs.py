"""Repeating jobs: status poller, outbox drain, memory trim, journal import, draft purge and
scheduled orders.

`schedule_jobs(app)` is called once the application's dependencies exist. The jobs' shared
state (the poller's lock and backoff, the notifier's lock) lives in one `Jobs` object carried
as the jobs' `data`; `jobs_of(app)` finds it (tests use it to run a cycle or a drain directly).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from telegram import InlineKeyboardMarkup
from telegram.ext import Application, CallbackContext, JobQueue

from bot.handlers.notifications import notification_markup, telegram_sender
from bot.memory import TRIM_SECONDS, MemoryTrimmer, find_malloc_trim
from bot.services.drafts import PURGE_EVERY_SECONDS, DraftService
from bot.services.notifications.compose import RefillOffered
from bot.services.notifications.notifier import DrainReport, Notifier
from bot.services.placements import PlacementRecorder
from bot.services.poller import CycleReport, StatusPoller, polling_clients
from bot.services.pricewatch import PriceWatch, WatchReport
from bot.services.schedules import ScheduleService, Tick
from bot.storage import Order
from bot.views import notifications as notification_wording

if TYPE_CHECKING:
    from bot.deps import Deps

log = logging.getLogger(__name__)

POLL_JOB = "status-poll"
DRAIN_JOB = "outbox-drain"
TRIM_JOB = "memory-trim"
JOURNAL_JOB = "journal-import"
PURGE_JOB = "draft-purge"
SCHEDULE_JOB = "scheduled-orders"
PRICE_JOB = "price-watch"
DRAIN_SECONDS = 1.0

AnyApp = Application[Any, Any, Any, Any, Any, Any]


_Data = TypeVar("_Data")
_Done = TypeVar("_Done")


async def _or_retried(what: str, step: Callable[[], Awaitable[_Done]], none: type[_Done]) -> _Done:
    """One run of a periodic `step`; a failure is one warning line and a run that did `none`
    of its work: the next period retries."""
    try:
        return await step()
    except Exception as exc:
        log.warning("%s failed (%s); the next one retries", what, exc)
        return none()


@dataclass(slots=True)
class Jobs:
    app: AnyApp
    poller: StatusPoller
    notifier: Notifier[InlineKeyboardMarkup]
    schedules: ScheduleService
    prices: PriceWatch

    async def watch_prices(self) -> WatchReport:
        """One price-watch cycle; a drain starts right away when it queued a digest."""
        # Panel faults are counted inside the cycle; what fails it is the storage (a shutdown
        # closing it, a held database). A user's changes, snapshots and digest are stored in
        # one transaction, so the retry pushes nothing twice.
        report = await _or_retried("price watch: a cycle", self.prices.run_cycle, WatchReport)
        return self._drained_soon(report, report.pushes)

    async def poll(self) -> CycleReport | None:
        """One poll cycle; a drain starts right away when it queued something."""
        report = await self.poller.run_cycle()
        return self._drained_soon(report, report.queued if report is not None else 0)

    async def run_schedules(self) -> Tick:
        """Place the scheduled runs that are due; their results are pushed right away."""
        # Every second, so it meets a shutdown closing the storage or a held database. A run
        # claimed before a failure stays claimed (the start-up recovery settles it), so the
        # retry places nothing twice.
        tick = await _or_retried("scheduled orders: a tick", self.schedules.run_due, Tick)
        return self._drained_soon(tick, tick.queued)

    async def drain(self) -> DrainReport | None:
        return await self.notifier.drain(keep_going=lambda: self.app.running)

    def _drained_soon(self, report: _Done, pushes: int) -> _Done:
        """`report`, once a drain has started for the `pushes` its cycle queued (if any)."""
        if pushes:
            self.kick()
        return report

    def kick(self) -> None:
        """Start a drain now instead of at the next tick (no-op if one is running)."""
        if self.app.running and not self.notifier.running:
            self.app.create_task(self.drain(), name="outbox-drain-kick")


def refill_offer(deps: Deps) -> RefillOffered:
    """Whether a completion push offers ♻️ Refill: exactly when the order's card would."""

    async def offered(user_id: int, order: Order) -> bool:
        return (await deps.tracking.card_actions(user_id, order)).refill

    return offered


def build_jobs(app: AnyApp, deps: Deps) -> Jobs:
    settings = deps.settings
    poller = StatusPoller(
        deps.storage,
        polling_clients(deps.panel_clients),
        interval=settings.status_poll_seconds,
        max_rps=settings.panel_max_rps,
    )
    notifier: Notifier[InlineKeyboardMarkup] = Notifier(
        deps.storage,
        deps.catalogs,
        telegram_sender(app.bot),
        notification_markup,
        wording=notification_wording,
        default_language=settings.default_language,
        default_zone=settings.timezone,
        refill_offered=refill_offer(deps),
        # The storage's clock (a test's TestClock): the outbox is written and read by one clock.
        clock=deps.storage.outbox.clock,
    )
    return Jobs(app, poller, notifier, deps.schedules, deps.prices)


JobContext = CallbackContext[Any, Any, Any, Any]


def _data(context: JobContext, kind: type[_Data]) -> _Data:
    """What the job was scheduled with (`data=`), checked to be the `kind` it was given as."""
    assert context.job is not None and isinstance(context.job.data, kind)
    return context.job.data


async def _poll_job(context: JobContext) -> None:
    await _data(context, Jobs).poll()


async def _price_job(context: JobContext) -> None:
    await _data(context, Jobs).watch_prices()


async def _drain_job(context: JobContext) -> None:
    await _data(context, Jobs).drain()


async def _schedule_job(context: JobContext) -> None:
    await _data(context, Jobs).run_schedules()


async def _journal_job(context: JobContext) -> None:
    await _data(context, PlacementRecorder).restore_quietly()


async def _trim_job(context: JobContext) -> None:
    _data(context, MemoryTrimmer).trim()


async def _purge_job(context: JobContext) -> None:
    removed = await _data(context, DraftService).purge()
    if removed:
        log.info("purged %d draft row(s) of expired or closed previews", removed)


# coalesce: after a stall, one catch-up run, not a burst; the poller's lock covers overlap.
JOB_KWARGS = {"coalesce": True, "misfire_grace_time": None}


def _schedule_price_watch(job_queue: Any, jobs: Jobs, every: float) -> None:
    # Like the poller: one full period after start-up, then every PRICE_WATCH_SECONDS.
    job_queue.run_repeating(
        _price_job, interval=every, first=every, data=jobs, name=PRICE_JOB, job_kwargs=JOB_KWARGS
    )


def schedule_jobs(app: AnyApp) -> Jobs:
    """Register both repeating jobs (again: replaces earlier ones of the same name)."""
    deps = getattr(app, "deps", None)
    job_queue = app.job_queue
    if deps is None or job_queue is None:
        raise RuntimeError("schedule_jobs needs an initialised application with a JobQueue")
    jobs_named = (POLL_JOB, DRAIN_JOB, TRIM_JOB, JOURNAL_JOB, PURGE_JOB, SCHEDULE_JOB, PRICE_JOB)
    for name in jobs_named:
        for job in job_queue.get_jobs_by_name(name):
            job.schedule_removal()
    jobs = build_jobs(app, deps)
    interval = deps.settings.status_poll_seconds
    job_kwargs = JOB_KWARGS
    job_queue.run_repeating(
        _poll_job,
        interval=interval,
        # One full interval after start-up: a restart does not hit the panel before the bot
        # answers its users, and a poll never races the start-up recovery of interrupted orders.
        first=interval,
        data=jobs,
        name=POLL_JOB,
        job_kwargs=job_kwargs,
    )
    job_queue.run_repeating(
        _drain_job,
        interval=DRAIN_SECONDS,
        first=0.1,
        data=jobs,
        name=DRAIN_JOB,
        job_kwargs=job_kwargs,
    )
    _scheduled_orders_job(job_queue, jobs, deps.settings.schedule_check_seconds)
    # Expired and closed previews: their rows would otherwise pile up (a 1,000-line upload each).
    job_queue.run_repeating(
        _purge_job,
        interval=PURGE_EVERY_SECONDS,
        first=PURGE_EVERY_SECONDS,
        data=deps.drafts,
        name=PURGE_JOB,
        job_kwargs=job_kwargs,
    )
    _schedule_price_watch(job_queue, jobs, deps.settings.price_watch_seconds)
    trimmer = MemoryTrimmer(find_malloc_trim())
    if trimmer.available:
        job_queue.run_repeating(
            _trim_job, interval=TRIM_SECONDS, data=trimmer, name=TRIM_JOB, job_kwargs=job_kwargs
        )
    # A stat call when there is no journal; the import itself when the database refused.
    job_queue.run_repeating(
        _journal_job,
        interval=deps.settings.journal_import_seconds,
        data=deps.placements,
        name=JOURNAL_JOB,
        job_kwargs=job_kwargs,
    )
    return jobs


def _scheduled_orders_job(job_queue: JobQueue[Any], jobs: Jobs, every: float) -> None:
    """Scheduled orders: at once at start-up (a run missed while the bot was down, within the
    grace, is placed now), then every SCHEDULE_CHECK_SECONDS. Only the leader gets here."""
    job_queue.run_repeating(
        _schedule_job,
        every,
        first=0.1,
        data=jobs,
        name=SCHEDULE_JOB,
        job_kwargs={"coalesce": True, "misfire_grace_time": None},
    )


def jobs_of(app: AnyApp) -> Jobs:
    """The `Jobs` of a running application."""
    job_queue = app.job_queue
    found = job_queue.get_jobs_by_name(POLL_JOB) if job_queue is not None else ()
    if not found or not isinstance(found[0].data, Jobs):
        raise RuntimeError("jobs are not scheduled")
    return found[0].data
