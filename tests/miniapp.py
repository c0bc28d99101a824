"""The Mini App served by a running test bot, and Telegram's side of it: signed initData.

`running_miniapp(harness)` serves the bot's Mini App routes on a free port of 127.0.0.1 exactly
as production does (bot/webapp/server.py), over the harness's application. `MiniApp` builds
initData as Telegram signs it, for any user, age or bot token, and the URL Telegram would open.
Used by the API tests (tests/webapp/) and the browser tests (tests/browser/).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from bot.webapp.api import WebAppContext
from bot.webapp.auth import sign_init_data
from bot.webapp.server import WebAppServer, context_for
from tests.harness import Harness

WEBAPP_URL = "https://miniapp.example/app/"
PREFIX = "/app/"

LIGHT_THEME: dict[str, str] = {
    "bg_color": "#ffffff",
    "text_color": "#000000",
    "hint_color": "#999999",
    "link_color": "#2481cc",
    "button_color": "#2481cc",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#efeff3",
    "section_bg_color": "#ffffff",
    "accent_text_color": "#2481cc",
    "subtitle_text_color": "#6d6d72",
    "destructive_text_color": "#e53935",
}
DARK_THEME: dict[str, str] = {
    "bg_color": "#212d3b",
    "text_color": "#ffffff",
    "hint_color": "#7d8b99",
    "link_color": "#5eabe1",
    "button_color": "#5288c1",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#151e27",
    "section_bg_color": "#1d2733",
    "accent_text_color": "#64b5ef",
    "subtitle_text_color": "#7e8c9a",
    "destructive_text_color": "#ee686f",
}
THEMES = {"light": LIGHT_THEME, "dark": DARK_THEME}


@dataclass
class MiniApp:
    """The bot's Mini App on `base` (http://127.0.0.1:port/app/)."""

    harness: Harness
    ctx: WebAppContext
    base: str

    @property
    def token(self) -> str:
        return self.harness.settings.bot_token.get_secret_value()

    def now(self) -> int:
        return int(self.ctx.clock())

    def init_data(
        self,
        user_id: int,
        *,
        language_code: str = "en",
        first_name: str = "Ayşe",
        age: float = 5,
        token: str | None = None,
        **extra: str,
    ) -> str:
        """initData as Telegram signs it for `user_id`, `age` seconds ago, with `token`
        (another bot's token: the bot must refuse it)."""
        user = {"id": user_id, "first_name": first_name, "language_code": language_code}
        fields = {
            "query_id": f"AAH{user_id}",
            "user": json.dumps(user, ensure_ascii=False, separators=(",", ":")),
            "auth_date": str(int(self.now() - age)),
            **extra,
        }
        return sign_init_data(fields, token or self.token)

    def headers(self, user_id: int, **kw: Any) -> dict[str, str]:
        return {"Authorization": "tma " + self.init_data(user_id, **kw)}

    def page_url(self, init_data: str, theme: str = "light") -> str:
        """The address Telegram opens: the page, with its data in the hash."""
        params = json.dumps(THEMES[theme], separators=(",", ":"))
        return (
            f"{self.base}#tgWebAppData={quote(init_data, safe='')}"
            f"&tgWebAppVersion=8.0&tgWebAppPlatform=unknown"
            f"&tgWebAppThemeParams={quote(params, safe='')}"
        )

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.base, timeout=60)


@asynccontextmanager
async def running_miniapp(
    harness: Harness, accepting: Callable[[], bool] = lambda: True
) -> AsyncIterator[MiniApp]:
    """The Mini App of `harness`'s bot (which must have WEBAPP_URL set) on a free port;
    `accepting` False makes it a standby's."""
    assert harness.app is not None and harness.settings.webapp_url == WEBAPP_URL
    clock = harness.clock
    ctx = context_for(harness.app, accepting, clock) if clock else None
    ctx = ctx or context_for(harness.app, accepting)
    server = WebAppServer(ctx, listen="127.0.0.1", port=0)
    await server.start()
    try:
        yield MiniApp(harness, ctx, f"http://127.0.0.1:{server.bound_port}{PREFIX}")
    finally:
        await server.stop()
