"""/status, /refill, /refillstatus, /cancelorder and /export: lines, questions, the CSV."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from bot.i18n import Translator
from bot.panel.models import OrderStatus, RefillState, RefillStatus, Status
from bot.services.tracking import (
    ActionResult,
    OpenOrders,
    OrderAction,
    OrderRefillsLine,
    RefillStatusLine,
    RequestOutcome,
    RequestRefusal,
    StatusLine,
    parse_ids,
)
from bot.storage.models import Refill, SubmitState
from bot.views.status import (
    EXPORT_COLUMNS,
    INVALID_SHOWN,
    action_lines,
    cancel_check_lines,
    cancel_question_lines,
    cancel_results,
    export_caption,
    export_csv,
    invalid_line,
    nothing_cancelled,
    nothing_to_export,
    open_orders_lines,
    refill_status_line,
    refill_status_lines,
    status_lines,
    usage,
)

from ._data import NOON, order


def refill(refill_id: int | None, status: str, raw: str | None = None) -> Refill:
    return Refill(1, 1, 5001, 7, refill_id, status, raw, NOON, NOON, None, None)


def test_usage_is_escaped_html(en: Translator, tr: Translator) -> None:
    assert usage(en, "refill") == "Usage: /refill &lt;id&gt; [&lt;id&gt; …]"
    assert usage(tr, "status").startswith("Kullanım: /status &lt;id&gt;")


def test_tokens_that_are_not_ids(en: Translator) -> None:
    assert invalid_line(en, parse_ids("1 2")) is None
    assert invalid_line(en, parse_ids("1 <x> abc")) == "Not order ids, skipped: &lt;x&gt;, abc"
    many = invalid_line(en, parse_ids(" ".join(f"x{i}" for i in range(30))))
    assert many is not None and many.endswith(f"x{INVALID_SHOWN - 1} …")


def test_status_lines_end_with_the_skipped_tokens(en: Translator) -> None:
    found = [StatusLine(5, OrderStatus(Status.COMPLETED, "Completed")), StatusLine(6, None)]
    assert status_lines(en, found, parse_ids("5 6 nope")) == [
        "✅ #<code>5</code> — <b>Completed</b>",
        "#<code>6</code> — not found",
        "Not order ids, skipped: nope",
    ]


def test_open_orders(en: Translator, tr: Translator) -> None:
    assert open_orders_lines(en, OpenOrders([], stale=False)) == [
        "You have no open orders. /orders shows your history."
    ]
    lines = open_orders_lines(en, OpenOrders([order(), order(panel_order_id=5002)], stale=True))
    assert lines[0] == "<b>Open orders</b> (2)"
    assert "last known statuses" in lines[1]
    # Each with its service and a short link (issue 21 item 13), not a bare number.
    subject = "\n    Instagram Takipçi · instagram.com/ayse"
    assert lines[2:] == [
        "⏳ #<code>5001</code> — <b>Pending</b>" + subject,
        "⏳ #<code>5002</code> — <b>Pending</b>" + subject,
    ]
    long = order(
        service_name_text="Instagram Takipçi [Gerçek, Düşüşsüz, 30 gün telafi]",
        link="https://www.instagram.com/p/C0dEfGhIjKlMnOpQrStUvWxYz/?igsh=abc&x=<y>",
    )
    [_, listed] = open_orders_lines(en, OpenOrders([long], stale=False))
    assert listed.split("\n")[1] == (
        "    Instagram Takipçi [Gerçek, Düşü… · instagram.com/p/C0dEfGhIjKlMnOp…"
    )
    assert open_orders_lines(tr, OpenOrders([order()], stale=False))[1].startswith(
        "⏳ #<code>5001</code>"
    )


def test_refill_lines(en: Translator) -> None:
    results = [ActionResult(5, RequestOutcome.REQUESTED, refill_id=9)]
    assert action_lines(en, OrderAction.REFILL, results, parse_ids("5 ?")) == [
        "♻️ #<code>5</code> — refill requested (refill #<code>9</code>)",
        "Not order ids, skipped: ?",
    ]


def test_refill_status_line(en: Translator, tr: Translator) -> None:
    done = RefillStatusLine(9, RefillStatus(RefillState.COMPLETED, "Completed"))
    assert refill_status_line(en, done) == "Refill #<code>9</code> — ✅ completed"
    assert refill_status_line(tr, done) == "Telafi #<code>9</code> — ✅ tamamlandı"
    odd = RefillStatusLine(9, RefillStatus(RefillState.UNKNOWN, "Queued <2>"))
    assert refill_status_line(en, odd) == "Refill #<code>9</code> — Queued &lt;2&gt;"
    assert refill_status_line(en, RefillStatusLine(9, None, "<gone>")) == (
        "#<code>9</code> — not found (Panel's answer: &lt;gone&gt;)"
    )
    assert refill_status_lines(en, [RefillStatusLine(9, None)], parse_ids("9")) == [
        "#<code>9</code> — not found"
    ]


def test_cancel_question_lists_what_cannot_be_cancelled_first(en: Translator) -> None:
    checked = [
        ActionResult(5, RequestOutcome.REQUESTED),
        ActionResult(6, RequestOutcome.REFUSED, RequestRefusal.NOT_FOUND),
        ActionResult(7, RequestOutcome.REQUESTED),
    ]
    refused = cancel_check_lines(en, checked, parse_ids("5 6 7"))
    assert refused == ["#<code>6</code> — not found"]
    eligible = [r for r in checked if r.outcome is RequestOutcome.REQUESTED]
    assert cancel_question_lines(en, refused, eligible) == [
        "#<code>6</code> — not found",
        "",
        "Cancel these 2 orders: #<code>5</code>, #<code>7</code>?",
    ]
    assert cancel_question_lines(en, [], eligible[:1]) == ["Cancel order #<code>5</code>?"]
    # With several panels each id names its panel.
    named = [ActionResult(5, RequestOutcome.REQUESTED, slot=2)]
    assert cancel_question_lines(en, [], named, {1: "Alpha", 2: "B<e>ta"}) == [
        "Cancel order #<code>5</code> · B&lt;e&gt;ta?"
    ]
    assert cancel_results(en, [ActionResult(5, RequestOutcome.REQUESTED)]) == (
        "🛑 #<code>5</code> — cancel requested"
    )
    assert nothing_cancelled(en) == "Nothing was cancelled."


def test_export_csv_in_the_users_words(en: Translator, tr: Translator) -> None:
    rows = [
        order(charge=Decimal("11.00"), status="Completed"),
        order(id=8, panel_order_id=None, submit_state=SubmitState.UNKNOWN, status=None),
    ]
    # Turkish: `;`-separated with decimal commas, so Excel opens columns of numbers.
    text = export_csv(tr, rows, {1: "alpha"}).decode("utf-8-sig")
    data = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert data[0] == [tr._(column) for column in EXPORT_COLUMNS]
    assert data[0][:3] == ["Sipariş no", "Panel", "Oluşturulma"]
    first = dict(zip(EXPORT_COLUMNS, data[1], strict=True))
    assert first["Order ID"] == "5001" and first["Panel"] == "alpha"
    assert first["Status"] == "Tamamlandı"
    assert first["Created"] == "2024-05-01T12:00:00+00:00"
    assert first["Charge"] == "11,00"
    second = dict(zip(EXPORT_COLUMNS, data[2], strict=True))
    assert second["Order ID"] == ""
    # Not placed: how far it got, in the user's words; the charge is what the preview showed.
    assert second["Status"].startswith("panel onaylamadı"), second
    assert second["Charge"] == format(rows[1].cost, "f").replace(".", ",")
    english = list(csv.reader(io.StringIO(export_csv(en, rows).decode("utf-8-sig"))))
    assert english[0] == [
        "Order ID", "Panel", "Created", "Service ID", "Service", "Link", "Quantity",
        "Charge", "Currency", "Status", "Remains", "Start count",
    ]  # fmt: skip
    assert english[1][7] == "11.00" and english[1][9] == "Completed"
    assert export_caption(en, 2) == "Your order history: 2 orders."
    assert nothing_to_export(en) == "You have no orders to export yet."


def test_open_orders_groups_match_their_titles(en: Translator) -> None:
    done = order(panel_order_id=5002, status="Completed", raw_status_text="Completed")
    away = order(panel_order_id=5003)
    lines = open_orders_lines(
        en, OpenOrders([order()], stale=False, finished=[done], not_on_key=[away])
    )
    subject = "\n    Instagram Takipçi · instagram.com/ayse"
    assert lines[:2] == [
        "<b>Open orders</b> (1)",
        "⏳ #<code>5001</code> — <b>Pending</b>" + subject,
    ]
    assert lines[2:5] == [
        "",
        "<b>Finished since the last check</b> (1)",
        "✅ #<code>5002</code> — <b>Completed</b>" + subject,
    ]
    assert lines[5:7] == ["", "<b>Not on this key</b> (1)"]
    assert lines[-1] == "❔ #<code>5003</code> — not on this key (last known: Pending)" + subject
    only_done = open_orders_lines(en, OpenOrders([], stale=False, finished=[done]))
    assert only_done[0] == "You have no open orders. /orders shows your history."
    assert only_done[2] == "<b>Finished since the last check</b> (1)"


def test_status_line_of_an_order_not_on_this_key(en: Translator) -> None:
    stored = order(status="In progress", raw_status_text="In progress")
    lines = status_lines(en, [StatusLine(5001, None, stored)], parse_ids("5001"))
    assert lines == ["❔ #<code>5001</code> — not on this key (last known: In progress)"]


def test_refillstatus_lines_for_an_order(en: Translator) -> None:
    lines = refill_status_lines(
        en,
        [
            OrderRefillsLine(5001, [refill(None, "rejected"), refill(3, "unknown", "Yolda")]),
            OrderRefillsLine(5002, []),
            RefillStatusLine(9, RefillStatus(RefillState.PENDING, "pending")),
        ],
        parse_ids("5001 5002 9"),
    )
    assert lines[0] == "<b>Order #<code>5001</code></b>: 2 refill requests"
    assert lines[1].startswith("  Refill request — ❌ rejected · ")
    assert lines[2].startswith("  Refill #<code>3</code> — Yolda · requested ")
    assert lines[3] == "<b>Order #<code>5002</code></b>: no refills requested yet"
    assert lines[4] == "Refill #<code>9</code> — ⏳ pending"


def test_pending_refill_refusal(en: Translator) -> None:
    result = ActionResult(
        5001,
        RequestOutcome.REFUSED,
        RequestRefusal.REFILL_PENDING,
        refill_id=3,
        since=NOON,
    )
    [line] = action_lines(en, OrderAction.REFILL, [result], parse_ids("5001"))
    assert line.startswith("⏳ #<code>5001</code> — refill #<code>3</code> (requested ")
    assert line.endswith(") is still pending; ask again once it is done")
