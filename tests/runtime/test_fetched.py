"""The fetched-updates file (bot/fetched.py): what a killed process leaves to handle first."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

from bot.fetched import COMPACT_BYTES, FetchedUpdates, updates_path


def update(update_id: int, text: str = "/help") -> dict[str, Any]:
    return {"update_id": update_id, "message": {"message_id": update_id, "text": text}}


def test_unhandled_updates_come_back_in_order_after_a_kill(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3.updates"
    first = FetchedUpdates(path)
    assert first.load().updates == [] and first.load().last_id is None
    first.fetched([update(7), update(8, "Confirm")])
    first.fetched([update(9)])
    first.handled(7)
    first.handled(9)
    # killed here: 8 was fetched (and confirmed by the next poll) but never finished
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    second = FetchedUpdates(path)
    unfinished = second.load()
    assert [u["update_id"] for u in unfinished.updates] == [8]
    assert unfinished.updates[0]["message"]["text"] == "Confirm"
    assert unfinished.last_id == 9
    second.handled(8)
    third = FetchedUpdates(path).load()
    assert third.updates == [] and third.last_id == 9  # polling resumes after 9


def test_a_torn_last_line_is_skipped_and_the_next_append_stays_whole(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3.updates"
    fetched = FetchedUpdates(path)
    fetched.fetched([update(1)])
    with path.open("a", encoding="utf-8") as file:
        file.write('{"update": {"update_id": 2, "mess')  # killed mid-write
    fetched.fetched([update(3)])
    unfinished = FetchedUpdates(path).load()
    assert [u["update_id"] for u in unfinished.updates] == [1, 3]


def test_the_file_is_rewritten_short_once_nothing_is_pending(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3.updates"
    fetched = FetchedUpdates(path)
    ids = range(1, COMPACT_BYTES // 1000 + 2)
    fetched.fetched([update(n, "x" * 1000) for n in ids])
    for n in ids:
        fetched.handled(n)
    assert path.stat().st_size < 100
    assert FetchedUpdates(path).load().last_id == ids[-1]


def test_no_file_for_an_in_memory_database() -> None:
    assert updates_path(":memory:") is None
    assert updates_path("data/bot.sqlite3") == Path("data/bot.sqlite3.updates")


def test_updates_taken_in_before_the_load_are_not_handled_twice(tmp_path: Path) -> None:
    """A webhook answers while start-up still runs: those updates are already queued."""
    path = tmp_path / "bot.sqlite3.updates"
    FetchedUpdates(path).fetched([update(3)])  # a killed process left 3 unfinished
    restarted = FetchedUpdates(path)
    restarted.fetched([update(5)])  # received before the load, on its way through the queue
    assert [u["update_id"] for u in restarted.load().updates] == [3]
    restarted.handled(5)
    restarted.handled(3)
    assert FetchedUpdates(path).load().updates == []
