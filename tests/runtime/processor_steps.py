"""What the PerUserUpdateProcessor tests feed it and wait for: updates as Telegram sends them, one
task per update as `Application` starts them, and a wait measured in loop turns (issue 22)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from telegram import Update

from bot.processor import PerUserUpdateProcessor

_next_id = iter(range(1, 1_000_000))


def text_update(user_id: int, text: str | None = None) -> Update:
    """A private-chat message from `user_id` (a command gets its entity); `text` defaults to a
    fresh one."""
    uid = next(_next_id)
    message: dict[str, Any] = {
        "message_id": uid,
        "date": 0,
        "chat": {"id": user_id, "type": "private"},
        "from": {"id": user_id, "is_bot": False, "first_name": "u"},
        "text": f"m{uid}" if text is None else text,
    }
    if text is not None and text.startswith("/"):
        length = len(text.split(" ", 1)[0])
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return Update.de_json({"update_id": uid, "message": message}, bot=None)


def button_update(user_id: int, data: str) -> Update:
    uid = next(_next_id)
    user = {"id": user_id, "is_bot": False, "first_name": "u"}
    return Update.de_json(
        {
            "update_id": uid,
            "callback_query": {
                "id": str(uid),
                "from": user,
                "chat_instance": "c",
                "data": data,
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": {"id": user_id, "type": "private"},
                    "text": "menu",
                },
            },
        },
        bot=None,
    )


async def until(predicate: Callable[[], bool], what: str) -> None:
    """Let the loop run until `predicate` holds; loop turns, not wall-clock time."""
    for _ in range(10_000):
        if predicate():
            return
        await asyncio.sleep(0)
    raise AssertionError(f"never reached: {what}")


def submit(processor: PerUserUpdateProcessor, update: object, coroutine: Any) -> asyncio.Task[None]:
    return asyncio.create_task(processor.process_update(update, coroutine))
