"""The Mini App's order form keeps the chat's promises, over HTTP (issue 23, page 2).

Review makes the chat's kind of draft; Confirm takes the chat's claim, so a doubled tap, two
devices or the app racing the chat place one order; a key changed after the review orders
nothing; the chat also gets its "✅ Order placed". On both engines: the claim is storage's.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot.storage.models import StatusUpdate
from tests.e2e.steps import batch_of, labels, place, set_key, single_preview, text_of
from tests.fakes.panel import Fault
from tests.fakes.telegram import BotMessage, FakeUser
from tests.harness import Harness
from tests.miniapp import MiniApp
from tests.webapp_client import AppClient, serving

KEY = "pk_appform_a_0123456789abcdef"
KEY_B = "pk_appform_b_0123456789abcdef"
UID = 8401
LINK = "https://instagram.com/appform"
ANSWERS: dict[str, Any] = {"link": LINK, "quantity": "1000"}


@pytest.fixture
async def app(tmp_path: Path, database: Path | str) -> AsyncIterator[MiniApp]:
    async with serving(tmp_path, database) as served:
        yield served


def placed_in_chat(bot: Harness) -> list[str]:
    return [text_of(m) for m in bot.telegram.messages(UID) if "✅ Order placed" in text_of(m)]


async def test_review_then_confirm_places_one_order_and_tells_the_chat(app: MiniApp) -> None:
    bot = app.harness
    await bot.member(UID, key=KEY)
    client = AppClient(app, UID)
    review = await client.review(1, ANSWERS)
    assert "Please check your order" in review["text"]
    assert Decimal(review["cost"]["amount"]) == Decimal("12.5")
    assert bot.panel.count("add") == 0  # a review orders nothing

    done = await client.confirm(review["batch"])
    assert done["outcome"] == "placed", done
    assert "✅ Order placed" in done["text"]
    assert bot.panel.count("add") == 1
    await bot.telegram.wait_until(lambda: len(placed_in_chat(bot)) == 1)
    assert LINK in placed_in_chat(bot)[0]


async def confirm_says(client: AppClient, batch: str, outcome: str, words: str) -> None:
    """The app's Confirm of `batch` answers `outcome`, with `words` in its text."""
    answer = await client.confirm(batch)
    assert answer["outcome"] == outcome
    assert words in answer["text"]


async def test_double_confirm_places_one_order(app: MiniApp) -> None:
    bot = app.harness
    await bot.member(UID, key=KEY)
    client = AppClient(app, UID)
    review = await client.review(1, ANSWERS)
    first, second = await asyncio.gather(
        client.confirm(review["batch"]), client.confirm(review["batch"])
    )
    outcomes = sorted([first["outcome"], second["outcome"]])
    assert outcomes == ["already", "placed"], (first, second)
    assert bot.panel.count("add") == 1
    # A third tap after the fact: still one order, and it says which.
    await confirm_says(client, review["batch"], "already", "Already submitted")
    assert bot.panel.count("add") == 1


async def test_chat_and_app_racing_place_one_order(app: MiniApp) -> None:
    bot = app.harness
    u = await bot.member(UID, key=KEY)
    preview = await single_preview(u, link=LINK)
    # The chat's tap is on its way when the app's Confirm comes in.
    query = await u.press("Confirm", message=preview)
    answer = await AppClient(app, UID).confirm(batch_of(preview))
    said = str((await u.answer(query)).params.get("text") or "")
    # The chat's Confirm either placed it (its message becomes the result) or was told it
    # is placed (or being placed) already; the app's likewise.
    await bot.telegram.wait_until(
        lambda: "Order placed" in text_of(preview) or "submitted" in said, timeout=10
    )
    assert answer["outcome"] in ("placed", "already"), answer
    assert ("Order placed" in text_of(preview)) != (answer["outcome"] == "placed")
    assert bot.panel.count("add") == 1


async def test_key_changed_after_review_is_refused(app: MiniApp) -> None:
    bot = app.harness
    u = await bot.member(UID, key=KEY)
    bot.panel.add_key(KEY_B, balance="500")
    client = AppClient(app, UID)
    review = await client.review(1, ANSWERS)
    await set_key(u, KEY_B)
    await confirm_says(client, review["batch"], "key_changed", "key changed")
    assert bot.panel.count("add") == 0


