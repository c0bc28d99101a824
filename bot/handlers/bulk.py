"""/bulk: paste or upload many `service | link | quantity` lines, check them, place them once.

The dialog only collects the list and shows the preview; Confirm and Cancel on the preview are
ordinary handlers, so the buttons keep working after a restart, after /cancel and from another
device. Render functions are pure (text or bytes in, no Telegram calls) for the benchmark.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import PurePosixPath

from telegram import Document, InputFile, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as tg_filters

from bot import keyboards
from bot.callbacks import Action, decode, pattern
from bot.deps import BotContext
from bot.handlers import ui
from bot.handlers.delivery import announce, deliver
from bot.handlers.dialog import AnyHandler, DialogPart
from bot.handlers.errors import no_key_text, panel_error_text
from bot.handlers.menu import menu_pattern
from bot.i18n import Translator
from bot.panel import PanelError
from bot.services.bulk import MAX_UPLOAD_BYTES, BulkLine, decode_upload
from bot.services.bulk_orders import MAX_LINES, BulkDraft, BulkSubmission, ConfirmOutcome
from bot.services.keys import NoKey
from bot.services.validation import InputError
from bot.storage.models import Order, SubmitState

log = logging.getLogger(__name__)

WAIT_LINES = "bulk.lines"

UPLOAD_EXTENSIONS = frozenset({".txt", ".csv"})
# Lines listed in a message; past these the full list comes as a CSV document.
PREVIEW_VALID_LINES = 10
PREVIEW_PROBLEMS = 20
RESULT_LINES = 30
LINK_SHOWN = 60


# --- rendering (pure) ------------------------------------------------------------------------


def input_error_text(t: Translator, error: InputError) -> str:
    """A validator's message in the user's language, escaped (it may quote their input)."""
    return ui.esc(t._(error.msgid, **error.params))


def _short_link(link: str | None) -> str:
    text = link or ""
    return text if len(text) <= LINK_SHOWN else text[: LINK_SHOWN - 1] + "…"


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
    """The problems or duplicates do not all fit the message: the CSV report goes along."""
    preview = draft.preview
    duplicates = sum(1 for line in preview.valid if line.duplicate_of is not None)
    return (
        len(preview.errors) > PREVIEW_PROBLEMS
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
            head.append(
                t._(
                    "⚠️ Your balance is short by {missing}. The panel will refuse what it "
                    "cannot charge.",
                    missing=t.money(-draft.balance_after, currency),
                )
            )
    else:
        head.append(t._("(Your balance could not be read right now.)"))
    parts.append("\n".join(head))

    if len(preview.valid) <= PREVIEW_VALID_LINES:
        parts.append("\n".join(_valid_line(t, line, currency) for line in preview.valid))

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


def _more(t: Translator, n: int) -> str:
    return t.ngettext("… and {n} more", "… and {n} more", n)


def _result_line(t: Translator, order: Order) -> str:
    n = order.line_no if order.line_no is not None else "?"
    if order.submit_state is SubmitState.PLACED:
        return t._("line {n}: #{order_id}", n=n, order_id=order.panel_order_id)
    if order.submit_state is SubmitState.UNKNOWN:
        return t._("line {n}: ⚠️ no clear answer, check the panel", n=n)
    if order.submit_state is SubmitState.FAILED:
        return t._("line {n}: ✖ {reason}", n=n, reason=ui.esc(order.error or "?"))
    return t._("line {n}: ⏳ still being sent", n=n)


def result_is_long(submission: BulkSubmission) -> bool:
    return len(submission.orders) > RESULT_LINES


def render_result(t: Translator, submission: BulkSubmission) -> tuple[str, bool]:
    """The result message, and whether the full per-line list must go along as a CSV file."""
    placed, failed, unknown = submission.placed, submission.failed, submission.unknown
    lines = [t._("<b>Bulk order result</b>")]
    counts = [t.ngettext("✅ {n} placed", "✅ {n} placed", len(placed))]
    if failed:
        counts.append(t.ngettext("✖ {n} failed", "✖ {n} failed", len(failed)))
    if unknown:
        counts.append(t.ngettext("⚠️ {n} unknown", "⚠️ {n} unknown", len(unknown)))
    lines.append(" · ".join(counts))
    if unknown:
        lines.append(
            t.ngettext(
                "The panel did not answer clearly for {n} order, so it may or may not exist. "
                "Check the panel before ordering it again.",
                "The panel did not answer clearly for {n} orders, so they may or may not "
                "exist. Check the panel before ordering them again.",
                len(unknown),
            )
        )
    lines.append("")
    shown = submission.orders[:RESULT_LINES]
    lines.extend(_result_line(t, o) for o in shown)
    if result_is_long(submission):
        lines.append(_more(t, len(submission.orders) - RESULT_LINES))
    text = "\n".join(lines)
    note = "\n\n" + t._("Every line's result is in the attached file.")
    if result_is_long(submission) or len(text) > ui.MAX_TEXT:
        return ui.clip(text, ui.MAX_TEXT - len(note)) + note, True
    return text, False


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


def _safe_cell(value: object) -> str:
    # Spreadsheets run cells starting with these as formulas; user links must stay data.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe_cell(v) for v in row])
    # BOM: Excel (Turkish Windows included) then opens the file as UTF-8.
    return buffer.getvalue().encode("utf-8-sig")


def check_csv(t: Translator, draft: BulkDraft) -> bytes:
    """Every order line of the pasted list with what the check found."""

    def row(line: BulkLine) -> list[object]:
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
        return [
            line.line_no,
            status,
            line.service.id if line.service is not None else "",
            line.link or "",
            line.quantity if line.quantity is not None else "",
            line.cost if line.cost is not None else "",
            note,
            line.raw,
        ]

    header = ["line", "status", "service", "link", "quantity", "cost", "problem", "input"]
    return _csv(header, (row(line) for line in draft.preview.lines))


def result_csv(orders: Sequence[Order]) -> bytes:
    def row(o: Order) -> list[object]:
        if o.submit_state is SubmitState.PLACED:
            status = "placed"
        elif o.submit_state is SubmitState.UNKNOWN:
            status = "unknown - check the panel"
        else:
            status = o.submit_state.value
        return [
            o.line_no if o.line_no is not None else "",
            o.service_id,
            o.link or "",
            o.quantity if o.quantity is not None else "",
            o.panel_order_id if o.panel_order_id is not None else "",
            status,
            o.error or "",
        ]

    header = ["line", "service", "link", "quantity", "order id", "status", "error"]
    return _csv(header, (row(o) for o in orders))


# --- handlers --------------------------------------------------------------------------------


async def ask_lines(update: Update, context: BotContext) -> str | int:
    await ui.answer(update)
    t = context.t
    if not await context.deps.keys.has_key(context.user.id):
        await ui.show(update, no_key_text(t))
        return ConversationHandler.END
    inline = _text_after_command(update)
    if inline:
        return await _preview(update, context, inline)
    await ui.show(
        update,
        t._(
            "<b>Bulk order</b>\n"
            "Send one order per line: <code>service id | link | quantity</code>\n"
            "<code>1 | https://instagram.com/user | 1000\n"
            "6 ; https://youtube.com/watch?v=abc ; 5000</code>\n"
            "Separators <code>|</code> <code>;</code> <code>,</code>, tab or spaces all work; "
            "blank lines and lines starting with <code>#</code> are skipped.\n"
            "You can also upload a .txt or .csv file (up to {max_kb} KB, {max_lines} lines). "
            "Nothing is ordered before you confirm the preview.",
            max_kb=MAX_UPLOAD_BYTES // 1024,
            max_lines=t.number(context.deps.bulk.max_lines),
        ),
        keyboards.cancel_dialog(t),
    )
    return WAIT_LINES


def _text_after_command(update: Update) -> str:
    """`/bulk 1 | link | 100` on one message: the list right after the command."""
    message = update.effective_message
    if update.callback_query is not None or message is None or not message.text:
        return ""
    first, _, later = message.text.partition("\n")
    _, _, same_line = first.partition(" ")
    # Keep the pasted list's own line numbers: the command line is not one of them.
    return f"{same_line}\n{later}".strip() if same_line.strip() else later.strip()


async def receive_text(update: Update, context: BotContext) -> str | int:
    message = update.effective_message
    if message is None or not message.text:
        return WAIT_LINES
    return await _preview(update, context, message.text)


async def receive_document(update: Update, context: BotContext) -> str | int:
    message = update.effective_message
    doc = message.document if message is not None else None
    if doc is None:
        return WAIT_LINES
    t = context.t
    problem = _upload_problem(t, doc)
    if problem is not None:
        await ui.send(update, problem, keyboards.cancel_dialog(t))
        return WAIT_LINES
    try:
        data = bytes(await (await doc.get_file()).download_as_bytearray())
    except TelegramError as exc:
        log.warning("could not download a bulk file: %s", exc)
        await ui.send(
            update,
            t._("I could not download that file. Please send it again, or paste the lines."),
            keyboards.cancel_dialog(t),
        )
        return WAIT_LINES
    try:
        text = decode_upload(data)
    except InputError as exc:
        await ui.send(update, input_error_text(t, exc), keyboards.cancel_dialog(t))
        return WAIT_LINES
    return await _preview(update, context, text)


def _upload_problem(t: Translator, doc: Document) -> str | None:
    suffix = PurePosixPath(doc.file_name or "").suffix.lower()
    if suffix not in UPLOAD_EXTENSIONS:
        return t._("Please send a .txt or .csv file, or paste the lines as text.")
    if doc.file_size is not None and doc.file_size > MAX_UPLOAD_BYTES:
        return t._(
            "The file is too large ({size} KB). The limit is {max} KB.",
            size=doc.file_size // 1024,
            max=MAX_UPLOAD_BYTES // 1024,
        )
    return None


async def other_input(update: Update, context: BotContext) -> str:
    t = context.t
    await ui.send(
        update,
        t._("Send the order lines as text or as a .txt/.csv file, or /cancel."),
        keyboards.cancel_dialog(t),
    )
    return WAIT_LINES


async def _preview(update: Update, context: BotContext, text: str) -> str | int:
    t = context.t
    try:
        draft = await context.deps.bulk.preview(context.user.id, text)
    except (NoKey, PanelError) as exc:
        await ui.send(update, panel_error_text(t, exc))
        return ConversationHandler.END
    body = render_preview(t, draft)
    if draft.batch is None:
        await ui.send(update, body, keyboards.cancel_dialog(t))
        if draft.preview.errors and preview_is_long(draft):
            await _send_csv(update, check_csv(t, draft), "bulk-check.csv", t._("Line check"))
        return WAIT_LINES
    await ui.send(update, body, keyboards.bulk_preview(t, draft.batch, len(draft.preview.valid)))
    if preview_is_long(draft):
        await _send_csv(update, check_csv(t, draft), "bulk-check.csv", t._("Line check"))
    return ConversationHandler.END


async def _send_csv(update: Update, data: bytes, filename: str, caption: str) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    try:
        await chat.send_document(InputFile(data, filename=filename), caption=caption)
    except TelegramError as exc:
        # The message already carries the summary; the file is the extra detail.
        log.warning("could not send %s: %s", filename, exc)


async def confirm(update: Update, context: BotContext) -> None:
    query = update.callback_query
    decoded = decode(query.data if query is not None else None)
    t = context.t
    if decoded is None:
        await ui.answer(update, t._("This button has expired."))
        return
    batch = decoded.text(0)

    async def submitting(n: int) -> None:
        await announce(
            update, t.ngettext("⏳ Submitting {n} order…", "⏳ Submitting {n} orders…", n)
        )

    try:
        submission = await context.deps.bulk.confirm(context.user.id, batch, on_claimed=submitting)
    except NoKey as exc:
        await ui.answer(update)
        await ui.send(update, panel_error_text(t, exc))
        return
    if submission.outcome is ConfirmOutcome.MISSING:
        await ui.answer(update, t._("This preview has expired."))
        await ui.show(update, t._("This preview is no longer valid. Send /bulk to start again."))
        return
    if submission.outcome is ConfirmOutcome.ALREADY:
        await ui.answer(update, t._("Already submitted."))
        await ui.send(update, render_already(t, submission))
        return
    text, needs_file = render_result(t, submission)
    shown = await deliver(update, context, text, keyboards.bulk_done(t), edit=False)
    if needs_file and shown:  # queued: the summary goes out later, the file is the extra
        await _send_csv(
            update, result_csv(submission.orders), "bulk-result.csv", t._("Bulk order result")
        )


async def discard(update: Update, context: BotContext) -> None:
    query = update.callback_query
    decoded = decode(query.data if query is not None else None)
    t = context.t
    await ui.answer(update)
    if decoded is None:
        return
    batch = decoded.text(0)
    removed = await context.deps.bulk.discard(context.user.id, batch)
    if removed:
        await ui.show(
            update, t._("Bulk order cancelled. Nothing was sent."), keyboards.main_menu(t)
        )
        return
    rows = await context.deps.storage.orders.get_batch(batch)
    if any(o.user_id == context.user.id for o in rows):
        await ui.send(
            update, t._("This bulk order was already submitted; it cannot be cancelled here.")
        )
    else:
        await ui.show(update, t._("This preview is no longer valid. Send /bulk to start again."))


def dialog_part() -> DialogPart:
    return DialogPart(
        entry_points=[
            CommandHandler("bulk", ask_lines),
            CallbackQueryHandler(ask_lines, pattern=menu_pattern("bulk")),
        ],
        states={
            WAIT_LINES: [
                MessageHandler(tg_filters.TEXT & ~tg_filters.COMMAND, receive_text),
                MessageHandler(tg_filters.Document.ALL, receive_document),
                MessageHandler(~tg_filters.COMMAND, other_input),
            ]
        },
    )


def handlers() -> list[AnyHandler]:
    return [
        CallbackQueryHandler(confirm, pattern=pattern(Action.BULK_CONFIRM)),
        CallbackQueryHandler(discard, pattern=pattern(Action.BULK_DISCARD)),
    ]
