"""WEBHOOK_SECRET follows Telegram's rule for secret_token: 1-256 of A-Z a-z 0-9 _ -."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings

TOKEN = "1234567:TEST-not-a-real-token-just-for-the-fake"
HOOK = "https://example.org/hook"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.upper().startswith(("BOT_", "WEBHOOK_", "TELEGRAM_", "PANEL_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env


@pytest.mark.parametrize(
    "secret", ["a", "A-z_09", "x" * 256, "abcDEF123_-abc"], ids=["1", "mixed", "256", "all"]
)
def test_valid_secrets_are_accepted(secret: str) -> None:
    settings = load_settings(bot_token=TOKEN, webhook_url=HOOK, webhook_secret=secret)
    assert settings.webhook_secret is not None
    assert settings.webhook_secret.get_secret_value() == secret


@pytest.mark.parametrize(
    "secret",
    ["x" * 257, "has space", "dots.are.out", "ümlaut", "semi;colon", "new\nline"],
    ids=["257", "space", "dot", "non-ascii", "semicolon", "newline"],
)
def test_bad_secrets_are_one_line_without_the_value(secret: str) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(bot_token=TOKEN, webhook_url=HOOK, webhook_secret=secret)
    message = str(info.value)
    assert message.startswith("WEBHOOK_SECRET:")
    assert "A-Z" in message
    assert "\n" not in message
    assert secret not in message


def test_an_empty_secret_without_a_webhook_is_no_secret() -> None:
    assert load_settings(bot_token=TOKEN, webhook_secret="").webhook_secret is None


def test_python_m_bot_with_a_bad_secret_exits_with_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(("BOT_", "WEBHOOK_"))}
    env.update(BOT_TOKEN=TOKEN, WEBHOOK_URL=HOOK, WEBHOOK_SECRET="my secret!")
    proc = subprocess.run(
        [sys.executable, "-m", "bot"], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stdout == ""
    [line] = proc.stderr.splitlines()
    assert "WEBHOOK_SECRET" in line and "my secret!" not in line
