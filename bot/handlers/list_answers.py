"""List answers of the order dialog (comments, usernames, hashtags, groups) of any length.

One Telegram message holds 4,096 characters: a few dozen comments. So a list question collects:
each text message's lines are checked (every line, as the question's parser checks them) and
added, with a running count and a "✅ Done (N)" button (or /done); Done checks the whole list
(how many lines the service takes) and keeps what was collected when it does not fit. A
message with a bad line is not added at all, so it can be sent again corrected.

A .txt/.csv file (bot/services/uploads.py: UTF-8, at most 1 MB, one item a line) is a whole
answer when it comes first, checked at once as typed text would be; after typed lines it joins
them. The lines are kept in the dialog's state (`OrderDialog.collected`), so they survive a
restart, and never more than the question takes in all (`line_limits`).

These functions do the talking; the caller (bot/handlers/new_order.py) stores a `Taken` answer
and moves on. They never import the dialog's module, so it can import them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.error import TelegramError

from bot.deps import BotContext
from bot.handlers import ui
from bot.handlers.dialog import OrderDialog, save
from bot.services.order_types import FieldSpec, OrderPlan, line_limits
from bot.services.uploads import decode_list_file, list_file_problem
from bot.services.validation import MAX_LIST_LINES, InputError
from bot.views.answers import (
    collected_text,
    lines_taken,
    nothing_added,
    reminder,
    removed_last,
    shown_as_text,
    started_over,
    too_many,
    whole_list,
    whole_list_caption,
    with_reminder,
)
from bot.views.new_order import error_text, file_accepted, file_not_read, lines_of, send_lines

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ListQuestion:
    """The open list question; `markup()` is its keyboard as the dialog stands now."""

    dialog: OrderDialog
    plan: OrderPlan
    spec: FieldSpec
    markup: Callable[[], Awaitable[InlineKeyboardMarkup]]

    @property
    def lines(self) -> list[str]:
        return self.dialog.lines_for(self.spec.name)

    @property
    def limits(self) -> tuple[int, int]:
        return line_limits(self.plan, self.spec) or (1, MAX_LIST_LINES)

    def parse(self, text: str) -> Any:
        return self.spec.parse(text, self.plan.service, self.dialog.values)

    def check_part(self, text: str) -> list[str]:
        return self.spec.check_part(text, self.plan.service, self.dialog.values)


@dataclass(frozen=True, slots=True)
class Taken:
    """The question is answered: `value` is its answer, `notice` goes above the next question."""

    value: Any
    notice: str


async def refuse(update: Update, context: BotContext, q: ListQuestion, notice: str) -> None:
    """The error and one line on what to send; what was collected stays."""
    line = reminder(context.t, q.spec, len(q.lines), q.limits)
    await ui.send(update, with_reminder(notice, line), await q.markup())


async def typed(update: Update, context: BotContext, q: ListQuestion, text: str) -> None:
    """A text message: its lines join the list, and the user is told where it stands. A bad
    line keeps the whole message out (the error names the line)."""
    try:
        part = q.check_part(text)
    except InputError as exc:
        await refuse(update, context, q, _not_added(context, exc))
        return
    await _add(update, context, q, part)


def _not_added(context: BotContext, exc: InputError) -> str:
    return error_text(context.t, exc) + "\n" + nothing_added(context.t)


async def uploaded(update: Update, context: BotContext, q: ListQuestion) -> Taken | None:
    """A file (or a photo, a sticker…) at a list question; None: the question stays open."""
    t = context.t
    message = update.effective_message
    doc = message.document if message is not None else None
    if doc is None:
        await refuse(update, context, q, send_lines(t))
        return None
    try:
        problem = list_file_problem(doc.file_name, doc.file_size)
        if problem is not None:
            raise problem
        data = bytes(await (await doc.get_file()).download_as_bytearray())
        text = decode_list_file(data, doc.file_name)
        if not q.lines:
            # The first thing sent: the file is the whole answer, checked as typed text is.
            answer = q.parse(text)
            count = len(answer) if isinstance(answer, list) else lines_of(answer)
            return Taken(answer, file_accepted(t, count))
    except InputError as exc:
        await refuse(update, context, q, error_text(t, exc))
        return None
    except TelegramError as exc:
        log.warning("could not download a list file: %s", exc)
        await refuse(update, context, q, file_not_read(t))
        return None
    # After typed lines the file's lines join them, as a typed message's would.
    await typed(update, context, q, text)
    return None


async def finished(update: Update, context: BotContext, q: ListQuestion) -> Taken | None:
    """✅ Done or /done: the collected lines, checked as one answer, or why they do not do."""
    lines = q.lines
    try:
        answer = q.parse("\n".join(lines))
    except InputError as exc:
        await refuse(update, context, q, error_text(context.t, exc))
        return None
    count = len(answer) if isinstance(answer, list) else lines_of(answer)
    return Taken(answer, lines_taken(context.t, count))


async def _add(update: Update, context: BotContext, q: ListQuestion, part: list[str]) -> None:
    """One message's checked lines join the list. A line the list has already (or that the
    message repeats) is not added twice: resending a corrected list with the earlier lines
    in it must not double them (issue 21 item 4); ↩️ and 🗑 undo the rest."""
    t = context.t
    lines = q.lines
    fresh = _new_lines(lines, part)
    total = len(lines) + len(fresh)
    most = q.limits[1]
    if total > most:
        await refuse(update, context, q, too_many(t, total, most))
        return
    if fresh:
        parts = [*q.dialog.parts_for(q.spec.name), len(fresh)]
        q.dialog.collect(q.spec.name, lines + fresh, parts)
        save(context, q.dialog)
    text = collected_text(t, q.lines, q.limits, skipped=len(part) - len(fresh))
    await ui.send(update, text, await q.markup())


def _new_lines(lines: list[str], part: list[str]) -> list[str]:
    """The lines of `part` that are not in `lines` (nor earlier in `part`), in order."""
    seen = set(lines)
    fresh = []
    for line in part:
        if line not in seen:
            seen.add(line)
            fresh.append(line)
    return fresh


async def remove_last(update: Update, context: BotContext, q: ListQuestion) -> None:
    """↩️ Remove the last message: the lines it added leave the list."""
    t = context.t
    parts, lines = q.dialog.parts_for(q.spec.name), q.lines
    if not parts:
        await ui.send(update, reminder(t, q.spec, 0, q.limits), await q.markup())
        return
    kept = lines[: len(lines) - parts[-1]]
    q.dialog.collect(q.spec.name, kept, parts[:-1])
    save(context, q.dialog)
    now = collected_text(t, kept, q.limits) if kept else reminder(t, q.spec, 0, q.limits)
    await ui.send(update, removed_last(t, parts[-1]) + "\n" + now, await q.markup())


async def start_over(update: Update, context: BotContext, q: ListQuestion) -> None:
    """🗑 Start over: the list is empty again; the question stays open."""
    q.dialog.collect(q.spec.name, [])
    save(context, q.dialog)
    line = reminder(context.t, q.spec, 0, q.limits)
    await ui.send(update, started_over(context.t) + "\n" + line, await q.markup())


async def show_all(update: Update, context: BotContext, q: ListQuestion) -> None:
    """📄 Show all: every collected line, as text when short and as a .txt file when long."""
    t, lines = context.t, q.lines
    if shown_as_text(lines):
        await ui.send(update, whole_list(t, lines), await q.markup())
        return
    chat = update.effective_chat
    if chat is None:
        return
    data = "\n".join(lines).encode("utf-8")
    await chat.send_document(
        InputFile(data, filename="list.txt"),
        caption=whole_list_caption(t, len(lines)),
        reply_markup=await q.markup(),
    )


async def send_files(update: Update, files: list[tuple[str, bytes, str]]) -> None:
    """(file name, content, caption) as documents in the update's chat."""
    chat = update.effective_chat
    if chat is None:
        return
    for name, data, caption in files:
        await chat.send_document(InputFile(data, filename=name), caption=caption)
