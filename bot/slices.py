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
from collections.abc import Generator
from typing import TypeVar

R = TypeVar("R")

# Work that yields None at its checkpoints and returns its result.
Steps = Generator[None, None, R]

# The longest one slice holds the event loop: issue 19 asks for no slice over 50 ms, and a loaded
# machine stretches a slice between two clock readings.
SLICE_SECONDS = 0.02


async def run_sliced(steps: Steps[R], *, slice_seconds: float = SLICE_SECONDS) -> R:
    """The result of `steps`, yielding to the event loop whenever a slice has run
    `slice_seconds` (looked at on each checkpoint; 0 yields at every one)."""
    started = time.perf_counter()
    while True:
        try:
            next(steps)
        except StopIteration as done:
            result: R = done.value
            return result
        if time.perf_counter() - started >= slice_seconds:
            await asyncio.sleep(0)
            started = time.perf_counter()


def run_whole(steps: Steps[R]) -> R:
    """The result of `steps`, run to the end without yielding."""
    try:
        while True:
            next(steps)
    except StopIteration as done:
        whole: R = done.value
    return whole
