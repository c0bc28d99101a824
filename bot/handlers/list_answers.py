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

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.deps import BotContext
from bot.handlers import ui
from bot.handlers.dialog import OrderDialog, save
from bot.services.order_types import FieldSpec, OrderPlan, line_limits
from bot.services.uploads import decode_list_file, list_file_problem
from bot.services.validation import MAX_LIST_LINES, InputError
from bot.views.answers import lines_taken, reminder, so_far, too_many, with_reminder
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
    """A text message: its lines join the list, and the user is told where it stands."""
    try:
        part = q.check_part(text)
    except InputError as exc:
        await refuse(update, context, q, error_text(context.t, exc))
        return
    await _add(update, context, q, part)


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
        part = q.check_part(text)
    except InputError as exc:
        await refuse(update, context, q, error_text(t, exc))
        return None
    except TelegramError as exc:
        log.warning("could not download a list file: %s", exc)
        await refuse(update, context, q, file_not_read(t))
        return None
    await _add(update, context, q, part)
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
    t = context.t
    lines = q.lines
    total = len(lines) + len(part)
    most = q.limits[1]
    if total > most:
        await refuse(update, context, q, too_many(t, total, most))
        return
    q.dialog.collect(q.spec.name, lines + part)
    save(context, q.dialog)
    await ui.send(update, so_far(t, total, q.limits), await q.markup())
