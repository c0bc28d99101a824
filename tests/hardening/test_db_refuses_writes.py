"""Fault matrix row: the database refuses writes after the panel accepted `add`/`add_bulk`.

The refusal is real: another OS process holds SQLite's write lock on the bot's database past
the busy timeout (what a backup tool or a second bot instance does), or the bot's connection
is switched to `query_only` (what a read-only remount or a full disk looks like to SQLite: every
write fails at once). The panel's answer arrives while the database refuses; the panel has
placed the orders. The user must get the exact ids, nothing may be sent twice, and the rows
must come back as placed once the database takes writes again (journal import by the periodic
job, or at start-up).
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

from bot.jobs import JOURNAL_JOB
from bot.storage.models import SubmitState
from tests.e2e.steps import reply_containing, text_of
from tests.fakes.panel import Fault
from tests.fakes.telegram_models import BotMessage
from tests.hardening.steps import GENERIC, KEY, UID, journal_of, single_preview, writer_lock
from tests.harness import Harness, running_bot

NOT_SAVED = "not saved here yet"
# A writer waits 1 s for a held lock (DATABASE_BUSY_SECONDS; 5 s by default), so the retries
# end within seconds; the rest is margin for a loaded machine.
BUSY = {"database_busy_seconds": 1.0}
WAIT = 20.0


async def run_journal_job(bot: Harness) -> None:
    """What the periodic job does every JOURNAL_IMPORT_SECONDS, run now."""
    assert bot.app is not None and bot.app.job_queue is not None
    [job] = bot.app.job_queue.get_jobs_by_name(JOURNAL_JOB)
    await job.run(bot.app)


def assert_private_and_keyless(journal: Path) -> str:
    assert stat.S_IMODE(journal.stat().st_mode) == 0o600
    text = journal.read_text(encoding="utf-8")
    assert KEY not in text
    return text


async def test_single_order_refused_write_tells_the_id_and_the_job_restores_it(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path, **BUSY) as bot:
        u = await bot.member(UID, key=KEY)
        preview = await single_preview(u)
        # The panel places the order at once and answers a second later: the lock is taken
        # in between, so the bot's write meets it.
        confirm = next(data for label, data in preview.buttons() if "Confirm" in label)
        bot.panel.inject(Fault.latency(1.0, after=True), action="add")
        await u.press_data(confirm, preview)
        await bot.panel.wait_for_request("add")
        async with writer_lock(bot.settings.database_path):
            notice = await reply_containing(u, NOT_SAVED, wait=WAIT)
            [placed] = [o for o in bot.panel.orders.values() if o.key == KEY]
            assert (
                f"Placed on the panel: #{placed.id} — not saved here yet; do not order it again"
                in text_of(notice)
            )
            assert "/orders" in text_of(notice)
            [row] = await bot.deps.storage.orders.all_for_user(UID)  # reads still work
            assert row.submit_state is SubmitState.SUBMITTING and row.panel_order_id is None
            [entry] = assert_private_and_keyless(journal_of(bot)).splitlines()
            recorded = json.loads(entry)
            assert (recorded["order_id"], recorded["panel_order_id"]) == (row.id, placed.id)
            assert recorded["state"] == "placed" and recorded["user_id"] == UID
            await bot.telegram.wait_until(
                lambda: any(
                    f"Order placed: #<code>{placed.id}</code>" in t for t in u.sent_texts()
                ),
                timeout=WAIT,
            )
        assert not any(GENERIC in t for t in u.sent_texts()), u.sent_texts()

        await run_journal_job(bot)  # the lock is gone: the journal goes in
        assert not journal_of(bot).exists()
        [row] = await bot.deps.storage.orders.all_for_user(UID)
        assert row.submit_state is SubmitState.PLACED and row.panel_order_id == placed.id
        await u.send("/orders")
        listing = await u.reply()
        assert "1 in total" in text_of(listing), listing.describe()
        assert any(f"#{placed.id}" in label for label, _ in listing.buttons())
        # A second tap on the old Confirm sends nothing.
        qid = await u.press_data(confirm, preview)
        assert f"#{placed.id}" in str((await u.answer(qid)).params.get("text"))
        assert bot.panel.count("add") == 1
        assert bot.telegram.bad_requests() == []


async def test_bulk_150_refused_write_tells_every_id_and_restart_restores_them(
    tmp_path: Path,
) -> None:
    """The issue's repro: 150 lines, two add_bulk calls, the write lock held by another process."""
    async with running_bot(tmp_path, **BUSY) as bot:
        u = await bot.member(UID, key=KEY, balance="100000")
        await u.send("/bulk")
        await u.reply()
        await u.send("\n".join(f"9 | https://t.me/dbfault{i} | 100" for i in range(150)))
        preview = await u.reply()
        assert "150 valid orders of 150 lines" in text_of(preview), preview.describe()
        bot.panel.inject(Fault.latency(1.0, after=True), action="add_bulk", times=None)
        await u.press("Confirm", message=preview)
        await bot.panel.wait_for_request("add_bulk")
        async with writer_lock(bot.settings.database_path):
            notices: list[BotMessage] = []
            while "Bulk order result" not in text_of(msg := await u.reply(timeout=WAIT)):
                notices.append(msg)
            assert "150 placed" in text_of(msg)
            told = "\n".join(text_of(n) for n in notices)
            placed = sorted(o.id for o in bot.panel.orders.values() if o.key == KEY)
            assert len(placed) == 150 and bot.panel.bulk_calls() == 2
            assert "150 orders placed on the panel — not saved here yet" in told
            assert "do not order them again" in told and "/orders" in told
            for panel_id in placed:
                assert f"#{panel_id}" in told, panel_id
            assert all(len(text_of(n)) <= 4096 for n in notices)
            rows = await bot.deps.storage.orders.all_for_user(UID)
            assert {r.submit_state for r in rows} == {SubmitState.SUBMITTING}
            lines = assert_private_and_keyless(journal_of(bot)).splitlines()
            assert sorted(json.loads(line)["panel_order_id"] for line in lines) == placed
        assert not any(GENERIC in t for t in u.sent_texts()), u.sent_texts()

        # The process goes down with the journal pending and starts again.
        await bot.restart()
        assert not journal_of(bot).exists()
        rows = await bot.deps.storage.orders.all_for_user(UID)
        assert len(rows) == 150  # restored in place: no row twice
        assert {r.submit_state for r in rows} == {SubmitState.PLACED}
        assert sorted(r.panel_order_id or 0 for r in rows) == placed
        await u.send("/orders")
        listing = await u.reply()
        assert "150 in total" in text_of(listing), listing.describe()
        # Nothing was resent, and nobody was told these orders are "unknown".
        assert bot.panel.bulk_calls() == 2 and len(bot.panel.orders) == 150
        unknown = await bot.deps.storage.db.fetchone(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'order_unknown'"
        )
        assert unknown is not None and unknown[0] == 0

        # Importing again (another restart) changes nothing.
        await bot.restart()
        assert len(await bot.deps.storage.orders.all_for_user(UID)) == 150
        assert bot.telegram.bad_requests() == []


