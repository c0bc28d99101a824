"""Telegram 5xx storm during an order: every write happens once, every result arrives later.

Four users act at the same moment while every message-sending method of Telegram answers 502,
503 or 504 for longer than the rate limiter repeats a call: one confirms an order, one a bulk
order, one requests a refill, one confirms a cancel. The panel does each write exactly once;
the results go to the outbox and reach every user once Telegram is back. The log has one
WARNING line per failure and no traceback, no ERROR.
"""

from __future__ import annotations

import asyncio

from bot.storage import OutboxKind
from tests.e2e.steps import place, preview_for, text_of
from tests.fakes.panel import FakePanel
from tests.harness import Harness

STORM_METHODS = ("sendMessage", "editMessageText", "answerCallbackQuery", "sendDocument")
BULK = "1 | https://instagram.com/storm_a | 1000\n6 | https://youtube.com/watch?v=storm | 2000\n"


def key_of(uid: int) -> str:
    return f"pk_storm_{uid}_0f1e2d3c4b5a69788796a5b4"


def writes_of(panel: FakePanel, writes: tuple[str, ...]) -> dict[str, int]:
    """Requests per write action; add_bulk only those carrying orders (the bot's probe, an
    empty list, places nothing)."""
    return {a: panel.bulk_calls() if a == "add_bulk" else panel.count(a) for a in writes}


async def _queued(bot: Harness) -> int:
    rows = await bot.deps.storage.db.fetchall(
        "SELECT id FROM outbox WHERE kind = ?", (OutboxKind.REPLY,)
    )
    return len(rows)


async def test_telegram_5xx_storm_during_an_order(bot: Harness) -> None:
    tg, panel = bot.telegram, bot.panel
    orderer = await bot.member(7101, key=key_of(7101))
    bulker = await bot.member(7102, key=key_of(7102))
    refiller = await bot.member(7103, key=key_of(7103))
    canceller = await bot.member(7104, key=key_of(7104))
    # Everything prepared while Telegram is healthy.
    preview = await preview_for(orderer, 1, "https://instagram.com/p/storm", "1000")
    await bulker.send("/bulk")
    await bulker.reply()
    await bulker.send(BULK)
    bulk_preview = await bulker.reply()
    completed = await place(bot, refiller.id, key_of(refiller.id), service=1, status="Completed")
    pending = await place(bot, canceller.id, key_of(canceller.id), service=1)
    await canceller.send(f"/cancelorder {pending.panel_order_id}")
    question = await canceller.reply()
    panel.clear_log()

    for method, code in zip(STORM_METHODS, (502, 503, 504, 502), strict=True):
        tg.inject(method, error_code=code, times=None)
    await orderer.press("Confirm", message=preview)
    await bulker.press("Confirm", message=bulk_preview)
    await refiller.send(f"/refill {completed.panel_order_id}")
    await canceller.press("Yes", message=question)
    for _ in range(600):  # each result is repeated for about 8 s, then queued
        if await _queued(bot) == 4:
            break
        await asyncio.sleep(0.05)  # polling the database: no event to wait for
    assert await _queued(bot) == 4
    # Every write reached the panel exactly once, though no user has seen anything yet.
    writes = ("add", "add_bulk", "refill", "cancel")
    assert writes_of(panel, writes) == dict.fromkeys(writes, 1)
    assert panel.count("refill") == 1
    assert panel.count("cancel") == 1
    logs = bot.logs.text
    assert logs.count("queued in the outbox") == 4
    assert "Traceback" not in logs
    assert not [line for line in bot.logs.lines if line.startswith(("ERROR", "CRITICAL"))]

    tg.clear_faults()  # Telegram is back: the outbox delivers every result
    expected = {
        orderer: "Order placed",
        bulker: "placed",
        refiller: "refill requested",
        canceller: "cancel requested",
    }
    for user, needle in expected.items():
        await tg.wait_until(
            lambda u=user, n=needle: any(n in text_of(m) for m in u.bot_messages()),  # type: ignore[misc]
            timeout=30,
        )
    for user, needle in expected.items():
        assert len([m for m in user.bot_messages() if needle in text_of(m)]) == 1, needle
    # Still exactly once on the panel after the storm.
    assert writes_of(panel, writes) == dict.fromkeys(writes, 1)
    assert tg.bad_requests() == []
