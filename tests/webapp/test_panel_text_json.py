"""Panel text is text in the Mini App too (issue 19 item 6): the page sets what the API sends as
text (no innerHTML anywhere in bot/webapp/static), so the JSON carries a hostile panel's names,
categories, description and currency exactly as the panel wrote them: escaped there, the user
would read "&lt;i&gt;"; `PanelText` there would not even serialise."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus
from pathlib import Path

from tests.e2e.test_panel_text import CURRENCY, HOSTILE, hostile_services
from tests.harness import running_bot
from tests.miniapp import WEBAPP_URL, MiniApp, running_miniapp
from tests.webapp_client import AppClient

USER = 6451
KEY = "key-6451"


@asynccontextmanager
async def hostile_app(tmp_path: Path) -> AsyncIterator[MiniApp]:
    """The Mini App of a member whose panel writes markup in every string it has."""
    async with (
        running_bot(tmp_path, webapp_url=WEBAPP_URL) as harness,
        running_miniapp(harness) as app,
    ):
        harness.panel.set_services(hostile_services())
        await harness.member(USER, key=KEY)
        harness.panel.add_key(KEY, balance="100", currency=CURRENCY)
        yield app


async def test_the_catalog_and_a_card_carry_panel_text_as_written(tmp_path: Path) -> None:
    async with hostile_app(tmp_path) as app:
        harness = app.harness
        await harness.deps.currencies.currency(USER, force=True)  # as /balance would learn it
        async with app.client() as http:
            catalog = await http.get("api/catalog", headers=app.headers(USER))
            assert catalog.status_code == HTTPStatus.OK, catalog.text
            [home] = catalog.json()["panels"]
            card = await http.get(
                "api/catalog/service",
                headers=app.headers(USER),
                params={"slot": home["slot"], "id": 1},
            )
            assert card.status_code == HTTPStatus.OK, card.text
    assert home["currency"] == CURRENCY
    assert home["categories"] == [f"Cat {HOSTILE}"]
    assert [row[1] for row in home["services"]] == [f"Followers {HOSTILE}", f"Odd type {HOSTILE}"]
    shown = card.json()
    assert shown["name"] == f"Followers {HOSTILE}"
    assert shown["description"] == f"Desc {HOSTILE}"
    assert any(f"Cat {HOSTILE}" in line for line in shown["lines"]), shown["lines"]
    assert "&lt;" not in json.dumps(shown) + json.dumps(home)


async def test_amounts_carry_the_panels_currency_as_written(tmp_path: Path) -> None:
    """A review's cost, and the orders list's rows, name the panel's currency as it wrote it:
    `t.money` escapes it for a chat message, the JSON must not."""
    async with hostile_app(tmp_path) as app:
        client = AppClient(app, USER)
        review = await client.review(1, {"link": "https://instagram.com/x", "quantity": "1000"})
        bulk = await client.bulk_review("1 | https://instagram.com/y | 1000")
    assert review["cost"]["text"] == f"1.25 {CURRENCY}", review["cost"]
    [preview] = bulk["previews"]
    assert preview["total"]["text"] == f"1.25 {CURRENCY}", preview["total"]
    assert "&lt;" not in json.dumps(review["cost"]) + json.dumps(preview)
