"""Update processor: one user's updates in order, different users in parallel, and a slow panel
never freezes a user.

python-telegram-bot's default processor handles one update at a time, so a slow panel call for
one user stalls everybody; its plain concurrent mode breaks ConversationHandler, which assumes a
user's updates arrive one after another (a dialog step's new state is stored when its callback
returns). This processor serialises each user's ordinary updates and bounds the number of
handlers running at once.

Lanes. A user must not wait for their own slow panel call to get /help or leave a dialog, so
some updates do not queue behind the running one (`Lane`, chosen by the `classify` function the
application passes in):
- ORDINARY updates (dialog answers, confirms, anything not listed) run strictly one after the
  other, in arrival order.
- SIDE updates (/help, /start) run as soon as the user's running update is waiting on the
  panel; they change no dialog state, so running beside it is harmless.
- INTERRUPT updates (/cancel, menu buttons, navigation) end a panel *read* the running update is
  waiting on: that update is cancelled where it waits and leaves no trace (its dialog step never
  returns, so the dialog state is untouched), then the interrupt runs. Beside a panel *write*
  (add, add_bulk, refill, cancel) it runs without cancelling anything: a write is never
  abandoned, and a confirm's outcome is decided by its claim in the database, not by update
  order.
SIDE and INTERRUPT updates go ahead of queued ORDINARY ones, in arrival order among themselves;
the same rules apply between them (a menu button's own hung read is ended by a later /cancel).
While a running update does local work (no panel call) they wait for it, which keeps replies in
order when the panel is fast.

Panel calls are reported by the panel client through `panel_call` (the `CallObserver` protocol):
the running update is found through a context variable, which child tasks (a shared catalog
fetch) inherit. While a call is in flight, a "typing…" chat action is shown from
`first_signal` seconds after the update arrived and repeated every `signal_every` seconds.

Slots. The base class wraps `do_process_update` in a semaphore of `max_concurrent_updates`. A
task that is merely waiting for its user's earlier update would hold one of those slots, so a
user who floods the bot could take every slot and starve everyone else. We therefore give the
base an effectively unlimited bound and take our own slot only after the user's lane is granted:
a waiting task costs a queue entry, never a slot.
"""

from __future__ import annotations

import asyncio
import logging
import math
import sys
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import Enum
from typing import Any, Final

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)

ANONYMOUS_KEY: Final = "anonymous"

# `Application` creates one task per update only when the bound is > 1; the real bound is ours.
_UNBOUNDED: Final = sys.maxsize

# Telegram shows a chat action for about 5 s; it is renewed a little before it fades.
FIRST_SIGNAL_SECONDS: Final = 1.5
SIGNAL_EVERY_SECONDS: Final = 4.0


class Lane(Enum):
    ORDINARY = "ordinary"
    SIDE = "side"
    INTERRUPT = "interrupt"


Classifier = Callable[[object], Lane]
# Told of every update whose handler finished (not of one cut short by a shutdown).
Handled = Callable[[object], None]
# Shows the user that the bot is working (a "typing" chat action) in the given chat.
Signal = Callable[[int], Awaitable[object]]


def user_key(update: object) -> Hashable:
    """The key whose updates must be handled in order.

    In a private chat the chat id equals the user id, so updates that only carry a chat still
    line up behind the same user's other updates.
    """
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return ANONYMOUS_KEY


def _ordinary(update: object) -> Lane:
    return Lane.ORDINARY


class _Run:
    """One update from arrival to the end of its handler."""

    __slots__ = (
        "arrived",
        "chat_id",
        "done",
        "granted",
        "heartbeat",
        "key",
        "lane",
        "last_signal",
        "queue",
        "quiet",
        "reads",
        "superseded",
        "task",
        "writes",
        "wrote",
    )

    def __init__(
        self,
        key: Hashable,
        queue: _UserQueue,
        lane: Lane,
        task: asyncio.Task[Any],
        chat_id: int | None,
    ) -> None:
        loop = asyncio.get_running_loop()
        self.key = key
        self.queue = queue
        self.lane = lane
        self.task = task
        self.chat_id = chat_id
        self.arrived = loop.time()
        self.granted: asyncio.Future[None] = loop.create_future()
        self.reads = 0
        self.writes = 0
        # Once a write began, the update must run to its end: its outcome has to be stored and
        # told, even if a read follows (e.g. the status refresh after a cancel).
        self.wrote = False
        self.superseded = False
        self.done = False
        # Set while no panel call is in flight; the heartbeat waits on it.
        self.quiet = asyncio.Event()
        self.quiet.set()
        self.heartbeat: asyncio.Task[None] | None = None
        self.last_signal = -math.inf

    @property
    def in_panel_call(self) -> bool:
        return self.reads + self.writes > 0

    @property
    def abandonable(self) -> bool:
        """Waiting on reads only, no write yet: cancelling it changes nothing on the panel."""
        return self.reads > 0 and self.writes == 0 and not self.wrote


