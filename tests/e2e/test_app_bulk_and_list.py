"""The Mini App's bulk editor and orders list keep the chat's rules, over HTTP (issue 23).

Rows are checked as typed by the chat's bulk rules and nothing is stored until Review; a bulk
Confirm takes the chat's claim (a doubled tap places each line once) and tells the chat; the
orders list filters and searches, and Refill goes to the order's own panel, by our row id,
even when another panel holds the same panel order id. On both engines.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest

from bot.storage.models import SubmitState
from tests.e2e.steps import KEY_A, both, colliding_beta, link_beta, place, placing_calls
from tests.fakes.panel import FakePanel
from tests.miniapp import MiniApp
from tests.webapp_client import AppClient, serving

__all__ = ["colliding_beta"]  # the fixture `beta` of this module

KEY = "pk_appbulk_a_0123456789abcdef"
UID = 8411
LINES = "1 | https://instagram.com/bulk1 | 1000\n2 | https://instagram.com/bulk2 | 100"


@pytest.fixture
async def app(tmp_path: Path, database: Path | str) -> AsyncIterator[MiniApp]:
    async with serving(tmp_path, database) as served:
        yield served


@pytest.fixture
async def two(tmp_path: Path, database: Path | str, beta: FakePanel) -> AsyncIterator[MiniApp]:
    """With a preset panel "Beta" that numbers orders as the harness's own does."""
    async with serving(
        tmp_path,
        database,
        panels=f"Beta={beta.url}",
        allow_custom_panels=True,
        allow_private_panels=True,
    ) as served:
        yield served


async def test_rows_are_checked_as_typed_and_nothing_is_stored(app: MiniApp) -> None:
    bot = app.harness
    await bot.member(UID, key=KEY)
    check = await AppClient(app, UID).bulk_check(
        LINES + "\n1 | https://instagram.com/bulk3 | 5\n3 | x | 10"
    )
    [panel] = check["panels"]
    verdicts = [(line["line_no"], line["ok"]) for line in panel["lines"]]
    assert verdicts == [(1, True), (2, True), (3, False), (4, False)]
    assert "100" in panel["lines"][2]["error"]  # below the service's minimum, as in the chat
    assert "Custom Comments" in panel["lines"][3]["error"]  # not a link + quantity service
    assert Decimal(panel["total"]["amount"]) == Decimal("12.82")
    assert await bot.deps.storage.drafts.count_rows(UID) == 0
    assert placing_calls(bot) == 0


async def test_bulk_review_then_double_confirm_places_each_line_once(app: MiniApp) -> None:
    bot = app.harness
    await bot.member(UID, key=KEY)
    client = AppClient(app, UID)
    [preview] = (await client.bulk_review(LINES))["previews"]
    assert preview["valid"] == 2 and preview["batch"]
    assert placing_calls(bot) == 0
    first, second = await asyncio.gather(
        client.bulk_confirm(preview["batch"]), client.bulk_confirm(preview["batch"])
    )
    outcomes = sorted([first["results"][0]["outcome"], second["results"][0]["outcome"]])
    assert outcomes == ["already", "submitted"], (first, second)
    assert len(bot.panel.orders) == 2
    rows = await bot.deps.storage.orders.get_batch(preview["batch"])
    assert {r.submit_state for r in rows} == {SubmitState.PLACED}
    await bot.telegram.wait_until(
        lambda: any("Bulk order result" in (m.text or "") for m in bot.telegram.messages(UID))
    )


async def test_orders_list_filters_and_searches(app: MiniApp) -> None:
    await app.harness.member(UID, key=KEY)
    client = AppClient(app, UID)
    assert (await client.placed())["outcome"] == "placed"
    page = await client.orders(filter="open")
    assert [o["link"] for o in page["orders"]] == ["https://instagram.com/listed"]
    assert (await client.orders(filter="completed"))["orders"] == []
    assert (await client.orders(q="listed"))["total"] == 1
    assert (await client.orders(q="nothing-like-it"))["total"] == 0


async def test_card_refill_goes_to_the_orders_own_panel(two: MiniApp, beta: FakePanel) -> None:
    bot = two.harness
    on_beta = await both(bot, beta, 8412, status="Completed")
    client = AppClient(two, 8412)
    card = await client.card(on_beta.id)
    assert "Beta" in card["text"] and card["refill"]
    refilled = await client.refill(on_beta.id)
    assert "refill requested" in refilled["text"]
    assert beta.count("refill") == 1 and bot.panel.count("refill") == 0


