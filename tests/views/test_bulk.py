"""/bulk: the question, the preview in named blocks, the files and the result."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from bot.i18n import Translator
from bot.panel.models import Balance
from bot.services.bulk_lines import MAX_UPLOAD_BYTES, parse_bulk
from bot.services.bulk_orders import (
    NOT_COVERED,
    BulkDraft,
    BulkOutcome,
    BulkRepriced,
    BulkSubmission,
    LineChange,
)
from bot.services.catalog_index import CatalogIndex
from bot.services.link_guard import OpenOnLink, Sameness
from bot.services.validation import InputError
from bot.storage.models import Order, SubmitState
from bot.views.bulk import (
    PREVIEW_PROBLEMS,
    PREVIEW_VALID_LINES,
    RESULT_LINES,
    check_file,
    discard_text,
    line_ranges,
    list_question,
    render_already,
    render_preview,
    render_repriced,
    render_result,
    result_file,
    submitting_text,
    upload_problem,
)
from tests.services._data import svc

from ._data import order

INDEX = CatalogIndex([svc(1, rate="2.00", min=10, max=1000), svc(2, rate="0.50")])


def draft(text: str, balance: str | None = "100", **kw: object) -> BulkDraft:
    money = Balance(Decimal(balance), "USD") if balance is not None else None
    return BulkDraft(parse_bulk(text, INDEX), "b" * 16, money, **kw)  # type: ignore[arg-type]


def test_the_preview_in_blocks(en: Translator) -> None:
    text = render_preview(
        en,
        draft(
            "1 | https://x.com/a | 100\n"
            "1 | https://x.com/a | 200\n"
            "9 | https://x.com/b | 100\n"
            "2 | https://x.com/<c> | 1000",
            already_open={4: OpenOnLink(order(panel_order_id=777), Sameness.SERVICE)},
        ),
    )
    assert text.split("\n\n") == [
        "<b>Bulk order preview</b>\n3 valid orders of 4 lines.\nTotal cost: <b>$1.10</b>\n"
        "Balance: $100.00 → after: $98.90",
        "line 1: service 1 × 100 → https://x.com/a ($0.20)\n"
        "line 2: service 1 × 200 → https://x.com/a ($0.40)\n"
        "line 4: service 2 × 1,000 → https://x.com/&lt;c&gt; ($0.50)",
        "❌ 1 line has a problem and will not be sent:\nline 3: Service 9 is not in the catalog.",
        "⚠️ 1 line repeats an earlier service and link (still included):\nline 2: same as line 1",
        "⚠️ 1 line is for a link you already have an open order for, on the same or a similar "
        "service (still included):\nline 4: order #<code>777</code> is still open",
        "Many panels refuse or lose a second order for a link that has one open. ✅ Confirm "
        "will not place this; tap ⚠️ <b>Order anyway</b> if you mean it.",
        "Nothing is sent until you confirm. To change the list, send /bulk again.",
    ]


def test_a_long_list_points_to_the_file(en: Translator, tr: Translator) -> None:
    lines = "\n".join(f"1 | https://x.com/u{i} | 10" for i in range(PREVIEW_VALID_LINES + 5))
    text = render_preview(en, draft(lines))
    assert "… and 5 more" in text
    assert "The full check of every line is in the attached file." in text
    assert render_preview(tr, draft(lines)).startswith("<b>Toplu sipariş önizlemesi</b>")
    bad = "\n".join(f"9 | https://x.com/u{i} | 10" for i in range(PREVIEW_PROBLEMS + 3))
    none_valid = render_preview(en, draft(bad))
    assert none_valid.startswith(f"None of the {PREVIEW_PROBLEMS + 3} lines can be ordered:")
    assert none_valid.endswith("… and 3 more\nSend the corrected list, or /cancel.")


def test_nothing_to_read_too_many_and_balance_unknown_or_short(en: Translator) -> None:
    assert render_preview(en, draft("# only a comment")).startswith("I found no order lines")
    too_many = "\n".join("1 | https://x.com/a | 10" for _ in range(1001))
    assert render_preview(en, draft(too_many)).startswith("That is more than 1,000 order lines.")
    unknown = render_preview(en, draft("1 | https://x.com/a | 100", balance=None))
    assert "(Your balance could not be read right now.)" in unknown
    short = render_preview(en, draft("1 | x.com/a | 500\n1 | x.com/b | 500", balance="1.5"))
    assert (
        "⚠️ Your balance is short by $0.50. It covers only the first 1 order (up to line 1): "
        "$1.00, balance after: $0.50." in short
    )


def test_repriced(en: Translator) -> None:
    fresh = draft("1 | https://x.com/a | 100\n2 | https://x.com/b | 100")
    changes = [
        LineChange(1, Decimal("0.10"), Decimal("0.20")),
        LineChange(2, Decimal("0.05"), None, InputError("Too <many>")),
        LineChange(3, Decimal("0.05"), None),
    ]
    text = render_repriced(en, BulkRepriced(changes, Decimal("0.20"), fresh))
    assert text.split("\n")[:5] == [
        "⚠️ The panel changed prices or limits after your preview, so nothing was sent.",
        "line 1: $0.10 → $0.20",
        "line 2: $0.05 → ✖ Too &lt;many&gt;",
        "line 3: no longer in the list",
        "Total: $0.20 → <b>$0.25</b>",
    ]
    assert "<b>Bulk order preview</b>" in text
    nothing = BulkRepriced(changes[2:], Decimal("1"), BulkDraft(fresh.preview, None, None))
    assert render_repriced(en, nothing).endswith(
        "Nothing in this list can be ordered now. Send /bulk to start again."
    )


def result_row(line_no: int, state: SubmitState, error: str | None = None, pid: int = 0) -> Order:
    return order(
        id=line_no,
        line_no=line_no,
        submit_state=state,
        error_text=error,
        panel_order_id=pid or None,
    )


def test_result_groups_identical_reasons(en: Translator, tr: Translator) -> None:
    rows = [
        result_row(1, SubmitState.PLACED, pid=9001),
        result_row(2, SubmitState.FAILED, "Order 1: Link <bad>"),
        result_row(3, SubmitState.FAILED, "Order 2: Link <bad>"),
        result_row(4, SubmitState.FAILED, NOT_COVERED),
        result_row(5, SubmitState.UNKNOWN, "timeout"),
        result_row(6, SubmitState.UNKNOWN, "reset"),
    ]
    text, needs_file = render_result(en, BulkSubmission(BulkOutcome.SUBMITTED, rows))
    assert not needs_file
    assert text.split("\n") == [
        "<b>Bulk order result</b>",
        "✅ 1 placed · ✖ 2 failed · ⏸ 1 not sent · ⚠️ 2 unknown",
        "The panel did not answer clearly for 2 orders, so they may or may not exist. "
        "Check the panel before ordering them again.",
        "",
        "line 1: #<code>9001</code>",
        "",
        "✖ 2 lines (2–3): Panel's answer: Link &lt;bad&gt;",
        "line 4: ⏸ not sent: not covered by your balance",
        "⚠️ 2 lines with no clear answer (5–6): check the panel",
    ]
    turkish, _ = render_result(tr, BulkSubmission(BulkOutcome.SUBMITTED, rows))
    assert turkish.startswith("<b>Toplu sipariş sonucu</b>")


def test_a_long_result_comes_with_its_file(en: Translator) -> None:
    rows = [result_row(i, SubmitState.PLACED, pid=9000 + i) for i in range(1, RESULT_LINES + 3)]
    submission = BulkSubmission(BulkOutcome.SUBMITTED, rows)
    text, needs_file = render_result(en, submission)
    assert needs_file and text.endswith("Every line's result is in the attached file.")
    assert "… and 2 more" in text
    file = result_file(en, submission)
    assert (file.filename, file.caption) == ("bulk-result.csv", "Bulk order result")
    table = list(csv.reader(io.StringIO(file.data.decode("utf-8-sig"))))
    assert len(table) == RESULT_LINES + 3 and table[-1][5] == str(9000 + RESULT_LINES + 2)


def test_check_file_has_every_line(en: Translator, tr: Translator) -> None:
    file = check_file(tr, draft("1 | https://x.com/a | 100\n9 | https://x.com/b | 1"))
    assert (file.filename, file.caption) == ("bulk-check.csv", "Satır kontrolü")
    table = list(csv.reader(io.StringIO(file.data.decode("utf-8-sig"))))
    assert table[0][:2] == ["satır", "durum"]  # the columns in the user's language too
    assert [row[1] for row in table[1:]] == ["tamam", "hata"]
    english = list(
        csv.reader(
            io.StringIO(check_file(en, draft("9 | https://x.com/b | 1")).data.decode("utf-8-sig"))
        )
    )
    assert english[0][:2] == ["line", "status"] and english[1][1] == "error"


def test_line_ranges() -> None:
    assert line_ranges([4, 1, 2, 3, 7, 9, 10]) == "1–4, 7, 9–10"
    assert line_ranges(list(range(0, 40, 2)), limit=3) == "0, 2, 4, …"


def test_question_upload_and_buttons(en: Translator, tr: Translator) -> None:
    assert list_question(en, 1000).startswith("<b>Bulk order</b>\nSend one order per line")
    assert f"(up to {MAX_UPLOAD_BYTES // 1024} KB, 1,000 lines)" in list_question(en, 1000)
    assert upload_problem(en, "list.TXT", 10) is None
    assert upload_problem(en, "list.csv", None) is None
    assert upload_problem(en, "photo.jpg", 10) == (
        "Please send a .txt or .csv file, or paste the lines as text."
    )
    too_big = upload_problem(en, "a.txt", MAX_UPLOAD_BYTES + 2048)
    assert too_big is not None and too_big.startswith("The file is too large")
    assert submitting_text(en, 3) == "⏳ Submitting 3 orders…"
    assert discard_text(en, removed=True, submitted=False) == (
        "Bulk order cancelled. Nothing was sent."
    )
    assert "cannot be cancelled here" in discard_text(en, removed=False, submitted=True)
    assert discard_text(tr, removed=False, submitted=False) != discard_text(
        en, removed=False, submitted=False
    )


@pytest.mark.parametrize("in_flight", [True, False])
def test_already(en: Translator, in_flight: bool) -> None:
    state = SubmitState.SUBMITTING if in_flight else SubmitState.PLACED
    rows = [result_row(1, state, pid=9001), result_row(2, SubmitState.UNKNOWN)]
    text = render_already(en, BulkSubmission(BulkOutcome.ALREADY, rows))
    if in_flight:
        assert text == "This bulk order is being submitted right now; the result follows."
    else:
        assert text == (
            "This bulk order was already submitted: 1 order placed. #<code>9001</code>\n"
            "1 order had no clear answer; check the panel."
        )