class _UserQueue:
    __slots__ = ("instants", "ordinary", "running")

    def __init__(self) -> None:
        # At most one ORDINARY update, plus SIDE / INTERRUPT ones let in beside panel calls.
        self.running: list[_Run] = []
        self.ordinary: deque[_Run] = deque()
        self.instants: deque[_Run] = deque()

    @property
    def idle(self) -> bool:
        return not self.running and not self.ordinary and not self.instants


# The update whose handler runs in the current task (inherited by tasks it starts). Read only by
# `panel_call`, to tell which user's update a panel call belongs to.
_CURRENT: ContextVar[_Run | None] = ContextVar("bot_processor_current_update", default=None)


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Per-user ordered processing with at most `max_concurrent` handlers running at once."""

    __slots__ = (
        "_active",
        "_classify",
        "_first_signal",
        "_handled",
        "_heartbeats",
        "_max_concurrent",
        "_queues",
        "_signal",
        "_signal_every",
        "_slots",
        "_waiting",
    )

    def __init__(
        self,
        max_concurrent: int = 256,
        *,
        classify: Classifier = _ordinary,
        signal: Signal | None = None,
        first_signal: float = FIRST_SIGNAL_SECONDS,
        signal_every: float = SIGNAL_EVERY_SECONDS,
    ) -> None:
        if max_concurrent < 1:
            raise ValueError("max_concurrent must be a positive integer")
        if first_signal < 0 or signal_every <= 0:
            raise ValueError("signal delays must be positive")
        super().__init__(max_concurrent_updates=_UNBOUNDED)
        self._max_concurrent = max_concurrent
        self._classify = classify
        self._signal = signal
        self._first_signal = first_signal
        self._signal_every = signal_every
        self._slots = asyncio.Semaphore(max_concurrent)
        self._queues: dict[Hashable, _UserQueue] = {}
        self._heartbeats: set[asyncio.Task[None]] = set()
        self._active = 0
        self._waiting = 0
        self._handled: Handled | None = None

    def set_handled(self, handled: Handled | None) -> None:
        """Who hears that an update's handler finished (the runner's fetched-updates file)."""
        self._handled = handled

    def set_signal(self, signal: Signal | None) -> None:
        """How to show that the bot is working; set once the bot exists (after the builder)."""
        self._signal = signal

    @property
    def max_concurrent(self) -> int:
        """Upper bound on handlers running at the same time."""
        return self._max_concurrent

    @property
    def active(self) -> int:
        """Handlers running right now."""
        return self._active

    @property
    def waiting(self) -> int:
        """Updates accepted but not yet running (behind their user's earlier update or a slot)."""
        return self._waiting

    @property
    def tracked_keys(self) -> int:
        """Users with at least one update running or queued; stays bounded (no lock leak)."""
        return len(self._queues)

    async def initialize(self) -> None:
        # A fresh semaphore lets an idle processor be reused on a new event loop.
        if self._active == 0 and self._waiting == 0:
            self._slots = asyncio.Semaphore(self._max_concurrent)

    async def shutdown(self) -> None:
        # Handler tasks are owned and awaited by the Application; heartbeats are ours.
        heartbeats = list(self._heartbeats)
        for task in heartbeats:
            task.cancel()
        if heartbeats:
            await asyncio.gather(*heartbeats, return_exceptions=True)

    # --------------------------------------------------------------------- processing

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        # No await may come before the update is queued: tasks start in arrival order and must
        # enter their user's queue in that same order.
        key = user_key(update)
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = _UserQueue()
        task = asyncio.current_task()
        assert task is not None
        lane = self._classify(update) if key != ANONYMOUS_KEY else Lane.ORDINARY
        run = _Run(key, queue, lane, task, _chat_id(update))
        (queue.ordinary if lane is Lane.ORDINARY else queue.instants).append(run)
        self._waiting += 1
        token = _CURRENT.set(run)
        started = False
        try:
            self._pump(queue)
            await run.granted
            async with self._slots:
                self._waiting -= 1
                self._active += 1
                started = True
                try:
                    await coroutine
                except asyncio.CancelledError:
                    # Our own cancellation (a newer command ended this read) is the end of this
                    # update, not of the task; any other cancellation goes on.
                    if not run.superseded or task.uncancel() > 0:
                        raise
                    log.info("a newer command of user %s ended a pending panel read", key)
                except Exception:
                    self._finished(update)  # handling it again would fail the same way
                    raise
                finally:
                    self._active -= 1
                self._finished(update)
        finally:
            if not started:
                self._waiting -= 1
                # Cancelled before running: close it so it is not reported as never awaited.
                close = getattr(coroutine, "close", None)
                if close is not None:
                    close()
            run.done = True
            run.quiet.set()
            self._leave(queue, run)
            _CURRENT.reset(token)
            self._pump(queue)
            if queue.idle and self._queues.get(key) is queue:
                del self._queues[key]

    def _finished(self, update: object) -> None:
        if self._handled is None:
            return
        try:
            self._handled(update)
        except Exception:
            log.exception("could not record a handled update")

    @staticmethod
    def _leave(queue: _UserQueue, run: _Run) -> None:
        for line in (queue.running, queue.ordinary, queue.instants):
            if run in line:
                line.remove(run)
                return

    def _pump(self, queue: _UserQueue) -> None:
        """Start whatever may start now; called after every change of the user's state."""
        while queue.instants:
            head = queue.instants[0]
            # What the head may not run beside: local work (replies stay in order), and for
            # an INTERRUPT any read, which it ends instead.
            blockers = [
                r
                for r in queue.running
                if not (r.in_panel_call and (head.lane is Lane.SIDE or r.writes > 0))
            ]
            if not blockers:
                queue.instants.popleft()
                queue.running.append(head)
                _grant(head)
                continue
            if head.lane is Lane.INTERRUPT:
                for run in blockers:
                    if run.abandonable and not run.superseded:
                        # Lands where the run waits, inside the read: no write can have begun.
                        run.superseded = True
                        run.task.cancel()
            break
        if not queue.running and not queue.instants and queue.ordinary:
            head = queue.ordinary.popleft()
            queue.running.append(head)
            _grant(head)

    # --------------------------------------------------------------------- panel calls

    @contextmanager
    def panel_call(self, action: str, *, idempotent: bool) -> Iterator[None]:
        """`CallObserver`: marks the current update as waiting on the panel while the call runs."""
        run = _CURRENT.get()
        if run is None or run.done or self._queues.get(run.key) is not run.queue:
            yield  # not an update of ours (a job, the poller, a test)
            return
        if idempotent:
            run.reads += 1
        else:
            run.writes += 1
            run.wrote = True
        run.quiet.clear()
        self._start_heartbeat(run)
        self._pump(run.queue)
        try:
            yield
        finally:
            if idempotent:
                run.reads -= 1
            else:
                run.writes -= 1
            if not run.in_panel_call:
                run.quiet.set()
            self._pump(run.queue)

    def _start_heartbeat(self, run: _Run) -> None:
        if self._signal is None or run.chat_id is None:
            return
        if run.heartbeat is not None and not run.heartbeat.done():
            return
        task = asyncio.get_running_loop().create_task(self._heartbeat(run, self._signal))
        run.heartbeat = task
        self._heartbeats.add(task)
        task.add_done_callback(self._heartbeats.discard)

    async def _heartbeat(self, run: _Run, signal: Signal) -> None:
        loop = asyncio.get_running_loop()
        chat_id = run.chat_id
        assert chat_id is not None
        while True:
            due = max(run.arrived + self._first_signal, run.last_signal + self._signal_every)
            delay = due - loop.time()
            if delay > 0:
                try:
                    async with asyncio.timeout(delay):
                        await run.quiet.wait()
                except TimeoutError:
                    pass
            if run.done or not run.in_panel_call:
                return
            if loop.time() < due:
                continue  # the call ended and another began: keep the rhythm
            run.last_signal = loop.time()
            try:
                await signal(chat_id)
            except Exception as exc:
                # Cosmetic: the answer itself matters, and it has its own error handling.
                log.debug("could not show the typing action: %s", exc)


def _grant(run: _Run) -> None:
    if not run.granted.done():
        run.granted.set_result(None)


def _chat_id(update: object) -> int | None:
    if isinstance(update, Update) and update.effective_chat is not None:
        return int(update.effective_chat.id)
    return None
