"""Issue 19 item 10: orders placed while the database refuses writes.

A full disk refuses the database's writes and the journal's beside it; a held lock refuses the
writes only. Either way the user gets a plain answer while the fault lasts (never only
"Submitting…"), every placed id is told, and once writes are taken again one import period later
`/orders` lists every order with its panel id, without a restart.
"""

from __future__ import annotations

from pathlib import Path

from bot.storage.models import SubmitState
from tests.conftest import database_settings
from tests.e2e.steps import text_of
from tests.hardening.steps import (
    ANSWER,
    GENERIC,
    KEY,
    LINES,
    UID,
    assert_orders_list_every_id,
    confirm_bulk_on_a_slow_panel,
    journal_of,
    result_and_notices,
    single_preview,
    writer_lock,
)
from tests.harness import running_bot
from tests.pg import refuse_writes

BUSY = "cannot save anything right now"
# Small budgets so that a test waits seconds, not minutes; the defaults are 5 s and 30 s.
FAST = {"database_busy_seconds": 1.0, "journal_import_seconds": 0.5}


async def test_full_disk_bulk_ids_reach_orders_one_import_period_after_it_is_freed(
    tmp_path: Path, database: Path | str
) -> None:
    async with running_bot(tmp_path, **database_settings(database), **FAST) as bot:
        u = await confirm_bulk_on_a_slow_panel(bot)
        # The disk fills while the panel works: the database refuses every write, and the
        # journal beside it cannot be written either (a directory in its place fails every
        # append, as ENOSPC does).
        journal = journal_of(bot)
        journal.mkdir()
        db = bot.deps.storage.db
        await refuse_writes(db, True)
        result, told = await result_and_notices(u)
        placed = sorted(o.id for o in bot.panel.orders.values() if o.key == KEY)
        assert len(placed) == LINES and f"{LINES} placed" in text_of(result)
        assert all(f"#{pid}" in told for pid in placed)
        assert bot.deps.placements.held == LINES
        rows = await bot.deps.storage.orders.all_for_user(UID)
        assert {r.submit_state for r in rows} == {SubmitState.SUBMITTING}

        # The disk is freed: one import period later the rows hold the panel's ids.
        journal.rmdir()
        await refuse_writes(db, False)
        await bot.telegram.wait_until(
            lambda: "held order outcomes imported" in bot.logs.text, timeout=ANSWER
        )
        assert bot.deps.placements.held == 0
        await assert_orders_list_every_id(bot, u, placed)
        assert len(bot.panel.orders) == LINES  # nothing was placed twice
        assert not any(GENERIC in t for t in u.sent_texts()), u.sent_texts()


async def test_bulk_under_a_lock_held_throughout_is_answered_while_it_is_held(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path, **FAST) as bot:
        u = await confirm_bulk_on_a_slow_panel(bot)
        async with writer_lock(bot.settings.database_path):
            # Every answer comes while another process still holds the lock.
            result, told = await result_and_notices(u)
            placed = sorted(o.id for o in bot.panel.orders.values() if o.key == KEY)
            assert len(placed) == LINES and f"{LINES} placed" in text_of(result)
            assert "not saved here yet" in told and all(f"#{pid}" in told for pid in placed)
        await bot.telegram.wait_until(
            lambda: "placement journal imported" in bot.logs.text, timeout=ANSWER
        )
        assert not journal_of(bot).exists()
        await assert_orders_list_every_id(bot, u, placed)


async def test_confirm_under_a_held_lock_is_refused_plainly_and_works_once_it_is_free(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path, **FAST) as bot:
        u = await bot.member(UID, key=KEY)
        preview = await single_preview(u)
        async with writer_lock(bot.settings.database_path):
            await u.press("Confirm", message=preview)
            told = await u.reply(timeout=ANSWER)
            assert BUSY in text_of(told), told.describe()
            assert bot.panel.count("add") == 0  # the claim was not taken: nothing was sent
        await u.press("Confirm", message=preview)
        await bot.telegram.wait_until(
            lambda: any("Order placed" in t for t in u.sent_texts()), timeout=ANSWER
        )
        assert bot.panel.count("add") == 1
        assert not any(GENERIC in t for t in u.sent_texts()), u.sent_texts()
