"""What /bulk shows: the question, the preview, the line check file, the result and its file.

Pure functions (data and a translator in, HTML text or CSV bytes out), so they can be timed and
tested without Telegram. Every line of the list can be found in what the user gets: the preview
lists the first lines and attaches the check file with every line and its cost when there are
more; the result lists every line as placed (order id), failed (the panel's reason), not sent
(the validation problem, or why it was held back) or unknown, grouped when lines share a reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Final

from bot.csvfile import write_csv
from bot.i18n import N_, Translator
from bot.panel.text import PanelText
from bot.services.bulk_lines import MAX_UPLOAD_BYTES, BulkLine
from bot.services.bulk_orders import (
    MAX_LINES,
    NOT_COVERED,
    NOT_SENT,
    BulkDraft,
    BulkRepriced,
    BulkSubmission,
    LineChange,
)
from bot.services.validation import InputError
from bot.storage.models import Order, SubmitState
from bot.views.errors import input_error_message
from bot.views.link_guard import anyway_hint, open_note
from bot.views.reasons import reason_text
from bot.views.text import MAX_TEXT, clip, code, esc

# Lines listed in a message; past these the full list comes as a CSV document.
PREVIEW_VALID_LINES = 10
PREVIEW_PROBLEMS = 20
RESULT_LINES = 30
RESULT_GROUPS = 20
LINK_SHOWN = 60
RANGES_SHOWN = 8
UPLOAD_EXTENSIONS = frozenset({".txt", ".csv"})

# `add_bulk` answers refusals per item as "Order 3: <reason>", numbered within its chunk of 100:
# not our line number, and it keeps identical reasons from being grouped.
_PANEL_ITEM_PREFIX = re.compile(r"^Order \d+:\s*")


# The files' column names and words, in the user's language (English: these exact words).
CHECK_COLUMNS = (
    N_("line"),
    N_("status"),
    N_("service"),
    N_("link"),
    N_("quantity"),
    N_("cost"),
    N_("total so far"),
    N_("within balance"),
    N_("problem"),
    N_("input"),
)
CHECK_ERROR = N_("error")
CHECK_DUPLICATE = N_("duplicate")
CHECK_ALREADY_OPEN = N_("already open")
CHECK_OK = N_("ok")
RESULT_COLUMNS = (
    N_("line"),
    N_("service"),
    N_("link"),
    N_("quantity"),
    N_("cost"),
    N_("order id"),
    N_("status"),
    N_("error"),
    N_("input"),
)


def input_error_text(t: Translator, error: InputError) -> str:
    """A validator's message in the user's language, escaped (it may quote their input)."""
    return esc(input_error_message(t, error))


def _short_link(link: str | None) -> str:
    text = link or ""
    return text if len(text) <= LINK_SHOWN else text[: LINK_SHOWN - 1] + "…"


def _more(t: Translator, n: int) -> str:
    return t.ngettext("… and {n} more", "… and {n} more", n)


def _capped(t: Translator, shown: list[str], total: int, limit: int) -> list[str]:
    """The first `limit` of `total` lines (already cut to `shown`), then "… and N more"."""
    return [*shown, _more(t, total - limit)] if total > limit else shown


# --- the question and the upload ----------------------------------------------------------------


def list_question(t: Translator, max_lines: int) -> str:
    """What /bulk takes: the line format, the separators, the file limits."""
    return t._(
        "<b>Bulk order</b>\n"
        "Send one order per line: <code>service id | link | quantity</code>\n"
        "<code>1 | https://instagram.com/user | 1000\n"
        "6 ; https://youtube.com/watch?v=abc ; 5000</code>\n"
        "Separate the fields with a bar <code>|</code>, a semicolon <code>;</code>, "
        "a comma <code>,</code> or a tab (spaces work too); "
        "blank lines and lines starting with <code>#</code> are skipped.\n"
        "You can also upload a .txt or .csv file (up to {max_kb} KB, {max_lines} lines). "
        "Nothing is ordered before you confirm the preview.",
        max_kb=MAX_UPLOAD_BYTES // 1024,
        max_lines=t.number(max_lines),
    )


def upload_problem(t: Translator, file_name: str | None, file_size: int | None) -> str | None:
    """Why an uploaded file is not read at all (its type, its size); None when it may be."""
    suffix = PurePosixPath(file_name or "").suffix.lower()
    if suffix not in UPLOAD_EXTENSIONS:
        return t._("Please send a .txt or .csv file, or paste the lines as text.")
    if file_size is not None and file_size > MAX_UPLOAD_BYTES:
        return t._(
            "The file is too large ({size} KB). The limit is {max} KB.",
            size=file_size // 1024,
            max=MAX_UPLOAD_BYTES // 1024,
        )
    return None


def not_a_list(t: Translator) -> str:
    """A sticker, photo or voice message where the list is expected."""
    return t._("Send the order lines as text or as a .txt/.csv file, or /cancel.")


# --- preview -----------------------------------------------------------------------------------


def _valid_line(t: Translator, line: BulkLine, currency: str | None) -> str:
    assert line.service is not None
    return t._(
        "line {n}: service {service} × {quantity} → {link} ({cost})",
        n=line.line_no,
        service=line.service.id,
        quantity=t.number(line.quantity or 0),
        link=esc(_short_link(line.link)),
        cost=t.money(line.cost or Decimal(0), currency),
    )


def preview_is_long(draft: BulkDraft) -> bool:
    """Not every line fits the message: the check file with every line goes along."""
    preview = draft.preview
    duplicates = sum(1 for line in preview.valid if line.duplicate_of is not None)
    return (
        len(preview.valid) > PREVIEW_VALID_LINES
        or len(preview.errors) > PREVIEW_PROBLEMS
        or duplicates > PREVIEW_PROBLEMS
        or len(draft.already_open) > PREVIEW_PROBLEMS
    )


def render_preview(t: Translator, draft: BulkDraft) -> str:
    """The check of a pasted list: what will be ordered, what it costs, what to look at first."""
    preview = draft.preview
    if preview.too_many:
        return t._(
            "That is more than {max} order lines. Split the list and send at most {max} "
            "lines at a time, or /cancel.",
            max=t.number(MAX_LINES),
        )
    if not preview.valid:
        return _nothing_valid(t, draft)
    blocks = [
        _preview_head(t, draft),
        _valid_lines(t, draft),
        _problems_block(t, preview.errors),
        _duplicates_block(t, preview.valid),
        _open_block(t, draft),
    ]
    paragraphs = ["\n".join(block) for block in blocks if block]
    if draft.panel_name:
        paragraphs.insert(0, t._("Panel: <b>{panel}</b>", panel=esc(draft.panel_name)))
    return clip("\n\n".join(paragraphs + _preview_footer(t, draft)))


def _nothing_valid(t: Translator, draft: BulkDraft) -> str:
    preview = draft.preview
    if not preview.lines:
        return t._(
            "I found no order lines in that. Send lines like\n"
            "<code>1 | https://instagram.com/user | 1000</code>\nor /cancel."
        )
    if len(preview.lines) == 1:
        head = t._("The line cannot be ordered:")
    else:
        head = t.ngettext(
            "None of the {n} line can be ordered:",
            "None of the {n} lines can be ordered:",
            len(preview.lines),
        )
    tail = t._("Send the corrected list, or /cancel.")
    return "\n".join([head, *_problem_lines(t, preview.errors), tail])


def _preview_head(t: Translator, draft: BulkDraft) -> list[str]:
    """Title, how many lines are valid, the total and the balance before and after."""
    preview, currency = draft.preview, draft.currency
    head = [
        t._("<b>Bulk order preview</b>"),
        # Both counts take their own plural: "1 valid order of 1 line", "2 valid orders of 5 lines".
        t.ngettext(
            "{valid} of {n} line.",
            "{valid} of {n} lines.",
            len(preview.lines),
            valid=t.ngettext("{n} valid order", "{n} valid orders", len(preview.valid)),
        ),
        t._("Total cost: <b>{cost}</b>", cost=t.money(preview.total_cost, currency)),
    ]
    if draft.balance is None or draft.balance_after is None:
        return [*head, t._("(Your balance could not be read right now.)")]
    balance = t.balance(draft.balance.amount, currency)
    after = t.balance(draft.balance_after, currency)
    head.append(t._("Balance: {balance} → after: {after}", balance=balance, after=after))
    if draft.short:
        head.append(_short_text(t, draft))
    return head


def _valid_lines(t: Translator, draft: BulkDraft) -> list[str]:
    valid = draft.preview.valid
    shown = [_valid_line(t, line, draft.currency) for line in valid[:PREVIEW_VALID_LINES]]
    return _capped(t, shown, len(valid), PREVIEW_VALID_LINES)


def _problems_block(t: Translator, errors: Sequence[BulkLine]) -> list[str]:
    if not errors:
        return []
    head = t.ngettext(
        "❌ {n} line has a problem and will not be sent:",
        "❌ {n} lines have problems and will not be sent:",
        len(errors),
    )
    return [head, *_problem_lines(t, errors)]


def _duplicates_block(t: Translator, valid: Sequence[BulkLine]) -> list[str]:
    """Lines that repeat an earlier line's service and link: a warning, they stay in."""
    duplicates = [line for line in valid if line.duplicate_of is not None]
    if not duplicates:
        return []
    head = t.ngettext(
        "⚠️ {n} line repeats an earlier service and link (still included):",
        "⚠️ {n} lines repeat an earlier service and link (still included):",
        len(duplicates),
    )
    shown = [
        t._("line {n}: same as line {first}", n=line.line_no, first=line.duplicate_of)
        for line in duplicates[:PREVIEW_PROBLEMS]
    ]
    return [head, *_capped(t, shown, len(duplicates), PREVIEW_PROBLEMS)]


