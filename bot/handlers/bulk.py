"""/bulk: paste or upload many `service | link | quantity` lines, check them, place them once.

The dialog only collects the list and shows the preview; Confirm and Cancel on the preview are
ordinary handlers, so the buttons keep working after a restart, after /cancel and from another
device. What is shown is rendered by the pure functions in `bot.views.bulk`.

Lines that fail the check are not stored as orders; they are kept in the user's (persisted)
user_data under the preview's batch, so the result and its file can list them too.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from telegram import InlineKeyboardMarkup, InputFile, Message, Update
from telegram.error import TelegramError
from telegram.ext import MessageHandler
from telegram.ext import filters as tg_filters

from bot.callbacks.base import callback_of
from bot.callbacks.bulk import BulkAgain, BulkAnyway, ConfirmBulk, ConfirmBulkFirst, DiscardBulk
from bot.callbacks.previews import PreviewButton
from bot.deps import BotContext
from bot.handlers import previews as preview_ui
from bot.handlers import ui
from bot.handlers.dialog import AnyHandler, BulkDialog, DialogPart, begin, end, instance_id
from bot.handlers.errors import reply_panel_error
from bot.handlers.menu import command_and_button
from bot.handlers.replies import announce, deliver
from bot.handlers.routing import on_press
from bot.handlers.unsaved import tell_unsaved
from bot.keyboards import bulk as bulk_keyboards
from bot.keyboards import dialog as dialog_keyboards
from bot.keyboards import menu as menu_keyboards
from bot.panel.errors import PanelError
from bot.ratelimit import Throttle
from bot.services.accounts import NoKey
from bot.services.bulk_lines import BulkLine, decode_upload
from bot.services.bulk_orders import BulkDraft, BulkOutcome, BulkRepriced, BulkSubmission
from bot.services.validation import InputError
from bot.user_state import UserState
from bot.views.bulk import (
    Attachment,
    already_alert,
    check_file,
    discard_text,
    gone_alert,
    input_error_text,
    list_question,
    no_longer_valid,
    not_a_list,
    preview_is_long,
    progress_text,
    render_already,
    render_preview,
    render_repriced,
    render_result,
    result_file,
    submitting_text,
    upload_problem,
)
from bot.views.errors import button_expired, download_failed, no_key_text
from bot.views.link_guard import anyway_needed
from bot.views.previews import cancelled_text, closed_text, replaced_text

log = logging.getLogger(__name__)

# `ui.send` (a new message) or `ui.show` (edit the pressed one).
Put = Callable[[Update, str, InlineKeyboardMarkup | None], Awaitable[Message | None]]

WAIT_LINES = "bulk.lines"
# Seconds between two progress edits of a bulk placed line by line.
PROGRESS_EVERY = 2.0

# UserState.bulk_rejects: batch -> the preview's lines that failed the check,
# [line_no, raw, msgid, params] each.
# DraftService whose rejected lines are kept; an older preview's result then lists its valid lines.
REJECTS_KEPT = 3
RAW_KEPT = 200


def remember_rejects(state: UserState, batch: str, lines: Sequence[BulkLine]) -> None:
    kept = state.bulk_rejects
    kept[batch] = [
        [line.line_no, line.raw[:RAW_KEPT], line.error.msgid, dict(line.error.params)]
        for line in lines
        if line.error is not None
    ]
    while len(kept) > REJECTS_KEPT:
        del kept[next(iter(kept))]


def recall_rejects(state: UserState, batch: str, *, forget: bool) -> list[BulkLine]:
    """The preview's rejected lines as `BulkLine`s (empty when not kept); `forget` drops them."""
    kept = state.bulk_rejects
    stored = kept.pop(batch, None) if forget else kept.get(batch)
    lines: list[BulkLine] = []
    for item in stored if isinstance(stored, list) else []:
        try:
            line_no, raw, msgid, params = item
            error = InputError(str(msgid), **dict(params))
            lines.append(BulkLine(int(line_no), str(raw), None, None, None, None, error))
        except (TypeError, ValueError):
            continue  # not ours (an older shape): the result then lists the valid lines only
    return lines


# --- handlers --------------------------------------------------------------------------------


def _cancel(context: BotContext) -> InlineKeyboardMarkup:
    return dialog_keyboards.cancel_dialog(context.t, instance_id(context, BulkDialog))


