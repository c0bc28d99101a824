"""Telegram answering 5xx or resetting connections: replies are repeated, results never lost.

A reply that fails for a transient reason is repeated a few times within about ten seconds. The
result of an order that still cannot be shown goes to the outbox and arrives once Telegram is
back. Each failure is one WARNING line, never a traceback.
"""

from __future__ import annotations

import asyncio

from bot.storage import OutboxKind
from tests.e2e.steps import preview_for
from tests.harness import Harness

KEY = "pk_trouble_0123456789abcdef"


def text_of(message: object) -> str:
    return getattr(message, "text", None) or getattr(message, "caption", None) or ""


async def test_a_reply_arrives_after_a_few_502s(bot: Harness) -> None:
    u = await bot.member(6101, key=KEY)
    bot.telegram.inject("sendMessage", error_code=502, chat_id=u.id, times=3)
    await u.send("/balance")
    assert "Balance:" in text_of(await u.reply(timeout=10))
    sends = bot.telegram.calls_to("sendMessage")
    assert [c.status for c in sends] == [502, 502, 502, 200]
    assert len([m for m in u.bot_messages() if "Balance:" in text_of(m)]) == 1
    assert "Traceback" not in bot.logs.text
    assert "ERROR" not in bot.logs.text


async def test_an_edit_arrives_after_503_and_504(bot: Harness) -> None:
    u = await bot.member(6102, key=KEY)
    await u.send("/services")
    categories = await u.reply()
    bot.telegram.inject("editMessageText", error_code=503, chat_id=u.id)
    bot.telegram.inject("editMessageText", error_code=504, chat_id=u.id)
    await u.press("Instagram", message=categories)
    edited = await u.update(timeout=10)
    assert edited.message_id == categories.message_id
    statuses = [c.status for c in bot.telegram.calls_to("editMessageText")]
    assert statuses == [503, 504, 200]
    assert "Traceback" not in bot.logs.text


async def test_a_storm_longer_than_the_repeats_delivers_the_result_later(bot: Harness) -> None:
    tg = bot.telegram
    u = await bot.member(6103, key=KEY)
    preview = await preview_for(u, 1, "https://instagram.com/p/storm", "1000")
    bot.panel.latency = 1.0  # time to start the storm between "Sending…" and the result
    await u.press("Confirm", message=preview)
    sending = await u.update()
    assert "Sending" in text_of(sending)
    for method in ("sendMessage", "editMessageText", "answerCallbackQuery"):
        tg.inject(method, error_code=502, chat_id=u.id, times=None)
    outbox = bot.deps.storage.outbox

    async def queued() -> int:
        rows = await bot.deps.storage.db.fetchall(
            "SELECT id FROM outbox WHERE kind = ? AND user_id = ?", (OutboxKind.REPLY, u.id)
        )
        return len(rows)

    for _ in range(300):  # the edit is repeated for about 8 s, then the result is queued
        if await queued():
            break
        await asyncio.sleep(0.05)  # polling the database: no event to wait for
    assert await queued() == 1
    assert bot.panel.count("add") == 1  # placed once, whatever Telegram did
    assert not any("Order placed" in text_of(m) for m in u.bot_messages())
    assert "queued in the outbox" in bot.logs.text
    assert "Traceback" not in bot.logs.text
    assert not [line for line in bot.logs.lines if line.startswith("ERROR")]

    tg.clear_faults()  # Telegram is back
    result = await u.reply(timeout=30)
    assert "Order placed" in text_of(result)
    for _ in range(100):  # marked sent right after Telegram's answer
        if await outbox.pending_count() == 0:
            break
        await asyncio.sleep(0.05)
    assert await outbox.pending_count() == 0
    placed = [m for m in u.bot_messages() if "Order placed" in text_of(m)]
    assert len(placed) == 1
    # The queued result carries the order card button, like every other notice of an order.
    assert [label for label, _ in result.buttons()] == ["📄 Open order"]


async def test_a_document_is_uploaded_again_after_a_reset_and_a_502(bot: Harness) -> None:
    from tests.e2e.steps import place

    u = await bot.member(6104, key=KEY)
    await place(bot, u.id, KEY)
    bot.telegram.reset_connection_once("sendDocument")
    bot.telegram.inject("sendDocument", error_code=502, chat_id=u.id)
    await u.send("/export")
    export = await u.reply(timeout=10)
    assert export.document is not None
    assert export.document.content.startswith("\ufeff".encode())  # the whole file, again
    assert b"instagram.com" in export.document.content
    assert [c.status for c in bot.telegram.calls_to("sendDocument")] == [0, 502, 200]
    assert "Traceback" not in bot.logs.text


async def test_a_proxy_html_502_page_is_repeated_too(bot: Harness) -> None:
    u = await bot.member(6105, key=KEY)
    bot.telegram.inject("sendMessage", error_code=502, chat_id=u.id, html=True, times=2)
    await u.send("/help")
    assert "/setkey" in text_of(await u.reply(timeout=10))
    assert [c.status for c in bot.telegram.calls_to("sendMessage")] == [502, 502, 200]
    assert "Traceback" not in bot.logs.text
