"""Unknown outcomes the user settles (issue 20 item 4), through the real bot and fake panel.

An order whose `add` got no readable answer stays `unknown`; its result, card and push offer
"🔎 I found it on the panel" (the user sends the panel's id: checked with `status` on that
order's panel, refused when the panel does not know it or another order in our records holds
it) and "✖️ It was not placed" (a state of its own, kept in the history). Neither ever sends
the order again.
"""

from __future__ import annotations

from decimal import Decimal

from bot.jobs import jobs_of
from bot.storage.models import Order, OrderDraft, SubmitState
from tests.e2e.steps import BULK_UID as UID_BULK
from tests.e2e.steps import (
    FIRST_PANEL_ID,
    THREE,
    confirm,
    confirm_data,
    labels,
    open_bulk,
    orders_of,
    paste,
    preview_for,
    text_of,
)
from tests.fakes.panel import Fault
from tests.fakes.telegram_models import BotMessage
from tests.fakes.telegram_users import FakeUser
from tests.harness import Harness

KEY = "pk_unknown_0123456789abcdef"
OTHER_KEY = "pk_unknown_other_0123456789"
UID = 4301
OTHER_UID = 4302
LINK = "https://instagram.com/a"
FOUND = "🔎 I found it on the panel"
NOT_PLACED = "✖️ It was not placed"


async def unknown_order(u: FakeUser, bot: Harness, fault: Fault) -> tuple[BotMessage, Order]:
    """Confirm an order whose `add` meets `fault`: the result message and the unknown row."""
    preview = await preview_for(u, 1, LINK, "1000")
    bot.panel.inject(fault, action="add")
    result = await confirm(u, preview)
    assert "cannot tell whether the order was placed" in (result.text or "")
    rows = [o for o in await orders_of(bot, u.id) if o.submit_state is SubmitState.UNKNOWN]
    assert len(rows) == 1
    return result, rows[0]


async def send_id(u: FakeUser, text: str) -> str:
    await u.send(text)
    return (await u.reply()).text or ""


