"""The real `python -m bot` process serves the Mini App (issue 23): beside the webhook on one
port in webhook mode, on WEBAPP_PORT when polling."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from http import HTTPStatus
from pathlib import Path

import httpx

from bot.webapp.auth import sign_init_data
from bot.webapp.server import CONTENT_SECURITY_POLICY
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram
from tests.hardening.test_webhook_flood import post_update, webhook_bot
from tests.processes import fake_settings, finish, free_port, spawn

ADMIN = 1000
WEBAPP_URL = "https://miniapp.example/shop/"


def signed_for(token: str, user_id: int) -> dict[str, str]:
    user = json.dumps({"id": user_id, "first_name": "Admin", "language_code": "en"})
    init = sign_init_data({"user": user, "auth_date": str(int(time.time()))}, token)
    return {"Authorization": f"tma {init}"}


async def get_when_up(http: httpx.AsyncClient, url: str, **kw: object) -> httpx.Response:
    for _ in range(300):  # a loaded machine starts a process slowly
        try:
            return await http.get(url, **kw)  # type: ignore[arg-type]
        except httpx.TransportError:
            await asyncio.sleep(0.1)
    raise AssertionError(f"nothing answered at {url}")


async def test_one_server_answers_webhook_leader_and_mini_app(tmp_path: Path) -> None:
    async with (
        webhook_bot(tmp_path, WEBAPP_URL=WEBAPP_URL) as hook,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{hook.port}") as http,
    ):
        page = await http.get("/shop/")
        headers = signed_for(hook.telegram.token, ADMIN)
        session = await http.get("/shop/api/session", headers=headers)
        leader = await http.get("/leader")
        # The webhook is served as before, on the same port.
        assert await post_update(hook) == HTTPStatus.OK
        await hook.telegram.wait_until(lambda: hook.telegram.count("sendMessage") >= 1, 10)
    assert page.status_code == HTTPStatus.OK
    assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert session.status_code == HTTPStatus.OK and session.json()["is_admin"] is True
    assert leader.status_code == HTTPStatus.OK


async def test_polling_serves_the_mini_app_on_its_own_port(tmp_path: Path) -> None:
    port = free_port()
    async with FakeTelegram() as telegram, FakePanel() as panel:
        settings = fake_settings(telegram, panel, tmp_path) | {
            "ADMIN_IDS": str(ADMIN),
            "WEBAPP_URL": WEBAPP_URL,
            "WEBAPP_LISTEN": "127.0.0.1",
            "WEBAPP_PORT": str(port),
        }
        proc = await spawn(tmp_path, settings)
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                page = await get_when_up(http, "/shop/")
                headers = signed_for(telegram.token, ADMIN)
                for _ in range(300):  # the port opens before the bot is initialised: 503
                    session = await http.get("/shop/api/session", headers=headers)
                    if session.status_code != HTTPStatus.SERVICE_UNAVAILABLE:
                        break
                    await asyncio.sleep(0.1)
                forged = await http.get("/shop/api/session", headers={"Authorization": "tma x"})
        finally:
            proc.send_signal(signal.SIGTERM)
            result = await finish(proc, 30)
    assert page.status_code == HTTPStatus.OK
    assert session.status_code == HTTPStatus.OK
    assert forged.status_code == HTTPStatus.UNAUTHORIZED
    assert result.returncode == 0, result.stderr[-2000:]
    assert telegram.token not in result.output
