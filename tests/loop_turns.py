"""Counting the turns the event loop gives another task while some work runs: work that yields
between its slices (bot/slices.py) lets that task run, work that holds the loop does not."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass


@dataclass
class Turns:
    count: int = 0


@asynccontextmanager
async def other_task_turns() -> AsyncIterator[Turns]:
    """How many turns another task got while the body ran."""
    turns = Turns()

    async def other_user() -> None:
        while True:
            turns.count += 1
            await asyncio.sleep(0)

    running = asyncio.create_task(other_user())
    await asyncio.sleep(0)
    turns.count = 0
    try:
        yield turns
    finally:
        running.cancel()
