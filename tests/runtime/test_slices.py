"""Sliced work takes turns with everything else on the event loop (issue 19 item 5).

Counted in loop events, never in time: each step of the works below is one slice (a zero
`slice_seconds`), and the log says what ran in which order. Before the queue, a slice's task
woke at the front of the loop's next turn, before the timers that came due meanwhile, and
several works ran their slices back to back in one turn: five catalogs being indexed held a
timer for ten slices.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable

import pytest

from bot.memory import freeze_startup_heap
from bot.slices import SliceQueue, Steps, run_sliced


def _work(name: str, log: list[str], slices: int) -> Steps[str]:
    for _ in range(slices):
        log.append(name)
        yield
    return name


def _ticker(log: list[str]) -> Callable[[], None]:
    """A timer that fires as soon as the loop lets it, again and again, logging each time."""
    loop = asyncio.get_running_loop()

    def tick() -> None:
        log.append("timer")
        handle[0] = loop.call_later(0, tick)

    handle = [loop.call_later(0, tick)]
    return lambda: handle[0].cancel()


def _task_ticker(log: list[str]) -> Callable[[], None]:
    """A task that waits on a timer again and again, logging each time it runs: the timer's
    callback only wakes it, so it runs one turn after the timer came due (what a task's
    `asyncio.sleep` or a socket's read does)."""
    loop = asyncio.get_running_loop()

    async def tick() -> None:
        while True:
            woken = loop.create_future()
            loop.call_later(0, woken.set_result, None)
            await woken
            log.append("timer")

    task = loop.create_task(tick())

    def stop() -> None:
        task.cancel()

    return stop


def _slice_runs(log: list[str]) -> list[int]:
    """How many slices ran back to back, for each run of slices in the log."""
    runs, current = [], 0
    for entry in log:
        if entry == "timer":
            if current:
                runs.append(current)
            current = 0
        else:
            current += 1
    return [*runs, current] if current else runs


@pytest.mark.parametrize("ticker", ["timer", "task"])
async def test_a_timer_runs_between_any_two_slices_of_several_works(ticker: str) -> None:
    log: list[str] = []
    queue = SliceQueue()
    # A timer's callback, or a task the timer wakes (as `asyncio.sleep` or a socket does).
    stop = _ticker(log) if ticker == "timer" else _task_ticker(log)
    try:
        works = [_work(name, log, 20) for name in "ABCDE"]
        done = await asyncio.gather(*(run_sliced(w, slice_seconds=0, queue=queue) for w in works))
    finally:
        stop()
    assert done == list("ABCDE")
    assert sum(_slice_runs(log)) == 5 * 20
    # Never two slices without the timer between them, whichever works they belong to.
    assert set(_slice_runs(log)) == {1}, log[:40]
    # Every work got its turns all along (first come, first served), not one after the other.
    first_half = log[: len(log) // 2]
    assert all(first_half.count(name) >= 5 for name in "ABCDE"), first_half


async def test_one_work_alone_lets_the_timer_in_after_each_slice() -> None:
    log: list[str] = []
    stop = _ticker(log)
    try:
        assert await run_sliced(_work("A", log, 30), slice_seconds=0) == "A"
    finally:
        stop()
    assert set(_slice_runs(log)) == {1}, log[:40]


@pytest.mark.parametrize("ticker", ["timer", "task"])
async def test_the_callers_own_work_after_the_result_is_not_added_to_the_last_slice(
    ticker: str,
) -> None:
    log: list[str] = []

    def work() -> Steps[str]:
        yield
        log.append("last slice")
        return "A"

    stop = _ticker(log) if ticker == "timer" else _task_ticker(log)
    try:
        assert await run_sliced(work(), slice_seconds=0) == "A"
        log.append("caller")
    finally:
        stop()
    after_last = log[log.index("last slice") + 1 : log.index("caller")]
    assert "timer" in after_last, log


async def test_a_failing_work_passes_its_turn_on() -> None:
    queue = SliceQueue()

    def failing() -> Steps[str]:
        yield
        raise ValueError("bad row")

    log: list[str] = []
    results = await asyncio.gather(
        run_sliced(failing(), slice_seconds=0, queue=queue),
        run_sliced(_work("B", log, 5), slice_seconds=0, queue=queue),
        return_exceptions=True,
    )
    assert isinstance(results[0], ValueError) and results[1] == "B"


async def test_a_work_cancelled_while_waiting_for_its_turn_blocks_nobody() -> None:
    queue = SliceQueue()
    log: list[str] = []
    third_slice = asyncio.Event()

    def work_b() -> Steps[str]:
        for n in range(50):
            if n == 2:
                third_slice.set()
            yield
        return "B"

    first = asyncio.create_task(run_sliced(_work("A", log, 50), slice_seconds=0, queue=queue))
    second = asyncio.create_task(run_sliced(work_b(), slice_seconds=0, queue=queue))
    await asyncio.wait_for(third_slice.wait(), timeout=30)
    second.cancel()
    # The next slice of "A" comes whether "B" was waiting for its turn or had just been given it.
    assert await asyncio.wait_for(first, timeout=30) == "A"
    with pytest.raises(asyncio.CancelledError):
        await second
    assert await run_sliced(_work("C", log, 3), slice_seconds=0, queue=queue) == "C"


def test_start_ups_objects_are_left_out_of_later_collections() -> None:
    kept = [[n] for n in range(10)]  # lists: objects the collector tracks
    try:
        frozen = freeze_startup_heap()
        # Still tracked, but in no generation a collection looks at.
        assert frozen == gc.get_freeze_count()
        looked_at = {id(o) for o in gc.get_objects()}
        assert all(gc.is_tracked(o) and id(o) not in looked_at for o in kept)
    finally:
        gc.unfreeze()
    looked_at = {id(o) for o in gc.get_objects()}
    assert all(id(o) in looked_at for o in kept)
    freeze_startup_heap()  # what the run froze after collection (tests/conftest.py), again
