"""Long pure-Python work on the event loop, in slices that let other tasks run (issue 19 item 5).

A worker thread does not help with such work: it holds the GIL in 5 ms turns, and every time the
event loop wants it back (after each socket call) it waits a turn, so a busy thread makes every
other user's reply slow. Instead the work is written as a generator that yields at checkpoints
(`Steps`), and `run_sliced` runs it on the loop, giving other tasks a turn whenever a slice has
run `slice_seconds`; `run_whole` runs the same steps at once where nobody waits.

Neutral ground (no Telegram, no SQL, no HTTP): the panel's decoder and the catalog index share it.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Generator
from typing import TypeVar, cast

R = TypeVar("R")

# Work that yields None at its checkpoints and returns its result.
Steps = Generator[None, None, R]

# The longest one slice holds the event loop: issue 19 asks for no slice over 50 ms, and a loaded
# machine stretches a slice between two clock readings.
SLICE_SECONDS = 0.01


class SliceQueue:
    """The turns of all sliced work of one application: one slice per turn of the event loop.

    Yielding with `asyncio.sleep(0)` alone is not enough: the task's wake-up goes to the front
    of the loop's next turn, before the I/O and timers that came due during the slice, so those
    waited two slices; and several sliced works (five panels' catalogs) ran their slices one
    after the other in the same turn, so they waited five times two (80-200 ms seen). Here a
    finished slice hands the next one over with `call_soon`, whose callback runs at the start of
    a later turn and wakes the next slice's task for the turn after: between any two slices
    the loop runs the callbacks that came due and the tasks they woke. The application makes
    one queue and hands it to all its sliced work (the decoder, the catalog cache); work given
    none makes its own.
    """

    def __init__(self) -> None:
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._busy = False

    def __repr__(self) -> str:
        return f"SliceQueue(busy={self._busy}, waiting={len(self._waiting)})"

    async def turn(self) -> None:
        """Wait for this task's turn to run one slice; `done()` must follow it."""
        if not self._busy and not self._waiting:
            self._busy = True
            return
        turn = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            # Cancelled after being handed the turn: pass it on, or nobody ever runs again.
            if turn.done() and not turn.cancelled():
                self.done()
            raise

    def done(self) -> None:
        """The slice is over: the next one runs after the loop's next two turns."""
        asyncio.get_running_loop().call_soon(self._pass_on)

    def _pass_on(self) -> None:
        # One turn more before the hand-over: a task whose timer or socket became ready during
        # the slice is woken in the turn after it (the timer's callback only schedules the
        # task's step), and handing over now would put the next slice's step before that task's
        # in the same turn, so it waited a second slice (benchmarks.loop_probe's tick: ~45 ms).
        asyncio.get_running_loop().call_soon(self._hand_over)

    def _hand_over(self) -> None:
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        self._busy = False


async def run_sliced(
    steps: Steps[R], *, slice_seconds: float = SLICE_SECONDS, queue: SliceQueue | None = None
) -> R:
    """The result of `steps`, run in slices of `slice_seconds` (looked at on each checkpoint;
    0 runs one checkpoint per slice), each in its turn of `queue` (a private one by default)."""
    queue = SliceQueue() if queue is None else queue
    while True:
        await queue.turn()
        try:
            finished, result = _one_slice(steps, slice_seconds)
        finally:
            queue.done()
        if finished:
            # One more turn before the caller goes on: what it does with the result (storing an
            # index, freeing the one it evicts, rendering a reply) is a step of its own, not
            # added to the last slice's (10 + 15 ms seen in one stall).
            await queue.turn()
            queue.done()
            return cast(R, result)


def _one_slice(steps: Steps[R], slice_seconds: float) -> tuple[bool, R | None]:
    """Run `steps` for `slice_seconds`: (True, its result) when it ended, else (False, None)."""
    started = time.perf_counter()
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return True, done.value
        if time.perf_counter() - started >= slice_seconds:
            return False, None


def run_whole(steps: Steps[R]) -> R:
    """The result of `steps`, run to the end without yielding."""
    try:
        while True:
            next(steps)
    except StopIteration as done:
        whole: R = done.value
    return whole
