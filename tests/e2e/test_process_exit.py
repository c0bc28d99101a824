"""`python -m bot` ends with an error when Telegram stops accepting its token while it runs.

A polling loop that gives up but leaves the process alive is the worst outcome: Docker and
systemd restart a process that exited, never one that sits idle.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram
from tests.pg import PgCluster
from tests.processes import fake_settings, finish, run_bot, spawn


async def test_a_401_on_get_updates_while_running_exits_non_zero(tmp_path: Path) -> None:
    async with FakeTelegram() as telegram, FakePanel() as panel:
        user = telegram.user(1000)
        settings = fake_settings(telegram, panel, tmp_path) | {"ADMIN_IDS": "1000"}
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


@pytest.mark.parametrize("fault", ["wrong password", "missing socket"])
async def test_a_database_it_cannot_log_into_ends_the_process_with_one_line(
    tmp_path: Path, pg_cluster: PgCluster, fault: str
) -> None:
    """Not a standby forever: after FAILOVER_SECONDS, exit code 1 and one line naming the cause
    (issue 19 item 9). The suite's PostgreSQL, a role with a password, the wrong one given."""
    url = await pg_cluster.password_role("bot_pw", "right-password-123")
    if fault == "wrong password":
        url = url.replace("right-password-123", "wrong-password-456")
    else:
        url = f"postgresql://bot_pw:right-password-123@/postgres?host={tmp_path}/no-such-dir"
    async with FakeTelegram() as telegram, FakePanel() as panel:
        settings = fake_settings(telegram, panel, tmp_path)
        settings |= {"DATABASE_URL": url, "FAILOVER_SECONDS": "1"}
        result = await run_bot(tmp_path, settings, seconds=30)
    assert result.returncode == 1
    assert "Traceback" not in result.output
    assert "password-" not in result.output  # neither the right nor the wrong one
    lines = [line for line in result.output.splitlines() if line.startswith("smm-panel-bot:")]
    assert len(lines) == 1, result.output
    expected = (
        "PostgreSQL refused the login for 1 s (InvalidPasswordError"
        if fault == "wrong password"
        else "cannot reach PostgreSQL for 1 s ("
    )
    assert lines[0].startswith(f"smm-panel-bot: cannot start: {expected}"), lines[0]
    # One warning when it began, not one a second.
    assert result.output.count("WARNING") <= 1, result.output