def _open_block(t: Translator, draft: BulkDraft) -> list[str]:
    """Lines for a service and link with an order still open: a warning, they stay in."""
    opened = sorted(draft.already_open.items())
    if not opened:
        return []
    head = t.ngettext(
        "⚠️ {n} line is for a link you already have an open order for, on the same or a "
        "similar service (still included):",
        "⚠️ {n} lines are for links you already have an open order for, on the same or a "
        "similar service (still included):",
        len(opened),
    )
    shown = [
        t._("line {n}: {note}", n=line_no, note=open_note(t, order))
        for line_no, order in opened[:PREVIEW_PROBLEMS]
    ]
    return [head, *_capped(t, shown, len(opened), PREVIEW_PROBLEMS)]


def _preview_footer(t: Translator, draft: BulkDraft) -> list[str]:
    """Paragraphs: where the rest of the check is, and that nothing is sent yet."""
    footer = [anyway_hint(t)] if draft.needs_anyway else []
    if preview_is_long(draft):
        footer.append(t._("The full check of every line is in the attached file."))
    footer.append(t._("Nothing is sent until you confirm. To change the list, send /bulk again."))
    return footer


def render_repriced(t: Translator, repriced: BulkRepriced) -> str:
    """Confirm found lines dearer or no longer valid: old → new per line, then the new check."""
    fresh = repriced.fresh
    currency = fresh.currency
    lines = [t._("⚠️ The panel changed prices or limits after your preview, so nothing was sent.")]
    changes = [_change_line(t, c, currency) for c in repriced.changes[:PREVIEW_PROBLEMS]]
    lines += _capped(t, changes, len(repriced.changes), PREVIEW_PROBLEMS)
    new_total = fresh.preview.total_cost
    lines.append(
        t._(
            "Total: {old} → <b>{new}</b>",
            old=t.money(repriced.old_total, currency),
            new=t.money(new_total, currency),
        )
    )
    head = "\n".join(lines)
    if fresh.batch is None:
        return (
            head
            + "\n\n"
            + t._("Nothing in this list can be ordered now. Send /bulk to start again.")
        )
    return clip(head + "\n\n" + render_preview(t, fresh))


