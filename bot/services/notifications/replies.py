"""Replies to a user's own action that Telegram would not take, queued as notifications: the
drain sends them once Telegram is back (bot/handlers/replies.py shows them or queues them)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.models import OutboxKind
from bot.storage.outbox import OutboxRepo


@dataclass(frozen=True, slots=True)
class ReplyQueue:
    outbox: OutboxRepo

    async def queue(self, user_id: int, text: str, *, order_id: int | None = None) -> bool:
        """Queue the result (a 5xx storm, a reset connection after every repeat): the outbox
        delivers it once Telegram is back, with the order card button for `order_id`."""
        payload: dict[str, object] = {"text": text}
        if order_id is not None:
            payload["order_id"] = order_id
        return await self.outbox.enqueue(user_id, OutboxKind.REPLY, payload)
