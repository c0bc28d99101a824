"""A slow or busy disk under the fetched-updates file (bot/fetched.py).

Each fetched batch is fsync'd before the next getUpdates confirms it, and each webhook update
before the answer to Telegram's POST. That fsync once ran on the event loop: a disk taking its
time held every user of the bot for as long. Here `os.fsync` is held until the test lets it go
(tests/slow_disk.py): the bot goes on meanwhile, and still confirms nothing before it is kept.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import httpx
import pytest

from bot.app import ALLOWED_UPDATES
from bot.fetched import FetchedUpdates
from bot.runner import UpdatePoller, _fetched_updates
from bot.webhook import SECRET_HEADER
from tests.hardening.steps import webhook_listener
from tests.harness import running_bot
from tests.loop_turns import other_task_turns
from tests.slow_disk import HOLD_LIMIT_SECONDS, SlowDisk

SECRET = "slow-disk_secret-0123456789"
UPDATE = {"update_id": 7, "message": None}


async def test_a_webhook_update_is_answered_once_kept_and_others_are_served_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    disk = SlowDisk()
    monkeypatch.setattr(os, "fsync", disk.fsync)
    fetched = FetchedUpdates(tmp_path / "bot.sqlite3.updates")
    try:
        async with (
            webhook_listener(SECRET, fetched=fetched) as server,
            httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{server.port}", timeout=HOLD_LIMIT_SECONDS
            ) as http,
        ):
            posting = asyncio.create_task(
                http.post("/hook", json=UPDATE, headers={SECRET_HEADER: SECRET})
            )
            await disk.begun()
            # The load balancer's health check (another client) is answered meanwhile...
            assert (await http.get("/leader")).status_code == 200
            # ...and Telegram is not told "delivered" before the update is on the disk.
            assert not posting.done() and server.queue.empty()
            disk.release.set()
            assert (await posting).status_code == 200
            assert server.queue.qsize() == 1
    finally:
        disk.release.set()
        await fetched.aclose()
    assert disk.on_loop == 0 and disk.off_loop == 1


async def test_a_polled_batch_is_confirmed_once_kept_and_the_bot_goes_on_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_bot(tmp_path) as harness:
        app = harness.app
        assert app is not None and app.updater is not None
        await app.updater.stop()  # the runner's own poller instead (bot/runner.py `_poll`)
        fetched = _fetched_updates(app)
        assert fetched is not None
        poller = UpdatePoller(
            app.bot, app.update_queue, ALLOWED_UPDATES, timeout=1, fetched=fetched
        )
        disk = SlowDisk()
        monkeypatch.setattr(os, "fsync", disk.fsync)
        polling = asyncio.create_task(poller.run())
        try:
            async with other_task_turns() as turns:
                await harness.user(8101).send("/help")
                await disk.begun()
                # Another user hears from the bot while the batch is being kept.
                other = harness.user(8102)
                await app.bot.send_message(other.chat_id, "Your order is complete.")
                held_at = turns.count
                for _ in range(100):
                    await asyncio.sleep(0)
                assert turns.count >= held_at + 100
                assert harness.telegram.pending_updates == 1  # not confirmed: not yet kept
                assert harness.telegram.polls_in_flight == 0
                disk.release.set()
            await harness.user(8101).reply()  # handled once kept, then confirmed
            await harness.telegram.wait_until(lambda: harness.telegram.pending_updates == 0)
        finally:
            disk.release.set()
            polling.cancel()
            await asyncio.gather(polling, return_exceptions=True)
            await fetched.aclose()
    assert disk.on_loop == 0 and disk.off_loop == 1
