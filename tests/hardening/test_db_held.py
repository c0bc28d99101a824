"""Issue 19 item 8: another process holds SQLite's write lock (a backup, a second instance).

Reads and replies that need no write do not queue behind the lock: a known user's /help is
answered at once. A write waits at most DATABASE_BUSY_SECONDS, queueing behind this process's
other writes included, and its user is then told plainly that nothing could be saved.
"""

from __future__ import annotations

from pathlib import Path

from bot.storage.sqlite import SQLiteDatabase
from tests.e2e.steps import text_of
from tests.hardening.steps import GENERIC, writer_lock
from tests.harness import running_bot

BUSY = "cannot save anything right now"
# The writer's budget: long enough that a /help beside it is surely answered first.
BUDGET = 3.0


async def test_held_write_lock_delays_no_bystander_and_the_writer_is_told_plainly(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path, database_busy_seconds=BUDGET) as bot:
        bystander = await bot.member(7401)
        await bystander.send("/help")
        await bystander.reply()  # their names are stored now: their next update writes nothing
        newcomer = bot.user(7402)  # first contact: the gate writes their row
        db = bot.deps.storage.db
        assert isinstance(db, SQLiteDatabase)
        async with writer_lock(bot.settings.database_path):
            await newcomer.send("/start")
            # The newcomer's write holds this process's writer, waiting for the lock.
            await bot.telegram.wait_until(lambda: db.writing, timeout=10)
            await bystander.send("/help")
            answer = await bystander.reply(timeout=10)
            assert "/help" in text_of(answer) or "/order" in text_of(answer), answer.describe()
            assert BUSY not in text_of(answer)
            # The /help did not wait for the writer: that one is still waiting.
            assert newcomer.sent_texts() == []
            told = await newcomer.reply(timeout=10 + BUDGET)
        assert BUSY in text_of(told), told.describe()
        assert not any(GENERIC in t for t in newcomer.sent_texts()), newcomer.sent_texts()
        assert "Traceback" not in bot.logs.text
        # The lock is gone: the same user gets in now.
        await newcomer.send("/start")
        assert BUSY not in text_of(await newcomer.reply())
