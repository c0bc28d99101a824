"""The fetched-updates file (bot/fetched.py): what a killed process leaves to handle first."""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import threading
from pathlib import Path
from typing import Any

import pytest

from bot.fetched import COMPACT_BYTES, FetchedUpdates, updates_path
from tests.loop_turns import other_task_turns
from tests.slow_disk import HOLD_LIMIT_SECONDS, SlowDisk


def update(update_id: int, text: str = "/help") -> dict[str, Any]:
    return {"update_id": update_id, "message": {"message_id": update_id, "text": text}}


async def kept_ids(path: Path) -> list[int]:
    """What a restarted process would handle first."""
    restarted = FetchedUpdates(path)
    try:
        return [u["update_id"] for u in (await restarted.load()).updates]
    finally:
        await restarted.aclose()


async def first_batch_held(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[SlowDisk, FetchedUpdates, asyncio.Task[None]]:
    """A new file whose first batch (update 1) is being kept, its fsync held until
    `disk.release`: later batches wait for the next write."""
    disk = SlowDisk()
    monkeypatch.setattr(os, "fsync", disk.fsync)
    fetched = FetchedUpdates(path)
    first = asyncio.create_task(fetched.fetched([update(1)]))
    await disk.begun()
    return disk, fetched, first


async def past_the_rewrite_size(fetched: FetchedUpdates) -> range:
    """Keeps a batch that makes the file big enough to be rewritten once all of it is handled;
    its ids."""
    ids = range(1, COMPACT_BYTES // 1000 + 2)
    await fetched.fetched([update(n, "x" * 1000) for n in ids])
    return ids


async def test_unhandled_updates_come_back_in_order_after_a_kill(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3.updates"
    first = FetchedUpdates(path)
    assert (await first.load()).updates == [] and (await first.load()).last_id is None
    await first.fetched([update(7), update(8, "Confirm")])
    await first.fetched([update(9)])
    first.handled(7)
    first.handled(9)
    await first.aclose()  # the done lines are written (not synced)
    # killed here: 8 was fetched (and confirmed by the next poll) but never finished
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    second = FetchedUpdates(path)
    unfinished = await second.load()
    assert [u["update_id"] for u in unfinished.updates] == [8]
    assert unfinished.updates[0]["message"]["text"] == "Confirm"
    assert unfinished.last_id == 9
    second.handled(8)
    await second.aclose()
    third = await FetchedUpdates(path).load()
    assert third.updates == [] and third.last_id == 9  # polling resumes after 9


async def test_a_torn_last_line_is_skipped_and_the_next_append_stays_whole(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bot.sqlite3.updates"
    fetched = FetchedUpdates(path)
    await fetched.fetched([update(1)])
    with path.open("a", encoding="utf-8") as file:
        file.write('{"update": {"update_id": 2, "mess')  # killed mid-write
    await fetched.fetched([update(3)])
    unfinished = await FetchedUpdates(path).load()
    assert [u["update_id"] for u in unfinished.updates] == [1, 3]
    await fetched.aclose()


async def test_the_file_is_rewritten_short_once_nothing_is_pending(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3.updates"
    fetched = FetchedUpdates(path)
    ids = await past_the_rewrite_size(fetched)
    for n in ids:
        fetched.handled(n)
    await fetched.aclose()
    assert path.stat().st_size < 100
    assert (await FetchedUpdates(path).load()).last_id == ids[-1]


def test_no_file_for_an_in_memory_database() -> None:
    assert updates_path(":memory:") is None
    assert updates_path("data/bot.sqlite3") == Path("data/bot.sqlite3.updates")


async def test_updates_taken_in_before_the_load_are_not_handled_twice(tmp_path: Path) -> None:
    """A webhook answers while start-up still runs: those updates are already queued."""
    path = tmp_path / "bot.sqlite3.updates"
    killed = FetchedUpdates(path)
    await killed.fetched([update(3)])  # a killed process left 3 unfinished
    await killed.aclose()
    restarted = FetchedUpdates(path)
    await restarted.fetched([update(5)])  # received before the load, on its way through the queue
    assert [u["update_id"] for u in (await restarted.load()).updates] == [3]
    restarted.handled(5)
    restarted.handled(3)
    await restarted.aclose()
    assert (await FetchedUpdates(path).load()).updates == []


async def test_a_batch_is_made_durable_off_the_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An fsync on a busy disk takes as long as the disk likes: the loop (every other user)
    goes on meanwhile, and the caller (the next getUpdates, the answer to a webhook POST)
    waits until the batch is on the disk."""
    disk = SlowDisk()
    monkeypatch.setattr(os, "fsync", disk.fsync)
    path = tmp_path / "bot.sqlite3.updates"
    fetched = FetchedUpdates(path)
    async with other_task_turns() as turns:
        keeping = asyncio.create_task(fetched.fetched([update(1)]))
        await disk.begun()
        held_at = turns.count
        for _ in range(100):
            await asyncio.sleep(0)
        assert turns.count >= held_at + 100  # another user's task turned at every yield
        assert not keeping.done()  # not durable yet: the caller still waits
        disk.release.set()
        await asyncio.wait_for(keeping, HOLD_LIMIT_SECONDS)
    assert disk.on_loop == 0 and disk.off_loop == 1
    assert await kept_ids(path) == [1]
    await fetched.aclose()


async def test_an_append_in_flight_keeps_a_rewrite_from_dropping_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last earlier update is handled while the next batch is being written: the file
    is big and that batch not yet on the disk. A rewrite then (to nothing pending) would lose
    the batch, whether it replaced the file before the append or after it."""
    path = tmp_path / "bot.sqlite3.updates"
    fetched = FetchedUpdates(path)
    big = await past_the_rewrite_size(fetched)
    disk = SlowDisk()
    monkeypatch.setattr(os, "fsync", disk.fsync)
    keeping = asyncio.create_task(fetched.fetched([update(100, "Confirm")]))
    await disk.begun()  # the batch is written, its fsync held
    for n in big:
        fetched.handled(n)
    disk.release.set()
    await asyncio.wait_for(keeping, HOLD_LIMIT_SECONDS)
    await fetched.aclose()
    assert await kept_ids(path) == [100]


async def test_a_batch_asked_for_during_a_rewrite_goes_to_the_new_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rewrite is on its way (its fsync held) when the next batch comes: the batch is
    appended once the new file replaced the old one, not to the old one."""
    path = tmp_path / "bot.sqlite3.updates"
    fetched = FetchedUpdates(path)
    big = await past_the_rewrite_size(fetched)
    disk = SlowDisk()
    monkeypatch.setattr(os, "fsync", disk.fsync)
    for n in big:
        fetched.handled(n)
    await disk.begun()  # the rewrite's new file is written, its fsync held
    keeping = asyncio.create_task(fetched.fetched([update(100, "Confirm")]))
    await asyncio.sleep(0)
    disk.release.set()
    await asyncio.wait_for(keeping, HOLD_LIMIT_SECONDS)
    await fetched.aclose()
    assert disk.on_loop == 0 and disk.off_loop == 2  # the rewrite's, the batch's
    assert path.stat().st_size < COMPACT_BYTES  # rewritten short
    assert await kept_ids(path) == [100]


async def test_a_full_disk_is_logged_and_the_updates_still_go_through(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    fetched = FetchedUpdates(blocked / "bot.sqlite3.updates")
    with caplog.at_level(logging.WARNING, logger="bot.fetched"):
        await fetched.fetched([update(1)])  # no exception: the update is handled all the same
        fetched.handled(1)  # nothing pending: nothing to mark
        await fetched.aclose()
    assert [r.levelname for r in caplog.records] == ["ERROR"]
    assert "could not keep fetched updates" in caplog.records[0].getMessage()


async def test_after_aclose_the_work_is_done_on_the_callers_thread(tmp_path: Path) -> None:
    """A handler that finishes after the close (none should) still writes its done line."""
    path = tmp_path / "bot.sqlite3.updates"
    fetched = FetchedUpdates(path)
    before = set(threading.enumerate())
    await fetched.fetched([update(1), update(2)])
    workers = [t for t in set(threading.enumerate()) - before if t.name.startswith("fetched")]
    assert workers  # the file's own thread
    await fetched.aclose()
    for worker in workers:
        worker.join(HOLD_LIMIT_SECONDS)
        assert not worker.is_alive()  # ended by the close
    fetched.handled(1)
    assert '{"done": 1}' in path.read_text()  # written before `handled` returned: this thread
    assert await kept_ids(path) == [2]


async def test_batches_asked_for_during_a_write_are_kept_together_with_one_fsync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram posts up to 40 webhook updates at once: the answer to each waits for its own
    line on the disk, not for the fsyncs of all those before it, one by one."""
    path = tmp_path / "bot.sqlite3.updates"
    disk, fetched, first = await first_batch_held(path, monkeypatch)
    more = [asyncio.create_task(fetched.fetched([update(n)])) for n in range(2, 7)]
    await asyncio.sleep(0)  # each has asked for its write
    more[0].cancel()  # one stops waiting (a stopping poller): the others' write goes on
    disk.release.set()
    await asyncio.wait_for(asyncio.gather(first, *more[1:]), HOLD_LIMIT_SECONDS)
    assert more[0].cancelled()
    await fetched.aclose()
    assert disk.on_loop == 0 and disk.off_loop == 2  # the first batch's, then the others'
    # The cancelled one's line went with the others: at worst handled at a restart, at least once.
    assert await kept_ids(path) == [1, 2, 3, 4, 5, 6]


async def test_a_handler_finishing_during_the_load_keeps_what_the_load_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A webhook update taken in at start-up is handled while the load of a killed process's
    big file is on its way: its updates are not pending yet, but a rewrite to nothing pending
    then would leave them in memory only, lost at the next crash."""
    path = tmp_path / "bot.sqlite3.updates"
    killed = FetchedUpdates(path)
    left = await past_the_rewrite_size(killed)
    await killed.aclose()
    restarted = FetchedUpdates(path)
    await restarted.fetched([update(500)])  # taken in before start-up's load
    disk = SlowDisk()
    monkeypatch.setattr(os, "fsync", disk.fsync)
    loading = asyncio.create_task(restarted.load())
    await disk.begun()  # the load's rewrite is written, its fsync held
    restarted.handled(500)
    disk.release.set()
    unhandled = await asyncio.wait_for(loading, HOLD_LIMIT_SECONDS)
    assert [u["update_id"] for u in unhandled.updates] == list(left)
    await restarted.aclose()
    assert await kept_ids(path) == list(left)  # killed again before handling them


async def test_an_update_with_a_lone_surrogate_is_kept_and_fails_no_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """JSON can carry half of a surrogate pair ("\\ud83d"), which UTF-8 cannot write: that
    update is kept escaped, and the updates written beside it in the same fsync are kept too."""
    path = tmp_path / "bot.sqlite3.updates"
    disk, fetched, first = await first_batch_held(path, monkeypatch)
    odd = asyncio.create_task(fetched.fetched([update(2, "half \ud83d")]))
    plain = asyncio.create_task(fetched.fetched([update(3, "çok güzel")]))
    await asyncio.sleep(0)  # both wait for the same write, after the first
    disk.release.set()
    await asyncio.wait_for(asyncio.gather(first, odd, plain), HOLD_LIMIT_SECONDS)
    await fetched.aclose()
    restarted = FetchedUpdates(path)
    texts = [u["message"]["text"] for u in (await restarted.load()).updates]
    await restarted.aclose()
    assert texts == ["/help", "half \ud83d", "çok güzel"]
    assert "çok güzel" in path.read_text(encoding="utf-8")  # others stay readable UTF-8
