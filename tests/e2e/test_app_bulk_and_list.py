"""The Mini App's bulk editor and orders list keep the chat's rules (issue 23, pages 3 and 4).

Rows are checked as typed by the chat's bulk rules and nothing is stored until Review; a bulk
Confirm takes the chat's claim (a doubled tap places each line once) and tells the chat; the
orders list filters and searches, and Refill and Cancel go to the order's own panel, by our row
id, even when another panel holds the same panel order id.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

from bot.storage.models import SubmitState
from tests.e2e.test_panels_own_order import COLLIDING, beta, both, two
from tests.e2e.test_preview_promise import placing_calls
from tests.fakes.panel import FakePanel
from tests.harness import Harness
from tests.webapp_client import AppClient

__all__ = ["beta", "two"]  # fixtures

KEY = "pk_appbulk_a_0123456789abcdef"
UID = 8411
LINES = "1 | https://instagram.com/bulk1 | 1000\n2 | https://instagram.com/bulk2 | 100"


async def test_rows_are_checked_as_typed_and_nothing_is_stored(bot: Harness) -> None:
    await bot.member(UID, key=KEY)
    app = AppClient(bot, UID)
    check = await app.bulk_check(LINES + "\n1 | https://instagram.com/bulk3 | 5\n3 | x | 10")
    [panel] = check["panels"]
    verdicts = [(line["line_no"], line["ok"]) for line in panel["lines"]]
    assert verdicts == [(1, True), (2, True), (3, False), (4, False)]
    assert "100" in panel["lines"][2]["error"]  # below the service's minimum, as in the chat
    assert "Custom Comments" in panel["lines"][3]["error"]  # not a link + quantity service
    assert Decimal(panel["total"]["amount"]) == Decimal("12.82")
    assert await bot.deps.storage.drafts.count_rows(UID) == 0
    assert placing_calls(bot) == 0


async def test_bulk_review_then_double_confirm_places_each_line_once(bot: Harness) -> None:
    await bot.member(UID, key=KEY)
    app = AppClient(bot, UID)
    [preview] = (await app.bulk_review(LINES))["previews"]
    assert preview["valid"] == 2 and preview["batch"]
    assert placing_calls(bot) == 0
    first, second = await asyncio.gather(
        app.bulk_confirm(preview["batch"]), app.bulk_confirm(preview["batch"])
    )
    outcomes = sorted([first["results"][0]["outcome"], second["results"][0]["outcome"]])
    assert outcomes == ["already", "submitted"], (first, second)
    assert len(bot.panel.orders) == 2
    rows = await bot.deps.storage.orders.get_batch(preview["batch"])
    assert {r.submit_state for r in rows} == {SubmitState.PLACED}
    await bot.telegram.wait_until(
        lambda: any("Bulk order result" in (m.text or "") for m in bot.telegram.messages(UID))
    )


async def test_orders_list_filters_and_searches(bot: Harness) -> None:
    await bot.member(UID, key=KEY)
    app = AppClient(bot, UID)
    review = await app.review_for_list()
    assert review
    page = await app.orders(filter="open")
    assert [o["link"] for o in page["orders"]] == ["https://instagram.com/listed"]
    assert (await app.orders(filter="completed"))["orders"] == []
    found = await app.orders(q="listed")
    assert found["total"] == 1
    assert (await app.orders(q="nothing-like-it"))["total"] == 0


async def test_card_refill_and_cancel_go_to_the_orders_own_panel(
    two: Harness, beta: FakePanel
) -> None:
    on_beta = await both(two, beta, 8412, status="Completed")
    app = AppClient(two, 8412)
    card = await app.card(on_beta.id)
    assert "Beta" in card["text"] and card["refill"]
    refilled = await app.refill(on_beta.id)
    assert "refill requested" in refilled["text"]
    assert beta.count("refill") == 1 and two.panel.count("refill") == 0
    assert two.panel.orders[COLLIDING].status == "Completed"


async def test_someone_elses_order_is_not_found(bot: Harness) -> None:
    await bot.member(UID, key=KEY)
    await bot.member(UID + 1, key=KEY + "x")
    theirs = AppClient(bot, UID + 1)
    await theirs.review_for_list()
    [order] = (await theirs.orders())["orders"]
    status, _ = await AppClient(bot, UID).refused(AppClient(bot, UID).cancel(order["id"]))
    assert status == 404
    assert bot.panel.count("cancel") == 0
