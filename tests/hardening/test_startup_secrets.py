"""A failing start-up prints one line naming the cause: never the token, never a traceback.

Every check reads everything the process wrote (stdout and stderr), not just the log records.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram
from tests.processes import Finished, bot_env, fake_settings, free_port, run_bot

# A well-formed token the fake does not know: it answers 401 Unauthorized, like Telegram.
WRONG_TOKEN = "7654321:AAE-revoked-token-that-telegram-refuses"


# The settings of a bot on the fakes (shared with the other process tests).
_settings = fake_settings


def _one_line_naming(result: Finished, token: str, *names: str) -> str:
    assert result.returncode != 0
    assert token not in result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("smm-panel-bot:")]
    assert len(lines) == 1, result.output
    assert all(name in lines[0] for name in names), lines[0]
    return lines[0]


async def test_a_refused_token_is_one_line_without_the_token(tmp_path: Path) -> None:
    async with FakeTelegram() as telegram, FakePanel() as panel:
        settings = _settings(telegram, panel, tmp_path) | {"BOT_TOKEN": WRONG_TOKEN}
        result = await run_bot(tmp_path, settings)
        [get_me] = telegram.calls_to("getMe")
    assert get_me.status == 401  # Telegram really refused it
    line = _one_line_naming(result, WRONG_TOKEN, "BOT_TOKEN", "Unauthorized")
    assert "cannot start" in line
    # The token's halves are not printed either (PTB quotes the whole token in its message).
    assert WRONG_TOKEN.split(":")[1] not in result.output


async def test_a_closed_port_is_one_line_naming_the_base_url(tmp_path: Path) -> None:
    async with FakeTelegram() as telegram, FakePanel() as panel:
        closed = f"http://127.0.0.1:{free_port()}/bot"
        settings = _settings(telegram, panel, tmp_path) | {"TELEGRAM_BASE_URL": closed}
        result = await run_bot(tmp_path, settings)
    line = _one_line_naming(result, telegram.token, "TELEGRAM_BASE_URL")
    assert closed in line


async def test_a_base_url_that_404s_is_one_line_naming_the_base_url(tmp_path: Path) -> None:
    async with FakeTelegram() as telegram, FakePanel() as panel:
        # A mistyped path on the right server: every method answers 404 Not Found.
        typo = f"http://127.0.0.1:{telegram.port}/bto"
        settings = _settings(telegram, panel, tmp_path) | {"TELEGRAM_BASE_URL": typo}
        result = await run_bot(tmp_path, settings)
    _one_line_naming(result, telegram.token, "TELEGRAM_BASE_URL", "404")


async def test_debug_level_shows_the_traceback_but_still_not_the_token(tmp_path: Path) -> None:
    async with FakeTelegram() as telegram, FakePanel() as panel:
        settings = _settings(telegram, panel, tmp_path) | {
            "BOT_TOKEN": WRONG_TOKEN,
            "LOG_LEVEL": "DEBUG",
        }
        result = await run_bot(tmp_path, settings)
    assert result.returncode != 0
    assert "Traceback" in result.output  # for diagnosis, at DEBUG only
    assert WRONG_TOKEN not in result.output
    assert WRONG_TOKEN.split(":")[1] not in result.output


_HOOKS_SCRIPT = """
import asyncio, logging, sys, threading, warnings
from bot import excepthooks
from bot.logs import SecretRegistry, configure_logging

token = sys.argv[1]
configure_logging("INFO", SecretRegistry([token]))
excepthooks.install()

thread = threading.Thread(target=lambda: (_ for _ in ()).throw(RuntimeError(f"thread {token}")))
thread.start()
thread.join()

async def main():
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(excepthooks.loop_exception_handler)
    async def fail():
        raise RuntimeError(f"task {token}")
    task = loop.create_task(fail())
    await asyncio.sleep(0.01)
    del task  # never awaited: asyncio reports it through the loop's exception handler
    loop.call_exception_handler({"message": f"context {token}", "exception": ValueError(token)})

asyncio.run(main())
warnings.warn(f"warning {token}")
print("stdout line", flush=True)
raise RuntimeError(f"uncaught {token}")
"""


@pytest.mark.parametrize("where", ["thread", "task", "context", "warning", "uncaught"])
def test_hooks_redact_what_python_prints_by_itself(where: str) -> None:
    token = "5550001:AAH-token-in-an-exception-message"
    proc = subprocess.run(
        [sys.executable, "-c", _HOOKS_SCRIPT, token],
        env=bot_env({}), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1  # the uncaught exception still ends the process with an error
    assert f"{where} ***" in output, output
    assert token not in output, output
