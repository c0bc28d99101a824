"""PANELS, ALLOW_CUSTOM_PANELS, ALLOW_PRIVATE_PANELS: several panels with nothing new to set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.config import PanelPreset, SettingsError, load_settings

TOKEN = "1234567:TEST-not-a-real-token-just-for-the-fake"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.upper() in {
            "PANELS", "PANEL_API_URL", "ALLOW_CUSTOM_PANELS", "ALLOW_PRIVATE_PANELS",
        }:  # fmt: skip
            monkeypatch.delenv(name)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_todays_env_gives_one_preset_from_panel_api_url() -> None:
    s = load_settings()
    assert s.panel_presets == (PanelPreset("roketbayim.com", "https://roketbayim.com/api/v2"),)
    assert s.allow_custom_panels is False
    assert s.allow_private_panels is False


def test_panels_are_named_presets_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "PANELS", "Roket=https://roketbayim.com/api/v2, Other Panel = https://other.example/api"
    )
    monkeypatch.setenv("ALLOW_CUSTOM_PANELS", "true")
    s = load_settings()
    assert s.panel_presets == (
        PanelPreset("Roket", "https://roketbayim.com/api/v2"),
        PanelPreset("Other Panel", "https://other.example/api"),
    )
    assert s.allow_custom_panels is True


def test_panel_api_urls_panel_is_kept_when_panels_leaves_it_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Keys stored before PANELS existed were made for PANEL_API_URL: they keep their panel."""
    monkeypatch.setenv("PANEL_API_URL", "https://www.old.example/api/v2")
    monkeypatch.setenv("PANELS", "New=https://new.example/api/v2")
    assert load_settings().panel_presets == (
        PanelPreset("old.example", "https://www.old.example/api/v2"),
        PanelPreset("New", "https://new.example/api/v2"),
    )


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("Roket", "is not name=url"),
        ("=https://x.example", "is not name=url"),
        ("a|b=https://x.example", "must be 1-24 characters"),
        ("x" * 25 + "=https://x.example", "must be 1-24 characters"),
        ("A=ftp://x.example", "must start with http"),
        ("A=https://x.example,a=https://y.example", "two panels are named"),
    ],
)
def test_bad_panels_are_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, value: str, says: str
) -> None:
    monkeypatch.setenv("PANELS", value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    text = str(caught.value)
    assert text.startswith("PANELS: ") and says in text and "\n" not in text