async def test_review_refuses_an_answer_the_chat_would_refuse(app: MiniApp) -> None:
    bot = app.harness
    await bot.member(UID, key=KEY)
    body = {"service_id": 1, "answers": {"link": LINK, "quantity": "5"}}
    status, refusal = await AppClient(app, UID).refused("api/order/review", body)
    assert status == 422
    assert refusal["error"] == "answer" and refusal["field"] == "quantity"
    assert "100" in refusal["message"]
    assert bot.panel.count("add") == 0


async def test_form_describes_the_chat_questions(app: MiniApp) -> None:
    await app.harness.member(UID, key=KEY)
    client = AppClient(app, UID, language="tr")
    form = await client.form(1)
    assert [f["name"] for f in form["fields"]] == ["link", "quantity", "runs", "interval"]
    quantity = form["fields"][1]
    assert (quantity["low"], quantity["high"]) == (100, 10000)
    assert [p["value"] for p in quantity["picks"]] == [100, 1000, 5000, 10000]
    assert form["dripfeed"] == "offered"
    assert quantity["label"] == "Miktar"  # the caller's language
    comments = await client.form(3)
    assert [f["name"] for f in comments["fields"]] == ["link", "comments"]
    assert comments["fields"][1]["kind"] == "list" and comments["fields"][1]["lines"] == [5, 1000]
    assert comments["counted_by"] == "comments"


async def test_live_check_gives_errors_and_cost(app: MiniApp) -> None:
    await app.harness.member(UID, key=KEY)
    client = AppClient(app, UID)
    check = await client.check(1, {"link": LINK, "quantity": "50"})
    assert "quantity" in check["errors"] and not check["ready"]
    runs = {"link": LINK, "quantity": "2000", "runs": "3"}
    check = await client.check(1, runs, dripfeed=True)
    assert check["errors"] == {}
    assert check["ready"] is False  # the interval follows the runs
    check = await client.check(1, {**runs, "interval": "30"}, dripfeed=True)
    assert check["ready"] and Decimal(check["cost"]["amount"]) == Decimal("75")


async def test_a_hanging_panel_answers_within_its_timeout_and_is_never_asked_twice(
    app: MiniApp,
) -> None:
    bot = app.harness
    await bot.member(UID, key=KEY)
    client = AppClient(app, UID)
    review = await client.review(1, ANSWERS)
    bot.panel.inject(Fault.hang(), action="add")
    bound = bot.settings.panel_timeout_seconds + 2
    answer = await asyncio.wait_for(client.confirm(review["batch"]), bound)
    assert answer["outcome"] == "unknown"
    assert "did not answer in time" in answer["text"]
    assert bot.panel.count("add") == 1
    # The chat is told too, with the card whose buttons settle it.
    await bot.telegram.wait_until(
        lambda: any("did not answer in time" in text_of(m) for m in bot.telegram.messages(UID))
    )
    again = await client.confirm(review["batch"])
    assert again["outcome"] == "already" and bot.panel.count("add") == 1


async def test_a_chat_preview_opens_in_the_app_for_its_owner_only(app: MiniApp) -> None:
    bot = app.harness
    u = await bot.member(UID, key=KEY)
    await bot.member(UID + 1, key=KEY_B)
    preview = await single_preview(u, link=LINK)
    batch = batch_of(preview)
    shown = await AppClient(app, UID).call("api/order/preview", {"batch": batch})
    assert shown["batch"] == batch and LINK in shown["text"] and shown["service_id"] == 1
    status, refusal = await AppClient(app, UID + 1).refused("api/order/preview", {"batch": batch})
    assert (status, refusal["error"]) == (409, "gone")
    # Someone else's Confirm of it finds nothing of theirs, and orders nothing.
    assert (await AppClient(app, UID + 1).confirm(batch))["outcome"] == "gone"
    assert bot.panel.count("add") == 0
    await AppClient(app, UID).confirm(batch)
    status, refusal = await AppClient(app, UID).refused("api/order/preview", {"batch": batch})
    assert (status, refusal["error"]) == (409, "already")


