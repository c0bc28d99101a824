"""The Mini App's order form keeps the chat's promises (issue 23, page 2), on both engines.

Review makes the chat's kind of draft; Confirm takes the chat's claim, so a doubled tap, two
devices or the app racing the chat place one order; a key changed after the review orders
nothing; the chat also gets its "✅ Order placed".
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest

from bot.callbacks.base import decode
from tests.e2e.steps import data_of, text_of
from tests.e2e.test_preview_promise import set_key, single_preview
from tests.harness import Harness
from tests.webapp_client import AppClient

KEY = "pk_appform_a_0123456789abcdef"
KEY_B = "pk_appform_b_0123456789abcdef"
UID = 8401
LINK = "https://instagram.com/appform"
ANSWERS: dict[str, Any] = {"link": LINK, "quantity": "1000"}


def placed_in_chat(bot: Harness) -> list[str]:
    return [text_of(m) for m in bot.telegram.messages(UID) if "✅ Order placed" in text_of(m)]


async def test_review_then_confirm_places_one_order_and_tells_the_chat(bot: Harness) -> None:
    await bot.member(UID, key=KEY)
    app = AppClient(bot, UID)
    review = await app.review(1, ANSWERS)
    assert "Please check your order" in review["text"]
    assert Decimal(review["cost"]["amount"]) == Decimal("12.5")
    assert bot.panel.count("add") == 0  # a review orders nothing

    done = await app.confirm(review["batch"])
    assert done["outcome"] == "placed", done
    assert "✅ Order placed" in done["text"]
    assert bot.panel.count("add") == 1
    await bot.telegram.wait_until(lambda: len(placed_in_chat(bot)) == 1)
    assert LINK in placed_in_chat(bot)[0]


async def test_double_confirm_places_one_order(bot: Harness) -> None:
    await bot.member(UID, key=KEY)
    app = AppClient(bot, UID)
    review = await app.review(1, ANSWERS)
    first, second = await asyncio.gather(app.confirm(review["batch"]), app.confirm(review["batch"]))
    outcomes = sorted([first["outcome"], second["outcome"]])
    assert outcomes == ["already", "placed"], (first, second)
    assert bot.panel.count("add") == 1
    # A third tap after the fact: still one order, and it says which.
    late = await app.confirm(review["batch"])
    assert late["outcome"] == "already"
    assert "Already submitted" in late["text"]
    assert bot.panel.count("add") == 1


async def test_chat_and_app_racing_place_one_order(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    preview = await single_preview(u, link=LINK)
    decoded = decode(data_of(preview, "Confirm"))
    assert decoded is not None
    app = AppClient(bot, UID)
    # The chat's tap is on its way when the app's Confirm comes in.
    query = await u.press("Confirm", message=preview)
    answer = await app.confirm(decoded.text(0))
    tap = await u.answer(query)
    said = str(tap.params.get("text") or "")
    # The chat's Confirm either placed it (its message becomes the result) or was told it
    # is placed (or being placed) already; the app's likewise.
    await bot.telegram.wait_until(
        lambda: "Order placed" in text_of(preview) or "submitted" in said, timeout=10
    )
    assert answer["outcome"] in ("placed", "already"), answer
    assert ("Order placed" in text_of(preview)) != (answer["outcome"] == "placed")
    assert bot.panel.count("add") == 1


async def test_key_changed_after_review_is_refused(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    bot.panel.add_key(KEY_B, balance="500")
    app = AppClient(bot, UID)
    review = await app.review(1, ANSWERS)
    await set_key(u, KEY_B)
    answer = await app.confirm(review["batch"])
    assert answer["outcome"] == "key_changed"
    assert "key changed" in answer["text"]
    assert bot.panel.count("add") == 0


async def test_review_refuses_an_answer_the_chat_would_refuse(bot: Harness) -> None:
    await bot.member(UID, key=KEY)
    app = AppClient(bot, UID)
    status, body = await app.review_refused(1, {"link": LINK, "quantity": "5"})
    assert status == 422
    assert body["field"] == "quantity"
    assert body["error"] == "answer" and "100" in body["message"]
    assert bot.panel.count("add") == 0


@pytest.mark.parametrize("service_id", [1, 3])
async def test_form_describes_the_chat_questions(bot: Harness, service_id: int) -> None:
    await bot.member(UID, key=KEY)
    form = await AppClient(bot, UID).form(service_id)
    names = [f["name"] for f in form["fields"]]
    if service_id == 1:
        assert names == ["link", "quantity", "runs", "interval"]
        quantity = form["fields"][1]
        assert (quantity["low"], quantity["high"]) == (100, 10000)
        assert [p["value"] for p in quantity["picks"]] == [100, 1000, 5000, 10000]
        assert form["dripfeed"] == "offered"
    else:
        assert names == ["link", "comments"]
        assert form["fields"][1]["kind"] == "list"
        assert form["fields"][1]["lines"] == [5, 1000]
        assert form["counted_by"] == "comments"


async def test_live_check_gives_errors_and_cost(bot: Harness) -> None:
    await bot.member(UID, key=KEY)
    app = AppClient(bot, UID)
    check = await app.check(1, {"link": LINK, "quantity": "50"})
    assert "quantity" in check["errors"] and not check["ready"]
    check = await app.check(1, {"link": LINK, "quantity": "2000", "runs": "3"}, dripfeed=True)
    assert check["errors"] == {}
    assert check["ready"] is False  # the interval follows the runs
    check = await app.check(
        1, {"link": LINK, "quantity": "2000", "runs": "3", "interval": "30"}, dripfeed=True
    )
    assert check["ready"] and Decimal(check["cost"]["amount"]) == Decimal("75")
