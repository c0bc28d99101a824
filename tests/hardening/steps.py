"""What the hardening tests share: a member whose database refuses writes (another process
holding SQLite's write lock, a full disk), a single order's preview, and a 150-line bulk
confirmed on a slow panel, the webhook's listener on its own. Test modules import these from
here, never from one another."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from telegram import Bot

from bot.storage.models import SubmitState
from bot.webhook import WebhookServer
from tests.e2e.steps import text_of
from tests.fakes.panel import Fault
from tests.fakes.telegram_models import BotMessage
from tests.fakes.telegram_users import FakeUser
from tests.harness import Harness
from tests.processes import free_port

KEY = "pk_dbfault_5e4d3c2b1a0f9e8d7c6b5a49"
UID = 7301
GENERIC = "Something went wrong"
LINES = 150
# How long any one answer may take while the database refuses (budgets, retries, a slow box).
ANSWER = 15.0

_LOCKER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()
conn.execute("ROLLBACK")
"""


@asynccontextmanager
async def writer_lock(database: Path) -> AsyncIterator[None]:
    """Another process holds the database's write lock until the block ends."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _LOCKER,
        str(database),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), 15)
        assert line.strip() == b"locked", line
        yield
    finally:
        proc.stdin.close()
        await asyncio.wait_for(proc.wait(), 15)


def journal_of(bot: Harness) -> Path:
    return Path(f"{bot.settings.database_path}.journal")


async def single_preview(u: FakeUser, link: str = "https://instagram.com/dbfault") -> BotMessage:
    await u.send("/order 1")
    await u.reply()
    await u.send(link)
    await u.reply()
    await u.send("1000")
    preview = await u.reply()
    assert any("Confirm" in label for label, _ in preview.buttons()), preview.describe()
    return preview


async def bulk_preview(u: FakeUser) -> BotMessage:
    await u.send("/bulk")
    await u.reply()
    await u.send("\n".join(f"9 | https://t.me/dbfull{i} | 100" for i in range(LINES)))
    preview = await u.reply()
    assert f"{LINES} valid orders of {LINES} lines" in text_of(preview), preview.describe()
    return preview


async def confirm_bulk_on_a_slow_panel(bot: Harness) -> FakeUser:
    """A member confirms a 150-line bulk; the panel takes a second to answer each add_bulk,
    and the first one has arrived when this returns (the claim is stored by then)."""
    u = await bot.member(UID, key=KEY, balance="100000")
    preview = await bulk_preview(u)
    bot.panel.inject(Fault.latency(1.0, after=True), action="add_bulk", times=None)
    await u.press("Confirm", message=preview)
    await bot.panel.wait_for_request("add_bulk")
    return u


async def result_and_notices(u: FakeUser) -> tuple[BotMessage, str]:
    """The bulk result, and the text of every message before it (the unsaved-ids notice)."""
    notices: list[str] = []
    while "Bulk order result" not in text_of(msg := await u.reply(timeout=ANSWER)):
        notices.append(text_of(msg))
    return msg, "\n".join(notices)


async def assert_orders_list_every_id(bot: Harness, u: FakeUser, placed: list[int]) -> None:
    rows = await bot.deps.storage.orders.all_for_user(UID)
    assert len(rows) == LINES and {r.submit_state for r in rows} == {SubmitState.PLACED}
    assert sorted(r.panel_order_id or 0 for r in rows) == placed
    await u.send("/orders")
    listing = await u.reply()
    assert f"{LINES} in total" in text_of(listing), listing.describe()
    shown = [label for label, _ in listing.buttons() if "#" in label]
    assert shown and all(any(f"#{pid}" in label for pid in placed) for label in shown), shown


@asynccontextmanager
async def webhook_listener(secret: str, **options: Any) -> AsyncIterator[WebhookServer]:
    """The webhook's real listener (no bot behind it) at /hook on a free local port."""
    listener = WebhookServer(
        listen="127.0.0.1",
        port=free_port(),
        path="/hook",
        secret=secret,
        bot=Bot("123:ABC"),
        queue=asyncio.Queue(),
        **options,
    )
    await listener.start()
    try:
        yield listener
    finally:
        await listener.stop()
