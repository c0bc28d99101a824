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
from bot.csvfile import write_csv
from bot.deps import BotContext
from bot.handlers import ui
from bot.handlers.delivery import deliver
from bot.handlers.dialog import AnyHandler
from bot.handlers.errors import panel_errors, reply_panel_error
from bot.handlers.orders import (
    STATUS_NAMES,
    action_line,
    status_line,
    stored_status_line,
)
from bot.i18n import Translator
from bot.panel import PanelError, RefillState
from bot.services.keys import NoKey
from bot.services.tracking import OrderAction, Outcome, ParsedIds, RefillStatusLine, parse_ids
from bot.storage.models import Order, SubmitState

EXPORT_COLUMNS = (
    "id",
    "panel_order_id",
    "created",
    "service_id",
    "service_name",
    "link",
    "quantity",
    "runs",
    "interval",
    "cost",
    "charge",
    "currency",
    "status",
    "remains",
    "start_count",
    "submit_state",
    "error",
)

# Pending /cancelorder confirmations in user_data: token -> panel order ids.
CANCEL_KEY = "cancel_confirm"
# Older confirmations are dropped: a user rarely has more than one open at a time.
MAX_PENDING_CONFIRMATIONS = 5


def _ids(context: BotContext) -> ParsedIds:
    return parse_ids(" ".join(context.args or []))


def _invalid_line(t: Translator, parsed: ParsedIds) -> str | None:
    if not parsed.invalid:
        return None
    shown = ", ".join(parsed.invalid[:20]) + (" …" if len(parsed.invalid) > 20 else "")
    return t._("Not order ids, skipped: {tokens}", tokens=ui.esc(shown))


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
        await ui.send(
            update, ui.esc(t._("Usage: /status <id> [<id> …] (ids separated by spaces or commas)"))
        )
        return
    lines = await tracking.statuses(context.user.id, parsed.ids)
    text = [status_line(t, line.panel_id, line.status) for line in lines]
    invalid = _invalid_line(t, parsed)
    if invalid:
        text.append(invalid)
    links = [(line.panel_id, line.order.id) for line in lines if line.order is not None]
    await _send_long(update, text, keyboards.order_links(t, links))


async def _open_orders(update: Update, context: BotContext) -> None:
    t = context.t
    result = await context.deps.tracking.open_orders(context.user.id)
    if not result.orders:
        await ui.send(update, t._("You have no open orders. /orders shows your history."))
        return
    lines = [t._("<b>Open orders</b> ({n})", n=len(result.orders))]
    if result.stale:
        lines.append(t._("The panel is not answering: these are the last known statuses."))
    lines += [stored_status_line(t, o) for o in result.orders]
    links = [(o.panel_order_id, o.id) for o in result.orders if o.panel_order_id is not None]
    await _send_long(update, lines, keyboards.order_links(t, links))


@panel_errors
async def refill(update: Update, context: BotContext) -> None:
    t = context.t
    parsed = _ids(context)
    if not parsed.ids:
        await ui.send(update, ui.esc(t._("Usage: /refill <id> [<id> …]")))
        return
    results = await context.deps.tracking.refill(context.user.id, parsed.ids)
    lines = [action_line(t, r, OrderAction.REFILL) for r in results]
    invalid = _invalid_line(t, parsed)
    if invalid:
        lines.append(invalid)
    await _deliver_long(update, context, lines)


def refill_status_line(t: Translator, line: RefillStatusLine) -> str:
    st = line.status
    if st is None:
        if line.error:
            return t._("#{id} — not found ({reason})", id=line.refill_id, reason=ui.esc(line.error))
        return t._("#{id} — not found", id=line.refill_id)
    names = {
        RefillState.COMPLETED: t._("✅ completed"),
        RefillState.PENDING: t._("⏳ pending"),
        RefillState.REJECTED: t._("❌ rejected"),
    }
    shown = names.get(st.state) or ui.esc(st.raw_status or t._("unknown"))
    return t._("Refill #{id} — {status}", id=line.refill_id, status=shown)


