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


def _jobs_on_a_closed_storage() -> Jobs:
    closed = cast(Any, _ClosedStorage())
    none = cast(Any, None)
    return Jobs(app=none, poller=none, notifier=none, schedules=closed, prices=closed)


@pytest.mark.parametrize(
    ("run", "empty", "words"),
    [
        (Jobs.run_schedules, Tick(), "scheduled orders"),
        (Jobs.watch_prices, WatchReport(), "price watch"),
    ],
    ids=["scheduled-orders-tick", "price-watch-cycle"],
)
async def test_a_failed_run_is_one_warning_and_an_empty_result(
    caplog: pytest.LogCaptureFixture, run: Any, empty: object, words: str
) -> None:
    jobs = _jobs_on_a_closed_storage()
    with caplog.at_level(logging.WARNING, logger="bot.jobs"):
        result = await run(jobs)
    assert result == empty
    [record] = [r for r in caplog.records if r.name == "bot.jobs"]
    assert words in record.getMessage() and "the next one retries" in record.getMessage()
    assert record.exc_info is None