def _change_line(t: Translator, change: LineChange, currency: str | None) -> str:
    """One line Confirm found changed: its new cost, why it no longer fits, or that it is gone."""
    old = t.money(change.old_cost, currency)
    if change.new_cost is not None:
        new = t.money(change.new_cost, currency)
        return t._("line {n}: {old} → {new}", n=change.line_no, old=old, new=new)
    if change.problem is not None:
        problem = input_error_text(t, change.problem)
        return t._("line {n}: {old} → ✖ {problem}", n=change.line_no, old=old, problem=problem)
    return t._("line {n}: no longer in the list", n=change.line_no)


def _short_text(t: Translator, draft: BulkDraft) -> str:
    """The balance does not cover the list: say how many of the first lines it does cover."""
    currency = draft.currency
    assert draft.balance is not None and draft.balance_after is not None
    missing = t.money(-draft.balance_after, currency)
    covered = draft.affordable or 0
    valid = draft.preview.valid
    if covered == 0:
        return t._(
            "⚠️ Your balance is short by {missing}: it does not cover even the first order "
            "({cost}). Top up on the panel and send the list again, or cancel.",
            missing=missing,
            cost=t.money(valid[0].cost or Decimal(0), currency),
        )
    return t.ngettext(
        "⚠️ Your balance is short by {missing}. It covers only the first {n} order "
        "(up to line {last}): {cost}, balance after: {after}. Confirm only that one, "
        "or cancel; the rest will not be sent.",
        "⚠️ Your balance is short by {missing}. It covers only the first {n} orders "
        "(up to line {last}): {cost}, balance after: {after}. Confirm only those, "
        "or cancel; the rest will not be sent.",
        covered,
        missing=missing,
        last=valid[covered - 1].line_no,
        cost=t.money(draft.affordable_cost, currency),
        after=t.balance(draft.balance.amount - draft.affordable_cost, currency),
    )


