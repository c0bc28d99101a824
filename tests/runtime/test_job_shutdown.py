"""Stopping the bot while a job runs: the running job is waited for, no new one starts, and
nothing is cancelled mid-way (apscheduler would log an ERROR traceback for each; the soak
run's "no unhandled exceptions" invariant caught one at a restart)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from tests.harness import Harness

SLOW_SECONDS = 0.5


async def test_a_stop_during_a_long_job_cancels_no_job(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    app = bot.app
    assert app is not None and app.job_queue is not None
    long_job_running = asyncio.Event()
    finished: list[str] = []

    async def long_job(context: Any) -> None:
        long_job_running.set()
        await asyncio.sleep(SLOW_SECONDS)
        finished.append("long")

    async def frequent_job(context: Any) -> None:
        # Starts every 20 ms and takes 100 ms: while the long one is waited for, several of
        # these would start, and the queue's shutdown would cancel them.
        await asyncio.sleep(0.1)
        finished.append("frequent")

    app.job_queue.run_once(long_job, 0)
    app.job_queue.run_repeating(
        frequent_job, interval=0.02, first=0, job_kwargs={"max_instances": 50}
    )
    await asyncio.wait_for(long_job_running.wait(), 30)

    with caplog.at_level(logging.ERROR):
        await bot.stop()

    assert "long" in finished
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
