"""The classic-script fake against plain httpx: exactly the behaviour issue 20 lists."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.fakes.panel_classic import ClassicPanel

KEY = "classic-key-A"


@pytest.fixture
async def panel() -> AsyncIterator[ClassicPanel]:
    async with ClassicPanel() as fake:
        fake.add_key(KEY, "100.84")
        yield fake


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5.0, verify=False) as client:
        yield client


async def raw(http: httpx.AsyncClient, panel: ClassicPanel, **params: Any) -> httpx.Response:
    params.setdefault("key", KEY)
    response = await http.post(panel.url, data={k: str(v) for k, v in params.items()})
    assert response.status_code == 200
    return response


async def call(http: httpx.AsyncClient, panel: ClassicPanel, **params: Any) -> Any:
    return json.loads((await raw(http, panel, **params)).text, parse_float=Decimal)


async def test_numbers_are_bare_json_numbers(panel: ClassicPanel, http: httpx.AsyncClient) -> None:
    text = (await raw(http, panel, action="balance")).text
    assert '"balance": 100.84' in text
    services = await call(http, panel, action="services")
    first = services[0]
    assert first["rate"] == Decimal("12.50") and first["min"] == 100
    assert '"rate": 12.50' in (await raw(http, panel, action="services")).text
    # No flags at all: the script does not state them.
    assert not any({"refill", "cancel", "dripfeed"} & set(s) for s in services)


async def test_add_answers_status_100_and_a_text_id_and_status_knows_only_order(
    panel: ClassicPanel, http: httpx.AsyncClient
) -> None:
    added = await call(http, panel, action="add", service=1, link="https://x.y/p", quantity=100)
    assert added == {"status": 100, "order": "1"}
    panel.advance(1)
    one = await call(http, panel, action="status", order=1)
    assert one["status"] == "Inprogress" and one["charge"] == Decimal("1.25")
    assert isinstance(one["remains"], int) and isinstance(one["start_count"], int)
    many = await call(http, panel, action="status", orders="1,2")
    assert many == {"error": "Order not found.", "status": "104"}


@pytest.mark.parametrize("action", ["add_bulk", "refill", "refill_status", "cancel", "nope"])
async def test_unsupported_actions_answer_a_bare_null(
    panel: ClassicPanel, http: httpx.AsyncClient, action: str
) -> None:
    response = await raw(http, panel, action=action, orders="[]", order=1, refill=1)
    assert response.text == "null"


async def test_errors_carry_a_code_as_text_or_as_a_number(
    panel: ClassicPanel, http: httpx.AsyncClient
) -> None:
    refused = await call(http, panel, action="add", service=1, link="https://x.y/p", quantity=1)
    assert refused["status"] == "102" and "at least" in refused["error"]
    panel.set_balance(KEY, "0")
    broke = await call(http, panel, action="add", service=1, link="https://x.y/p", quantity=100)
    assert broke["status"] == 103 and broke["error"]
    assert panel.orders == {}
