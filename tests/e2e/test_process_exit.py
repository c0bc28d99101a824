"""`python -m bot` ends with an error when Telegram stops accepting its token while it runs.

A polling loop that gives up but leaves the process alive is the worst outcome: Docker and
systemd restart a process that exited, never one that sits idle.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet

from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram
from tests.processes import finish, spawn


async def test_a_401_on_get_updates_while_running_exits_non_zero(tmp_path: Path) -> None:
    async with FakeTelegram() as telegram, FakePanel() as panel:
        user = telegram.user(1000)
        settings = {
            "BOT_TOKEN": telegram.token,
            "TELEGRAM_BASE_URL": telegram.base_url,
            "TELEGRAM_BASE_FILE_URL": telegram.base_file_url,
            "PANEL_API_URL": panel.url,
            "DATABASE_PATH": str(tmp_path / "bot.sqlite3"),
            "ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "ADMIN_IDS": "1000",
        }
        proc = await spawn(tmp_path, settings)
        try:
            await telegram.wait_until(lambda: telegram.polls_in_flight > 0, timeout=30)
            # The token is revoked while the bot runs; the message ends the held long poll.
            telegram.inject("getUpdates", error_code=401, times=None)
            await user.send("/help")
            result = await finish(proc, 30)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    refused = [c for c in telegram.calls_to("getUpdates") if c.status == 401]
    assert refused, "the fake never refused a poll"
    assert result.returncode != 0
    assert telegram.token not in result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("smm-panel-bot:")]
    assert len(lines) == 1, result.output
    assert "BOT_TOKEN" in lines[0] and "Unauthorized" in lines[0]
    # It gave up at the first refusal instead of hammering Telegram with a dead token.
    assert len(refused) == 1