async def test_null_answer_found_on_panel_is_checked_then_tracked(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    result, row = await unknown_order(u, bot, Fault.null_200(after=True))
    assert FIRST_PANEL_ID in bot.panel.orders  # the panel did place it
    assert {FOUND, NOT_PLACED} <= set(labels(result))
    assert "Nothing is sent to the panel again" in (result.text or "")

    await u.press(FOUND, message=result)
    question = await u.reply()
    assert "Send the order id the panel shows for this order" in (question.text or "")
    assert "Instagram Takipçi · https://instagram.com/a" in (question.text or "")
    assert "not one order id" in await send_id(u, "the first one")
    # Another account's order on the same panel: its key does not see it.
    bot.panel.add_key(OTHER_KEY)
    foreign = bot.panel.create_order(OTHER_KEY, 1, LINK, 1000)
    assert f"does not know order #{foreign}" in await send_id(u, str(foreign))
    # A forged id: nobody's.
    assert "does not know order #99999" in await send_id(u, "#99999")
    still = await bot.deps.storage.orders.get(row.id)
    assert still is not None and still.submit_state is SubmitState.UNKNOWN

    await u.send(f"#{FIRST_PANEL_ID}")
    card = await u.reply()
    text = card.text or ""
    assert f"Found: this is order <code>#{FIRST_PANEL_ID}</code>" in text
    assert f"<b>Order #<code>{FIRST_PANEL_ID}</code></b>" in text and "Pending" in text
    assert FOUND not in labels(card) and NOT_PLACED not in labels(card)
    stored = await bot.deps.storage.orders.get(row.id)
    assert stored is not None and stored.submit_state is SubmitState.PLACED
    assert stored.panel_order_id == FIRST_PANEL_ID and stored.status == "Pending"
    assert stored.charge == Decimal("12.5")
    # Every check was a one-order status read; the order was sent once, never again.
    assert [r.params.get("order") for r in bot.panel.requests if r.action == "status"] == [
        str(foreign),
        "99999",
        str(FIRST_PANEL_ID),
    ]
    assert bot.panel.count("add") == 1 and bot.panel.count("add_bulk") == 0

    # Tracked as usual: the poller sees it finish and says so.
    bot.panel.set_order(FIRST_PANEL_ID, status="Completed", remains=0)
    assert bot.app is not None
    await jobs_of(bot.app).poll()
    push = await u.reply()
    assert f"Order <b>#<code>{FIRST_PANEL_ID}</code></b> is completed" in (push.text or "")
    # The result's old buttons settle nothing any more.
    qid = await u.press_data(dict(result.buttons())[FOUND], result)
    assert "not waiting for an answer" in str((await u.answer(qid)).params.get("text"))


async def test_dropped_connection_marked_not_placed_stays_in_history(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    result, row = await unknown_order(u, bot, Fault.drop_connection())
    assert bot.panel.orders == {}
    found_data = dict(result.buttons())[FOUND]  # the result message becomes the card below
    await u.press(NOT_PLACED, message=result)
    question = await u.update()
    assert "Mark this order as not placed?" in (question.text or "")
    await u.press("✖️ No", message=question)
    card = await u.update()
    assert "not confirmed by the panel" in (card.text or "")
    assert {FOUND, NOT_PLACED} <= set(labels(card))

    await u.press(NOT_PLACED, message=card)
    question = await u.update()
    await u.press("Yes, it was not placed", message=question)
    card = await u.update()
    text = card.text or ""
    assert "Marked as not placed" in text and "<b>Order (not placed)</b>" in text
    assert "Status: ✖️ <b>not placed</b>" in text
    assert FOUND not in labels(card) and NOT_PLACED not in labels(card)
    stored = await bot.deps.storage.orders.get(row.id)
    assert stored is not None and stored.submit_state is SubmitState.NOT_PLACED
    assert stored.panel_order_id is None

    await u.send("/orders")
    history = await u.reply()
    assert "✖️ <b>#—</b> · not placed · 1,000 · Instagram Takipçi" in (history.text or "")
    await u.press("Open", message=history)
    open_list = await u.update()
    assert "No orders here yet" in (open_list.text or "")
    await u.send("/export")
    export = await u.reply()
    assert export.document is not None
    assert "not placed" in export.document.content.decode("utf-8-sig")
    # An old button settles nothing any more, and nothing sent the order again.
    qid = await u.press_data(found_data, result)
    assert "not waiting for an answer" in str((await u.answer(qid)).params.get("text"))
    assert bot.panel.count("add") == 1 and bot.panel.orders == {}


async def test_an_id_another_order_holds_is_refused(bot: Harness) -> None:
    # Two Telegram users linked the same panel account: its ids are visible to both keys, so
    # only our records can tell that the other user's order is not this one.
    other = await bot.member(OTHER_UID, key=KEY)
    preview = await preview_for(other, 1, "https://instagram.com/other", "1000")
    assert f"Order placed: #<code>{FIRST_PANEL_ID}</code>" in (
        (await confirm(other, preview)).text or ""
    )
    u = await bot.member(UID)
    await bot.deps.accounts.link(UID, KEY)
    result, row = await unknown_order(u, bot, Fault.null_200(after=True))
    placed_now = FIRST_PANEL_ID + 1
    assert placed_now in bot.panel.orders

    await u.press(FOUND, message=result)
    await u.reply()
    assert f"Order #{FIRST_PANEL_ID} is already another order" in await send_id(
        u, str(FIRST_PANEL_ID)
    )
    stored = await bot.deps.storage.orders.get(row.id)
    assert stored is not None and stored.submit_state is SubmitState.UNKNOWN
    assert "Found" in await send_id(u, str(placed_now))
    stored = await bot.deps.storage.orders.get(row.id)
    assert stored is not None and stored.panel_order_id == placed_now
    assert bot.panel.count("add") == 2


async def test_restart_mid_submit_push_offers_the_buttons(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    draft = OrderDraft(1, "Instagram Takipçi", "Default", LINK, 1000, Decimal("12.5"), "USD")
    orders = bot.deps.storage.orders
    [row] = await orders.create_drafts(UID, "crashbatch02", [draft])
    assert (await orders.claim("crashbatch02", UID)).won
    await bot.restart()
    push = await u.reply()
    assert "may or may not have been placed" in (push.text or "")
    assert {FOUND, NOT_PLACED, "📄 Open order"} <= set(labels(push))
    await u.press(NOT_PLACED, message=push)
    await u.update()
    assert bot.panel.count("add") == 0
    stored = await bot.deps.storage.orders.get(row.id)  # a new database after the restart
    assert stored is not None and stored.submit_state is SubmitState.UNKNOWN


async def test_a_bulk_result_leads_to_each_unknown_line_to_settle_it(bot: Harness) -> None:
    u = await open_bulk(bot)
    preview = await paste(u, THREE)
    bot.panel.inject(Fault.drop_connection(after=True), action="add_bulk")
    await u.press_data(confirm_data(preview), preview)
    result = await u.reply()
    assert "3 unknown" in text_of(result)
    assert {"❔ Line 1", "❔ Line 2", "❔ Line 3"} <= set(labels(result))
    placed = sorted(bot.panel.orders)  # the panel did place all three
    await u.press("❔ Line 2", message=result)
    card = await u.reply()  # the card, as a new message: the result stays
    assert {FOUND, NOT_PLACED} <= set(labels(card))
    await u.press(FOUND, message=card)
    await u.reply()
    assert "I track it from now on" in await send_id(u, str(placed[1]))
    rows = await bot.deps.storage.orders.all_for_user(UID_BULK)
    assert [(r.line_no, r.submit_state, r.panel_order_id) for r in rows] == [
        (1, SubmitState.UNKNOWN, None),
        (2, SubmitState.PLACED, placed[1]),
        (3, SubmitState.UNKNOWN, None),
    ]
    assert bot.panel.bulk_calls() == 1 and bot.panel.count("add") == 0
