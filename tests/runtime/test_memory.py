"""The memory trim: glibc's malloc_trim called from a repeating job, a no-op elsewhere."""

from __future__ import annotations

import gc

import pytest

from bot.jobs import TRIM_JOB
from bot.memory import TRIM_SECONDS, MemoryTrimmer, find_malloc_trim
from tests.harness import Harness

GLIBC = find_malloc_trim() is not None


def _rss_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_trim_calls_the_allocator_with_no_padding() -> None:
    calls: list[int] = []

    def malloc_trim(pad: int) -> int:
        calls.append(pad)
        return 1

    trimmer = MemoryTrimmer(malloc_trim)
    assert trimmer.available
    assert trimmer.trim() is True
    assert calls == [0]


def test_without_malloc_trim_nothing_is_called() -> None:
    trimmer = MemoryTrimmer(None)
    assert not trimmer.available
    assert trimmer.trim() is False


@pytest.mark.skipif(not GLIBC, reason="malloc_trim exists only in glibc")
def test_free_memory_kept_by_the_allocator_is_released() -> None:
    # 1 KiB buffers come from malloc, not CPython's small-object allocator. Keeping every 16th
    # alive pins the heap's top, so freeing the rest returns nothing until malloc_trim runs.
    blocks = [bytearray(1024) for _ in range(64 * 1024)]
    kept = blocks[::16]
    del blocks
    gc.collect()
    before = _rss_kb()
    assert MemoryTrimmer(find_malloc_trim()).trim() is True
    after = _rss_kb()
    assert before - after > 16 * 1024, (before, after)
    assert len(kept) == 4096


@pytest.mark.skipif(not GLIBC, reason="the trim job is scheduled only where malloc_trim exists")
async def test_the_running_bot_trims_every_minute(bot: Harness) -> None:
    assert bot.app is not None and bot.app.job_queue is not None
    jobs = bot.app.job_queue.get_jobs_by_name(TRIM_JOB)
    assert len(jobs) == 1
    trigger = jobs[0].job.trigger
    assert trigger.interval.total_seconds() == TRIM_SECONDS