async def test_changing_the_answers_after_a_review_voids_its_draft(app: MiniApp) -> None:
    bot = app.harness
    await bot.member(UID, key=KEY)
    client = AppClient(app, UID)
    review = await client.review(1, ANSWERS)
    assert (await client.call("api/order/discard", {"batch": review["batch"]}))["discarded"]
    answer = await client.confirm(review["batch"])
    assert answer["outcome"] in ("gone", "cancelled") and bot.panel.count("add") == 0


async def test_a_second_review_of_a_link_warns_at_confirm_once_the_first_is_placed(
    app: MiniApp,
) -> None:
    client = AppClient(app, UID)
    await client.bot.member(UID, key=KEY)
    first = await client.review(1, ANSWERS)
    second = await client.review(1, {"link": LINK + "/?utm_source=x", "quantity": "2000"})
    assert "Order anyway" not in second["text"]
    assert (await client.confirm(first["batch"]))["outcome"] == "placed"

    # Placed after the second review was made: its Confirm stops, and the review now warns.
    answer = await client.confirm(second["batch"])
    assert answer["outcome"] == "duplicate", answer
    assert "Nothing was ordered" in answer["text"]
    assert answer["review"]["batch"] == second["batch"]
    assert "open order for this link on this service" in answer["review"]["text"]
    await confirm_says(client, second["batch"], "duplicate", "Nothing was ordered")
    assert client.bot.panel.count("add") == 1


async def test_a_chat_preview_stopped_in_the_app_offers_order_anyway_in_the_chat(
    app: MiniApp,
) -> None:
    bot = app.harness
    u = await bot.member(UID, key=KEY)
    preview = await single_preview(u, link=LINK)
    assert (await AppClient(app, UID).placed(LINK))["outcome"] == "placed"
    answer = await AppClient(app, UID).confirm(batch_of(preview))
    assert answer["outcome"] == "duplicate" and bot.panel.count("add") == 1

    # The chat's message still shows the preview as it was made: its Confirm stops too, and
    # the message now warns, with ⚠️ Order anyway, which places it.
    query = await u.press("Confirm", message=preview)
    assert (await u.answer(query)).params.get("show_alert") is True
    warned = await u.update()
    assert "open order for this link on this service" in text_of(warned)
    await u.press("Order anyway", message=warned)
    await bot.telegram.wait_until(lambda: "Order placed" in text_of(preview), timeout=10)
    assert bot.panel.count("add") == 2


async def test_two_reviews_of_a_link_confirmed_at_once_place_one(app: MiniApp) -> None:
    # Two devices: the check is made inside the claim, so only one of them can pass it.
    client = AppClient(app, UID)
    await client.bot.member(UID, key=KEY)
    reviews = [await client.review(1, ANSWERS) for _ in range(2)]
    answers = await asyncio.gather(*(client.confirm(r["batch"]) for r in reviews))
    assert sorted(a["outcome"] for a in answers) == ["duplicate", "placed"], answers
    assert client.bot.panel.count("add") == 1
    [stopped] = [a for a in answers if a["outcome"] == "duplicate"]
    # The other may still be on its way to the panel (no panel id yet): warned either way.
    assert "Confirm will not place this" in stopped["review"]["text"]


async def test_a_review_that_warns_is_placed_by_order_anyway_once(app: MiniApp) -> None:
    # The link has an open order (seeded: no `add`): the review warns, and says so in its JSON
    # for the page's ⚠️ Order anyway; only that places it, once, and only for its own user.
    bot = app.harness
    client = AppClient(app, UID)
    await bot.member(UID, key=KEY)
    await place(bot, UID, KEY, service=1, link=LINK)
    review = await client.review(1, ANSWERS)
    assert review["anyway"] is True and "Confirm will not place this" in review["text"]
    # A plain Confirm (a page that missed the warning) places nothing: the review comes back.
    stopped = await client.confirm(review["batch"])
    assert stopped["outcome"] == "duplicate" and stopped["review"]["anyway"] is True
    await bot.member(UID + 1, key=KEY_B)
    stranger = await AppClient(app, UID + 1).confirm(review["batch"], anyway=True)
    assert stranger["outcome"] != "placed" and bot.panel.count("add") == 0

    done = await client.confirm(review["batch"], anyway=True)
    assert done["outcome"] == "placed", done
    again = await client.confirm(review["batch"], anyway=True)
    assert again["outcome"] == "already", again
    assert bot.panel.count("add") == 1
    await bot.telegram.wait_until(lambda: len(placed_in_chat(bot)) == 1)