def _problem_lines(t: Translator, errors: Sequence[BulkLine]) -> list[str]:
    shown = [
        t._("line {n}: {problem}", n=line.line_no, problem=input_error_text(t, line.error))
        for line in errors[:PREVIEW_PROBLEMS]
        if line.error is not None
    ]
    return _capped(t, shown, len(errors), PREVIEW_PROBLEMS)


def check_csv(t: Translator, draft: BulkDraft) -> bytes:
    """Every line of the pasted list with what the check found, its cost and the running total.

    `within balance` says which lines the balance covers ("the first N"): empty when the
    balance could not be read.
    """
    covered = draft.affordable
    valid_index = {line.line_no: i for i, line in enumerate(draft.preview.valid)}
    running = Decimal(0)

    def row(line: BulkLine) -> list[object]:
        nonlocal running
        if line.error is not None:
            status, note = t._(CHECK_ERROR), input_error_message(t, line.error)
        elif line.duplicate_of is not None:
            status = t._(CHECK_DUPLICATE)
            note = t._("same as line {first}", first=line.duplicate_of)
        elif line.line_no in draft.already_open:
            status = t._(CHECK_ALREADY_OPEN)
            note = open_note(t, draft.already_open[line.line_no])
        else:
            status, note = t._(CHECK_OK), ""
        total: object = ""
        within = ""
        if line.error is None:
            running += line.cost or Decimal(0)
            total = running
            if covered is not None:
                within = t._("yes") if valid_index[line.line_no] < covered else t._("no")
        return [
            line.line_no,
            status,
            line.service.id if line.service is not None else "",
            line.link or "",
            line.quantity if line.quantity is not None else "",
            line.cost if line.cost is not None else "",
            total,
            within,
            note,
            line.raw,
        ]

    return write_csv(
        [t._(column) for column in CHECK_COLUMNS], (row(line) for line in draft.preview.lines)
    )


# --- result ------------------------------------------------------------------------------------


class LineState(StrEnum):
    PLACED = "placed"
    FAILED = "failed"  # the panel refused it
    NOT_SENT = "not sent"  # never reached the panel: invalid, held back, or an earlier refusal
    UNKNOWN = "unknown - check the panel"
    SENDING = "sending"


LINE_STATE_NAMES: dict[LineState, str] = {
    LineState.PLACED: N_("placed"),
    LineState.FAILED: N_("failed"),
    LineState.NOT_SENT: N_("not sent"),
    LineState.UNKNOWN: N_("unknown - check the panel"),
    LineState.SENDING: N_("sending"),
}


NO_REASON: Final = PanelText("")


@dataclass(frozen=True, slots=True)
class ResultLine:
    """One line of the list after a confirm: an order row, or a line that failed validation."""

    line_no: int | None
    state: LineState
    # Text in the user's language, not HTML: the panel's own words marked as the panel's.
    reason: PanelText
    order: Order | None = None
    source: BulkLine | None = None
    # The reason lines are grouped by, when it differs from `reason` (see `_PANEL_ITEM_PREFIX`).
    group_reason: PanelText | None = None

    @property
    def group_key(self) -> tuple[LineState, str]:
        """The state and the reason's plain text: what lines are grouped by."""
        if self.group_reason is not None:
            return self.state, self.group_reason.plain
        return self.state, _PANEL_ITEM_PREFIX.sub("", self.reason.plain)


