"""With WEBAPP_URL, /start and /services offer "🛍 Open catalog", a web_app button that opens
the Mini App (issue 23); without it, neither does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.harness import running_bot
from tests.miniapp import WEBAPP_URL

USER = 6301


def web_app_buttons(buttons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [b for b in buttons if "web_app" in b]


@pytest.mark.parametrize(("language", "label"), [("en", "🛍 Open catalog"), ("tr", "🛍 Kataloğu aç")])
async def test_start_and_services_open_the_mini_app(
    tmp_path: Path, language: str, label: str
) -> None:
    async with running_bot(tmp_path, webapp_url=WEBAPP_URL) as bot:
        user = await bot.member(USER, key="key-6301", language_code=language)
        await user.send("/start")
        welcome = await user.reply()
        await user.send("/services")
        services = await user.reply()
    for message in (welcome, services):
        assert web_app_buttons(message.inline_buttons()) == [
            {"text": label, "web_app": {"url": WEBAPP_URL}}
        ]
        # The first row: the first thing a thumb reaches.
        assert message.button_rows()[0][0][0] == label


async def test_without_webapp_url_no_button(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        user = await bot.member(USER, key="key-6301")
        await user.send("/start")
        welcome = await user.reply()
        await user.send("/services")
        services = await user.reply()
    assert not web_app_buttons(welcome.inline_buttons())
    assert not web_app_buttons(services.inline_buttons())
