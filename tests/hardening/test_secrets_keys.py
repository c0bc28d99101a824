"""Panel keys at the edges: every message carrying one is deleted, nothing logs them at DEBUG,
the database files are private, and a lost ENCRYPTION_KEY does not lock users out."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import stat
import sys
from pathlib import Path

from cryptography.fernet import Fernet
from pydantic import SecretStr

from tests.e2e.steps import plain_text_of
from tests.fakes.panel import FakePanel, Fault
from tests.fakes.telegram import FakeTelegram, FakeUser
from tests.fakes.telegram_models import BotMessage
from tests.harness import ADMIN_ID, Harness, running_bot

KEY = "pk_live_one_line_8c2e4a6f0b1d3e5a7c9b"
OTHER_KEY = "pk_live_other_key_2b4d6f8a0c1e3a5b7d"
MEMBER = 6400
STRANGER = 6499


def deleted_ids(bot: Harness, chat_id: int) -> set[int]:
    return {
        int(c.params["message_id"])
        for c in bot.telegram.calls_to("deleteMessage")
        if c.ok and int(c.params["chat_id"]) == chat_id
    }


def assert_key_gone(bot: Harness, user: FakeUser, message: BotMessage, key: str) -> None:
    assert message.message_id in deleted_ids(bot, user.id), user.describe_chat()
    assert message.deleted
    assert all(key not in t for t in user.sent_texts())
    assert key not in bot.logs.text


# --------------------------------------------------------------------------- /setkey <KEY>


async def test_setkey_on_one_line_deletes_the_message_and_links_the_key(bot: Harness) -> None:
    bot.panel.add_key(KEY, balance="42.50")
    bot.panel.inject(Fault.latency(0.5), action="balance", times=1)
    u = await bot.member(MEMBER)
    sent = await u.send(f"/setkey {KEY}")
    # Deleted first: gone while the panel is still checking the key.
    await bot.panel.wait_for_request("balance")
    assert sent.deleted, u.describe_chat()
    done = await u.reply()
    assert "Key saved" in plain_text_of(done) and "42.5" in plain_text_of(done), u.describe_chat()
    assert_key_gone(bot, u, sent, KEY)
    assert await bot.deps.storage.accounts.get(MEMBER) == KEY
    await u.send("/balance")
    assert "42.5" in plain_text_of(await u.reply())


async def test_setkey_on_one_line_with_the_bot_name_and_a_wrong_key(bot: Harness) -> None:
    bot.panel.add_key(KEY)
    u = await bot.member(MEMBER)
    wrong = await u.send("/setkey@smm_test_bot wrong_key_0000000000")
    assert "did not accept" in plain_text_of(await u.reply())
    assert_key_gone(bot, u, wrong, "wrong_key_0000000000")
    assert await bot.deps.storage.accounts.get(MEMBER) is None
    # The dialog waits for the key now, as after a bare /setkey.
    again = await u.send(KEY)
    assert "Key saved" in plain_text_of(await u.reply())
    assert_key_gone(bot, u, again, KEY)


async def test_setkey_on_one_line_that_is_not_a_key_is_deleted(bot: Harness) -> None:
    u = await bot.member(MEMBER)
    sent = await u.send(f"/setkey {KEY} and some words")
    assert "does not look like an API key" in plain_text_of(await u.reply())
    assert_key_gone(bot, u, sent, KEY)
    assert bot.panel.count("balance") == 0


async def test_setkey_on_one_line_from_a_stranger_is_deleted(bot: Harness) -> None:
    stranger = bot.user(STRANGER)
    sent = await stranger.send(f"/setkey {KEY}")
    assert "private" in plain_text_of(await stranger.reply())
    await bot.telegram.wait_until(lambda: sent.deleted)
    assert_key_gone(bot, stranger, sent, KEY)
    assert bot.panel.count() == 0


async def test_setkey_on_one_line_mid_dialog(bot: Harness) -> None:
    bot.panel.add_key(KEY)
    u = await bot.member(MEMBER)
    await u.send("/setkey")
    await u.reply()
    sent = await u.send(f"/setkey {KEY}")
    assert "Key saved" in plain_text_of(await u.reply())
    assert_key_gone(bot, u, sent, KEY)


# --------------------------------------------------------------------------- captions


async def test_key_as_document_caption_is_deleted(bot: Harness) -> None:
    bot.panel.add_key(KEY)
    u = await bot.member(MEMBER)
    await u.send("/setkey")
    await u.reply()
    sent = await u.send_document("key.txt", b"my panel key", caption=KEY)
    assert "Key saved" in plain_text_of(await u.reply()), u.describe_chat()
    assert_key_gone(bot, u, sent, KEY)
    assert await bot.deps.storage.accounts.get(MEMBER) == KEY


async def test_key_as_photo_caption_is_deleted(bot: Harness) -> None:
    bot.panel.add_key(KEY)
    u = await bot.member(MEMBER)
    await u.send("/setkey")
    await u.reply()
    sent = await u.send_photo(b"\xff\xd8 screenshot of the API page", caption=KEY)
    assert "Key saved" in plain_text_of(await u.reply()), u.describe_chat()
    assert_key_gone(bot, u, sent, KEY)


async def test_screenshot_without_caption_is_deleted_and_the_key_asked_for(bot: Harness) -> None:
    u = await bot.member(MEMBER)
    await u.send("/setkey")
    await u.reply()
    # A screenshot of the panel's API page shows the key too.
    sent = await u.send_photo(b"\xff\xd8 screenshot")
    answer = plain_text_of(await u.reply())
    assert "I need a text answer here. I deleted your message." in answer, u.describe_chat()
    assert "Send me your panel API key" in answer
    assert sent.deleted and sent.message_id in deleted_ids(bot, MEMBER)
    assert bot.panel.count() == 0


# --------------------------------------------------------------------------- DEBUG logs, files


async def test_debug_logging_and_database_files_keep_keys_and_links_private(
    tmp_path: Path,
) -> None:
    link = "https://instagram.com/private_debug_link_7731"
    async with FakeTelegram() as telegram, FakePanel() as panel:
        panel.add_key(KEY, balance="500")
        admin = telegram.user(ADMIN_ID)
        db = tmp_path / "data" / "bot.sqlite3"
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.upper().startswith(("BOT_", "PANEL_", "TELEGRAM_", "ENCRYPTION_", "ADMIN_"))
        }
        env.update(
            BOT_TOKEN=telegram.token,
            TELEGRAM_BASE_URL=telegram.base_url,
            TELEGRAM_BASE_FILE_URL=telegram.base_file_url,
            PANEL_API_URL=panel.url,
            DATABASE_PATH=str(db),
            ENCRYPTION_KEY=Fernet.generate_key().decode(),
            ADMIN_IDS=str(ADMIN_ID),
            LOG_LEVEL="DEBUG",
        )
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=tmp_path, env=env, umask=0o022,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            await telegram.wait_until(lambda: telegram.count("getUpdates") >= 1, timeout=30)
            assert _mode(db) == 0o600
            await admin.send("/setkey")
            await admin.reply(timeout=15)
            await admin.send(KEY)
            assert "Key saved" in plain_text_of(await admin.reply(timeout=15))
            await admin.send("/order 1")
            await admin.reply(timeout=15)
            await admin.send(link)
            await admin.reply(timeout=15)
            await admin.send("1000")
            assert "Confirm" in str((await admin.reply(timeout=15)).buttons())
            # The WAL files exist while the bot runs; SQLite creates them like the main file.
            for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
                assert path.exists(), path
                assert _mode(path) == 0o600, (path.name, oct(_mode(path)))
            proc.send_signal(signal.SIGTERM)
            _, stderr_bytes = await asyncio.wait_for(proc.communicate(), timeout=30)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    stderr = stderr_bytes.decode()
    assert proc.returncode == 0, stderr[-2000:]
    assert " DEBUG " in stderr  # the level really was DEBUG
    assert _mode(db) == 0o600
    with sqlite3.connect(db) as conn:
        [(ciphertext,)] = conn.execute("SELECT ciphertext FROM panel_accounts").fetchall()
    token = bytes(ciphertext).decode()
    assert token[:40] not in stderr, "a key ciphertext was logged"
    assert link not in stderr and "private_debug_link" not in stderr, "a user's link was logged"
    assert KEY not in stderr
    for sql in ("INSERT INTO", "UPDATE orders", "SELECT ciphertext"):
        assert sql not in stderr, f"SQL logged: {sql}"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_existing_world_readable_database_is_made_private(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    sqlite3.connect(db).close()
    os.chmod(db, 0o644)
    async with running_bot(tmp_path, database_path=db) as bot:
        await bot.deps.access.allow(MEMBER)
        for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            assert _mode(path) == 0o600, (path.name, oct(_mode(path)))


# --------------------------------------------------------------------------- lost ENCRYPTION_KEY


def _warnings(bot: Harness, since: int) -> list[str]:
    return [line for line in bot.logs.lines[since:] if line.startswith("WARNING ")]


async def _restart_with(bot: Harness, encryption_key: bytes) -> int:
    """Restart with another ENCRYPTION_KEY; returns the log position of the start."""
    await bot.stop()
    bot.settings = bot.settings.model_copy(
        update={"encryption_key": SecretStr(encryption_key.decode())}
    )
    since = len(bot.logs.lines)
    await bot.start()
    return since


async def test_replaced_encryption_key_treats_stored_keys_as_absent(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        first = await bot.member(MEMBER, key=KEY)
        second = await bot.member(MEMBER + 1, key=OTHER_KEY)

        since = await _restart_with(bot, Fernet.generate_key())
        [warning] = _warnings(bot, since)
        assert "2 stored panel API keys cannot be decrypted" in warning, warning
        # Each user is told once, by the outbox.
        told = plain_text_of(await first.reply())
        assert "/setkey" in told and "can no longer be read" in told, told
        assert "/setkey" in plain_text_of(await second.reply())

        # Another restart with the same lost key: the operator hears it again, users do not.
        since = await _restart_with(bot, Fernet.generate_key())
        [warning] = _warnings(bot, since)
        assert "2 stored panel API keys" in warning
        await first.send("/balance")
        assert "You have not linked a panel API key" in plain_text_of(await first.reply())
        await first.send("/start")
        assert "link your panel API key" in plain_text_of(await first.reply())

        # /setkey works and replaces the unreadable key.
        await first.send("/setkey")
        await first.reply()
        await first.send(KEY)
        assert "Key saved" in plain_text_of(await first.reply()), first.describe_chat()
        await first.send("/balance")
        assert "100" in plain_text_of(await first.reply())
        # /deletekey works.
        await second.send("/deletekey")
        assert "was deleted" in plain_text_of(await second.reply())
        assert not await bot.deps.accounts.has_key(MEMBER + 1)

        since = await _restart_with(bot, bot.settings.encryption_keys[0])
        assert _warnings(bot, since) == []
        await bot.telegram.wait_until(lambda: bot.telegram.pending_updates == 0)
        await asyncio.sleep(0.3)  # the outbox drain ran: nothing more to say

    for user in (first, second):
        texts = user.sent_texts()
        assert sum("can no longer be read" in t for t in texts) == 1, user.describe_chat()
        assert not any("Something went wrong" in t for t in texts), user.describe_chat()
    assert "ERROR" not in bot.logs.text


# --------------------------------------------------------------------------- rotated ENCRYPTION_KEY


def _stored_ciphertexts(bot: Harness) -> list[bytes]:
    with sqlite3.connect(bot.settings.database_path) as db:
        rows = db.execute("SELECT ciphertext FROM panel_accounts WHERE ciphertext IS NOT NULL")
        return [bytes(token) for (token,) in rows]


async def test_a_rotated_encryption_key_can_be_removed_after_one_start(tmp_path: Path) -> None:
    """ENCRYPTION_KEY "new,old": the first encrypts, all decrypt. One start with it re-encrypts
    what the old key encrypted, so that the next start without the old key still reads every
    stored panel key (before, they stayed under the old key: removing it lost them all)."""
    async with running_bot(tmp_path) as bot:
        old = bot.settings.encryption_keys[0]
        first = await bot.member(MEMBER, key=KEY)
        await bot.member(MEMBER + 1, key=OTHER_KEY)
        new = Fernet.generate_key()

        since = await _restart_with(bot, new + b"," + old)
        assert _warnings(bot, since) == []
        assert any(
            "re-encrypted 2 stored panel API keys" in line for line in bot.logs.lines[since:]
        )
        assert all(Fernet(new).decrypt(token) for token in _stored_ciphertexts(bot))
        # A second start has nothing left to re-encrypt, and says nothing of it.
        since = await _restart_with(bot, new + b"," + old)
        assert not any("re-encrypted" in line for line in bot.logs.lines[since:])

        since = await _restart_with(bot, new)
        assert _warnings(bot, since) == []
        await first.send("/balance")
        assert "100" in plain_text_of(await first.reply()), first.describe_chat()
        assert await bot.deps.accounts.has_key(MEMBER + 1)
    assert KEY not in bot.logs.text and OTHER_KEY not in bot.logs.text