async def test_lock_released_during_the_retries_saves_the_order_normally(tmp_path: Path) -> None:
    async with running_bot(tmp_path, **BUSY) as bot:
        u = await bot.member(UID, key=KEY)
        preview = await single_preview(u)
        bot.panel.inject(Fault.latency(1.0, after=True), action="add")
        await u.press("Confirm", message=preview)
        await bot.panel.wait_for_request("add")
        async with writer_lock(bot.settings.database_path):
            # Held past the busy timeout until the first attempt to record the order failed.
            await bot.telegram.wait_until(lambda: "retrying" in bot.logs.text, timeout=WAIT)
        await bot.telegram.wait_until(
            lambda: any("Order placed" in t for t in u.sent_texts()), timeout=WAIT
        )
        [row] = await bot.deps.storage.orders.all_for_user(UID)
        assert row.submit_state is SubmitState.PLACED and row.panel_order_id is not None
        assert not any(NOT_SAVED in t or GENERIC in t for t in u.sent_texts()), u.sent_texts()
        assert not journal_of(bot).exists()
        assert "order outcomes written on attempt 2" in bot.logs.text
        assert bot.panel.count("add") == 1


async def test_read_only_database_after_a_refusal_is_explained_not_a_crash(
    tmp_path: Path,
) -> None:
    """The panel refuses the order and the database refuses to record that: no generic error."""
    async with running_bot(tmp_path, **BUSY) as bot:
        u = await bot.member(UID, key=KEY, balance="1")
        preview = await single_preview(u)
        bot.panel.inject(Fault.latency(1.0, after=True), action="add")
        await u.press("Confirm", message=preview)
        await bot.panel.wait_for_request("add")
        # Every write now fails at once, as on a read-only or full disk.
        await bot.deps.storage.db.execute("PRAGMA query_only = ON")
        await bot.telegram.wait_until(
            lambda: any("not placed" in t for t in u.sent_texts()), timeout=WAIT
        )
        text = next(t for t in u.sent_texts() if "not placed" in t)
        assert "balance" in text.lower(), text
        assert not any(GENERIC in t or NOT_SAVED in t for t in u.sent_texts()), u.sent_texts()
        [row] = await bot.deps.storage.orders.all_for_user(UID)
        assert row.submit_state is SubmitState.SUBMITTING
        assert "failed" in assert_private_and_keyless(journal_of(bot))

        await bot.deps.storage.db.execute("PRAGMA query_only = OFF")
        await run_journal_job(bot)
        [row] = await bot.deps.storage.orders.all_for_user(UID)
        assert (
            row.submit_state is SubmitState.FAILED and "balance" in (row.error_text or "").lower()
        )
        assert not journal_of(bot).exists()
        assert bot.panel.count("add") == 1 and not bot.panel.orders
