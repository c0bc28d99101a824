"""The scheduled-orders job runs every second, so it meets a shutdown closing the storage: a
failed tick is one warning line, never a job traceback (seen in the process-kill test). The
price-watch job meets the same, less often."""

from __future__ import annotations

import logging
from typing import Any, cast

import pytest

from bot.jobs import Jobs
from bot.services.pricewatch import WatchReport
from bot.services.schedules import Tick


class _ClosedStorage:
    async def run_due(self) -> Tick:
        raise RuntimeError("the database is closed")

    async def run_cycle(self) -> WatchReport:
        raise RuntimeError("the database is closed")


async def test_a_failed_tick_is_one_warning_and_an_empty_tick(
    caplog: pytest.LogCaptureFixture,
) -> None:
    jobs = Jobs(
        app=cast(Any, None),
        poller=cast(Any, None),
        notifier=cast(Any, None),
        schedules=cast(Any, _ClosedStorage()),
        prices=cast(Any, None),
    )
    with caplog.at_level(logging.WARNING, logger="bot.jobs"):
        tick = await jobs.run_schedules()
    assert tick == Tick()
    [record] = [r for r in caplog.records if r.name == "bot.jobs"]
    assert "the next one retries" in record.getMessage()
    assert record.exc_info is None


async def test_a_failed_price_watch_cycle_is_one_warning_and_an_empty_report(
    caplog: pytest.LogCaptureFixture,
) -> None:
    jobs = Jobs(
        app=cast(Any, None),
        poller=cast(Any, None),
        notifier=cast(Any, None),
        schedules=cast(Any, None),
        prices=cast(Any, _ClosedStorage()),
    )
    with caplog.at_level(logging.WARNING, logger="bot.jobs"):
        report = await jobs.watch_prices()
    assert report == WatchReport()
    [record] = [r for r in caplog.records if r.name == "bot.jobs"]
    assert "price watch" in record.getMessage() and "the next one retries" in record.getMessage()
    assert record.exc_info is None