def _order_line(t: Translator, order: Order) -> ResultLine:
    state = order.submit_state
    error = order.error_text or ""
    if state is SubmitState.PLACED:
        return ResultLine(order.line_no, LineState.PLACED, NO_REASON, order)
    if state is SubmitState.UNKNOWN:
        return ResultLine(order.line_no, LineState.UNKNOWN, reason_text(t, error), order)
    if state is SubmitState.FAILED:
        if error == NOT_COVERED:
            reason = PanelText(t.plain("not covered by your balance"))
            return ResultLine(order.line_no, LineState.NOT_SENT, reason, order)
        if error == NOT_SENT or error.startswith(f"{NOT_SENT}:"):
            reason = reason_text(t, error[len(NOT_SENT) :].lstrip(": "))
            return ResultLine(order.line_no, LineState.NOT_SENT, reason, order)
        if not error:
            return ResultLine(order.line_no, LineState.FAILED, PanelText("?"), order)
        # The panel's words stay whole on the line; the group ignores its item numbering.
        grouped = reason_text(t, _PANEL_ITEM_PREFIX.sub("", error))
        return ResultLine(
            order.line_no, LineState.FAILED, reason_text(t, error), order, group_reason=grouped
        )
    return ResultLine(order.line_no, LineState.SENDING, NO_REASON, order)


def result_lines(
    t: Translator, orders: Sequence[Order], rejected: Sequence[BulkLine] = ()
) -> list[ResultLine]:
    """Every line of the list in line order: the batch's rows and the lines that failed checks."""
    lines = [_order_line(t, o) for o in orders]
    lines.extend(
        ResultLine(
            line.line_no,
            LineState.NOT_SENT,
            PanelText(input_error_message(t, line.error) if line.error is not None else ""),
            source=line,
        )
        for line in rejected
    )
    lines.sort(key=lambda r: (r.line_no is None, r.line_no or 0))
    return lines


def line_ranges(numbers: Sequence[int], limit: int = RANGES_SHOWN) -> str:
    """`1–4, 7, 9–12`: sorted line numbers as ranges, at most `limit` of them then `…`."""
    ranges: list[str] = []
    values = sorted(set(numbers))
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[j] + 1:
            j += 1
        ranges.append(str(values[i]) if i == j else f"{values[i]}–{values[j]}")
        i = j + 1
    if len(ranges) > limit:
        return ", ".join(ranges[:limit]) + ", …"
    return ", ".join(ranges)


def _group_text(t: Translator, members: Sequence[ResultLine]) -> str:
    """One line that did not place, or a group of lines sharing a state and a reason."""
    if len(members) == 1:
        return _single_text(t, members[0])
    first, count = members[0], len(members)
    lines = line_ranges([m.line_no for m in members if m.line_no is not None])
    reason = esc(first.group_key[1])
    if first.state is LineState.NOT_SENT:
        return _not_sent_group(t, count, lines, reason)
    if first.state is LineState.FAILED:
        return t.ngettext(
            "✖ {n} line ({lines}): {reason}",
            "✖ {n} lines ({lines}): {reason}",
            count,
            lines=lines,
            reason=reason,
        )
    return _waiting_group(t, count, lines, unknown=first.state is LineState.UNKNOWN)


def _waiting_group(t: Translator, count: int, lines: str, *, unknown: bool) -> str:
    """Lines without a final answer: unknown (check the panel), or still being sent."""
    if unknown:
        return t.ngettext(
            "⚠️ {n} line with no clear answer ({lines}): check the panel",
            "⚠️ {n} lines with no clear answer ({lines}): check the panel",
            count,
            lines=lines,
        )
    return t.ngettext(
        "⏳ {n} line still being sent ({lines})",
        "⏳ {n} lines still being sent ({lines})",
        count,
        lines=lines,
    )


def _single_text(t: Translator, line: ResultLine) -> str:
    n = line.line_no if line.line_no is not None else "?"
    reason = esc(line.reason)
    if line.state is LineState.FAILED:
        return t._("line {n}: ✖ {reason}", n=n, reason=reason)
    if line.state is LineState.NOT_SENT:
        if not reason:
            return t._("line {n}: ⏸ not sent", n=n)
        return t._("line {n}: ⏸ not sent: {reason}", n=n, reason=reason)
    if line.state is LineState.UNKNOWN:
        return t._("line {n}: ⚠️ no clear answer, check the panel", n=n)
    return t._("line {n}: ⏳ still being sent", n=n)


