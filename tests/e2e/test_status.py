"""/status, /refill, /refillstatus, /cancelorder and /export through the real bot."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

from tests.e2e.steps import ORDERS_KEY_A as KEY_A
from tests.e2e.steps import ORDERS_KEY_B as KEY_B
from tests.e2e.steps import ORDERS_USER_A as USER_A
from tests.e2e.steps import ORDERS_USER_B as USER_B
from tests.e2e.steps import place
from tests.fakes.panel import Fault
from tests.harness import Harness


async def test_status_of_ids_saves_own_and_reports_unknown(bot: Harness) -> None:
    u = await bot.member(USER_A, key=KEY_A)
    await bot.member(USER_B, key=KEY_B)
    mine = await place(bot, USER_A, KEY_A, quantity=1000)
    pid = mine.panel_order_id
    assert pid is not None
    bot.panel.advance(pid)
    bot.panel.set_order(pid, remains=250)
    outside = bot.panel.create_order(KEY_A, 6, "https://youtu.be/x", 500, status="Completed")
    foreign = bot.panel.create_order(KEY_B, 1, "https://instagram.com/b", 100)
    bot.panel.clear_log()

    await u.send(f"/status {pid}, {outside} {foreign},999999 abc")
    reply = await u.reply()
    text = reply.text or ""
    start = bot.panel.orders[pid].start_count
    assert re.search(rf"#<code>{pid}</code> — <b>In progress</b>", text)
    assert f"start count {start:,}" in text and "remains 250" in text
    assert "charge $12.50" in text
    assert re.search(rf"#<code>{outside}</code> — <b>Completed</b>", text)
    assert "charge $1.375" in text  # 2.75 per 1000 × 500, no digits lost
    assert f"#<code>{foreign}</code> — not found" in text
    assert "#<code>999999</code> — not found" in text
    assert "Not order ids, skipped: abc" in text
    assert bot.panel.count("status") == 1
    # Only the user's own key was used.
    assert {r.params.get("key") for r in bot.panel.requests} == {KEY_A}
    stored = await bot.deps.storage.orders.get(mine.id)
    assert stored is not None
    assert (stored.status, stored.remains, stored.start_count) == ("In progress", 250, start)
    assert any(data == f"oc:{mine.id}" for _, data in reply.buttons())
    assert await bot.deps.storage.orders.get_by_panel_id(USER_A, outside) is None


async def test_status_alone_refreshes_open_orders_in_one_call(bot: Harness) -> None:
    u = await bot.member(USER_A, key=KEY_A)
    running = [await place(bot, USER_A, KEY_A) for _ in range(3)]
    done = await place(bot, USER_A, KEY_A, status="Completed")
    bot.panel.advance(running[0].panel_order_id)
    bot.panel.advance(running[0].panel_order_id)
    bot.panel.clear_log()
    await u.send("/status")
    text = (await u.reply()).text or ""
    # The title counts what it lists: the one that just finished is listed apart.
    assert "Open orders</b> (2)" in text
    assert "Finished since the last check</b> (1)" in text
    open_part, finished_part = text.split("Finished since the last check")
    for order in running[1:]:
        assert f"#<code>{order.panel_order_id}</code>" in open_part
    assert f"#<code>{running[0].panel_order_id}</code>" in finished_part
    assert f"#{done.panel_order_id}" not in text
    assert "<b>Completed</b>" in finished_part  # it shows its fresh status
    # Each listed with its service and a short link, not as a bare number (issue 21 item 13).
    link = (running[1].link or "").removeprefix("https://")
    assert f"Instagram Takipçi · {link}" in open_part
    assert "<b>Completed</b>" not in open_part
    assert bot.panel.count("status") == 1
    fresh = await bot.deps.storage.orders.get(running[0].id)
    assert fresh is not None and fresh.status == "Completed"


async def test_status_alone_without_open_orders_and_with_a_sick_panel(bot: Harness) -> None:
    u = await bot.member(USER_A, key=KEY_A)
    await u.send("/status")
    assert "no open orders" in ((await u.reply()).text or "")
    order = await place(bot, USER_A, KEY_A)
    bot.panel.inject(Fault.http_500(), action="status", times=None)
    await u.send("/status")
    text = (await u.reply()).text or ""
    assert "last known statuses" in text and f"#<code>{order.panel_order_id}</code>" in text


async def test_status_over_100_ids_is_chunked(bot: Harness) -> None:
    u = await bot.member(USER_A, key=KEY_A)
    ids = [bot.panel.create_order(KEY_A, 9, f"https://t.me/c{i}", 100) for i in range(150)]
    await u.send("/status " + " ".join(map(str, ids)))
    seen = ""
    messages = 0
    while not all(f"#<code>{i}</code> —" in seen for i in ids):
        seen += (await u.reply()).text or ""
        messages += 1
    assert messages >= 2  # too long for one Telegram message
    assert bot.panel.count("status") == 2  # ⌈150 / 100⌉
    status_requests = [r for r in bot.panel.requests if r.action == "status"]
    sizes = sorted(len(str(r.params["orders"]).split(",")) for r in status_requests)
    assert sizes == [50, 100]
    assert bot.telegram.bad_requests() == []


async def test_usage_and_no_key(bot: Harness) -> None:
    u = await bot.member(USER_A, key=KEY_A)
    bot.panel.clear_log()
    for command in ("/status abc", "/refill", "/refillstatus x", "/cancelorder"):
        await u.send(command)
        assert "Usage" in ((await u.reply()).text or ""), command
    keyless = await bot.member(USER_B)
    await keyless.send("/status 123")
    assert "/setkey" in ((await keyless.reply()).text or "")
    assert bot.panel.count() == 0


async def test_refill_of_pending_order_is_refused_without_panel_call(bot: Harness) -> None:
    u = await bot.member(USER_A, key=KEY_A)
    order = await place(bot, USER_A, KEY_A, status="Pending")
    bot.panel.clear_log()
    await u.send(f"/refill {order.panel_order_id}")
    text = (await u.reply()).text or ""
    assert "it is Pending" in text and "Completed or Partial" in text
    assert bot.panel.count() == 0
    assert await bot.deps.storage.refills.for_order(USER_A, order.panel_order_id or 0) == []


async def test_refill_of_service_without_refills_is_refused(bot: Harness) -> None:
    u = await bot.member(USER_A, key=KEY_A)
    order = await place(bot, USER_A, KEY_A, service=2, status="Completed")
    await u.send(f"/refill {order.panel_order_id}")
    assert "does not offer refills" in ((await u.reply()).text or "")
    assert bot.panel.count("refill") == 0


async def test_refill_many_then_refill_status(bot: Harness) -> None:
    u = await bot.member(USER_A, key=KEY_A)
    await bot.member(USER_B, key=KEY_B)
    stored = await place(bot, USER_A, KEY_A, service=1, status="Completed")
    outside = bot.panel.create_order(KEY_A, 6, "https://youtu.be/y", 1000, status="Partial")
    outside_no_refill = bot.panel.create_order(KEY_A, 2, "https://i.test/p", 100, "Completed")
    foreign = bot.panel.create_order(KEY_B, 1, "https://instagram.com/b", 100, "Completed")
    bot.panel.clear_log()

    await u.send(f"/refill {stored.panel_order_id} {outside} {outside_no_refill} {foreign}")
    text = (await u.reply()).text or ""
    assert (
        f"#<code>{stored.panel_order_id}</code> — refill requested (refill #<code>1</code>)" in text
    )
    assert f"#<code>{outside}</code> — refill requested (refill #<code>2</code>)" in text
    # The bot cannot know an outside order's service: the panel decides, and says no.
    assert f"#<code>{outside_no_refill}</code> — rejected by the panel" in text
    assert f"#<code>{foreign}</code> — not found" in text
    assert bot.panel.count("refill") == 1  # one multi request for the three candidates
    refill_req = next(r for r in bot.panel.requests if r.action == "refill")
    assert str(refill_req.params["orders"]).split(",") == [
        str(stored.panel_order_id),
        str(outside),
        str(outside_no_refill),
    ]
    [ok] = await bot.deps.storage.refills.for_order(USER_A, stored.panel_order_id or 0)
    assert (ok.refill_id, ok.status, ok.order_id) == (1, "pending", stored.id)
    [outside_row] = await bot.deps.storage.refills.for_order(USER_A, outside)
    assert outside_row.refill_id == 2 and outside_row.order_id is None
    [rejected] = await bot.deps.storage.refills.for_order(USER_A, outside_no_refill)
    assert rejected.refill_id is None and rejected.status == "rejected"

    bot.panel.set_refill(1, "completed")
    bot.panel.set_refill(2, "Yolda")  # a panel's own wording is shown as given
    await u.send("/refillstatus 1 2 77")
    text = (await u.reply()).text or ""
    assert "Refill #<code>1</code> — ✅ completed" in text
    assert "Refill #<code>2</code> — Yolda" in text
    assert "#<code>77</code> — not found" in text
    assert bot.panel.count("refill_status") == 1


async def test_cancelorder_confirms_then_cancels(bot: Harness) -> None:
    u = await bot.member(USER_A, key=KEY_A)
    cancellable = await place(bot, USER_A, KEY_A, service=1)
    fixed = await place(bot, USER_A, KEY_A, service=3, quantity=10)
    finished = await place(bot, USER_A, KEY_A, service=1, status="Completed")
    await u.send(
        f"/cancelorder {cancellable.panel_order_id},{fixed.panel_order_id} "
        f"{finished.panel_order_id}"
    )
    question = await u.reply()
    text = question.text or ""
    assert f"Cancel order #<code>{cancellable.panel_order_id}</code>?" in text
    assert f"#<code>{fixed.panel_order_id}</code> — this service cannot be cancelled" in text
    assert f"#<code>{finished.panel_order_id}</code> — it is Completed" in text
    assert bot.panel.count("cancel") == 0  # nothing is sent before the user confirms
    yes = next(d for t, d in question.buttons() if "Yes" in t)
    assert len(yes.encode()) <= 64

    await u.press("Yes", message=question)
    done = await u.update()
    assert f"#<code>{cancellable.panel_order_id}</code> — cancel requested" in (done.text or "")
    assert bot.panel.count("cancel") == 1
    cancel_req = next(r for r in bot.panel.requests if r.action == "cancel")
    assert str(cancel_req.params.get("orders")) == str(cancellable.panel_order_id)
    assert bot.panel.orders[cancellable.panel_order_id or 0].status == "Canceled"
    stored = await bot.deps.storage.orders.get(cancellable.id)
    assert stored is not None and stored.status == "Canceled"

    # A second tap on the same (now answered) confirmation sends nothing.
    qid = await u.press_data(yes, done)
    assert "expired" in str((await u.answer(qid)).params.get("text"))
    assert bot.panel.count("cancel") == 1


async def test_cancelorder_no_and_nothing_eligible(bot: Harness) -> None:
    u = await bot.member(USER_A, key=KEY_A)
    await bot.member(USER_B, key=KEY_B)
    order = await place(bot, USER_A, KEY_A, service=1)
    await u.send(f"/cancelorder {order.panel_order_id}")
    question = await u.reply()
    await u.press("No", message=question)
    assert "Nothing was cancelled" in ((await u.update()).text or "")
    assert bot.panel.count("cancel") == 0
    assert bot.panel.orders[order.panel_order_id or 0].status == "Pending"

    foreign = bot.panel.create_order(KEY_B, 1, "https://instagram.com/b", 100)
    await u.send(f"/cancelorder {foreign}")
    reply = await u.reply()
    assert f"#<code>{foreign}</code> — not found" in (reply.text or "")
    assert reply.buttons() == []
    assert bot.panel.count("cancel") == 0


async def test_cancel_with_lost_answer_is_unknown_and_not_retried(bot: Harness) -> None:
    u = await bot.member(USER_A, key=KEY_A)
    order = await place(bot, USER_A, KEY_A, service=1)
    await u.send(f"/cancelorder {order.panel_order_id}")
    question = await u.reply()
    bot.panel.inject(Fault.http_500(after=True), action="cancel")
    await u.press("Yes", message=question)
    text = (await u.update()).text or ""
    assert f"#<code>{order.panel_order_id}</code> — the panel did not confirm" in text
    assert bot.panel.count("cancel") == 1


async def test_export_csv(bot: Harness) -> None:
    u = await bot.member(USER_A, key=KEY_A)
    await u.send("/export")
    assert "no orders to export" in ((await u.reply()).text or "")
    first = await place(bot, USER_A, KEY_A, service=1, quantity=1000, link='https://a.test/ç,"x"')
    second = await place(bot, USER_A, KEY_A, service=6, quantity=500, status="Completed")
    await u.send(f"/status {second.panel_order_id}")  # saves charge/remains/start count
    await u.reply()

    await u.send("/export")
    doc = await u.reply()
    assert doc.document is not None
    assert re.fullmatch(r"orders-\d{8}\.csv", doc.document.file_name or "")
    assert "2 orders" in (doc.caption or "")
    rows = list(csv.DictReader(io.StringIO(doc.document.content.decode("utf-8-sig"))))
    assert [r["Order ID"] for r in rows] == [
        str(first.panel_order_id),
        str(second.panel_order_id),
    ]
    assert rows[0]["Link"] == 'https://a.test/ç,"x"'
    # Until the panel states its charge, the preview's cost stands in for it.
    assert rows[0]["Charge"] == "12.50"
    assert rows[0]["Service"] == "Instagram Takipçi" and rows[0]["Status"] == "Pending"
    assert rows[1]["Service ID"] == "6" and rows[1]["Quantity"] == "500"
    assert Decimal(rows[1]["Charge"]) == Decimal("1.375") and rows[1]["Currency"] == "USD"
    assert rows[1]["Status"] == "Completed" and rows[1]["Remains"] == "0"
    assert rows[1]["Start count"] != ""
    # A reseller's columns only: no internal row id, no submit protocol state.
    assert list(rows[0]) == [
        "Order ID", "Panel", "Created", "Service ID", "Service", "Link", "Quantity",
        "Charge", "Currency", "Status", "Remains", "Start count",
    ]  # fmt: skip
