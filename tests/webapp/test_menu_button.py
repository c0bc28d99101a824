"""With WEBAPP_URL the chat's menu button opens the Mini App; without, it is the commands'."""

from __future__ import annotations

from pathlib import Path

from tests.harness import running_bot
from tests.miniapp import WEBAPP_URL


async def test_the_menu_button_opens_the_mini_app(tmp_path: Path) -> None:
    async with running_bot(tmp_path, webapp_url=WEBAPP_URL) as bot:
        assert bot.telegram.menu_buttons[None] == {
            "type": "web_app",
            "text": "Catalog",
            "web_app": {"url": WEBAPP_URL},
        }
        sets = bot.telegram.count("setChatMenuButton")
        await bot.restart()
        # Read back and left alone when it is already right (Telegram throttles the setters).
        assert bot.telegram.count("setChatMenuButton") == sets == 1


async def test_without_mini_app_the_menu_button_is_left_alone(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        assert bot.telegram.count("setChatMenuButton") == 0