async def test_someone_elses_order_is_not_found(app: MiniApp) -> None:
    bot = app.harness
    await bot.member(UID, key=KEY)
    await bot.member(UID + 1, key=KEY + "x")
    theirs = AppClient(app, UID + 1)
    await theirs.placed()
    [order] = (await theirs.orders())["orders"]
    status, refusal = await AppClient(app, UID).refused("api/orders/cancel", {"id": order["id"]})
    assert status == 404 and refusal["error"] == "not_found"
    assert bot.panel.count("cancel") == 0


async def test_a_panel_column_makes_a_preview_per_panel_each_placed_on_its_own(
    two: MiniApp, beta: FakePanel
) -> None:
    bot = two.harness
    user = await bot.member(8413, key=KEY_A)
    await link_beta(bot, beta, user)
    client = AppClient(two, 8413)
    lines = "beta | 501 | https://instagram.com/on-beta | 1000\n1 | https://instagram.com/h | 100"
    check = await client.bulk_check(lines)
    totals = {p["panel"]: Decimal(p["total"]["amount"]) for p in check["panels"]}
    assert totals == {"127.0.0.1": Decimal("1.25"), "Beta": Decimal("9")}
    previews = (await client.bulk_review(lines))["previews"]
    assert sorted(p["panel"] for p in previews) == ["127.0.0.1", "Beta"]
    done = await client.bulk_confirm(*(p["batch"] for p in previews))
    assert [r["outcome"] for r in done["results"]] == ["submitted", "submitted"]
    assert [o.link for o in beta.orders.values()] == ["https://instagram.com/on-beta"]
    assert [o.link for o in bot.panel.orders.values()] == ["https://instagram.com/h"]


async def test_a_short_balance_confirms_only_the_first_lines_it_covers(app: MiniApp) -> None:
    bot = app.harness
    await bot.member(UID, key=KEY, balance="13")
    client = AppClient(app, UID)
    three = LINES + "\n1 | https://instagram.com/bulk3 | 1000"
    [preview] = (await client.bulk_review(three))["previews"]
    assert (preview["valid"], preview["affordable"]) == (3, 2)
    # More than the preview offered (a forged request) places nothing.
    forged = await client.call(
        "api/bulk/confirm", {"batches": [{"batch": preview["batch"], "first": 3}]}
    )
    assert forged["results"][0]["outcome"] == "not_offered" and placing_calls(bot) == 0
    done = await client.call(
        "api/bulk/confirm", {"batches": [{"batch": preview["batch"], "first": 2}]}
    )
    assert done["results"][0]["placed"] == 2
    assert sorted(o.link for o in bot.panel.orders.values()) == [
        "https://instagram.com/bulk1",
        "https://instagram.com/bulk2",
    ]


async def test_a_second_bulk_review_warns_at_confirm_once_the_first_is_placed(
    app: MiniApp,
) -> None:
    client = AppClient(app, UID)
    await client.bot.member(UID, key=KEY)
    reviews = [(await client.bulk_review(LINES))["previews"][0] for _ in range(2)]
    [done] = (await client.bulk_confirm(reviews[0]["batch"]))["results"]
    assert done["outcome"] == "submitted" and len(client.bot.panel.orders) == 2

    # Placed after the second review: its Confirm sends nothing, and the list comes again,
    # warning (a new review, whose Confirm in turn needs Order anyway).
    [stopped] = (await client.bulk_confirm(reviews[1]["batch"]))["results"]
    assert stopped["outcome"] == "duplicate" and "Nothing was ordered" in stopped["text"]
    assert "open order for" in stopped["review"]["text"]
    [again] = (await client.bulk_confirm(stopped["review"]["batch"]))["results"]
    assert again["outcome"] == "duplicate" and "review" not in again
    assert len(client.bot.panel.orders) == 2


async def test_a_bulk_review_that_warns_is_placed_by_order_anyway_once(app: MiniApp) -> None:
    # A line's link has an open order (seeded: no `add`): the review warns, its plain Confirm
    # sends nothing, its ⚠️ Order anyway sends each line once.
    bot = app.harness
    client = AppClient(app, UID)
    await bot.member(UID, key=KEY)
    await place(bot, UID, KEY, service=1, link="https://instagram.com/bulk1")
    [preview] = (await client.bulk_review(LINES))["previews"]
    assert preview["anyway"] is True and "open order" in preview["text"]
    [plain] = (await client.bulk_confirm(preview["batch"]))["results"]
    assert plain["outcome"] == "duplicate" and placing_calls(bot) == 0
    assert len(bot.panel.orders) == 1  # the seeded one

    [done] = (await client.bulk_confirm(preview["batch"], anyway=True))["results"]
    assert done["outcome"] == "submitted" and done["placed"] == 2, done
    [again] = (await client.bulk_confirm(preview["batch"], anyway=True))["results"]
    assert again["outcome"] == "already", again
    assert len(bot.panel.orders) == 3
