"""/status, /refill, /refillstatus, /cancelorder (with its confirmation) and /export."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from telegram import InlineKeyboardMarkup, InputFile, Update
from telegram.ext import CommandHandler

from bot.callbacks.base import callback_of
from bot.callbacks.status import CancelManyNo, CancelManyYes, WhichPanel
from bot.deps import BotContext
from bot.handlers import ui, which_panel
from bot.handlers.dialog import AnyHandler
from bot.handlers.errors import Handler, panel_errors, reply_panel_error
from bot.handlers.order_history import card_of_id
from bot.handlers.replies import deliver
from bot.handlers.routing import on_press
from bot.keyboards import status as status_keyboards
from bot.panel.errors import PanelError
from bot.services.accounts import NoKey
from bot.services.tracking import (
    OrderAction,
    ParsedIds,
    Pinned,
    RequestOutcome,
    SeveralPanels,
    parse_ids,
)
from bot.storage.models import Order
from bot.views.errors import button_expired
from bot.views.order_history import PanelNames, panel_names, ref
from bot.views.status import (
    action_lines,
    cancel_check_lines,
    cancel_question_lines,
    cancel_results,
    export_caption,
    export_csv,
    nothing_cancelled,
    nothing_to_export,
    open_orders_lines,
    refill_status_lines,
    status_lines,
    usage,
)

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


async def _names(context: BotContext) -> PanelNames:
    return panel_names(await context.deps.accounts.names(context.user.id))


def _in_place(update: Update, index: int) -> bool:
    # After the which-panel question, the answer's first part takes the question's place.
    return index == 0 and update.callback_query is not None


async def _send_long(
    update: Update, lines: Sequence[str], markup: InlineKeyboardMarkup | None = None
) -> None:
    chunks = ui.split("\n".join(lines))
    for i, chunk in enumerate(chunks):
        say = ui.show if _in_place(update, i) else ui.send
        await say(update, chunk, markup if i == len(chunks) - 1 else None)


async def _deliver_long(update: Update, context: BotContext, lines: Sequence[str]) -> None:
    """Like `_send_long` for the outcome of a refill or cancel: queued when Telegram is down."""
    for i, chunk in enumerate(ui.split("\n".join(lines))):
        await deliver(update, context, chunk, edit=_in_place(update, i))


def _links(orders: Sequence[Order], names: PanelNames) -> list[tuple[str, int]]:
    """(button reference, local id) of the orders a reply lists."""
    return [
        (ref(o.panel_order_id, o.panel_slot, names, html=False), o.id)
        for o in orders
        if o.panel_order_id is not None
    ]


Runner = Callable[[Update, BotContext, ParsedIds, Pinned], Awaitable[None]]


async def run(
    update: Update, context: BotContext, command: str, parsed: ParsedIds, pinned: Pinned
) -> None:
    """Run a command on typed ids; an id stored on several panels asks which one first."""
    try:
        await RUNNERS[command](update, context, parsed, pinned)
    except SeveralPanels as several:
        await which_panel.ask(update, context, command, parsed, pinned, several)


def typed_ids(command: str) -> Handler:
    """/refill, /refillstatus or /cancelorder: the ids (or the usage), then `run`."""

    @panel_errors
    async def handler(update: Update, context: BotContext) -> None:
        parsed = await _ids_or_usage(update, context, command)
        if parsed is not None:
            await run(update, context, command, parsed, {})

    return handler


@panel_errors
async def status(update: Update, context: BotContext) -> None:
    parsed = _ids(context)
    if not parsed.ids and not parsed.invalid:
        await _open_orders(update, context)
        return
    if not parsed.ids:
        await ui.send(update, usage(context.t, "status"))
        return
    await run(update, context, "status", parsed, {})


async def _status_ids(
    update: Update, context: BotContext, parsed: ParsedIds, pinned: Pinned
) -> None:
    t = context.t
    lines = await context.deps.tracking.statuses(context.user.id, parsed.ids, pinned=pinned)
    names = await _names(context)
    orders = [x.order for x in lines if x.order]
    links = status_keyboards.order_links(t, _links(orders, names))
    etas = await context.deps.progress.etas(context.user.id, orders)
    await _send_long(update, status_lines(t, lines, parsed, names, etas), links)


async def _open_orders(update: Update, context: BotContext) -> None:
    t = context.t
    result = await context.deps.tracking.open_orders(context.user.id)
    names = await _names(context)
    shown = [*result.orders, *result.finished, *result.not_on_key]
    links = status_keyboards.order_links(t, _links(shown, names))
    etas = await context.deps.progress.etas(context.user.id, result.orders)
    await _send_long(update, open_orders_lines(t, result, names, etas), links)


async def _refill_ids(
    update: Update, context: BotContext, parsed: ParsedIds, pinned: Pinned
) -> None:
    results = await context.deps.tracking.refill(context.user.id, parsed.ids, pinned)
    names = await _names(context)
    lines = action_lines(context.t, OrderAction.REFILL, results, parsed, names)
    await _deliver_long(update, context, lines)


async def _refill_status_ids(
    update: Update, context: BotContext, parsed: ParsedIds, pinned: Pinned
) -> None:
    lines = await context.deps.tracking.refill_statuses(context.user.id, parsed.ids, pinned)
    names = await _names(context)
    await _send_long(update, refill_status_lines(context.t, lines, parsed, names))


def _pending(context: BotContext) -> dict[str, Any]:
    """Pending /cancelorder confirmations: token -> [panel order id, slot] pairs."""
    return context.state.cancel_confirm


async def _cancel_ids(
    update: Update, context: BotContext, parsed: ParsedIds, pinned: Pinned
) -> None:
    t = context.t
    checked = await context.deps.tracking.check_cancel(context.user.id, parsed.ids, pinned)
    eligible = [r for r in checked if r.outcome is RequestOutcome.REQUESTED]
    names = await _names(context)
    lines = cancel_check_lines(t, checked, parsed, names)
    if not eligible:
        await _send_long(update, lines)
        return
    pending = _pending(context)
    while len(pending) >= MAX_PENDING_CONFIRMATIONS:
        pending.pop(next(iter(pending)))
    token = secrets.token_urlsafe(6)
    # Each id with the panel it was checked on: Yes cancels there, and nowhere else.
    pending[token] = [[r.panel_id, r.slot] for r in eligible]
    body = cancel_question_lines(t, lines, eligible, names)
    await _send_long(update, body, status_keyboards.confirm_cancel_many(t, token))


def _token(update: Update) -> str:
    pressed = callback_of(update)
    # The handlers' patterns let only /cancelorder's Yes and No through.
    assert isinstance(pressed, CancelManyYes | CancelManyNo)
    return pressed.token


def _confirmed(entries: object) -> tuple[list[int], dict[int, int]] | None:
    """The ids a /cancelorder Yes confirms, and the panel each was checked on; None for
    anything else (an entry kept before confirmations named their panels: bare ids)."""
    if not isinstance(entries, list) or not entries:
        return None
    try:
        pairs = [(int(pid), int(slot)) for pid, slot in entries]
    except (TypeError, ValueError):
        return None
    return [pid for pid, _ in pairs], dict(pairs)


@panel_errors
async def cancel_many_yes(update: Update, context: BotContext) -> None:
    t = context.t
    # Popped before the call: a double tap must not send the cancel twice.
    confirmed = _confirmed(_pending(context).pop(_token(update), None))
    if confirmed is None:
        await ui.answer(update, button_expired(t))
        return
    await ui.answer(update)
    ids, pinned = confirmed
    try:
        results = await context.deps.tracking.cancel(context.user.id, ids, pinned)
    except (NoKey, PanelError) as exc:
        # Not left to @panel_errors: the query is answered already, and answering it twice is
        # a Telegram error.
        await reply_panel_error(update, context, exc, edit=True)
        return
    names = await _names(context)
    await deliver(update, context, cancel_results(t, results, names), edit=True)


async def cancel_many_no(update: Update, context: BotContext) -> None:
    _pending(context).pop(_token(update), None)
    await ui.answer(update)
    await ui.show(update, nothing_cancelled(context.t))


async def panel_chosen(update: Update, context: BotContext) -> None:
    """A panel picked for a typed id stored on several: the waiting command runs now."""
    pressed = callback_of(update, WhichPanel)
    waiting = which_panel.take(context, pressed.token, pressed.slot) if pressed else None
    if waiting is None or waiting.command not in RUNNERS:
        await ui.answer(update, button_expired(context.t))
        return
    await ui.answer(update)
    try:
        await run(update, context, waiting.command, waiting.parsed, waiting.pinned)
    except (NoKey, PanelError) as exc:
        # Answered already (see cancel_many_yes): the reason takes the question's place.
        await reply_panel_error(update, context, exc, edit=True)


RUNNERS: dict[str, Runner] = {
    "status": _status_ids,
    "refill": _refill_ids,
    "refillstatus": _refill_status_ids,
    "cancelorder": _cancel_ids,
    which_panel.CARD: card_of_id,
}


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
    panels = await context.deps.accounts.names(context.user.id)
    document = InputFile(export_csv(t, orders, panels), filename=f"orders-{today}.csv")
    await chat.send_document(document, caption=export_caption(t, len(orders)))


def handlers() -> list[AnyHandler]:
    return [
        CommandHandler("status", status),
        CommandHandler("refill", typed_ids("refill")),
        CommandHandler("refillstatus", typed_ids("refillstatus")),
        CommandHandler("cancelorder", typed_ids("cancelorder")),
        on_press(cancel_many_yes, CancelManyYes),
        on_press(cancel_many_no, CancelManyNo),
        on_press(panel_chosen, WhichPanel),
        CommandHandler("export", export),
    ]
