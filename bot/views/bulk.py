"""What /bulk shows: the preview, the line check file, the result and its file.

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

from bot.csvfile import write_csv
from bot.handlers import ui
from bot.i18n import Translator
from bot.services.bulk import BulkLine
from bot.services.bulk_orders import (
    MAX_LINES,
    NOT_COVERED,
    NOT_SENT,
    BulkDraft,
    BulkRepriced,
    BulkSubmission,
)
from bot.services.validation import InputError
from bot.storage.models import Order, SubmitState

# Lines listed in a message; past these the full list comes as a CSV document.
PREVIEW_VALID_LINES = 10
PREVIEW_PROBLEMS = 20
RESULT_LINES = 30
RESULT_GROUPS = 20
LINK_SHOWN = 60
RANGES_SHOWN = 8

# `add_bulk` answers refusals per item as "Order 3: <reason>", numbered within its chunk of 100:
# not our line number, and it keeps identical reasons from being grouped.
_PANEL_ITEM_PREFIX = re.compile(r"^Order \d+:\s*")


def input_error_text(t: Translator, error: InputError) -> str:
    """A validator's message in the user's language, escaped (it may quote their input)."""
    return ui.esc(t._(error.msgid, **error.params))


def _short_link(link: str | None) -> str:
    text = link or ""
    return text if len(text) <= LINK_SHOWN else text[: LINK_SHOWN - 1] + "…"


def _more(t: Translator, n: int) -> str:
    return t.ngettext("… and {n} more", "… and {n} more", n)


# --- preview -----------------------------------------------------------------------------------


def _valid_line(t: Translator, line: BulkLine, currency: str | None) -> str:
    assert line.service is not None
    return t._(
        "line {n}: service {service} × {quantity} → {link} ({cost})",
        n=line.line_no,
        service=line.service.id,
        quantity=t.number(line.quantity or 0),
        link=ui.esc(_short_link(line.link)),
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
    preview = draft.preview
    if preview.too_many:
        return t._(
            "That is more than {max} order lines. Split the list and send at most {max} "
            "lines at a time, or /cancel.",
            max=t.number(MAX_LINES),
        )
    currency = draft.currency
    total_lines = len(preview.lines)
    parts: list[str] = []
    if not preview.valid:
        if not preview.lines:
            return t._(
                "I found no order lines in that. Send lines like\n"
                "<code>1 | https://instagram.com/user | 1000</code>\nor /cancel."
            )
        parts.append(
            t.ngettext(
                "None of the {n} line can be ordered:",
                "None of the {n} lines can be ordered:",
                total_lines,
            )
        )
        parts.extend(_problem_lines(t, preview.errors))
        parts.append(t._("Send the corrected list, or /cancel."))
        return "\n".join(parts)

    head = [t._("<b>Bulk order preview</b>")]
    head.append(
        t.ngettext(
            "{n} valid order of {total} lines.",
            "{n} valid orders of {total} lines.",
            len(preview.valid),
            total=t.number(total_lines),
        )
    )
    head.append(t._("Total cost: <b>{cost}</b>", cost=t.money(preview.total_cost, currency)))
    if draft.balance is not None and draft.balance_after is not None:
        head.append(
            t._(
                "Balance: {balance} → after: {after}",
                balance=t.money(draft.balance.amount, currency),
                after=t.money(draft.balance_after, currency),
            )
        )
        if draft.short:
            head.append(_short_text(t, draft))
    else:
        head.append(t._("(Your balance could not be read right now.)"))
    parts.append("\n".join(head))

    listed = [_valid_line(t, line, currency) for line in preview.valid[:PREVIEW_VALID_LINES]]
    if len(preview.valid) > PREVIEW_VALID_LINES:
        listed.append(_more(t, len(preview.valid) - PREVIEW_VALID_LINES))
    parts.append("\n".join(listed))

    if preview.errors:
        block = [
            t.ngettext(
                "❌ {n} line has a problem and will not be sent:",
                "❌ {n} lines have problems and will not be sent:",
                len(preview.errors),
            )
        ]
        block.extend(_problem_lines(t, preview.errors))
        parts.append("\n".join(block))

    duplicates = [line for line in preview.valid if line.duplicate_of is not None]
    if duplicates:
        block = [
            t.ngettext(
                "⚠️ {n} line repeats an earlier service and link (still included):",
                "⚠️ {n} lines repeat an earlier service and link (still included):",
                len(duplicates),
            )
        ]
        for line in duplicates[:PREVIEW_PROBLEMS]:
            block.append(
                t._("line {n}: same as line {first}", n=line.line_no, first=line.duplicate_of)
            )
        if len(duplicates) > PREVIEW_PROBLEMS:
            block.append(_more(t, len(duplicates) - PREVIEW_PROBLEMS))
        parts.append("\n".join(block))

    if draft.already_open:
        opened = sorted(draft.already_open.items())
        block = [
            t.ngettext(
                "⚠️ {n} line is for a service and link you already have an open order for "
                "(still included):",
                "⚠️ {n} lines are for a service and link you already have an open order for "
                "(still included):",
                len(opened),
            )
        ]
        for line_no, order in opened[:PREVIEW_PROBLEMS]:
            block.append(t._("line {n}: {note}", n=line_no, note=_open_note(t, order)))
        if len(opened) > PREVIEW_PROBLEMS:
            block.append(_more(t, len(opened) - PREVIEW_PROBLEMS))
        parts.append("\n".join(block))

    if preview_is_long(draft):
        parts.append(t._("The full check of every line is in the attached file."))
    parts.append(t._("Nothing is sent until you confirm. To change the list, send /bulk again."))
    return ui.clip("\n\n".join(parts))


def render_repriced(t: Translator, repriced: BulkRepriced) -> str:
    """Confirm found lines dearer or no longer valid: old → new per line, then the new check."""
    fresh = repriced.fresh
    currency = fresh.currency
    lines = [t._("⚠️ The panel changed prices or limits after your preview, so nothing was sent.")]
    for change in repriced.changes[:PREVIEW_PROBLEMS]:
        old = t.money(change.old_cost, currency)
        if change.new_cost is not None:
            lines.append(
                t._(
                    "line {n}: {old} → {new}",
                    n=change.line_no,
                    old=old,
                    new=t.money(change.new_cost, currency),
                )
            )
        elif change.problem is not None:
            lines.append(
                t._(
                    "line {n}: {old} → ✖ {problem}",
                    n=change.line_no,
                    old=old,
                    problem=input_error_text(t, change.problem),
                )
            )
        else:
            lines.append(t._("line {n}: no longer in the list", n=change.line_no))
    if len(repriced.changes) > PREVIEW_PROBLEMS:
        lines.append(_more(t, len(repriced.changes) - PREVIEW_PROBLEMS))
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
    return ui.clip(head + "\n\n" + render_preview(t, fresh))


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
        after=t.money(draft.balance.amount - draft.affordable_cost, currency),
    )


def _open_note(t: Translator, order: Order) -> str:
    if order.panel_order_id is not None:
        return t._("order #{id} is still open", id=order.panel_order_id)
    return t._("an earlier order may or may not have been placed")


def _problem_lines(t: Translator, errors: Sequence[BulkLine]) -> list[str]:
    out = [
        t._("line {n}: {problem}", n=line.line_no, problem=input_error_text(t, line.error))
        for line in errors[:PREVIEW_PROBLEMS]
        if line.error is not None
    ]
    if len(errors) > PREVIEW_PROBLEMS:
        out.append(_more(t, len(errors) - PREVIEW_PROBLEMS))
    return out


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
            status, note = "error", t._(line.error.msgid, **line.error.params)
        elif line.duplicate_of is not None:
            status = "duplicate"
            note = t._("same as line {first}", first=line.duplicate_of)
        elif line.line_no in draft.already_open:
            status = "already open"
            note = _open_note(t, draft.already_open[line.line_no])
        else:
            status, note = "ok", ""
        total: object = ""
        within = ""
        if line.error is None:
            running += line.cost or Decimal(0)
            total = running
            if covered is not None:
                within = "yes" if valid_index[line.line_no] < covered else "no"
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

    header = [
        "line",
        "status",
        "service",
        "link",
        "quantity",
        "cost",
        "total so far",
        "within balance",
        "problem",
        "input",
    ]
    return write_csv(header, (row(line) for line in draft.preview.lines))


# --- result ------------------------------------------------------------------------------------


class LineState(StrEnum):
    PLACED = "placed"
    FAILED = "failed"  # the panel refused it
    NOT_SENT = "not sent"  # never reached the panel: invalid, held back, or an earlier refusal
    UNKNOWN = "unknown - check the panel"
    SENDING = "sending"


@dataclass(frozen=True, slots=True)
class ResultLine:
    """One line of the list after a confirm: an order row, or a line that failed validation."""

    line_no: int | None
    state: LineState
    reason: str  # plain text in the user's language where we wrote it, the panel's otherwise
    order: Order | None = None
    source: BulkLine | None = None

    @property
    def group_key(self) -> tuple[LineState, str]:
        return self.state, _PANEL_ITEM_PREFIX.sub("", self.reason)


def _order_line(t: Translator, order: Order) -> ResultLine:
    state = order.submit_state
    error = order.error or ""
    if state is SubmitState.PLACED:
        return ResultLine(order.line_no, LineState.PLACED, "", order)
    if state is SubmitState.UNKNOWN:
        return ResultLine(order.line_no, LineState.UNKNOWN, error, order)
    if state is SubmitState.FAILED:
        if error == NOT_COVERED:
            reason = t._("not covered by your balance")
            return ResultLine(order.line_no, LineState.NOT_SENT, reason, order)
        if error == NOT_SENT or error.startswith(f"{NOT_SENT}:"):
            reason = error[len(NOT_SENT) :].lstrip(": ")
            return ResultLine(order.line_no, LineState.NOT_SENT, reason, order)
        return ResultLine(order.line_no, LineState.FAILED, error or "?", order)
    return ResultLine(order.line_no, LineState.SENDING, "", order)


def result_lines(
    t: Translator, orders: Sequence[Order], rejected: Sequence[BulkLine] = ()
) -> list[ResultLine]:
    """Every line of the list in line order: the batch's rows and the lines that failed checks."""
    lines = [_order_line(t, o) for o in orders]
    lines.extend(
        ResultLine(
            line.line_no,
            LineState.NOT_SENT,
            t._(line.error.msgid, **line.error.params) if line.error is not None else "",
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
    first = members[0]
    if len(members) == 1:
        n = first.line_no if first.line_no is not None else "?"
        reason = ui.esc(first.reason)
        if first.state is LineState.FAILED:
            return t._("line {n}: ✖ {reason}", n=n, reason=reason)
        if first.state is LineState.NOT_SENT:
            if not reason:
                return t._("line {n}: ⏸ not sent", n=n)
            return t._("line {n}: ⏸ not sent: {reason}", n=n, reason=reason)
        if first.state is LineState.UNKNOWN:
            return t._("line {n}: ⚠️ no clear answer, check the panel", n=n)
        return t._("line {n}: ⏳ still being sent", n=n)
    count = len(members)
    lines = line_ranges([m.line_no for m in members if m.line_no is not None])
    reason = ui.esc(first.group_key[1])
    if first.state is LineState.FAILED:
        return t.ngettext(
            "✖ {n} line ({lines}): {reason}",
            "✖ {n} lines ({lines}): {reason}",
            count,
            lines=lines,
            reason=reason,
        )
    if first.state is LineState.NOT_SENT:
        if not reason:
            return t.ngettext(
                "⏸ {n} line not sent ({lines})",
                "⏸ {n} lines not sent ({lines})",
                count,
                lines=lines,
            )
        return t.ngettext(
            "⏸ {n} line not sent ({lines}): {reason}",
            "⏸ {n} lines not sent ({lines}): {reason}",
            count,
            lines=lines,
            reason=reason,
        )
    if first.state is LineState.UNKNOWN:
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
    by_state: dict[LineState, int] = {}
    for line in lines:
        by_state[line.state] = by_state.get(line.state, 0) + 1
    placed = [line for line in lines if line.state is LineState.PLACED]
    out = [t._("<b>Bulk order result</b>")]
    counts = [t.ngettext("✅ {n} placed", "✅ {n} placed", len(placed))]
    if by_state.get(LineState.FAILED):
        counts.append(t.ngettext("✖ {n} failed", "✖ {n} failed", by_state[LineState.FAILED]))
    if by_state.get(LineState.NOT_SENT):
        counts.append(t.ngettext("⏸ {n} not sent", "⏸ {n} not sent", by_state[LineState.NOT_SENT]))
    unknown = by_state.get(LineState.UNKNOWN, 0)
    if unknown:
        counts.append(t.ngettext("⚠️ {n} unknown", "⚠️ {n} unknown", unknown))
    out.append(" · ".join(counts))
    if unknown:
        out.append(
            t.ngettext(
                "The panel did not answer clearly for {n} order, so it may or may not exist. "
                "Check the panel before ordering it again.",
                "The panel did not answer clearly for {n} orders, so they may or may not "
                "exist. Check the panel before ordering them again.",
                unknown,
            )
        )
    truncated = False
    if placed:
        out.append("")
        for line in placed[:RESULT_LINES]:
            assert line.order is not None
            n = line.line_no if line.line_no is not None else "?"
            out.append(t._("line {n}: #{order_id}", n=n, order_id=line.order.panel_order_id))
        if len(placed) > RESULT_LINES:
            out.append(_more(t, len(placed) - RESULT_LINES))
            truncated = True
    groups = _groups(lines)
    if groups:
        out.append("")
        out.extend(_group_text(t, members) for members in groups[:RESULT_GROUPS])
        if len(groups) > RESULT_GROUPS:
            out.append(_more(t, len(groups) - RESULT_GROUPS))
            truncated = True
    text = "\n".join(out)
    note = "\n\n" + t._("Every line's result is in the attached file.")
    if truncated or len(lines) > RESULT_LINES or len(text) > ui.MAX_TEXT:
        return ui.clip(text, ui.MAX_TEXT - len(note)) + note, True
    return text, False


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
                line.state.value,
                line.reason,
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
            line.state.value,
            line.reason,
            src.raw,
        ]

    header = ["line", "service", "link", "quantity", "cost", "order id", "status", "error", "input"]
    return write_csv(header, (row(line) for line in result_lines(t, submission.orders, rejected)))


def render_already(t: Translator, submission: BulkSubmission) -> str:
    if submission.in_flight:
        return t._("This bulk order is being submitted right now; the result follows.")
    placed = submission.placed
    ids = ", ".join(f"#{o.panel_order_id}" for o in placed[:10])
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
