"""/bulk end to end: paste or upload, preview, confirm once, per-line results."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

from bot.storage.models import SubmitState
from tests.e2e.steps import BULK_KEY as KEY
from tests.e2e.steps import BULK_UID as UID
from tests.e2e.steps import (
    THREE,
    confirm_data,
    csv_rows,
    open_bulk,
    paste,
    reply_containing,
    screen,
    text_of,
)
from tests.fakes.panel import Fault
from tests.fakes.panel_catalog import default_services
from tests.harness import Harness, running_bot


async def test_three_lines_preview_confirm_one_add_bulk(bot: Harness) -> None:
    u = await open_bulk(bot)
    preview = await paste(u, THREE)
    text = text_of(preview)
    assert "3 valid orders of 3 lines" in text
    # 12.50 + 1.60 + 5.50; balance 100 → 80.40
    assert "$19.60" in text and "$100.00" in text and "$80.40" in text
    assert "short" not in text
    assert any("Confirm 3 valid orders" in label for label, _ in preview.buttons())
    rows = await bot.deps.storage.orders.get_batch(confirm_data(preview).split(":")[1])
    assert [r.submit_state for r in rows] == [SubmitState.DRAFT] * 3
    assert bot.panel.bulk_calls() == 0  # nothing sent before confirming

    await u.press("Confirm", message=preview)
    submitting = await u.update()
    assert submitting.message_id == preview.message_id
    assert "Submitting 3 orders" in text_of(submitting) and submitting.buttons() == []
    result = await u.reply()
    ids = sorted(bot.panel.orders)
    assert len(ids) == 3
    for line_no, pid in zip((1, 2, 3), ids, strict=True):
        assert f"line {line_no}: #<code>{pid}</code>" in text_of(result)
    assert "3 placed" in text_of(result)
    assert bot.panel.bulk_calls() == 1 and bot.panel.count("add") == 0

    orders = await bot.deps.storage.orders.list_for_user(UID)
    assert len(orders) == 3
    assert {o.panel_order_id for o in orders} == set(ids)
    assert all(o.submit_state is SubmitState.PLACED and o.currency_text == "USD" for o in orders)
    assert sorted(o.line_no or 0 for o in orders) == [1, 2, 3]
    assert {bot.panel.orders[i].link for i in ids} == {
        "https://instagram.com/alpha",
        "https://instagram.com/p/beta",
        "https://youtube.com/watch?v=gamma",
    }
    assert bot.telegram.bad_requests() == []


async def test_menu_button_starts_bulk(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    prompt = await screen(u, "/start", "Bulk order")
    assert "service id | link | quantity" in text_of(prompt)
    preview = await paste(u, "9 | t.me/channel | 100")
    assert "1 valid order of 1 line." in text_of(preview)


async def test_list_on_the_command_line(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await u.send("/bulk\n1 | https://instagram.com/alpha | 1000\n2 | instagram.com/x | 50")
    preview = await u.reply()
    assert "2 valid orders of 2 lines" in text_of(preview)


async def test_mixed_separators_and_comments(bot: Harness) -> None:
    u = await open_bulk(bot)
    preview = await paste(
        u,
        "# my weekly list\n"
        "\n"
        "1;https://instagram.com/a;100\n"
        "2, https://instagram.com/b, 200\n"
        "6\thttps://youtube.com/watch?v=c\t500\n"
        "9 https://t.me/d 300\n"
        "// another comment\n"
        "1 | instagram.com/e | 150\n",
    )
    text = text_of(preview)
    assert "5 valid orders of 5 lines" in text
    assert "problem" not in text
    await u.press("Confirm", message=preview)
    result = await u.reply()
    # Line numbers are the pasted text's own, comments and blanks included.
    for line_no in (3, 4, 5, 6, 8):
        assert f"line {line_no}: #" in text_of(result)
    assert {o.link for o in bot.panel.orders.values()} == {
        "https://instagram.com/a",
        "https://instagram.com/b",
        "https://youtube.com/watch?v=c",
        "https://t.me/d",
        "https://instagram.com/e",
    }


async def test_per_line_errors_then_only_valid_lines_are_sent(bot: Harness) -> None:
    u = await open_bulk(bot)
    preview = await paste(
        u,
        "1 | https://instagram.com/ok | 1000\n"
        "999 | https://instagram.com/x | 100\n"
        "2 | not a link | 100\n"
        "1 | https://instagram.com/y | 5\n"
        "3 | https://instagram.com/p/z | 10\n"
        "abc | https://instagram.com/w | 100\n"
        "6 | https://youtube.com/watch?v=ok | 600\n",
    )
    text = text_of(preview)
    assert "2 valid orders of 7 lines" in text
    assert "5 lines have problems" in text
    assert "line 2: Service 999 is not in the catalog." in text
    assert "line 3:" in text and "link" in text.split("line 3:")[1].split("\n")[0].lower()
    assert "line 4: Quantity must be a whole number between 100 and 10,000" in text
    assert "line 5: Service 3 needs more than a link and a quantity" in text
    assert "line 6:" in text
    assert "line 1:" in text and "line 7:" in text  # the valid ones are listed too
    assert any("Confirm 2 valid orders" in label for label, _ in preview.buttons())
    await u.press("Confirm", message=preview)
    result = await u.reply()
    assert "line 1: #" in text_of(result) and "line 7: #" in text_of(result)
    # Lines that failed the check are in the result too, as not sent (issue 11 item 11).
    assert "line 2: ⏸ not sent: Service 999 is not in the catalog." in text_of(result)
    assert bot.panel.bulk_calls() == 1
    # The last add_bulk (a status read for the charges follows it).
    sent = next(r for r in reversed(bot.panel.requests) if r.action == "add_bulk").params["orders"]
    assert '"service":"1"' in sent.replace(" ", "") or '"service":1' in sent.replace(" ", "")
    assert len(bot.panel.orders) == 2
    assert len(await bot.deps.storage.orders.list_for_user(UID)) == 2


async def test_no_valid_lines_stays_in_dialog(bot: Harness) -> None:
    u = await open_bulk(bot)
    answer = await paste(u, "999 | https://instagram.com/x | 100\n1 | https://x.com/y | 1")
    text = text_of(answer)
    assert "None of the 2 lines can be ordered" in text
    assert "line 1: Service 999" in text and "line 2:" in text
    assert not any("Confirm" in label for label, _ in answer.buttons())
    # One bad line: "The line cannot…", never "None of the 1 line…" (issue 21, low).
    single = text_of(await paste(u, "999 | https://instagram.com/x | 100"))
    assert single.startswith("The line cannot be ordered:") and "None of" not in single
    # Still waiting for the list: a corrected paste gives a preview.
    preview = await paste(u, "1 | https://x.com/y | 100")
    assert "1 valid order of 1 line." in text_of(preview)
    assert await bot.deps.storage.orders.all_for_user(UID) == []


async def test_garbage_text_explains_format(bot: Harness) -> None:
    u = await open_bulk(bot)
    answer = await paste(u, "# only a comment")
    assert "no order lines" in text_of(answer)
    answer = await paste(u, "hello there")
    assert "service id | link | quantity" in text_of(answer)


async def test_duplicates_flagged_but_valid(bot: Harness) -> None:
    u = await open_bulk(bot)
    preview = await paste(
        u,
        "1 | https://instagram.com/same | 100\n"
        "2 | https://instagram.com/same | 100\n"
        "1 | https://www.instagram.com/same/ | 200\n",
    )
    text = text_of(preview)
    assert "3 valid orders of 3 lines" in text
    assert "1 line repeats an earlier service and link" in text
    assert "line 3: same as line 1" in text
    # Flagged: its Confirm places nothing (tests/e2e/test_link_guard.py), Order anyway does.
    await u.press("Order anyway", message=preview)
    await u.reply()
    assert len(bot.panel.orders) == 3


async def test_lines_matching_an_open_order_are_flagged_but_valid(bot: Harness) -> None:
    u = await open_bulk(bot)
    first = await paste(u, "1 | https://instagram.com/again | 100\n")
    await u.press("Confirm", message=first)
    await reply_containing(u, "1 placed")
    [placed_id] = bot.panel.orders

    await u.send("/bulk")
    await u.reply()
    preview = await paste(
        u,
        "1 | https://instagram.com/again | 200\n"  # same service and link: still open
        "6 | https://instagram.com/again | 500\n"  # another kind of service (YouTube)
        "1 | https://instagram.com/other | 100\n",
    )
    text = text_of(preview)
    assert "3 valid orders of 3 lines" in text
    assert "1 line is for a link you already have an open order for" in text
    assert f"line 1: order #<code>{placed_id}</code> is still open" in text
    assert "line 2:" not in text.split("open order for")[1]

    await u.press("Order anyway", message=preview)
    await reply_containing(u, "3 placed")
    assert len(bot.panel.orders) == 4


async def test_insufficient_balance_warned_then_refused_for_whole_chunk(bot: Harness) -> None:
    u = await open_bulk(bot, balance="5")
    preview = await paste(u, THREE)
    text = text_of(preview)
    assert "short by $14.60" in text and "does not cover even the first order" in text
    # Nothing the balance covers: only Cancel (tests/e2e/test_bulk_spend.py covers "first N").
    assert [label for label, _ in preview.buttons()] == ["✖️ Cancel"]

    # The balance drops after a preview that fitted: the panel refuses the whole chunk.
    bot.panel.set_balance(KEY, "100")
    await u.send("/bulk")
    await u.reply()
    preview = await paste(u, THREE)
    bot.panel.set_balance(KEY, "5")
    await u.press("Confirm", message=preview)
    await u.update()  # "Submitting…"
    result = await u.reply()
    body = text_of(result)
    assert "0 placed" in body and "3 failed" in body
    assert body.count("Insufficient balance") == 1  # one group for the three lines
    assert "3 lines (1–3): Panel's answer: Insufficient balance" in body
    assert bot.panel.bulk_calls() == 1
    assert bot.panel.orders == {}
    rows = await bot.deps.storage.orders.all_for_user(UID)
    assert [r.submit_state for r in rows] == [SubmitState.FAILED] * 3
    assert await bot.deps.storage.orders.list_for_user(UID) == []


async def test_partial_success_from_panel_shown_per_line(bot: Harness) -> None:
    u = await open_bulk(bot)
    preview = await paste(u, THREE)
    # The panel changed since the catalog was cached: service 2 now needs at least 1000.
    services = default_services()
    for s in services:
        if s["service"] == 2:
            s["min"] = 1000
    bot.panel.set_services(services)
    await u.press("Confirm", message=preview)
    result = await u.reply()
    body = text_of(result)
    assert "2 placed" in body and "1 failed" in body
    assert "line 1: #" in body and "line 3: #" in body
    assert "line 2: ✖ Panel's answer: Order 2: Quantity must be at least 1000" in body
    rows = await bot.deps.storage.orders.all_for_user(UID)
    by_line = {r.line_no: r for r in rows}
    assert by_line[2].submit_state is SubmitState.FAILED
    assert by_line[1].submit_state is SubmitState.PLACED
    assert bot.panel.bulk_calls() == 1


async def test_150_lines_two_add_bulk_calls_and_csv_result(bot: Harness) -> None:
    u = await open_bulk(bot, balance="100000")
    text = "\n".join(f"9 | https://t.me/channel{i} | 100" for i in range(150))
    preview = await paste(u, text)
    assert "150 valid orders of 150 lines" in text_of(preview)
    check = await u.reply()  # more than 10 lines: every line is in the check file
    assert len(csv_rows(check)) == 150
    await u.press("Confirm", message=preview)
    result = await u.reply()
    document = await u.reply()
    assert bot.panel.bulk_calls() == 2
    assert len(bot.panel.orders) == 150
    assert "150 placed" in text_of(result)
    assert "attached file" in text_of(result)
    assert len(result.text or "") <= 4096
    rows = csv_rows(document)
    assert len(rows) == 150
    assert rows[0]["line"] == "1" and rows[0]["status"] == "placed"
    assert {int(r["order id"]) for r in rows} == set(bot.panel.orders)
    assert rows[149]["link"] == "https://t.me/channel149"
    placed = await bot.deps.storage.orders.count_for_user(UID)
    assert placed == 150


async def test_panel_without_add_bulk_places_one_by_one(bot: Harness) -> None:
    bot.panel.supports_add_bulk = False
    u = await open_bulk(bot)
    preview = await paste(u, THREE)
    await u.press("Confirm", message=preview)
    result = await u.reply()
    assert "3 placed" in text_of(result)
    assert bot.panel.count("add_bulk") == 1  # refused as unknown, nothing placed by it
    assert bot.panel.count("add") == 3
    assert len(bot.panel.orders) == 3
    rows = await bot.deps.storage.orders.all_for_user(UID)
    assert all(r.submit_state is SubmitState.PLACED for r in rows)


async def test_confirm_tapped_twice(bot: Harness) -> None:
    u = await open_bulk(bot)
    preview = await paste(u, THREE)
    data = confirm_data(preview)
    await u.press_data(data, preview)
    await u.update()  # Submitting…
    result = await u.reply()
    assert "3 placed" in text_of(result)
    qid = await u.press_data(data, preview)  # a replayed callback / second device
    again = await u.reply()
    assert "already submitted" in text_of(again)
    assert all(f"#<code>{pid}</code>" in text_of(again) for pid in bot.panel.orders)
    answer = await u.answer(qid)
    assert "Already submitted" in str(answer.params.get("text", ""))
    assert bot.panel.bulk_calls() == 1
    assert len(bot.panel.orders) == 3


async def test_two_confirms_at_once_through_telegram(bot: Harness) -> None:
    u = await open_bulk(bot)
    preview = await paste(u, THREE)
    data = confirm_data(preview)
    await u.press_data(data, preview)
    await u.press_data(data, preview)
    texts = [text_of(await u.reply()), text_of(await u.reply())]
    assert sum("Bulk order result" in t for t in texts) == 1
    assert sum("already submitted" in t for t in texts) == 1
    assert bot.panel.bulk_calls() == 1


async def test_two_confirms_racing_in_the_service(bot: Harness) -> None:
    u = await open_bulk(bot)
    preview = await paste(u, THREE)
    batch = confirm_data(preview).split(":")[1]
    bot.panel.inject(Fault.latency(0.2), action="add_bulk")
    first, second = await asyncio.gather(
        bot.deps.bulk.confirm(UID, batch), bot.deps.bulk.confirm(UID, batch)
    )
    outcomes = sorted([first.outcome.value, second.outcome.value])
    assert outcomes == ["already", "submitted"]
    assert bot.panel.bulk_calls() == 1
    assert len(bot.panel.orders) == 3


async def test_lost_answer_marks_unknown_and_never_retries(bot: Harness) -> None:
    u = await open_bulk(bot)
    preview = await paste(u, THREE)
    data = confirm_data(preview)
    bot.panel.inject(Fault.drop_connection(after=True), action="add_bulk")
    await u.press_data(data, preview)
    result = await u.reply()
    body = text_of(result)
    assert "3 unknown" in body and "Check the panel" in body
    assert "3 lines with no clear answer (1–3): check the panel" in body
    assert bot.panel.bulk_calls() == 1 and bot.panel.count("add") == 0
    assert len(bot.panel.orders) == 3  # the panel did place them
    rows = await bot.deps.storage.orders.all_for_user(UID)
    assert [r.submit_state for r in rows] == [SubmitState.UNKNOWN] * 3
    qid = await u.press_data(data, preview)
    assert "Already submitted" in str((await u.answer(qid)).params.get("text", ""))
    assert "check the panel" in text_of(await u.reply())
    assert bot.panel.bulk_calls() == 1


async def test_timeout_after_send_marks_unknown(tmp_path: Path) -> None:
    async with running_bot(tmp_path, panel_timeout_seconds=0.5) as bot:
        u = await open_bulk(bot)
        preview = await paste(u, THREE)
        bot.panel.inject(Fault.timeout(after=True), action="add_bulk")
        await u.press("Confirm", message=preview)
        result = await u.reply(timeout=10)
        assert "3 unknown" in text_of(result)
        assert bot.panel.bulk_calls() == 1
        rows = await bot.deps.storage.orders.all_for_user(UID)
        assert [r.submit_state for r in rows] == [SubmitState.UNKNOWN] * 3


async def test_cancel_button_discards_the_preview(bot: Harness) -> None:
    u = await open_bulk(bot)
    preview = await paste(u, THREE)
    data = confirm_data(preview)
    await u.press("Cancel", message=preview)
    cancelled = await u.update()
    assert "cancelled" in text_of(cancelled).lower()
    assert await bot.deps.storage.orders.get_batch(data.split(":")[1]) == []
    # Said as it is (issue 21): the preview was cancelled, not "expired" or "no longer valid".
    qid = await u.press_data(data, preview)
    answer = await u.answer(qid)
    assert answer.params.get("text") == "Preview cancelled, nothing was ordered."
    assert bot.panel.bulk_calls() == 0


async def test_confirm_after_restart(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        u = await open_bulk(bot)
        preview = await paste(u, THREE)
        await bot.restart()
        await u.press("Confirm", message=preview)
        result = await u.reply()
        assert "3 placed" in text_of(result)
        assert bot.panel.bulk_calls() == 1


async def test_upload_csv_file(bot: Harness) -> None:
    u = await open_bulk(bot)
    content = (
        "service;link;quantity\r\n"
        "1;https://instagram.com/ayşe;100\r\n"
        '6;"https://youtube.com/watch?v=a,b";500\r\n'
    ).encode("cp1254")
    await u.send_document("orders.CSV", content, mime_type="text/csv")
    preview = await u.reply()
    text = text_of(preview)
    assert "2 valid orders of 2 lines" in text
    assert "ayşe" in text
    await u.press("Confirm", message=preview)
    assert "2 placed" in text_of(await u.reply())
    assert {o.link for o in bot.panel.orders.values()} == {
        "https://instagram.com/ayşe",
        "https://youtube.com/watch?v=a,b",
    }


async def test_upload_refusals(bot: Harness) -> None:
    u = await open_bulk(bot)
    await u.send_document("orders.xlsx", b"PK\x03\x04binary", mime_type="application/zip")
    assert ".txt or .csv" in text_of(await u.reply())
    await u.send_document("big.txt", b"1 | https://x.com/a | 100\n" * 45_000)
    assert "too large" in text_of(await u.reply())
    assert bot.telegram.downloads == []  # refused before downloading
    await u.send_document("utf16.txt", "\x00\x00abc".encode("utf-32"))
    assert "text file" in text_of(await u.reply())
    # Still in the dialog: a good paste now works.
    preview = await paste(u, "1 | https://x.com/a | 100")
    assert "1 valid order" in text_of(preview)


async def test_more_than_1000_lines_refused(bot: Harness) -> None:
    u = await open_bulk(bot)
    answer = await paste(u, "\n".join(f"9 | https://t.me/c{i} | 100" for i in range(1001)))
    assert "more than 1,000 order lines" in text_of(answer)
    assert not any("Confirm" in label for label, _ in answer.buttons())
    assert await bot.deps.storage.orders.all_for_user(UID) == []


async def test_many_problems_come_with_a_check_file(bot: Harness) -> None:
    u = await open_bulk(bot)
    lines = ["1 | https://instagram.com/ok | 100"]
    lines += [f"1 | https://instagram.com/u{i} | 1" for i in range(40)]
    await u.send("\n".join(lines))
    preview = await u.reply()
    report = await u.reply()
    text = text_of(preview)
    assert "40 lines have problems" in text and "… and 20 more" in text
    assert "attached file" in text
    rows = csv_rows(report)
    assert len(rows) == 41
    assert rows[0]["status"] == "ok" and rows[1]["status"] == "error"
    assert "between 100 and 10,000" in rows[1]["problem"]
    assert any("Confirm 1 valid order" in label for label, _ in preview.buttons())


async def test_many_lines_matching_open_orders_come_with_a_check_file(bot: Harness) -> None:
    u = await open_bulk(bot, balance="1000")
    lines = [f"9 | https://t.me/c{i} | 100" for i in range(25)]
    first = await paste(u, "\n".join(lines))
    await u.press("Confirm", message=first)
    await reply_containing(u, "25 placed")

    await u.send("/bulk")
    await u.reply()
    await u.send("\n".join([*lines, "9 | https://t.me/fresh | 100"]))
    preview = await u.reply()
    report = await u.reply()
    text = text_of(preview)
    assert "25 lines are for links you already have an open order for" in text
    assert "… and 5 more" in text and "attached file" in text
    rows = csv_rows(report)
    assert [r["status"] for r in rows] == ["already open"] * 25 + ["ok"]
    assert all(r["problem"].endswith("is still open") for r in rows[:25])


async def test_without_key_explains(bot: Harness) -> None:
    await bot.deps.access.allow(UID)
    u = bot.user(UID)
    await u.send("/bulk")
    assert "/setkey" in text_of(await u.reply())


async def test_bulk_rows_are_normal_orders(bot: Harness) -> None:
    u = await open_bulk(bot)
    preview = await paste(u, THREE)
    await u.press("Confirm", message=preview)
    await u.reply()
    orders = await bot.deps.storage.orders.list_for_user(UID)
    assert len(orders) == 3
    first = orders[-1]
    assert first.service_name_text == "Instagram Takipçi" and first.quantity == 1000
    assert first.cost == Decimal("12.5") or first.cost == Decimal("12.50")
    assert first.status == "Pending"
    assert await bot.deps.storage.orders.get_by_panel_id(UID, first.panel_order_id or 0) == first
    due = await bot.deps.storage.orders.open_for_polling(10**12, fresh_interval=60)
    assert {o.id for o in due} >= {o.id for o in orders}


async def test_panel_text_is_escaped(bot: Harness) -> None:
    u = await open_bulk(bot)
    preview = await paste(u, "1 | https://instagram.com/a?x=<b>&y=1 | 100")
    assert "1 valid order" in text_of(preview)
    services = [s for s in default_services() if s["service"] != 1]
    bot.panel.set_services(services)
    await u.press("Confirm", message=preview)
    result = await u.reply()
    assert "Service not found" in (result.shown_text or "")
    assert bot.telegram.bad_requests() == []


async def test_crash_mid_submit_leaves_rows_unknown(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        u = await open_bulk(bot)
        preview = await paste(u, THREE)
        data = confirm_data(preview)
        # What a crash right after winning the claim leaves behind: rows in `submitting`.
        claim = await bot.deps.storage.orders.claim(data.split(":")[1], UID)
        assert claim.won
        await bot.restart()
        rows = await bot.deps.storage.orders.all_for_user(UID)
        assert [r.submit_state for r in rows] == [SubmitState.UNKNOWN] * 3
        qid = await u.press_data(data, preview)
        assert "Already submitted" in str((await u.answer(qid)).params.get("text", ""))
        # The start-up recovery may tell the user about each order too; find our answer.
        answer = await reply_containing(u, "already submitted")
        assert "3 orders had no clear answer" in text_of(answer)
        assert bot.panel.bulk_calls() == 0