async def ask_lines(update: Update, context: BotContext) -> str | int:
    await ui.answer(update)
    begin(context, BulkDialog)
    t = context.t
    if not await context.deps.accounts.has_key(context.user.id):
        await ui.show(update, no_key_text(t))
        return end(context)
    inline = _text_after_command(update)
    if inline:
        return await _preview(update, context, inline)
    await ui.show(update, list_question(t, context.deps.bulk.max_lines), _cancel(context))
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
    problem = upload_problem(t, doc.file_name, doc.file_size)
    if problem is not None:
        await ui.send(update, problem, _cancel(context))
        return WAIT_LINES
    try:
        data = bytes(await (await doc.get_file()).download_as_bytearray())
    except TelegramError as exc:
        log.warning("could not download a bulk file: %s", exc)
        await ui.send(update, download_failed(t), _cancel(context))
        return WAIT_LINES
    try:
        text = decode_upload(data)
    except InputError as exc:
        await ui.send(update, input_error_text(t, exc), _cancel(context))
        return WAIT_LINES
    return await _preview(update, context, text)


async def other_input(update: Update, context: BotContext) -> str:
    await ui.send(update, not_a_list(context.t), _cancel(context))
    return WAIT_LINES


async def _preview(update: Update, context: BotContext, text: str) -> str | int:
    try:
        groups = await context.deps.bulk.by_panel(context.user.id, text)
    except NoKey as exc:
        await reply_panel_error(update, context, exc)
        return end(context)
    if len(groups) == 1:
        return await _preview_one(update, context, groups[0][1], groups[0][0])
    # A panel column: one preview per panel, each with its own Confirm (never one panel's
    # lines sent to another).
    for slot, part in groups:
        await _preview_one(update, context, part, slot)
    return end(context)


async def _preview_one(
    update: Update, context: BotContext, text: str, slot: int | None = None
) -> str | int:
    t = context.t
    try:
        draft = await context.deps.bulk.preview(context.user.id, text, slot)
    except (NoKey, PanelError) as exc:
        await reply_panel_error(update, context, exc)
        return end(context)
    body = render_preview(t, draft)
    if draft.batch is not None and draft.preview.errors:
        remember_rejects(context.state, draft.batch, draft.preview.errors)
    if draft.batch is None:
        await ui.send(update, body, _cancel(context))
        if draft.preview.errors and preview_is_long(draft):
            await _send_file(update, check_file(t, draft))
        return WAIT_LINES
    await _offer(ui.send, update, context, draft, draft.batch, body)
    if preview_is_long(draft):
        await _send_file(update, check_file(t, draft))
    return end(context)


async def _offer(
    put: Put,
    update: Update,
    context: BotContext,
    draft: BulkDraft,
    batch: str,
    body: str,
) -> None:
    """The preview with its Confirm buttons, remembered so a later preview can retire it."""
    markup = bulk_keyboards.bulk_preview(
        context.t,
        batch,
        len(draft.preview.valid),
        affordable=draft.affordable,
        anyway=draft.needs_anyway,
    )
    shown = await put(update, body, markup)
    await preview_ui.shown(context, batch, shown)


async def _send_file(update: Update, file: Attachment) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    try:
        await chat.send_document(InputFile(file.data, filename=file.filename), caption=file.caption)
    except TelegramError as exc:
        # The message already carries the summary; the file is the extra detail.
        log.warning("could not send %s: %s", file.filename, exc)


def _confirmed(update: Update, context: BotContext) -> tuple[str, int | None] | None:
    """The pressed Confirm's batch and how many of its first lines to place (None: all)."""
    pressed = callback_of(update)
    if isinstance(pressed, ConfirmBulk):
        return pressed.batch, None
    if isinstance(pressed, BulkAnyway) and pressed.first == 0:
        return pressed.batch, None
    if isinstance(pressed, ConfirmBulkFirst | BulkAnyway):
        # "Only the first N": the service checks N against what the preview offered, then
        # those lines, makes the later lines not sent, and claims.
        first = min(pressed.first, context.deps.bulk.max_lines)
        return (pressed.batch, first) if first >= 1 else None
    return None


async def confirm(update: Update, context: BotContext) -> None:
    t = context.t
    confirmed = _confirmed(update, context)
    if confirmed is None:
        await ui.answer(update, button_expired(t))
        return
    batch, first = confirmed

    async def submitting(n: int) -> None:
        await announce(update, submitting_text(t, n))

    shown = Throttle(PROGRESS_EVERY)

    async def progress(done: int, total: int) -> None:
        # Line by line on a panel without add_bulk: "12 of 40 placed…", not an edit per line.
        if done < total and shown.ready():
            await announce(update, progress_text(t, done, total), answer=False)

    try:
        submission = await context.deps.bulk.confirm(
            context.user.id,
            batch,
            first=first,
            on_claimed=submitting,
            on_progress=progress,
            anyway=callback_of(update, BulkAnyway) is not None,
        )
    except NoKey as exc:
        await ui.answer(update)
        await reply_panel_error(update, context, exc)
        return
    if not await _refused(update, context, batch, submission):
        await _show_result(update, context, batch, submission)


