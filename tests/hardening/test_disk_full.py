"""Issue 19 item 10 on a disk that is really full (a small tmpfs, where the test may mount one).

The disk fills after the claim, while the panel places a 150-line bulk: SQLite refuses the
outcomes and the journal's append meets ENOSPC too, so the journal gives up its reserve for
them. The process then stops before the database took them; the disk is freed and the bot
started again: start-up imports the journal, and `/orders` lists all 150 with their ids.
"""

from __future__ import annotations

import errno
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.steps import text_of
from tests.hardening.steps import (
    GENERIC,
    KEY,
    LINES,
    assert_orders_list_every_id,
    confirm_bulk_on_a_slow_panel,
    result_and_notices,
)
from tests.harness import running_bot

DISK_BYTES = 16 * 1024 * 1024


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MB tmpfs of the test's own (needs the right to mount, as root in CI containers)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_BYTES}", "tmpfs", str(disk)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path) -> Path:
    """Write a file until the disk has no room left; returns it (delete it to free the disk)."""
    filler = disk / "filler"
    block = b"\0" * 65536
    with filler.open("wb", buffering=0) as file:
        while True:
            try:
                file.write(block)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
                break
        while True:  # the last few bytes too
            try:
                file.write(b"\0" * 512)
            except OSError:
                return filler


async def test_full_disk_bulk_survives_a_stop_and_orders_list_every_id(
    tmp_path: Path, small_disk: Path
) -> None:
    # The default import period: nothing is imported before the stop.
    settings = {"database_path": small_disk / "bot.sqlite3", "database_busy_seconds": 1.0}
    async with running_bot(tmp_path, **settings) as bot:
        journal = small_disk / "bot.sqlite3.journal"
        assert (small_disk / "bot.sqlite3.journal.reserve").exists()  # set aside at start-up
        u = await confirm_bulk_on_a_slow_panel(bot)
        filler = fill(small_disk)
        result, told = await result_and_notices(u)
        placed = sorted(o.id for o in bot.panel.orders.values() if o.key == KEY)
        assert len(placed) == LINES and f"{LINES} placed" in text_of(result)
        assert all(f"#{pid}" in told for pid in placed)
        assert "kept in a journal" in told, told
        assert len(journal.read_text(encoding="utf-8").splitlines()) == LINES
        assert bot.deps.placements.held == 0

        # The process goes down before the database took them; the disk is freed; it starts.
        filler.unlink()
        await bot.restart()
        assert not journal.exists()
        await assert_orders_list_every_id(bot, u, placed)
        assert len(bot.panel.orders) == LINES  # nothing was placed twice
        assert not any(GENERIC in t for t in u.sent_texts()), u.sent_texts()
