"""PANEL_MAX_CATALOG_MB: the cap on a `services` answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings

TOKEN = "1234567:TEST-not-a-real-token-just-for-the-fake"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("PANEL_MAX_CATALOG_MB", "PANEL_TIMEOUT_SECONDS", "BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_default_catalog_cap_is_20_mb() -> None:
    s = load_settings()
    assert s.panel_max_catalog_mb == 20
    assert s.panel_max_catalog_bytes == 20 * 1024 * 1024


def test_catalog_cap_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANEL_MAX_CATALOG_MB", "0.5")
    assert load_settings().panel_max_catalog_bytes == 512 * 1024


@pytest.mark.parametrize("value", ["0", "-3", "lots"])
def test_bad_catalog_cap_names_the_setting(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("PANEL_MAX_CATALOG_MB", value)
    with pytest.raises(SettingsError, match="PANEL_MAX_CATALOG_MB"):
        load_settings()