def _not_sent_group(t: Translator, count: int, lines: str, reason: str) -> str:
    if not reason:
        return t.ngettext(
            "⏸ {n} line not sent ({lines})", "⏸ {n} lines not sent ({lines})", count, lines=lines
        )
    return t.ngettext(
        "⏸ {n} line not sent ({lines}): {reason}",
        "⏸ {n} lines not sent ({lines}): {reason}",
        count,
        lines=lines,
        reason=reason,
    )


def _groups(lines: Sequence[ResultLine]) -> list[list[ResultLine]]:
    """Lines that did not place, grouped by state and reason, in order of their first line.

    Unknown lines form one group whatever the client's note: the advice is the same.
    """
    groups: dict[tuple[LineState, str], list[ResultLine]] = {}
    for line in lines:
        if line.state is LineState.PLACED:
            continue
        key = (line.state, "") if line.state is LineState.UNKNOWN else line.group_key
        groups.setdefault(key, []).append(line)
    return list(groups.values())


def render_result(
    t: Translator, submission: BulkSubmission, rejected: Sequence[BulkLine] = ()
) -> tuple[str, bool]:
    """The result message, and whether the full per-line list must go along as a CSV file."""
    lines = result_lines(t, submission.orders, rejected)
    placed = [line for line in lines if line.state is LineState.PLACED]
    groups = _groups(lines)
    out = [t._("<b>Bulk order result</b>"), *_result_counts(t, lines)]
    out += _charge_lines(t, submission)
    if placed:
        out += ["", *_placed_lines(t, placed)]
    if groups:
        shown = [_group_text(t, members) for members in groups[:RESULT_GROUPS]]
        out += ["", *_capped(t, shown, len(groups), RESULT_GROUPS)]
    text = "\n".join(out)
    note = "\n\n" + t._("Every line's result is in the attached file.")
    truncated = len(placed) > RESULT_LINES or len(groups) > RESULT_GROUPS
    if truncated or len(lines) > RESULT_LINES or len(text) > MAX_TEXT:
        return clip(text, MAX_TEXT - len(note)) + note, True
    return text, False


def _result_counts(t: Translator, lines: Sequence[ResultLine]) -> list[str]:
    """How many lines placed, failed, were not sent or are unknown; advice for the unknown."""
    by_state: dict[LineState, int] = {}
    for line in lines:
        by_state[line.state] = by_state.get(line.state, 0) + 1
    counts = [t.ngettext("✅ {n} placed", "✅ {n} placed", by_state.get(LineState.PLACED, 0))]
    if by_state.get(LineState.FAILED):
        counts.append(t.ngettext("✖ {n} failed", "✖ {n} failed", by_state[LineState.FAILED]))
    if by_state.get(LineState.NOT_SENT):
        counts.append(t.ngettext("⏸ {n} not sent", "⏸ {n} not sent", by_state[LineState.NOT_SENT]))
    unknown = by_state.get(LineState.UNKNOWN, 0)
    if not unknown:
        return [" · ".join(counts)]
    counts.append(t.ngettext("⚠️ {n} unknown", "⚠️ {n} unknown", unknown))
    advice = t.ngettext(
        "The panel did not answer clearly for {n} order, so it may or may not exist. "
        "Check the panel before ordering it again.",
        "The panel did not answer clearly for {n} orders, so they may or may not "
        "exist. Check the panel before ordering them again.",
        unknown,
    )
    return [" · ".join(counts), advice]


def _charge_lines(t: Translator, submission: BulkSubmission) -> list[str]:
    """When the panel charged other amounts than the preview showed: the totals, plainly,
    then the lines that differ (the first RESULT_GROUPS of them)."""
    charges = submission.charges
    differing = [o for o in submission.orders if o.id in charges and charges[o.id].differs]
    if not differing:
        return []
    currency = next((o.currency for o in submission.orders if o.currency), None)
    total = sum((c.charged for c in charges.values()), Decimal(0))
    shown_total = sum((c.shown for c in charges.values()), Decimal(0))
    out = [
        "",
        t._(
            "⚠️ Charged {charged}, not the {shown} shown: the panel's price changed.",
            charged=t.money(total, currency),
            shown=t.money(shown_total, currency),
        ),
    ]
    per_line = [
        t._(
            "line {n}: charged {charged}, not {shown}",
            n=o.line_no if o.line_no is not None else "?",
            charged=t.money(charges[o.id].charged, currency),
            shown=t.money(charges[o.id].shown, currency),
        )
        for o in differing[:RESULT_GROUPS]
    ]
    return out + _capped(t, per_line, len(differing), RESULT_GROUPS)


