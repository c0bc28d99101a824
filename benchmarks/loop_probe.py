"""`python -m bot` with a probe of its event loop: how long the loop was held, and by which
garbage collections (issue 19 item 5).

    LOOP_PROBE_FILE=/tmp/probe.jsonl python -m benchmarks.loop_probe

Run instead of `python -m bot` by a benchmark (`BotProcess(..., probe=path)`). A task on the
bot's own loop ticks every `TICK` seconds; each tick that came more than `REPORT_OVER` late is
written as one JSON line `{"at": <monotonic>, "stall": <seconds>}`, and each garbage collection
that took as long as `{"at": ..., "gc": <seconds>, "generation": n}`. `at` is
`time.monotonic()`, the one clock of the machine, so the benchmark can keep the events of its own
window. The probe itself costs a wake-up every tick, nothing else.

With `LOOP_PROBE_STEPS_MS=n` it also times every callback the loop runs (a task's step, a timer, a
socket's read) and writes each that took `n` ms of the loop thread's CPU or more as
`{"at": ..., "step": <cpu seconds>, "wall": <seconds>, "where": "<task's awaits>"}`: what a stall
was made of, which the ticks alone cannot say. That costs two clock readings a callback.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sys
import time
from typing import IO, Any

TICK = 0.005
# Lateness written down; smaller ones are the timer's own jitter.
REPORT_OVER = 0.005


class _Probe:
    def __init__(self, out: IO[str]) -> None:
        self._out = out
        self._gc_started = (0.0, 0.0)

    def write(self, **event: Any) -> None:
        self._out.write(json.dumps(event) + "\n")
        self._out.flush()

    def on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_started = (time.perf_counter(), time.thread_time())
            return
        took = time.perf_counter() - self._gc_started[0]
        generation = info["generation"]
        # Every full collection is written: their count matters as much as their length.
        if took >= REPORT_OVER or generation == 2:
            cpu = time.thread_time() - self._gc_started[1]
            self.write(at=time.monotonic(), gc=took, cpu=cpu, generation=generation)

    async def ticks(self) -> None:
        try:
            await self._tick()
        finally:
            # What a full collection had to look at in the end (the loop is stopping).
            tracked, frozen = len(gc.get_objects()), gc.get_freeze_count()
            self.write(at=time.monotonic(), tracked=tracked, frozen=frozen)

    async def _tick(self) -> None:
        while True:
            before, cpu_before = time.perf_counter(), time.thread_time()
            await asyncio.sleep(TICK)
            late = time.perf_counter() - before - TICK
            if late >= REPORT_OVER:
                # The loop's thread's CPU time in the gap: what the bot's own code held it for,
                # apart from the time a busy machine did not run the process at all.
                cpu = time.thread_time() - cpu_before
                self.write(at=time.monotonic(), stall=late, cpu=cpu)


def _where(handle: asyncio.Handle) -> str:
    """What `handle` ran: for a task's step, the coroutines it awaits, outermost first (where
    the task stopped after the step); else the callback's name."""
    callback = getattr(handle, "_callback", None)
    task = getattr(callback, "__self__", None)
    if not isinstance(task, asyncio.Task):
        return str(getattr(callback, "__qualname__", callback))[:200]
    names: list[str] = []
    awaited: Any = task.get_coro()
    while awaited is not None and len(names) < 12:
        names.append(str(getattr(awaited, "__qualname__", type(awaited).__name__)))
        awaited = getattr(awaited, "cr_await", None) or getattr(awaited, "gi_yieldfrom", None)
    return " > ".join(names)


def _time_steps(probe: _Probe, threshold: float) -> None:
    """Write every callback of the loop that ran `threshold` seconds of CPU or more."""
    run = asyncio.events.Handle._run

    def timed(handle: asyncio.Handle) -> None:
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            run(handle)
        finally:
            used = time.thread_time() - cpu
            if used >= threshold:
                wall = time.perf_counter() - started
                probe.write(at=time.monotonic(), step=used, wall=wall, where=_where(handle))

    setattr(asyncio.events.Handle, "_run", timed)  # noqa: B010 - mypy forbids assigning a method


class _ProbedPolicy(asyncio.DefaultEventLoopPolicy):
    """Every new loop (the bot's `asyncio.run`) starts the probe's ticking task."""

    def __init__(self, probe: _Probe) -> None:
        super().__init__()
        self._probe = probe
        self._tasks: set[asyncio.Task[None]] = set()

    def new_event_loop(self) -> asyncio.AbstractEventLoop:
        loop = super().new_event_loop()
        loop.call_soon(self._start, loop)
        return loop

    def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        task = loop.create_task(self._probe.ticks())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def main() -> int:
    from bot.__main__ import main as bot_main

    with open(os.environ["LOOP_PROBE_FILE"], "a", encoding="utf-8") as out:
        probe = _Probe(out)
        gc.callbacks.append(probe.on_gc)
        steps_ms = float(os.environ.get("LOOP_PROBE_STEPS_MS") or 0)
        if steps_ms > 0:
            _time_steps(probe, steps_ms / 1000)
        asyncio.set_event_loop_policy(_ProbedPolicy(probe))
        return bot_main()


if __name__ == "__main__":
    sys.exit(main())
