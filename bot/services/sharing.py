"""What a reseller may show a client: their own orders, found by the panel's order id.

Inline mode (`@bot 23501` in any chat) answers from here. Only the asking user's orders are
ever looked at: the user comes from Telegram's update, the query only narrows it down.
"""

from __future__ import annotations

import re

from bot.storage.models import Order, OrderFilter
from bot.storage.orders import OrdersRepo

# Telegram shows a handful of results above the keyboard; ten newest is plenty to pick from.
SHARE_RESULTS_MAX = 10
# "23501", "#23501" or "# 23501": what a reseller types or pastes from a card.
_PANEL_ID = re.compile(r"#?\s*(\d{1,18})")


class SharingService:
    def __init__(self, orders: OrdersRepo) -> None:
        self._orders = orders

    async def find(self, user_id: int, query: str) -> list[Order]:
        """The user's orders with the panel id in `query` (one per panel that has it), or their
        newest orders for an empty query; nothing for any other text."""
        text = query.strip()
        if not text:
            newest = await self._orders.list_for_user(
                user_id, filter=OrderFilter.ALL, limit=SHARE_RESULTS_MAX
            )
            return [o for o in newest if o.panel_order_id is not None]
        match = _PANEL_ID.fullmatch(text)
        if match is None:
            return []
        found = await self._orders.by_panel_ids(user_id, [int(match[1])])
        return found[:SHARE_RESULTS_MAX]
