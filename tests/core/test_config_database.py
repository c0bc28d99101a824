"""DATABASE_URL: PostgreSQL when set, SQLite otherwise; the URL's password is a secret."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.config import SettingsError, load_settings
from bot.logs import SecretRegistry

TOKEN = "1234567:TEST-not-a-real-token-just-for-the-fake"
URL = "postgresql://bot:pa%40ss-w0rd@db.example:5432/smm"


@pytest.fixture(autouse=True)
def no_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("DATABASE_URL", "DATABASE_PATH", "ENCRYPTION_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_without_url_sqlite_at_database_path() -> None:
    s = load_settings(bot_token=TOKEN, database_path="x/bot.db")
    assert s.database_url is None
    assert s.database == Path("x/bot.db")
    assert s.database_secrets == []


def test_url_selects_postgres_and_stays_secret() -> None:
    s = load_settings(bot_token=TOKEN, database_url=URL, encryption_key=Fernet.generate_key())
    assert s.database == URL
    assert "pa%40ss" not in repr(s) and "pa@ss" not in repr(s)
    registry = SecretRegistry(s.database_secrets)
    line = registry.redact(f"cannot reach {URL}; password pa@ss-w0rd; raw pa%40ss-w0rd")
    assert "pa@ss-w0rd" not in line and "pa%40ss-w0rd" not in line


def test_blank_url_means_sqlite() -> None:
    assert load_settings(bot_token=TOKEN, database_url=" ").database_url is None


def test_url_must_be_postgres_and_is_not_echoed() -> None:
    with pytest.raises(SettingsError, match="DATABASE_URL") as info:
        load_settings(bot_token=TOKEN, database_url="mysql://u:hunter22@h/db")
    assert "hunter22" not in str(info.value)


def test_url_needs_an_encryption_key() -> None:
    # Every instance on one database must decrypt the same stored keys: no per-host key file.
    with pytest.raises(SettingsError, match="ENCRYPTION_KEY is required when DATABASE_URL"):
        load_settings(bot_token=TOKEN, database_url=URL)
