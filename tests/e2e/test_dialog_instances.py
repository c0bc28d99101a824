"""Old dialog buttons never act on the dialog that is open now (issue 11, item 8).

Every question button carries its dialog run and question; a button of another run, or of an
earlier question, is answered "This question is closed" and changes nothing: no edit, no new
message, no change to the dialog's answers.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from bot.callbacks.base import decode
from bot.callbacks.dialog import CancelDialog
from bot.callbacks.new_order import DripfeedChoice, SkipQuestion
from tests.e2e.steps import add_params, ask, confirm, dialog, labels
from tests.fakes.telegram_models import BotMessage
from tests.fakes.telegram_users import FakeUser
from tests.harness import Harness

KEY = "pk_dialogs_0123456789abcdef"
UID = 4301
CLOSED = "This question is closed."


def chat_snapshot(u: FakeUser) -> list[tuple[Any, ...]]:
    """Every bot message as the user sees it, with how often it was edited."""
    return [
        (m.message_id, m.text, json.dumps(m.reply_markup, sort_keys=True), m.edit_count, m.deleted)
        for m in u.bot_messages()
    ]


def dialog_state(bot: Harness, user_id: int = UID) -> Any:
    assert bot.app is not None
    state = bot.app.user_data.get(user_id)
    return copy.deepcopy(state.dialog if state is not None else None)


async def press_closed(bot: Harness, u: FakeUser, label: str, message: BotMessage) -> None:
    """Press `label` on `message`; it must only be answered "This question is closed"."""
    chat = chat_snapshot(u)
    state = dialog_state(bot)
    answers = bot.telegram.count("answerCallbackQuery")
    query_id = await u.press(label, message=message, exact=True)
    answer = await u.answer(query_id)
    assert answer.params.get("text") == CLOSED, answer.params
    assert not answer.params.get("show_alert")
    assert bot.telegram.count("answerCallbackQuery") == answers + 1
    assert chat_snapshot(u) == chat, u.describe_chat()
    assert dialog_state(bot) == state


async def test_old_dripfeed_yes_does_not_turn_on_dripfeed_of_the_next_order(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    question_a = await dialog(u, 2, "https://instagram.com/p/first", "1000")
    assert "Use drip-feed?" in (question_a.text or "")

    question_b = await dialog(u, 2, "https://instagram.com/p/second", "500")
    assert "Use drip-feed?" in (question_b.text or "")

    await press_closed(bot, u, "Yes, drip-feed", question_a)
    await press_closed(bot, u, "No, all at once", question_a)
    await press_closed(bot, u, "✖️ Cancel", question_a)

    # Order B still waits for its own answer, and gets it from its own button.
    await u.press("No, all at once", message=question_b)
    preview = await u.update()
    assert preview.message_id == question_b.message_id
    text = preview.text or ""
    assert "Link: https://instagram.com/p/second" in text
    assert "Quantity: 500" in text and "Drip-feed" not in text
    await confirm(u, preview)
    [params] = add_params(bot)
    assert "runs" not in params and params["quantity"] == "500"
    # Checked after B's answers: the old tap was fully handled by then (one user, in order).
    assert question_a.edit_count == 0 and "Use drip-feed?" in (question_a.text or "")
    assert bot.telegram.bad_requests() == []


async def test_old_subscriptions_skip_does_not_redraw_another_dialog(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    posts_question = await dialog(u, 5, "@some.user", "100", "200")
    assert "new posts" in (posts_question.text or "")
    assert "Skip" in labels(posts_question)

    await u.send("/order 1")
    link_question = await u.reply()
    assert "Send the link" in (link_question.text or "")

    await press_closed(bot, u, "Skip", posts_question)
    assert "How many?" in await ask(u, "https://instagram.com/foo")
    assert posts_question.edit_count == 0 and "new posts" in (posts_question.text or "")


async def test_skip_of_an_earlier_question_of_the_same_dialog_is_closed(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    posts_question = await dialog(u, 5, "@some.user", "100", "200")
    await u.send("3")  # answered by text: the posts question's message keeps its Skip
    old_posts_question = await u.reply()
    assert "existing posts" in (old_posts_question.text or "")

    await press_closed(bot, u, "Skip", posts_question)
    assert dialog_state(bot)["values"] == {
        "username": "some.user",
        "min": 100,
        "max": 200,
        "posts": 3,
    }

    # The open question's own Skip still works.
    await u.press("Skip", message=old_posts_question)
    delay_question = await u.update()
    assert delay_question.message_id == old_posts_question.message_id
    assert "Delay before delivery starts" in (delay_question.text or "")
    assert posts_question.edit_count == 0 and "new posts" in (posts_question.text or "")


async def test_old_cancel_leaves_the_open_dialog_alone(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await u.send("/bulk")
    bulk_question = await u.reply()
    await u.send("/setkey")
    key_question = await u.reply()
    await u.send("/order 1")
    link_question = await u.reply()

    await press_closed(bot, u, "✖️ Cancel", bulk_question)
    await press_closed(bot, u, "✖️ Cancel", key_question)
    assert "How many?" in await ask(u, "https://instagram.com/foo")
    assert bulk_question.edit_count == 0 and key_question.edit_count == 0

    # The open dialog's own Cancel still leaves it, wherever on its questions it is pressed.
    await u.press("✖️ Cancel", message=link_question)
    cancelled = await u.update()
    assert cancelled.message_id == link_question.message_id
    assert "Cancelled." in (cancelled.text or "")
    assert dialog_state(bot) is None


async def test_cancel_of_a_finished_dialog_is_closed_without_a_message(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await u.send("/order 1")
    link_question = await u.reply()
    await u.send("/cancel")
    assert "Cancelled." in ((await u.reply()).text or "")

    await press_closed(bot, u, "✖️ Cancel", link_question)

    # Likewise after the dialog ended in a preview.
    await u.send("/order 6")
    await u.reply()
    await ask(u, "https://youtube.com/watch?v=x")
    quantity_question = u.last()
    await u.send("500")
    assert "Please check your order" in ((await u.reply()).text or "")
    await press_closed(bot, u, "✖️ Cancel", quantity_question)


async def test_every_dialog_button_names_its_run(bot: Harness) -> None:
    """The run id is in the data of each question button, and a new run gets a new one."""
    u = await bot.member(UID, key=KEY)
    await u.send("/order")
    pick = await u.reply()
    await u.send("2")
    link_q = await u.reply()
    first = dialog_state(bot)["id"]
    await u.send("/order 2")
    await u.reply()
    second = dialog_state(bot)["id"]
    assert first != second
    await ask(u, "https://instagram.com/p/x")
    await u.send("100")
    drip_q = await u.reply()
    for message, run in ((pick, first), (link_q, first), (drip_q, second)):
        for _, data in message.buttons():
            decoded = decode(data)
            assert decoded is not None, data
            if decoded.action in (CancelDialog.action, DripfeedChoice.action, SkipQuestion.action):
                assert decoded.text(0) == run, (message.text, data)
                assert len(data.encode()) <= 64
