"""The order dialog goes on after a restart: its typed state is kept in persisted user_data.

Also in the shape the version before `OrderDialog` stored: the open question under "field",
and the drip-feed question inside the ANSWER state instead of a state of its own.
"""

from __future__ import annotations

import json

from bot.storage import open_database
from tests.e2e.steps import add_params, ask, confirm
from tests.fakes.telegram_models import BotMessage
from tests.fakes.telegram_users import FakeUser
from tests.harness import Harness

KEY = "pk_restart_0123456789abcdef"
UID = 4601


async def dripfeed_question(u: FakeUser) -> BotMessage:
    await u.send("/order 2")  # service 2 is listed with `dripfeed: true`: the dialog asks
    await u.reply()
    await ask(u, "https://instagram.com/p/x")
    await u.send("1000")
    question = await u.reply()
    assert "Use drip-feed?" in (question.text or "")
    return question


async def test_restart_at_the_dripfeed_question_keeps_the_dialog(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    question = await dripfeed_question(u)
    await bot.restart()
    await u.send("5")
    reply = (await u.reply()).text or ""
    assert "Please answer with the buttons." in reply and "Use drip-feed?" in reply

    await u.press("Yes, drip-feed", message=question)
    runs = await u.update()
    assert runs.message_id == question.message_id
    assert "in how many runs" in (runs.text or "")
    await bot.restart()
    assert "minutes between runs" in await ask(u, "3")
    await u.send("10")
    preview = await u.reply()
    assert "Drip-feed: 3 runs, every 10 min — 3,000 in total" in (preview.text or "")
    await confirm(u, preview)
    [params] = add_params(bot)
    assert (params["quantity"], params["runs"], params["interval"]) == ("1000", "3", "10")


async def _rewrite_as_the_older_version(bot: Harness, question: str) -> None:
    """What that version stored at `question`: its dict, and its state for that question."""
    async with await open_database(bot.settings.database) as db:
        select = "SELECT value FROM ptb_state WHERE kind = ? AND key = ?"
        row = await db.fetchone(select, ("user_data", str(UID)))
        assert row is not None
        data = json.loads(row[0])
        new = data["dialog"]
        assert new["question"] == question
        data["dialog"] = {
            "flow": "order",
            "id": new["id"],
            "service": new["service"],
            "values": new["values"],
            "skipped": new["skipped"],
            "field": question,
        }
        update = "UPDATE ptb_state SET value = ? WHERE kind = ? AND key = ?"
        await db.execute(update, (json.dumps(data), "user_data", str(UID)))
        [(key, state)] = await db.fetchall(
            "SELECT key, value FROM ptb_state WHERE kind = 'conversation:dialog'"
        )
        assert json.loads(state) == ("order.dripfeed" if question == "dripfeed?" else "order.field")
        await db.execute(update, (json.dumps("order.field"), "conversation:dialog", key))


async def test_dripfeed_question_stored_by_the_older_version_is_answered(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    question = await dripfeed_question(u)
    await bot.stop()
    await _rewrite_as_the_older_version(bot, "dripfeed?")
    await bot.start()

    await u.press("No, all at once", message=question)
    preview = await u.update()
    assert preview.message_id == question.message_id
    text = preview.text or ""
    assert "Quantity: 1,000" in text and "Drip-feed" not in text


async def test_field_question_stored_by_the_older_version_is_answered(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await u.send("/order 2")
    await u.reply()
    await ask(u, "https://instagram.com/p/x")
    await bot.stop()
    await _rewrite_as_the_older_version(bot, "quantity")
    await bot.start()

    await u.send("1000")
    assert "Use drip-feed?" in ((await u.reply()).text or "")
