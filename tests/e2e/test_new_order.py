"""/order through the real Application: dialog, validation, preview, confirm once, reorder."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from bot.callbacks.base import decode, encode
from bot.callbacks.new_order import ConfirmOrder, Reorder
from bot.callbacks.notifications import OpenCard
from bot.storage.models import OrderDraft, SubmitState
from tests.e2e.steps import (
    FIRST_PANEL_ID,
    add_params,
    ask,
    catalog_row,
    confirm,
    data_of,
    labels,
    menu_screen,
    orders_of,
    press_through,
    preview_for,
    say,
    screen,
)
from tests.fakes.panel import Fault
from tests.fakes.panel_catalog import default_services
from tests.harness import Harness, running_bot

KEY = "pk_order_0123456789abcdef"
UID = 4201


# --- happy paths ---------------------------------------------------------------------------


async def test_browse_to_card_order_preview_confirm(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    question = await screen(u, "/services", "Instagram (5)", "· Takipçi #1", "Order")
    assert "Ordering <b>#1 Instagram Takipçi</b>" in (question.text or "")
    assert "Send the link" in (question.text or "")
    assert "How many? Send a number from 100 to 10,000." in await ask(u, "instagram.com/foo")
    await u.send("1000")
    preview = await u.reply()
    text = preview.text or ""
    assert "Service: #1 Instagram Takipçi" in text
    assert "Link: https://instagram.com/foo" in text  # the bare domain was normalised
    assert "Quantity: 1,000" in text
    assert "Cost: <b>$12.50</b>" in text
    assert "Balance: $100.00 → $87.50 after this order" in text
    assert "⚠️" not in text
    drafts = await orders_of(bot, UID)
    assert [o.submit_state for o in drafts] == [SubmitState.DRAFT]
    assert decode(data_of(preview, "Confirm")).text(0) == drafts[0].batch  # type: ignore[union-attr]

    result = await confirm(u, preview)
    assert f"✅ Order placed: #<code>{FIRST_PANEL_ID}</code>" in (result.text or "")
    # 📊 Status names our own order row, not the panel's id (which another panel may share).
    status = decode(data_of(result, "Status"))
    assert status is not None and status.action is OpenCard.action
    assert status.num(0) == (await orders_of(bot, UID))[0].id
    assert any("New order" in b for b in labels(result))
    assert not any("Confirm" in b for b in labels(result))
    assert bot.panel.count("add") == 1
    placed = bot.panel.orders[FIRST_PANEL_ID]
    assert (placed.service, placed.link, placed.quantity) == (1, "https://instagram.com/foo", 1000)
    [row] = await orders_of(bot, UID)
    assert row.submit_state is SubmitState.PLACED
    assert row.panel_order_id == FIRST_PANEL_ID
    assert row.cost == Decimal("12.5") and row.currency_text == "USD"
    assert bot.panel.balance_of(KEY) == Decimal("87.5")
    assert bot.telegram.bad_requests() == []


async def test_menu_button_typed_id_and_browse_button(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    pick = await menu_screen(u, "/start", "New order")
    assert "Which service?" in (pick.text or "")
    assert "Send the link" in await ask(u, "#6")
    await u.send("/order")
    pick = await u.reply()
    await u.press("Browse", message=pick)
    cats = await u.update()
    assert "Instagram (5)" in labels(cats)
    # Words instead of an id search the catalog, still inside the dialog.
    await u.send("/order")
    await u.reply()
    await u.send("youtube")
    found = await u.reply()
    assert "2.75 · YouTube İzlenme #6" in labels(found)
    await u.press("YouTube İzlenme #6", message=found)
    await u.update()
    await u.press("Order")
    assert "Send the link" in ((await u.update()).text or "")
    assert bot.telegram.bad_requests() == []


async def test_dripfeed_dialog_with_every_number_error(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await u.send("/order 2")
    await u.reply()
    reply = await ask(u, "notalink")
    assert "does not look like a link" in reply and reply.endswith("\nSend a link, or ✖️ Cancel.")
    assert "Ordering" not in reply and "Send the link" not in reply  # not the question again
    assert "Only web links" in await ask(u, "ftp://example.com/x")
    assert "How many?" in await ask(u, "https://instagram.com/p/abc")
    for bad in ("abc", "10", "1.5", "50001"):
        reply = await ask(u, bad)
        assert reply == (
            "⚠️ Quantity must be a whole number between 50 and 50,000.\nSend a number, or ✖️ Cancel."
        ), bad
    await u.send("1,000")
    question = await u.reply()
    assert "Use drip-feed?" in (question.text or "")
    assert "buttons" in await ask(u, "5")  # the Yes/No question stays open
    await u.press("Yes")
    assert "in how many runs" in ((await u.update()).text or "")
    assert "Runs (how many deliveries)" in await ask(u, "1")
    assert "quantity × runs = 60,000" in await ask(u, "60")
    assert "minutes between runs" in await ask(u, "5")
    assert "Interval must be a whole number of minutes" in await ask(u, "0")
    await u.send("30")
    preview = await u.reply()
    text = preview.text or ""
    assert "Quantity per run: 1,000" in text
    assert "Drip-feed: 5 runs, every 30 min — 5,000 in total" in text
    assert "Cost: <b>$16.00</b>" in text  # 3.20 × 1000 × 5 / 1000
    result = await confirm(u, preview)
    assert "Order placed" in (result.text or "")
    [params] = add_params(bot)
    assert (params["runs"], params["interval"], params["quantity"]) == ("5", "30", "1000")
    assert bot.telegram.bad_requests() == []


async def test_dripfeed_no_sends_all_at_once(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await say(u, "/order 2", "https://instagram.com/p/abc", "100")
    preview = await press_through(u, "No")
    assert "Drip-feed" not in (preview.text or "")
    await confirm(u, preview)
    [params] = add_params(bot)
    assert "runs" not in params and "interval" not in params


async def test_unknown_service_id_asks_again(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await u.send("/order 999")
    reply = (await u.reply()).text or ""
    assert "There is no service with ID 999" in reply and "Which service?" in reply
    assert "Send the link" in await ask(u, "1")


async def test_unknown_type_is_refused(bot: Harness) -> None:
    services = default_services()
    services.append(
        catalog_row(50, "Magic", type="Weird Magic", category="X", rate="1", min=1, max=10,
                    refill=None, cancel=None)
    )  # fmt: skip
    bot.panel.set_services(services)
    u = await bot.member(UID, key=KEY)
    await u.send("/order 50")
    reply = (await u.reply()).text or ""
    assert "type “Weird Magic”, which I cannot order yet" in reply
    assert bot.panel.count("add") == 0
    assert await orders_of(bot, UID) == []


async def test_service_vanished_mid_dialog_and_at_preview(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await u.send("/order 1")
    await u.reply()
    await ask(u, "https://instagram.com/a")
    bot.panel.set_services([s for s in default_services() if s["service"] != 1])
    await bot.deps.catalog.get(UID, force=True)  # what the Refresh button does
    reply = await ask(u, "1000")
    assert "Service 1 is no longer offered" in reply and "Which service?" in reply

    # Vanished after the dialog's last lookup: the preview re-checks a fresh catalog.
    bot.panel.set_services(default_services())
    await bot.deps.catalog.get(UID, force=True)
    await u.send("/order 1")
    await u.reply()
    await ask(u, "https://instagram.com/a")
    bot.panel.set_services([s for s in default_services() if s["service"] != 1])
    bot.deps.ordering.preview_max_age = 0
    reply = await ask(u, "1000")
    assert "Service 1 is no longer offered" in reply
    assert await orders_of(bot, UID) == []
    assert bot.panel.count("add") == 0


async def test_package_custom_comments_poll_and_subscription_params(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY, balance="1000")
    preview = await preview_for(u, 7, "https://youtube.com/c/chan")
    assert "Cost: <b>$150.00</b>" in (preview.text or "")
    assert "Quantity" not in (preview.text or "")
    await confirm(u, preview)

    await u.send("/order 3")
    await u.reply()
    await ask(u, "https://instagram.com/p/x")
    assert "📝 3 lines so far (5–1,000 in all)." in await ask(u, "nice\ngreat\n\nwow")
    assert "You sent 3 lines; this service takes between 5 and 1,000" in await ask(u, "/done")
    assert "📝 5 lines so far" in await ask(u, "cool\nsuper")
    await u.send("/done")
    preview = await u.reply()
    assert "Comments: 5 lines" in (preview.text or "")
    assert "Cost: <b>$0.225</b>" in (preview.text or "")
    whole = await u.reply()  # the preview shows 3 of the 5: the whole list comes as a file
    assert whole.document is not None and whole.document.file_name == "comments.txt"
    await confirm(u, preview)

    preview = await preview_for(u, 8, "https://t.me/c/1/2", "100", "2")
    assert "Answer number: 2" in (preview.text or "")
    await confirm(u, preview)

    await u.send("/order 5")
    assert "username to subscribe to" in ((await u.reply()).text or "")
    await ask(u, "@some.user")
    await ask(u, "100")
    posts_q = await ask(u, "200")
    assert "new posts" in posts_q
    await u.press("Skip")
    assert "existing posts" in ((await u.update()).text or "")
    await u.press("Skip")
    assert "Delay before delivery starts" in ((await u.update()).text or "")
    assert "Delay must be one of the minutes on the buttons (0–600)." in await ask(u, "7")
    expiry_q = await ask(u, "0")
    assert "Until which date" in expiry_q
    await u.send("31/12/2999")
    preview = await u.reply()
    text = preview.text or ""
    assert "Username: some.user" in text and "Minimum per post: 100" in text
    assert "charged per new post" in text
    await confirm(u, preview)

    package, comments, poll, sub = add_params(bot)
    assert package["service"] == "7" and "quantity" not in package
    assert comments["comments"] == "nice\ngreat\nwow\ncool\nsuper" and comments["quantity"] == "5"
    assert poll["answer_number"] == "2" and poll["quantity"] == "100"
    assert (sub["username"], sub["min"], sub["max"], sub["delay"], sub["expiry"]) == (
        "some.user",
        "100",
        "200",
        "0",
        "31/12/2999",
    )
    assert "link" not in sub and "posts" not in sub
    assert [o.submit_state for o in await orders_of(bot, UID)] == [SubmitState.PLACED] * 4
    assert bot.telegram.bad_requests() == []


# --- preview warnings, cancel ---------------------------------------------------------------


async def test_short_balance_warns_and_panel_refusal_shows_amounts(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY, balance="1")
    preview = await preview_for(u, 1, "https://instagram.com/a", "1000")
    text = preview.text or ""
    assert "Balance: $1.00 → -$11.50 after this order" in text
    assert "short by $11.50" in text and "You can still confirm" in text
    result = await confirm(u, preview)
    text = result.text or ""
    assert "❌ The order was not placed." in text
    assert "Insufficient balance: this needs $12.50, you have $1.00." in text
    [row] = await orders_of(bot, UID)
    assert row.submit_state is SubmitState.FAILED and "Insufficient" in (row.error_text or "")
    assert bot.panel.count("add") == 1


async def test_panel_min_refusal_and_bad_link_refusal(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await u.send("/services")
    await u.reply()  # the bot caches min 100 for service 1
    stricter = default_services()
    stricter[0]["min"] = 5000
    bot.panel.set_services(stricter)
    preview = await preview_for(u, 1, "https://instagram.com/a", "1000")
    result = await confirm(u, preview)
    assert "The panel refused: Quantity must be at least 5000" in (result.text or "")

    real_dispatch = bot.panel.dispatch

    def bad_link(params: Mapping[str, Any]) -> Any:
        if params.get("action") == "add":
            return {"error": "Incorrect link <format>"}
        return real_dispatch(params)

    bot.panel.dispatch = bad_link  # type: ignore[method-assign]
    preview = await preview_for(u, 6, "https://youtube.com/watch?v=x", "500")
    result = await confirm(u, preview)
    assert "The panel refused: Incorrect link &lt;format&gt;" in (result.text or "")
    rows = await orders_of(bot, UID)
    assert [r.submit_state for r in rows] == [SubmitState.FAILED, SubmitState.FAILED]
    assert bot.telegram.bad_requests() == []


async def test_cancel_preview_discards_draft_and_confirm_says_cancelled(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    preview = await preview_for(u, 1, "https://instagram.com/a", "1000")
    confirm_data = data_of(preview, "Confirm")
    await u.press("Cancel", message=preview)
    cancelled = await u.update()
    assert "Order cancelled. Nothing was sent." in (cancelled.text or "")
    assert await orders_of(bot, UID) == []
    qid = await u.press_data(confirm_data, preview)
    # Said as it is (issue 21): cancelled, not "expired".
    answer = (await u.answer(qid)).params.get("text")
    assert answer == "Preview cancelled, nothing was ordered."
    assert bot.panel.count("add") == 0


async def test_duplicate_open_order_is_flagged(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await confirm(u, await preview_for(u, 1, "https://instagram.com/a", "1000"))
    preview = await preview_for(u, 1, "instagram.com/a", "500")
    assert f"open order for this link on this service: #<code>{FIRST_PANEL_ID}</code>" in (
        preview.text or ""
    )
    other = await preview_for(u, 1, "https://instagram.com/b", "500")
    assert "open order" not in (other.text or "")


async def test_cancel_command_leaves_the_dialog(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await u.send("/order 1")
    await u.reply()
    assert "Cancelled." in await ask(u, "/cancel")
    assert "did not understand" in await ask(u, "https://instagram.com/a")


async def test_order_without_key_explains_setkey(bot: Harness) -> None:
    u = await bot.member(UID)
    assert "/setkey" in await ask(u, "/order 1")
    assert bot.panel.count() == 0


# --- duplicate safety -----------------------------------------------------------------------


async def test_double_tap_places_one_order(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    preview = await preview_for(u, 1, "https://instagram.com/a", "1000")
    data = data_of(preview, "Confirm")
    await u.press_data(data, preview)
    second = await u.press_data(data, preview)
    answer = await u.answer(second)
    assert f"Already submitted (order #{FIRST_PANEL_ID})" in str(answer.params.get("text"))
    assert bot.panel.count("add") == 1
    [row] = await orders_of(bot, UID)
    assert row.submit_state is SubmitState.PLACED


async def test_concurrent_confirms_place_one_order(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    preview = await preview_for(u, 1, "https://instagram.com/a", "1000")
    data = data_of(preview, "Confirm")
    bot.panel.inject(Fault.latency(0.2), action="add")  # the first is still in flight
    # Start another dialog in between: Confirm must still work from any dialog state.
    await u.send("/order")
    await u.reply()
    q1, q2 = await asyncio.gather(u.press_data(data, preview), u.press_data(data, preview))
    a1, a2 = await u.answer(q1), await u.answer(q2)
    texts = [str(a.params.get("text")) for a in (a1, a2)]
    assert sum("Already submitted" in t for t in texts) == 1
    await bot.telegram.wait_until(lambda: "Order placed" in (preview.text or ""))
    assert bot.panel.count("add") == 1
    assert len(bot.panel.orders) == 1


async def test_timeout_on_add_is_unknown_and_never_retried(tmp_path: Path) -> None:
    async with running_bot(tmp_path, panel_timeout_seconds=0.5) as bot:
        u = await bot.member(UID, key=KEY)
        preview = await preview_for(u, 1, "https://instagram.com/a", "1000")
        bot.panel.inject(Fault.timeout(after=True), action="add")
        result = await confirm(u, preview)
        text = result.text or ""
        assert "cannot tell whether the order was placed" in text
        assert "check your orders on the panel before ordering again" in text
        assert bot.panel.count("add") == 1
        assert len(bot.panel.orders) == 1  # it did go through on the panel
        [row] = await orders_of(bot, UID)
        assert row.submit_state is SubmitState.UNKNOWN
        # A replayed Confirm says so and still sends nothing.
        replay = encode(ConfirmOrder.action, row.batch)
        qid = await u.press_data(replay, preview)
        assert "never confirmed" in str((await u.answer(qid)).params.get("text"))
        assert bot.panel.count("add") == 1


async def test_restart_mid_submit_becomes_unknown_and_user_is_told(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await u.send("/start")
    start = await u.reply()
    orders = bot.deps.storage.orders
    draft = OrderDraft(1, "Instagram Takipçi", "Default", "https://instagram.com/a", 1000,
                       Decimal("12.5"), "USD")  # fmt: skip
    [row] = await orders.create_drafts(UID, "crashbatch01", [draft])
    claim = await orders.claim("crashbatch01", UID)
    assert claim.won
    await bot.restart()
    recovered = await bot.deps.storage.orders.get(row.id)
    assert recovered is not None and recovered.submit_state is SubmitState.UNKNOWN
    outbox = await bot.deps.storage.db.fetchall("SELECT user_id, kind, payload FROM outbox")
    assert [(r[0], r[1], r[2]) for r in outbox] == [
        (UID, "order_unknown", f'{{"order_id": {row.id}, "count": 1}}')
    ]
    qid = await u.press_data(encode(ConfirmOrder.action, "crashbatch01"), start)
    assert "never confirmed" in str((await u.answer(qid)).params.get("text"))
    assert bot.panel.count("add") == 0
    # A second restart does not queue the notice again.
    await bot.restart()
    assert len(await bot.deps.storage.db.fetchall("SELECT id FROM outbox")) == 1


# --- reorder --------------------------------------------------------------------------------


async def test_reorder_prefills_preview_and_places_again(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await say(u, "/order 2", "https://instagram.com/p/abc", "100")
    await press_through(u, "Yes")
    await ask(u, "3")
    await u.send("10")
    first = await confirm(u, await u.reply())
    [row] = await orders_of(bot, UID)

    await u.press_data(encode(Reorder.action, row.id), first)
    preview = await u.update()
    text = preview.text or ""
    assert "Service: #2 Instagram Beğeni [Hızlı]" in text
    assert "Link: https://instagram.com/p/abc" in text
    assert "Drip-feed: 3 runs, every 10 min — 300 in total" in text
    # The first order is still open on the same link: only Order anyway places it again.
    assert "open order for this link on this service" in text
    await u.press("Order anyway", message=preview)
    await u.update()  # "sending…"
    result = await u.update()
    assert f"Order placed: #<code>{FIRST_PANEL_ID + 1}</code>" in (result.text or "")
    first_params, second_params = add_params(bot)
    for name in ("service", "link", "quantity", "runs", "interval"):
        assert first_params[name] == second_params[name]


async def test_reorder_revalidates_against_current_catalog(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    first = await confirm(u, await preview_for(u, 1, "https://instagram.com/a", "1000"))
    [row] = await orders_of(bot, UID)
    stricter = default_services()
    stricter[0]["min"] = 2000
    bot.panel.set_services(stricter)
    await bot.deps.catalog.get(UID, force=True)
    await u.press_data(encode(Reorder.action, row.id), first)
    question = (await u.update()).text or ""
    assert "Quantity must be a whole number between 2,000 and 10,000" in question
    assert "How many?" in question
    await u.send("2000")
    preview = await u.reply()
    assert "Quantity: 2,000" in (preview.text or "")
    assert "Link: https://instagram.com/a" in (preview.text or "")


async def test_reorder_of_someone_elses_or_missing_order_expires(bot: Harness) -> None:
    owner = await bot.member(UID, key=KEY)
    await confirm(owner, await preview_for(owner, 1, "https://instagram.com/a", "1000"))
    [row] = await orders_of(bot, UID)
    intruder = await bot.member(UID + 1, key="pk_other_0123456789abcdef")
    await intruder.send("/start")
    start = await intruder.reply()
    for order_id in (row.id, 999_999):
        qid = await intruder.press_data(encode(Reorder.action, order_id), start)
        assert "expired" in str((await intruder.answer(qid)).params.get("text"))
    assert bot.panel.count("add") == 1


async def test_secrets_never_logged(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await confirm(u, await preview_for(u, 1, "https://instagram.com/a", "1000"))
    assert KEY not in bot.logs.text
