"""What a user spent: the placed orders' amounts, for /stats. Read-only."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.storage.db import Database
from bot.storage.rows import readable_decimal


@dataclass(frozen=True, slots=True)
class SpendRow:
    """One placed order's money: the panel's charge when known, else the previewed cost."""

    placed_at: float
    panel: str  # its panel account's name; "" when unnamed (PANEL_API_URL's, before start-up)
    currency: str  # "" when the panel never said
    amount: Decimal
    status: str | None
    service_id: int
    service_name: str


class SpendingRepo:
    __slots__ = ("_db",)

    def __init__(self, db: Database) -> None:
        self._db = db

    async def placed_since(self, user_id: int, since: float) -> list[SpendRow]:
        """The user's orders placed at or after `since` (unix seconds), oldest first."""
        rows = await self._db.fetchall(
            """
            SELECT COALESCE(o.submitted_at, o.created_at) AS placed_at, o.currency, o.cost,
                   o.charge, o.status, o.service_id, o.service_name,
                   COALESCE(a.label, '') AS panel
            FROM orders o
            LEFT JOIN panel_accounts a ON a.user_id = o.user_id AND a.slot = o.panel_slot
            WHERE o.user_id = ? AND o.submit_state = 'placed'
              AND COALESCE(o.submitted_at, o.created_at) >= ?
            ORDER BY placed_at, o.id
            """,
            (user_id, since),
        )
        out: list[SpendRow] = []
        for row in rows:
            amount = readable_decimal(row["charge"])
            if amount is None:
                amount = readable_decimal(row["cost"]) or Decimal(0)
            out.append(
                SpendRow(
                    placed_at=float(row["placed_at"]),
                    panel=row["panel"],
                    currency=row["currency"] or "",
                    amount=amount,
                    status=row["status"],
                    service_id=int(row["service_id"]),
                    service_name=row["service_name"],
                )
            )
        return out

    async def status_counts(self, user_id: int) -> dict[str, int]:
        """How many of the user's placed orders are in each panel status ("" while unknown)."""
        rows = await self._db.fetchall(
            """
            SELECT COALESCE(status, '') AS status, COUNT(*) AS n FROM orders
            WHERE user_id = ? AND submit_state = 'placed'
            GROUP BY COALESCE(status, '')
            """,
            (user_id,),
        )
        return {row["status"]: int(row["n"]) for row in rows}
