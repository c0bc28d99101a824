"""Plain rows for the view tests: an order and a user with every field set, then varied."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from bot.storage.models import AccessState, Order, SubmitState, User

# 2024-05-01 12:00:00 UTC
NOON = 1714564800.0


def order(**changes: Any) -> Order:
    base = Order(
        id=7,
        user_id=1,
        token="tok",
        batch="batch",
        line_no=None,
        panel_order_id=5001,
        service_id=12,
        service_name_text="Instagram Takipçi",
        service_type="Default",
        link="https://instagram.com/ayse",
        quantity=1000,
        runs=None,
        interval=None,
        extra={},
        cost=Decimal("12.50"),
        charge=None,
        currency_text="USD",
        status="Pending",
        raw_status_text="Pending",
        remains=None,
        start_count=None,
        submit_state=SubmitState.PLACED,
        error_text=None,
        created_at=NOON,
        submitted_at=NOON,
        updated_at=NOON,
        polled_at=None,
        started_notified=False,
    )
    return dataclasses.replace(base, **changes)


def user(**changes: Any) -> User:
    base = User(
        id=42,
        username="ayse",
        first_name="Ayşe",
        language="tr",
        access=AccessState.ALLOWED,
        blocked_bot=False,
        notifications=True,
        created_at=NOON,
        updated_at=NOON,
    )
    return dataclasses.replace(base, **changes)
