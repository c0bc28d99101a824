"""What a user decides about pushes and times: per-order mute, quiet hours, time zone, and the
orders a digest push covers. No Telegram in here."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.storage import Order, OutboxKind, Storage
from bot.storage.models import SubmitState
from bot.zones import resolve_zone


@dataclass(frozen=True, slots=True)
class NotificationSettings:
    storage: Storage
    clock: Callable[[], float] = field(default=time.time)

    async def set_muted(self, user_id: int, order_id: int, muted: bool) -> Order | None:
        """🔕 / 🔔 of the user's own order; the order as stored now, None when not theirs."""
        orders = self.storage.orders
        if not await orders.set_muted(user_id, order_id, muted):
            return None
        order = await orders.get(order_id)
        return order if order is not None and order.user_id == user_id else None

    async def digest_orders(self, user_id: int, item_id: int) -> list[Order] | None:
        """The orders a digest push of the user covers (as stored now); None for anything
        else (someone else's item, not a digest, forged data)."""
        item = await self.storage.outbox.get(item_id)
        if item is None or item.user_id != user_id or item.kind != OutboxKind.ORDER_DIGEST:
            return None
        raw = item.payload.get("orders")
        ids = (
            [e[0] for e in raw if isinstance(e, list) and e and isinstance(e[0], int)]
            if isinstance(raw, list)
            else []
        )
        found: list[Order] = []
        for order_id in dict.fromkeys(ids):
            order = await self.storage.orders.get(order_id)
            owned = order is not None and order.user_id == user_id
            if owned and order is not None and order.submit_state is not SubmitState.DRAFT:
                found.append(order)
        return found

    async def set_time_zone(self, user_id: int, text: str) -> str | None:
        """Store the zone `text` names; its IANA name, None when no such zone exists."""
        zone = resolve_zone(text)
        if zone is not None:
            await self.storage.users.set_time_zone(user_id, zone)
        return zone

    async def set_quiet_hours(self, user_id: int, hours: tuple[int, int] | None) -> None:
        """New quiet hours (None: none). What the old ones held back is due at once: the
        notifier holds it again if the new hours say so, else sends it as one digest."""
        if hours is not None and hours[0] == hours[1]:
            hours = None
        await self.storage.users.set_quiet_hours(user_id, hours)
        await self.storage.outbox.release_held(user_id, self.clock())
