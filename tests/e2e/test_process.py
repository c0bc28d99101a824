"""`python -m bot` as a real process: starts polling, and SIGTERM shuts it down cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram
from tests.processes import free_port


async def test_sigterm_shuts_down_cleanly(tmp_path: Path) -> None:
    async with FakeTelegram() as telegram, FakePanel() as panel:
        db = tmp_path / "data" / "bot.sqlite3"
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.upper().startswith(("BOT_", "PANEL_", "TELEGRAM_", "ENCRYPTION_"))
        }
        env.update(
            BOT_TOKEN=telegram.token,
            TELEGRAM_BASE_URL=telegram.base_url,
            TELEGRAM_BASE_FILE_URL=telegram.base_file_url,
            PANEL_API_URL=panel.url,
            DATABASE_PATH=str(db),
            LOG_LEVEL="DEBUG",
        )
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            await telegram.wait_until(lambda: telegram.count("getUpdates") >= 1, timeout=30)
            proc.send_signal(signal.SIGTERM)
            _, stderr_bytes = await asyncio.wait_for(proc.communicate(), timeout=30)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        stderr = stderr_bytes.decode()
        assert proc.returncode == 0, stderr[-2000:]
        assert "Traceback" not in stderr
        assert telegram.token not in stderr
        _assert_key_file_and_closed_database(db, stderr)


def _assert_key_file_and_closed_database(db: Path, stderr: str) -> None:
    # No ENCRYPTION_KEY: one was generated beside the database, with a warning naming the file.
    key_file = db.parent / "encryption.key"
    assert key_file.exists()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert "encryption.key" in stderr
    assert key_file.read_text().strip() not in stderr
    # The database was closed: SQLite removes the WAL file when the last connection closes.
    assert db.exists()
    assert not Path(f"{db}-wal").exists()


async def test_webhook_mode_checks_the_secret(tmp_path: Path) -> None:
    import time

    import httpx

    port = free_port()
    secret = "webhook-secret-value-123456"
    async with FakeTelegram() as telegram, FakePanel() as panel:
        admin = telegram.user(1000)
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.upper().startswith(("BOT_", "PANEL_", "TELEGRAM_", "ENCRYPTION_", "WEBHOOK_"))
        }
        env.update(
            BOT_TOKEN=telegram.token,
            TELEGRAM_BASE_URL=telegram.base_url,
            TELEGRAM_BASE_FILE_URL=telegram.base_file_url,
            PANEL_API_URL=panel.url,
            DATABASE_PATH=str(tmp_path / "bot.sqlite3"),
            ADMIN_IDS="1000",
            WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
            WEBHOOK_SECRET=secret,
            WEBHOOK_LISTEN="127.0.0.1",
            WEBHOOK_PORT=str(port),
        )
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            await telegram.wait_until(lambda: telegram.webhook is not None, timeout=30)
            assert telegram.webhook is not None
            assert telegram.webhook["url"] == f"http://127.0.0.1:{port}/hook"
            assert telegram.webhook["secret_token"] == secret
            update = {
                "update_id": 1,
                "message": {
                    "message_id": 1,
                    "date": int(time.time()),
                    "chat": admin.chat_json(),
                    "from": admin.to_json(),
                    "text": "/help",
                    "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
                },
            }
            async with httpx.AsyncClient() as http:
                url = f"http://127.0.0.1:{port}/hook"
                for _ in range(100):  # the listener comes up right after setWebhook
                    try:
                        forged = await http.post(url, json=update)
                        break
                    except httpx.ConnectError:
                        await asyncio.sleep(0.1)
                assert forged.status_code == 403
                ok = await http.post(
                    url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret}
                )
                assert ok.status_code == 200
            await telegram.wait_until(lambda: telegram.count("sendMessage") >= 1, timeout=10)
            assert "/setkey" in (admin.last().text or "")
            assert telegram.count("sendMessage") == 1  # the forged update was not processed
            proc.send_signal(signal.SIGTERM)
            _, stderr_bytes = await asyncio.wait_for(proc.communicate(), timeout=30)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        stderr = stderr_bytes.decode()
        assert proc.returncode == 0, stderr[-2000:]
        assert secret not in stderr and telegram.token not in stderr