@panel_errors
async def refill_status(update: Update, context: BotContext) -> None:
    t = context.t
    parsed = _ids(context)
    if not parsed.ids:
        await ui.send(update, ui.esc(t._("Usage: /refillstatus <refill id> [<refill id> …]")))
        return
    lines = await context.deps.tracking.refill_statuses(context.user.id, parsed.ids)
    text = [refill_status_line(t, line) for line in lines]
    invalid = _invalid_line(t, parsed)
    if invalid:
        text.append(invalid)
    await _send_long(update, text)


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
    parsed = _ids(context)
    if not parsed.ids:
        await ui.send(update, ui.esc(t._("Usage: /cancelorder <id> [<id> …]")))
        return
    checked = await context.deps.tracking.check_cancel(context.user.id, parsed.ids)
    eligible = [r.panel_id for r in checked if r.outcome is Outcome.REQUESTED]
    lines = [
        action_line(t, r, OrderAction.CANCEL) for r in checked if r.outcome is not Outcome.REQUESTED
    ]
    invalid = _invalid_line(t, parsed)
    if invalid:
        lines.append(invalid)
    if not eligible:
        await _send_long(update, lines)
        return
    pending = _pending(context)
    while len(pending) >= MAX_PENDING_CONFIRMATIONS:
        pending.pop(next(iter(pending)))
    token = secrets.token_urlsafe(6)
    pending[token] = eligible
    shown = ", ".join(f"#{pid}" for pid in eligible)
    question = t.ngettext(
        "Cancel order {ids}?", "Cancel these {n} orders: {ids}?", len(eligible), ids=shown
    )
    body = [*lines, "", question] if lines else [question]
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
        await ui.answer(update, t._("This button has expired."))
        return
    await ui.answer(update)
    try:
        results = await context.deps.tracking.cancel(context.user.id, [int(i) for i in ids])
    except (NoKey, PanelError) as exc:
        # Not left to @panel_errors: the query is answered already, and answering it twice is
        # a Telegram error.
        await reply_panel_error(update, context, exc, edit=True)
        return
    await deliver(
        update,
        context,
        "\n".join(action_line(t, r, OrderAction.CANCEL) for r in results),
        edit=True,
    )


async def cancel_many_no(update: Update, context: BotContext) -> None:
    _pending(context).pop(_token(update), None)
    await ui.answer(update)
    await ui.show(update, context.t._("Nothing was cancelled."))


def _blank(value: object) -> object:
    return "" if value is None else value


def _export_status(t: Translator, order: Order) -> str:
    if order.status in STATUS_NAMES:
        return t._(STATUS_NAMES[order.status])
    return order.raw_status or order.status or t._("unknown")


def _export_state(t: Translator, order: Order) -> str:
    if order.submit_state is SubmitState.PLACED:
        return t._("placed")
    if order.submit_state is SubmitState.UNKNOWN:
        return t._("not confirmed by the panel: check it there")
    return order.submit_state.value


def export_csv(t: Translator, orders: Sequence[Order]) -> bytes:
    """/export: one row per order /orders shows, statuses in the user's words (pure)."""
    return write_csv(
        EXPORT_COLUMNS,
        (
            [
                o.id,
                _blank(o.panel_order_id),
                datetime.fromtimestamp(o.created_at, UTC).isoformat(timespec="seconds"),
                o.service_id,
                o.service_name,
                _blank(o.link),
                _blank(o.quantity),
                _blank(o.runs),
                _blank(o.interval),
                o.cost,
                _blank(o.charge),
                _blank(o.currency),
                _export_status(t, o),
                _blank(o.remains),
                _blank(o.start_count),
                _export_state(t, o),
                _blank(o.error),
            ]
            for o in orders
        ),
    )


async def export(update: Update, context: BotContext) -> None:
    t = context.t
    chat = update.effective_chat
    if chat is None:
        return
    orders = await context.deps.tracking.export_orders(context.user.id)
    if not orders:
        await ui.send(update, t._("You have no orders to export yet."))
        return
    today = datetime.now(UTC).strftime("%Y%m%d")
    document = InputFile(export_csv(t, orders), filename=f"orders-{today}.csv")
    await chat.send_document(
        document,
        caption=t.ngettext(
            "Your order history: {n} order.", "Your order history: {n} orders.", len(orders)
        ),
    )


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
