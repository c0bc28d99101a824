"""Settings: defaults, parsing, and one clear line per bad value."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.config import AccessMode, SettingsError, load_settings

TOKEN = "1234567:TEST-not-a-real-token-just-for-the-fake"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.upper() in {
            "BOT_TOKEN", "PANEL_API_URL", "DATABASE_PATH", "ADMIN_IDS", "ACCESS_MODE",
            "ENCRYPTION_KEY", "STATUS_POLL_SECONDS", "SERVICES_CACHE_SECONDS",
            "DEFAULT_LANGUAGE", "LOG_LEVEL", "PANEL_TIMEOUT_SECONDS", "WEBHOOK_URL",
            "WEBHOOK_SECRET", "TELEGRAM_BASE_URL", "TELEGRAM_BASE_FILE_URL", "TIMEZONE",
        }:  # fmt: skip
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    s = load_settings()
    assert s.panel_api_url == "https://roketbayim.com/api/v2"
    assert s.database_path == Path("data/bot.sqlite3")
    assert s.telegram_base_url == "https://api.telegram.org/bot"
    assert s.telegram_base_file_url == "https://api.telegram.org/file/bot"
    assert s.access_mode is AccessMode.ALLOWLIST
    assert s.status_poll_seconds == 60
    assert s.services_cache_seconds == 600
    assert s.default_language == "en"
    assert s.timezone is None  # unset: each user's language picks the zone
    assert s.admin_ids == frozenset()
    assert s.encryption_keys == []
    assert TOKEN not in repr(s)


def test_parses_lists_and_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    k1, k2 = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("ADMIN_IDS", "1, 22,333")
    monkeypatch.setenv("ENCRYPTION_KEY", f"{k1},{k2}")
    monkeypatch.setenv("ACCESS_MODE", "open")
    monkeypatch.setenv("DEFAULT_LANGUAGE", "TR")
    s = load_settings()
    assert s.admin_ids == frozenset({1, 22, 333})
    assert s.encryption_keys == [k1.encode(), k2.encode()]
    assert s.access_mode is AccessMode.OPEN
    assert s.default_language == "tr"


def test_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"BOT_TOKEN={TOKEN}\nSTATUS_POLL_SECONDS=5\n")
    s = load_settings()
    assert s.bot_token.get_secret_value() == TOKEN
    assert s.status_poll_seconds == 5


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("ADMIN_IDS", "12,abc", "ADMIN_IDS"),
        ("ACCESS_MODE", "everyone", "ACCESS_MODE"),
        ("ENCRYPTION_KEY", "not-a-fernet-key", "ENCRYPTION_KEY"),
        ("STATUS_POLL_SECONDS", "-1", "STATUS_POLL_SECONDS"),
        ("PANEL_API_URL", "ftp://x", "PANEL_API_URL"),
        ("DEFAULT_LANGUAGE", "xx", "DEFAULT_LANGUAGE"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL"),
    ],
)
def test_bad_value_names_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    message = str(info.value)
    assert expected in message
    assert "\n" not in message
    assert TOKEN not in message
    if name == "ENCRYPTION_KEY":
        assert value not in message


def test_missing_token() -> None:
    with pytest.raises(SettingsError, match="BOT_TOKEN is not set"):
        load_settings()


def test_webhook_needs_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("WEBHOOK_URL", "https://example.org/hook")
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET"):
        load_settings()


def test_python_m_bot_without_token_exits_with_clear_message(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k.upper() != "BOT_TOKEN"}
    proc = subprocess.run(
        [sys.executable, "-m", "bot"], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert proc.returncode != 0
    assert "BOT_TOKEN" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_timezone_is_an_iana_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TIMEZONE", "europe/istanbul")
    assert load_settings().timezone == "Europe/Istanbul"  # as IANA spells it
    for bad in ("Mars/Olympus_Mons", "+03:00", "../../etc/passwd"):
        monkeypatch.setenv("TIMEZONE", bad)
        with pytest.raises(SettingsError) as refused:
            load_settings()
        assert str(refused.value) == (
            "TIMEZONE: must be an IANA time zone name such as UTC or Europe/Istanbul"
        )