def _placed_lines(t: Translator, placed: Sequence[ResultLine]) -> list[str]:
    shown = []
    for line in placed[:RESULT_LINES]:
        assert line.order is not None
        n = line.line_no if line.line_no is not None else "?"
        shown.append(t._("line {n}: #{order_id}", n=n, order_id=code(line.order.panel_order_id)))
    return _capped(t, shown, len(placed), RESULT_LINES)


def result_csv(
    t: Translator, submission: BulkSubmission, rejected: Sequence[BulkLine] = ()
) -> bytes:
    """Every line of the list: placed (order id), failed (panel reason), not sent, unknown."""

    def row(line: ResultLine) -> list[object]:
        o, src = line.order, line.source
        if o is not None:
            return [
                line.line_no if line.line_no is not None else "",
                o.service_id,
                o.link or "",
                o.quantity if o.quantity is not None else "",
                o.cost,
                o.panel_order_id if o.panel_order_id is not None else "",
                t._(LINE_STATE_NAMES[line.state]),
                line.reason.plain,
                "",
            ]
        assert src is not None
        return [
            line.line_no if line.line_no is not None else "",
            src.service.id if src.service is not None else "",
            src.link or "",
            src.quantity if src.quantity is not None else "",
            "",
            "",
            t._(LINE_STATE_NAMES[line.state]),
            line.reason.plain,
            src.raw,
        ]

    header = [t._(column) for column in RESULT_COLUMNS]
    return write_csv(header, (row(line) for line in result_lines(t, submission.orders, rejected)))


@dataclass(frozen=True, slots=True)
class Attachment:
    """A CSV document to send along with a message."""

    data: bytes
    filename: str
    caption: str


def check_file(t: Translator, draft: BulkDraft) -> Attachment:
    """The check of every line, sent with a preview that does not list them all."""
    return Attachment(check_csv(t, draft), "bulk-check.csv", t._("Line check"))


def result_file(
    t: Translator, submission: BulkSubmission, rejected: Sequence[BulkLine] = ()
) -> Attachment:
    """Every line's result, sent with a result message that does not list them all."""
    data = result_csv(t, submission, rejected)
    return Attachment(data, "bulk-result.csv", t._("Bulk order result"))


def already_alert(t: Translator) -> str:
    """With `render_already` as a new message below."""
    return t._("Already submitted.")


def render_already(t: Translator, submission: BulkSubmission) -> str:
    if submission.in_flight:
        return t._("This bulk order is being submitted right now; the result follows.")
    placed = submission.placed
    ids = ", ".join(f"#{code(o.panel_order_id)}" for o in placed[:10])
    if len(placed) > 10:
        ids += ", …"
    text = t.ngettext(
        "This bulk order was already submitted: {n} order placed.",
        "This bulk order was already submitted: {n} orders placed.",
        len(placed),
    )
    if ids:
        text += " " + ids
    if submission.unknown:
        text += "\n" + t.ngettext(
            "{n} order had no clear answer; check the panel.",
            "{n} orders had no clear answer; check the panel.",
            len(submission.unknown),
        )
    return text


# --- the preview's buttons ----------------------------------------------------------------------


def submitting_text(t: Translator, n: int) -> str:
    """Shown once the claim is won, in place of the preview (its buttons go away)."""
    return t.ngettext("⏳ Submitting {n} order…", "⏳ Submitting {n} orders…", n)


def progress_text(t: Translator, done: int, total: int) -> str:
    """A bulk placed line by line (a panel without add_bulk): how far it got."""
    return t._("⏳ {done} of {total} placed…", done=t.number(done), total=t.number(total))


def gone_alert(t: Translator) -> str:
    return t._("This preview has expired.")


def no_longer_valid(t: Translator) -> str:
    """The preview was cancelled or never was this user's: start again."""
    return t._("This preview is no longer valid. Send /bulk to start again.")


def discard_text(t: Translator, *, removed: bool, submitted: bool) -> str:
    """Cancel on a preview: it was cancelled, it went to the panel already, or it is gone."""
    if removed:
        return t._("Bulk order cancelled. Nothing was sent.")
    if submitted:
        return t._("This bulk order was already submitted; it cannot be cancelled here.")
    return no_longer_valid(t)
