"""`python -m bot` with a probe of its event loop: how long the loop was held, and by which
garbage collections (issue 19 item 5).

    LOOP_PROBE_FILE=/tmp/probe.jsonl python -m benchmarks.loop_probe

Run instead of `python -m bot` by a benchmark (`BotProcess(..., probe=path)`). A task on the
bot's own loop ticks every `TICK` seconds; each tick that came more than `REPORT_OVER` late is
written as one JSON line `{"at": <monotonic>, "stall": <seconds>}`, and each garbage collection
that took as long as `{"at": ..., "gc": <seconds>, "generation": n}`. `at` is
`time.monotonic()`, the one clock of the machine, so the benchmark can keep the events of its own
window. The probe itself costs a wake-up every tick, nothing else.
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
        asyncio.set_event_loop_policy(_ProbedPolicy(probe))
        return bot_main()


if __name__ == "__main__":
    sys.exit(main())
