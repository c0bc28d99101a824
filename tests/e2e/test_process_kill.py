"""Issue 19 item 11: an update received just before a kill -9 is handled after the restart.

`python -m bot` receives a bulk Confirm, and Telegram counts it as delivered (polling: the next
long poll confirmed it; webhook: the bot answered 200) while the handler still waits, here on
the catalog re-read before the claim. The process is killed -9 there. Restarted, it handles the
Confirm from its fetched-updates file: the orders are placed, exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.fakes.panel import FakePanel, Fault
from tests.fakes.telegram import FakeTelegram
from tests.processes import fake_settings, finish, free_port, spawn

UID = 7501
KEY = "pk_kill9_0a1b2c3d4e5f60718293a4b5"
LINES = 3
WAIT = 30.0
SECRET = "kill9-test_secret-0123456789"


async def _forward(telegram: FakeTelegram, url: str) -> None:
    """Telegram's side of a webhook: the oldest update is POSTed until the bot answers 200."""
    async with httpx.AsyncClient(timeout=5) as client:
        while True:
            pending = telegram._updates
            if pending:
                try:
                    answer = await client.post(
                        url, json=pending[0], headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
                    )
                except httpx.HTTPError:
                    answer = None
                if answer is not None and answer.status_code == 200:
                    pending.pop(0)
                    continue
            await asyncio.sleep(0.05)  # Telegram's own retry pace, much shortened


@contextlib.asynccontextmanager
async def webhook_forwarder(telegram: FakeTelegram, port: int | None) -> AsyncIterator[None]:
    if port is None:
        yield
        return
    task = asyncio.create_task(_forward(telegram, f"http://127.0.0.1:{port}/hook"))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_a_bulk_confirm_received_before_a_kill_9_is_placed_once_after_restart(
    tmp_path: Path, mode: str
) -> None:
    port = free_port() if mode == "webhook" else None
    async with FakeTelegram() as telegram, FakePanel() as panel:
        settings = fake_settings(telegram, panel, tmp_path / "data") | {
            "ADMIN_IDS": str(UID),
            # Confirm reads the catalog again: the handler waits there, before its claim.
            "SERVICES_CACHE_SECONDS": "0",
        }
        if port is not None:
            settings |= {
                "WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
                "WEBHOOK_SECRET": SECRET,
                "WEBHOOK_LISTEN": "127.0.0.1",
                "WEBHOOK_PORT": str(port),
            }
        user = telegram.user(UID)
        panel.add_key(KEY, balance="1000")
        proc = await spawn(tmp_path, settings)
        try:
            async with webhook_forwarder(telegram, port):
                await user.send(f"/setkey {KEY}")
                await user.reply(timeout=WAIT)
                await user.send("/bulk")
                await user.reply(timeout=WAIT)
                await user.send("\n".join(f"9 | https://t.me/kill{i} | 100" for i in range(LINES)))
                preview = await user.reply(timeout=WAIT)
                assert f"{LINES} valid orders" in (preview.text or ""), preview.describe()
                panel.inject(Fault.latency(WAIT * 2), action="services", times=1)
                services = panel.count("services")
                await user.press("Confirm", message=preview)
                await panel.wait_for_request("services", count=services + 1, timeout=WAIT)
                # Telegram has forgotten the Confirm: confirmed by the next long poll, or
                # answered 200 on the webhook.
                await telegram.wait_until(
                    lambda: (
                        telegram.pending_updates == 0
                        and (port is not None or telegram.polls_in_flight > 0)
                    ),
                    timeout=WAIT,
                )
                proc.kill()
                await proc.wait()
                assert not panel.orders

                proc = await spawn(tmp_path, settings)
                await telegram.wait_until(
                    lambda: any("Bulk order result" in t for t in user.sent_texts()),
                    timeout=WAIT,
                )
            proc.send_signal(signal.SIGTERM)
            result = await finish(proc, WAIT)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        assert result.returncode == 0, result.stderr[-2000:]
        assert "Traceback" not in result.output
        # Placed exactly once (the add_bulk calls also include the panel's capability probe).
        assert len([o for o in panel.orders.values() if o.key == KEY]) == LINES
        assert sum("Bulk order result" in t for t in user.sent_texts()) == 1
