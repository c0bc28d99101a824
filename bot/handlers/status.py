"""/status, /refill, /refillstatus, /cancelorder (with its confirmation) and /export."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import keyboards
from bot.callbacks import CancelManyNo, CancelManyYes, callback_of
from bot.deps import BotContext
from bot.handlers import ui
from bot.handlers.delivery import deliver
from bot.handlers.dialog import AnyHandler
from bot.handlers.errors import panel_errors, reply_panel_error
from bot.panel import PanelError
from bot.services.keys import NoKey
from bot.services.tracking import ParsedIds, RequestOutcome, parse_ids
from bot.views.errors import button_expired
from bot.views.status import (
    cancel_check_lines,
    cancel_question_lines,
    cancel_results,
    export_caption,
    export_csv,
    nothing_cancelled,
    nothing_to_export,
    open_orders_lines,
    refill_lines,
    refill_status_lines,
    status_lines,
    usage,
)

# Pending /cancelorder confirmations in user_data: token -> panel order ids.
CANCEL_KEY = "cancel_confirm"
# Older confirmations are dropped: a user rarely has more than one open at a time.
MAX_PENDING_CONFIRMATIONS = 5


def _ids(context: BotContext) -> ParsedIds:
    return parse_ids(" ".join(context.args or []))


async def _ids_or_usage(update: Update, context: BotContext, command: str) -> ParsedIds | None:
    """The command's order ids; None (after replying with its usage) when it names none."""
    parsed = _ids(context)
    if not parsed.ids:
        await ui.send(update, usage(context.t, command))
        return None
    return parsed


async def _send_long(
    update: Update, lines: Sequence[str], markup: InlineKeyboardMarkup | None = None
) -> None:
    chunks = ui.split("\n".join(lines))
    for i, chunk in enumerate(chunks):
        await ui.send(update, chunk, markup if i == len(chunks) - 1 else None)


async def _deliver_long(update: Update, context: BotContext, lines: Sequence[str]) -> None:
    """Like `_send_long` for the outcome of a refill or cancel: queued when Telegram is down."""
    for chunk in ui.split("\n".join(lines)):
        await deliver(update, context, chunk, edit=False)


@panel_errors
async def status(update: Update, context: BotContext) -> None:
    t = context.t
    tracking = context.deps.tracking
    parsed = _ids(context)
    if not parsed.ids and not parsed.invalid:
        await _open_orders(update, context)
        return
    if not parsed.ids:
        await ui.send(update, usage(t, "status"))
        return
    lines = await tracking.statuses(context.user.id, parsed.ids)
    links = [(line.panel_id, line.order.id) for line in lines if line.order is not None]
    await _send_long(update, status_lines(t, lines, parsed), keyboards.order_links(t, links))


async def _open_orders(update: Update, context: BotContext) -> None:
    t = context.t
    result = await context.deps.tracking.open_orders(context.user.id)
    shown = [*result.orders, *result.finished, *result.not_on_key]
    links = [(o.panel_order_id, o.id) for o in shown if o.panel_order_id is not None]
    await _send_long(update, open_orders_lines(t, result), keyboards.order_links(t, links))


@panel_errors
async def refill(update: Update, context: BotContext) -> None:
    t = context.t
    parsed = await _ids_or_usage(update, context, "refill")
    if parsed is None:
        return
    results = await context.deps.tracking.refill(context.user.id, parsed.ids)
    await _deliver_long(update, context, refill_lines(t, results, parsed))


@panel_errors
async def refill_status(update: Update, context: BotContext) -> None:
    t = context.t
    parsed = await _ids_or_usage(update, context, "refillstatus")
    if parsed is None:
        return
    lines = await context.deps.tracking.refill_statuses(context.user.id, parsed.ids)
    await _send_long(update, refill_status_lines(t, lines, parsed))


def _pending(context: BotContext) -> dict[str, Any]:
    data = context.user_data
    if data is None:
        return {}
    pending = data.get(CANCEL_KEY)
    if not isinstance(pending, dict):
        pending = data[CANCEL_KEY] = {}
    return pending


@panel_errors
async def cancel_order(update: Update, context: BotContext) -> None:
    t = context.t
    parsed = await _ids_or_usage(update, context, "cancelorder")
    if parsed is None:
        return
    checked = await context.deps.tracking.check_cancel(context.user.id, parsed.ids)
    eligible = [r.panel_id for r in checked if r.outcome is RequestOutcome.REQUESTED]
    lines = cancel_check_lines(t, checked, parsed)
    if not eligible:
        await _send_long(update, lines)
        return
    pending = _pending(context)
    while len(pending) >= MAX_PENDING_CONFIRMATIONS:
        pending.pop(next(iter(pending)))
    token = secrets.token_urlsafe(6)
    pending[token] = eligible
    body = cancel_question_lines(t, lines, eligible)
    await _send_long(update, body, keyboards.confirm_cancel_many(t, token))


def _token(update: Update) -> str:
    pressed = callback_of(update)
    # The handlers' patterns let only /cancelorder's Yes and No through.
    assert isinstance(pressed, CancelManyYes | CancelManyNo)
    return pressed.token


@panel_errors
async def cancel_many_yes(update: Update, context: BotContext) -> None:
    t = context.t
    # Popped before the call: a double tap must not send the cancel twice.
    ids = _pending(context).pop(_token(update), None)
    if not isinstance(ids, list) or not ids:
        await ui.answer(update, button_expired(t))
        return
    await ui.answer(update)
    try:
        results = await context.deps.tracking.cancel(context.user.id, [int(i) for i in ids])
    except (NoKey, PanelError) as exc:
        # Not left to @panel_errors: the query is answered already, and answering it twice is
        # a Telegram error.
        await reply_panel_error(update, context, exc, edit=True)
        return
    await deliver(update, context, cancel_results(t, results), edit=True)


async def cancel_many_no(update: Update, context: BotContext) -> None:
    _pending(context).pop(_token(update), None)
    await ui.answer(update)
    await ui.show(update, nothing_cancelled(context.t))


async def export(update: Update, context: BotContext) -> None:
    t = context.t
    chat = update.effective_chat
    if chat is None:
        return
    orders = await context.deps.tracking.export_orders(context.user.id)
    if not orders:
        await ui.send(update, nothing_to_export(t))
        return
    today = datetime.now(UTC).strftime("%Y%m%d")
    document = InputFile(export_csv(t, orders), filename=f"orders-{today}.csv")
    await chat.send_document(document, caption=export_caption(t, len(orders)))


def handlers() -> list[AnyHandler]:
    return [
        CommandHandler("status", status),
        CommandHandler("refill", refill),
        CommandHandler("refillstatus", refill_status),
        CommandHandler("cancelorder", cancel_order),
        CallbackQueryHandler(cancel_many_yes, pattern=CancelManyYes.pattern()),
        CallbackQueryHandler(cancel_many_no, pattern=CancelManyNo.pattern()),
        CommandHandler("export", export),
    ]
