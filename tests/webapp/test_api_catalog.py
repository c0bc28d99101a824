"""The catalog page's API (issue 23): every panel at once in compact rows, a panel that fails
leaves the others, cards and comparisons are the chat's, favourites and recent services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest

from bot.webapp.api_catalog import CANCEL, ORDERABLE, REFILL
from tests.e2e.steps import beta_services, stored_order
from tests.fakes.panel import FakePanel
from tests.fakes.panel_catalog import default_services
from tests.harness import ADMIN_ID, running_bot
from tests.miniapp import WEBAPP_URL, MiniApp, running_miniapp

USER = 6401
KEY = "key-6401"
BETA_KEY = "key-6401-beta"


@pytest.fixture
async def beta() -> AsyncIterator[FakePanel]:
    async with FakePanel(beta_services(), currency="EUR") as fake:
        yield fake


@pytest.fixture
async def two(tmp_path: Path, beta: FakePanel) -> AsyncIterator[MiniApp]:
    async with (
        running_bot(tmp_path, webapp_url=WEBAPP_URL, panels=f"Beta={beta.url}") as harness,
        running_miniapp(harness) as app,
    ):
        await harness.member(USER, key=KEY)
        beta.add_key(BETA_KEY, balance="40")
        await harness.deps.panels.add(USER, BETA_KEY, url=beta.url, name="Beta", custom=False)
        yield app


async def get(app: MiniApp, path: str, user_id: int = USER, **params: Any) -> Any:
    async with app.client() as http:
        answer = await http.get(path, headers=app.headers(user_id), params=params)
    return answer.status_code, answer.json()


async def slots(app: MiniApp) -> tuple[int, int]:
    accounts = await app.harness.deps.accounts.accounts(USER)
    default = next(a.slot for a in accounts if a.is_default)
    return default, next(a.slot for a in accounts if not a.is_default)


async def test_every_panel_in_compact_rows(two: MiniApp) -> None:
    status, body = await get(two, "api/catalog")
    assert status == HTTPStatus.OK
    home, beta = body["panels"]
    assert (home["is_default"], home["currency"], beta["name"], beta["currency"]) == (
        True,
        "USD",
        "Beta",
        "EUR",
    )
    assert len(home["services"]) == len(default_services())
    first = home["services"][0]
    assert first[:6] == [1, "Instagram Takipçi", 0, "12.50", 100, 10000]
    assert first[6] & (REFILL | CANCEL | ORDERABLE) == REFILL | CANCEL | ORDERABLE
    assert beta["categories"] == ["Insta", "Instagram", "TikTok"]
    assert [row[0] for row in beta["services"]] == [501, 502, 503, 504]
    assert body["favourites"] == [] and body["recent"] == []


async def test_a_panel_that_fails_leaves_the_others(two: MiniApp, beta: FakePanel) -> None:
    await beta.stop()
    status, body = await get(two, "api/catalog")
    assert status == HTTPStatus.OK
    home, down = body["panels"]
    assert len(home["services"]) == len(default_services())
    assert down["services"] == []
    assert down["error"] == "The panel is not answering right now. Please try again in a minute."


async def test_no_panel_linked_says_what_to_do(two: MiniApp) -> None:
    status, body = await get(two, "api/catalog", ADMIN_ID)
    assert status == HTTPStatus.OK
    assert body["panels"] == []
    assert body["message"].startswith("You have not linked a panel API key yet")


async def test_recent_and_favourites_are_the_chats(two: MiniApp) -> None:
    home, _ = await slots(two)
    await stored_order(two.harness, two.harness.panel, KEY, USER, home, 2)
    async with two.client() as http:
        starred = await http.post(
            "api/catalog/favourite", headers=two.headers(USER), json={"service_id": 1, "on": True}
        )
    assert starred.json() == {
        "favourite": True,
        "message": "Added to favourites: it is at the top of /order and /services.",
    }
    assert await two.harness.deps.favourites.is_favourite(USER, 1)
    _, body = await get(two, "api/catalog")
    assert (body["favourites"], body["recent"]) == ([1], [2])
    async with two.client() as http:
        gone = await http.post(
            "api/catalog/favourite", headers=two.headers(USER), json={"service_id": 1, "on": False}
        )
        bad = await http.post(
            "api/catalog/favourite", headers=two.headers(USER), json={"service_id": "x"}
        )
    assert gone.json()["favourite"] is False
    assert bad.status_code == HTTPStatus.BAD_REQUEST


async def test_a_card_is_the_chats_and_only_on_the_callers_panels(two: MiniApp) -> None:
    home, beta = await slots(two)
    status, card = await get(two, "api/catalog/service", slot=home, id=2)
    assert status == HTTPStatus.OK
    assert card["lines"][:2] == ["Category: Instagram", "Type: Default"]
    assert "Rate: $3.20 per 1000" in card["lines"]
    assert any(line.startswith("Average time") for line in card["lines"])
    assert card["description"] == "Drip-feed destekli. Başlangıç 0-1 saat, günlük 5K."
    assert (card["favourite"], card["orderable"], card["comparable"]) == (False, True, True)
    _, on_beta = await get(two, "api/catalog/service", slot=beta, id=501)
    assert on_beta["favourite"] is None  # ★ belongs to the default panel, as in /order
    assert "Rate: €9.00 per 1000" in on_beta["lines"]
    await two.harness.member(USER + 1, key="key-6402")
    other = await get(two, "api/catalog/service", USER + 1, slot=beta, id=501)
    assert other == (HTTPStatus.NOT_FOUND, {"error": "no_panel"})
    assert (await get(two, "api/catalog/service", slot=home, id=999))[0] == HTTPStatus.NOT_FOUND
    assert (await get(two, "api/catalog/service", slot="x", id=1))[0] == HTTPStatus.BAD_REQUEST


async def test_compare_is_the_chats(two: MiniApp) -> None:
    home, beta = await slots(two)
    status, body = await get(two, "api/catalog/compare", slot=home, id=1)
    assert status == HTTPStatus.OK
    assert body["title"].startswith("⚖️ Similar services on your panels")
    assert body["base"]["id"] == 1
    assert [(o["slot"], o["id"]) for o in body["offers"]] == [(beta, 501)]
    assert body["offers"][0]["details"] == "€9.00 per 1000 · 50–5,000 · refill ✓ · cancel ✓"
    assert body["silent"] == []
