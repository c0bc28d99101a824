"""What a process that is not (or no longer) the leader may do: nothing that leaves it.

Through the real Application over the fake Telegram and fake panel, and the real webhook
listener over HTTP. The fence is what `AdvisoryLockLeadership` closes when its lock goes.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
from telegram import Bot

from bot.leadership import Fence, LeadershipLost
from bot.panel.client import PanelClient
from bot.panel.models import NewOrder
from bot.webhook import SECRET_HEADER, WebhookServer
from tests.harness import running_bot
from tests.processes import free_port

KEY = "pk_live_4f9a8e7d6c5b4a39281706f5e4d3c2b1"
SECRET = "fence-test_secret-0123456789"


async def test_a_closed_fence_stops_every_telegram_and_panel_call(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        user = await bot.member(7001, key=KEY)
        await user.send("/balance")
        await user.reply()  # the leader answers
        assert bot.app is not None
        panel_calls = bot.panel.count()
        sent = len(bot.telegram.calls_to("sendMessage"))

        bot.app.fence.close("test: the lock connection was cut")
        await user.send("/balance")
        await user.send("/start")
        await asyncio.sleep(1.0)  # time enough for both to have been handled
        assert bot.panel.count() == panel_calls  # no panel call left the process
        assert len(bot.telegram.calls_to("sendMessage")) == sent  # and no message
        assert "leadership lost" in bot.logs.text


async def test_the_panel_client_asks_the_gate_before_every_request() -> None:
    fence = Fence()
    fence.close("gone")
    async with httpx.AsyncClient() as http:
        client = PanelClient("http://127.0.0.1:9/api/v2", KEY, http=http, gate=fence.check)
        with pytest.raises(LeadershipLost):
            await client.add_order(NewOrder(1, "https://x.example/a", 100))


async def test_a_standby_webhook_answers_503_and_the_leader_takes_the_update() -> None:
    leading = False
    queue: asyncio.Queue[object] = asyncio.Queue()
    port = free_port()
    server = WebhookServer(
        listen="127.0.0.1",
        port=port,
        path="/hook",
        secret=SECRET,
        bot=Bot("123:ABC"),
        queue=queue,
        accepting=lambda: leading,
    )
    update = {"update_id": 1, "message": None}
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            forged = await http.post("/hook", json=update)
            assert forged.status_code == 403  # the secret is checked first, standby or not
            standby = await http.post("/hook", json=update, headers={SECRET_HEADER: SECRET})
            assert standby.status_code == 503 and standby.headers["Retry-After"] == "1"
            assert (await http.get("/leader")).status_code == 503
            assert queue.empty()  # Telegram keeps the update and delivers it again

            leading = True
            taken = await http.post("/hook", json=update, headers={SECRET_HEADER: SECRET})
            assert taken.status_code == 200
            health = await http.get("/leader")
            assert health.status_code == 200 and json.loads(health.text) == {"leader": True}
            assert queue.qsize() == 1
    finally:
        await server.stop()