async def _refused(
    update: Update, context: BotContext, batch: str, submission: BulkSubmission
) -> bool:
    """Nothing was sent (a second tap, an old, closed or changed preview): say why."""
    t = context.t
    outcome = submission.outcome
    if outcome is BulkOutcome.MISSING:
        await ui.answer(update, gone_alert(t))
        await ui.show(update, no_longer_valid(t))
    elif outcome is BulkOutcome.ALREADY:
        await ui.answer(update, already_alert(t))
        await ui.send(update, render_already(t, submission))
    elif outcome is BulkOutcome.REPLACED:
        await ui.answer(update, replaced_text(t), alert=True)
    elif outcome is BulkOutcome.CANCELLED:
        await ui.answer(update, cancelled_text(t, 1), alert=True)
    elif outcome is BulkOutcome.DUPLICATE:
        # Its ⚠️ Order anyway is the way on: the preview's own, or the warned one in its place.
        await ui.answer(update, anyway_needed(t), alert=True)
        if submission.warned is not None:
            await _show_fresh(update, context, submission.warned)
    elif outcome is BulkOutcome.NOT_OFFERED:
        # Forged data: no more than "expired" is said, and the preview stays as it is.
        await ui.answer(update, button_expired(t), alert=True)
    elif outcome in {BulkOutcome.EXPIRED, BulkOutcome.KEY_CHANGED}:
        await ui.answer(update)
        text = closed_text(t, expired=outcome is BulkOutcome.EXPIRED)
        await ui.show(update, text, bulk_keyboards.bulk_again(t, batch))
    elif outcome is BulkOutcome.CHANGED and submission.repriced is not None:
        await ui.answer(update)
        await _show_fresh(update, context, submission.repriced.fresh, submission.repriced)
    else:
        return False
    return True


async def _show_result(
    update: Update, context: BotContext, batch: str, submission: BulkSubmission
) -> None:
    t = context.t
    # First, before anything that could fail: the ids the database did not take.
    await tell_unsaved(update, t, submission.unsaved)
    rejected = recall_rejects(context.state, batch, forget=True)
    text, needs_file = render_result(t, submission, rejected)
    if submission.orders:
        panel = await context.deps.bulk.panel_name(context.user.id, submission.orders[0].panel_slot)
        if panel:
            text = t._("Panel: <b>{panel}</b>", panel=ui.esc(panel)) + "\n" + text
    unknown = [(o.line_no or 0, o.id) for o in submission.unknown]
    shown = await deliver(update, context, text, bulk_keyboards.bulk_done(t, unknown), edit=False)
    if needs_file and shown:  # queued: the summary goes out later, the file is the extra
        await _send_file(update, result_file(t, submission, rejected))


async def _show_fresh(
    update: Update, context: BotContext, draft: BulkDraft, repriced: BulkRepriced | None = None
) -> None:
    """A bulk list checked again (after Confirm found changes, or "Make a new preview")."""
    t = context.t
    body = render_repriced(t, repriced) if repriced is not None else render_preview(t, draft)
    if draft.batch is None:
        await ui.show(update, body, menu_keyboards.main_menu(t))
    else:
        await _offer(ui.show, update, context, draft, draft.batch, body)
    if preview_is_long(draft):
        await _send_file(update, check_file(t, draft))


async def _pressed_batch(update: Update, kind: type[PreviewButton]) -> str | None:
    """The bulk preview a pressed `kind` button is under, the press answered; None for an old
    or forged button (no word: the preview it was under is gone or never was)."""
    pressed = callback_of(update, kind)
    await ui.answer(update)
    return None if pressed is None else pressed.batch


async def again(update: Update, context: BotContext) -> None:
    """ "Make a new preview" under an expired or closed bulk preview: the same lines again."""
    batch = await _pressed_batch(update, BulkAgain)
    if batch is None:
        return
    t = context.t
    try:
        draft = await context.deps.bulk.again(context.user.id, batch)
    except (NoKey, PanelError) as exc:
        await reply_panel_error(update, context, exc, edit=True)
        return
    if draft is None:
        await ui.show(update, no_longer_valid(t))
        return
    await _show_fresh(update, context, draft)


async def discard(update: Update, context: BotContext) -> None:
    batch = await _pressed_batch(update, DiscardBulk)
    if batch is None:
        return
    t = context.t
    removed = await context.deps.bulk.discard(context.user.id, batch)
    if removed:
        recall_rejects(context.state, batch, forget=True)
        await ui.show(
            update, discard_text(t, removed=True, submitted=False), menu_keyboards.main_menu(t)
        )
        return
    submitted = await context.deps.bulk.submitted(context.user.id, batch)
    say = ui.send if submitted else ui.show
    await say(update, discard_text(t, removed=False, submitted=submitted))


def dialog_part() -> DialogPart:
    return DialogPart(
        entry_points=[
            *command_and_button("bulk", ask_lines),
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
        on_press(confirm, ConfirmBulk, ConfirmBulkFirst, BulkAnyway),
        on_press(discard, DiscardBulk),
        on_press(again, BulkAgain),
    ]