async def test_a_review_that_does_not_warn_offers_plain_confirm(app: MiniApp) -> None:
    client = AppClient(app, UID)
    await client.bot.member(UID, key=KEY)
    review = await client.review(1, ANSWERS)
    assert review["anyway"] is False and "Order anyway" not in review["text"]


async def test_a_chat_preview_that_warned_opens_in_the_app_with_order_anyway(
    app: MiniApp,
) -> None:
    bot = app.harness
    u = await bot.member(UID, key=KEY)
    await place(bot, UID, KEY, service=1, link=LINK)
    preview = await single_preview(u, link=LINK)
    assert "Order anyway" in text_of(preview)
    client = AppClient(app, UID)
    opened = await client.call("api/order/preview", {"batch": batch_of(preview)})
    assert opened["anyway"] is True and "open order for this link" in opened["text"]
    assert (await client.confirm(opened["batch"], anyway=True))["outcome"] == "placed"
    assert bot.panel.count("add") == 1


async def stopped_in_app_then_done(app: MiniApp) -> tuple[FakeUser, BotMessage]:
    """A chat preview whose Confirm the app stopped (an order placed on its link since); that
    order has completed since: the link has no open order now, but the draft stays warned."""
    bot = app.harness
    u = await bot.member(UID, key=KEY)
    preview = await single_preview(u, link=LINK)
    client = AppClient(app, UID)
    assert (await client.placed(LINK))["outcome"] == "placed"
    assert (await client.confirm(batch_of(preview)))["outcome"] == "duplicate"
    orders = bot.deps.storage.orders
    [done] = [o for o in await orders.all_for_user(UID) if o.panel_order_id is not None]
    await orders.update_statuses([StatusUpdate(done.id, "Completed")], polled_at=time.time())
    return u, preview


async def test_a_warned_preview_whose_open_order_finished_still_offers_order_anyway(
    app: MiniApp,
) -> None:
    # Its Confirm still places nothing (the draft's mark stays): the app and the chat say so
    # and offer ⚠️ Order anyway, though no order is open on the link any more.
    bot = app.harness
    u, preview = await stopped_in_app_then_done(app)
    client = AppClient(app, UID)
    opened = await client.call("api/order/preview", {"batch": batch_of(preview)})
    assert opened["anyway"] is True and "Confirm will not place this" in opened["text"]
    stopped = await client.confirm(batch_of(preview))
    assert stopped["outcome"] == "duplicate" and stopped["review"]["anyway"] is True

    query = await u.press("Confirm", message=preview)
    assert (await u.answer(query)).params.get("show_alert") is True
    warned = await u.update()
    assert warned.message_id == preview.message_id and "⚠️ Order anyway" in labels(warned)
    await u.press("Order anyway", message=warned)
    await bot.telegram.wait_until(lambda: "Order placed" in text_of(preview), timeout=10)
    assert bot.panel.count("add") == 2


async def test_later_on_a_preview_the_app_stopped_warns_at_once(app: MiniApp) -> None:
    # Not the time dialog, then a false "expired": scheduling it would be refused at the end.
    u, preview = await stopped_in_app_then_done(app)
    refused = await u.answer(await u.press("Later", message=preview))
    assert refused.params.get("show_alert") is True
    assert "Nothing was ordered" in str(refused.params.get("text"))
    warned = await u.update()
    assert warned.message_id == preview.message_id and "⚠️ Order anyway" in labels(warned)
    assert not [m for m in u.sent_texts() if "When should I place this order" in m]
    assert await app.harness.deps.schedules.waiting(UID) == []
