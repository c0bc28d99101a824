"""/order: pick a service → its type's questions → preview → Confirm / Cancel; and Reorder.

Dialog answers live in `user_data["dialog"]` (persisted, JSON-only, no secrets). The dialog
ends when the preview is shown: Confirm and Cancel are ordinary handlers keyed by the draft's
token, so they work after a restart, from a second device, or after another dialog started,
and `OrderingService.confirm` makes sure only one tap ever reaches the panel.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as tg_filters

from bot import keyboards
from bot.callbacks import Action, decode, pattern
from bot.deps import BotContext
from bot.handlers import ui
from bot.handlers.catalog import load_index, render_search_page
from bot.handlers.delivery import announce, deliver
from bot.handlers.dialog import AnyHandler, DialogPart
from bot.handlers.errors import no_key_text, panel_error_text
from bot.handlers.menu import menu_pattern
from bot.i18n import N_, Translator
from bot.panel import PanelError, Service
from bot.services.catalog import CatalogIndex
from bot.services.keys import NoKey
from bot.services.order_types import OrderPlan, plan_for, prompt_params
from bot.services.ordering import (
    AnswerRejected,
    Outcome,
    Preview,
    SubmitResult,
    UnknownServiceType,
    unknown_type_error,
)
from bot.services.validation import InputError, ServiceGone
from bot.storage.models import Order, SubmitState

log = logging.getLogger(__name__)

PICK_SERVICE = "order.service"
ANSWER = "order.field"
END = ConversationHandler.END

DIALOG_KEY = "dialog"
FLOW = "order"
# While set, the drip-feed Yes/No question is open instead of the runs question.
DRIPFEED_PENDING = "dripfeed?"
_DEPENDENTS = {"runs": ("interval",), "quantity": ("runs", "interval"), "min": ("max",)}

_LIST_PARAMS = frozenset({"comments", "usernames", "hashtags", "groups"})
# Labels of the type-specific parameters in the preview.
EXTRA_LABELS: dict[str, str] = {
    "comments": N_("Comments"),
    "usernames": N_("Usernames"),
    "hashtags": N_("Hashtags"),
    "hashtag": N_("Hashtag"),
    "username": N_("Username"),
    "media": N_("Media link"),
    "answer_number": N_("Answer number"),
    "groups": N_("Groups"),
    "min": N_("Minimum per post"),
    "max": N_("Maximum per post"),
    "posts": N_("New posts"),
    "old_posts": N_("Existing posts"),
    "delay": N_("Delay (minutes)"),
    "expiry": N_("Expires"),
}


# --- dialog data ---------------------------------------------------------------------------


def _dialog(context: BotContext) -> dict[str, Any]:
    data = context.user_data
    if data is None:
        raise RuntimeError("no user_data for this update")
    dialog = data.get(DIALOG_KEY)
    if not isinstance(dialog, dict) or dialog.get("flow") != FLOW:
        dialog = {"flow": FLOW}
        data[DIALOG_KEY] = dialog
    return dialog


def _start_dialog(
    context: BotContext,
    service_id: int | None,
    values: dict[str, Any] | None = None,
    skipped: list[str] | None = None,
) -> dict[str, Any]:
    dialog: dict[str, Any] = {"flow": FLOW}
    if service_id is not None:
        dialog.update(service=service_id, values=values or {}, skipped=skipped or [], field=None)
    if context.user_data is not None:
        context.user_data[DIALOG_KEY] = dialog
    return dialog


def _end_dialog(context: BotContext) -> int:
    if context.user_data is not None:
        context.user_data.pop(DIALOG_KEY, None)
    return END


# --- texts ---------------------------------------------------------------------------------


def _error_text(t: Translator, err: InputError) -> str:
    params = {k: ui.esc(v) if isinstance(v, str) else v for k, v in err.params.items()}
    return "⚠️ " + t._(err.msgid, **params)


def _header(t: Translator, service: Service) -> str:
    return t._("🛒 Ordering <b>#{id} {name}</b>", id=service.id, name=ui.esc(service.name))


def _question(t: Translator, service: Service, prompt_msgid: str) -> str:
    return _header(t, service) + "\n\n" + t._(prompt_msgid, **prompt_params(service))


def _pick_text(t: Translator) -> str:
    return t._(
        "Which service? Send its ID (e.g. 12), a few words to search, or browse the catalog."
    )


def _lines_of(value: Any) -> int:
    return sum(1 for line in str(value).splitlines() if line.strip())


def render_preview(preview: Preview, t: Translator) -> str:
    """The confirmation text; pure, so it can be timed and tested without Telegram."""
    service, params, currency = preview.service, preview.params, preview.currency
    lines = [
        t._("<b>Please check your order</b>"),
        "",
        t._("Service: #{id} {name}", id=service.id, name=ui.esc(service.name)),
    ]
    if params.get("link"):
        lines.append(t._("Link: {link}", link=ui.esc(params["link"])))
    quantity = params.get("quantity")
    if quantity is not None:
        lines.append(t._("Quantity: {quantity}", quantity=t.number(int(quantity))))
    runs = params.get("runs")
    if runs is not None and quantity is not None:
        lines.append(
            t._(
                "Drip-feed: {runs} runs, every {interval} min — {total} in total",
                runs=t.number(int(runs)),
                interval=t.number(int(params.get("interval") or 0)),
                total=t.number(int(quantity) * int(runs)),
            )
        )
    for name, label in EXTRA_LABELS.items():
        value = params.get(name)
        if value is None:
            continue
        if name in _LIST_PARAMS or (isinstance(value, str) and "\n" in value):
            shown = t.ngettext("{n} line", "{n} lines", _lines_of(value))
        else:
            shown = ui.esc(value)
        lines.append(f"{t._(label)}: {shown}")
    if preview.cost is None:
        lines.append(
            t._(
                "Cost: charged per new post ({rate} per 1000)",
                rate=t.money(service.rate, currency),
            )
        )
    else:
        lines.append(t._("Cost: <b>{cost}</b>", cost=t.money(preview.cost, currency)))
    balance = preview.balance
    after = preview.balance_after
    if balance is not None and after is not None:
        lines.append(
            t._(
                "Balance: {balance} → {after} after this order",
                balance=t.money(balance.amount, currency),
                after=t.money(after, currency),
            )
        )
    elif balance is not None:
        lines.append(t._("Balance: {balance}", balance=t.money(balance.amount, currency)))
    else:
        lines.append(t._("Balance: unknown (the panel did not answer)"))
    if preview.balance_short and after is not None:
        lines.append("")
        lines.append(
            t._(
                "⚠️ Your balance is short by {missing}. You can still confirm, "
                "but the panel will probably refuse the order.",
                missing=t.money(-after, currency),
            )
        )
    if preview.duplicate is not None:
        dup = preview.duplicate
        lines.append("")
        if dup.panel_order_id is not None:
            lines.append(
                t._(
                    "⚠️ You already have an open order for this service and link: #{id}.",
                    id=dup.panel_order_id,
                )
            )
        else:
            lines.append(
                t._("⚠️ An order for this service and link is already on its way or unconfirmed.")
            )
    return "\n".join(lines)


def already_text(t: Translator, order: Order | None) -> str:
    """The answer to a second tap on a preview that was already handled."""
    if order is None:
        return t._("This preview has expired. Please start a new order.")
    if order.submit_state is SubmitState.PLACED:
        return t._("Already submitted (order #{id}).", id=order.panel_order_id)
    if order.submit_state is SubmitState.SUBMITTING:
        return t._("This order is being submitted right now.")
    if order.submit_state is SubmitState.UNKNOWN:
        return t._(
            "Already submitted, but the panel never confirmed it. "
            "Check the panel before ordering again."
        )
    return t._("This order was already tried and not placed. Please start a new order.")


def result_text(t: Translator, result: SubmitResult) -> str:
    if result.outcome is Outcome.PLACED:
        order = result.order
        text = t._("✅ Order placed: #{id}", id=result.panel_order_id)
        if order is not None:
            text += "\n" + t._(
                "Service: #{id} {name}", id=order.service_id, name=ui.esc(order.service_name)
            )
            if order.link:
                text += "\n" + t._("Link: {link}", link=ui.esc(order.link))
        return text
    if result.outcome is Outcome.UNKNOWN:
        return t._(
            "⚠️ The panel did not answer in time, so I cannot tell whether the order was placed. "
            "Please check your orders on the panel before ordering again."
        )
    reason = (
        panel_error_text(t, result.error)
        if result.error is not None
        else t._("Something went wrong. Please try again.")
    )
    return t._("❌ The order was not placed.") + "\n" + reason


# --- steps ---------------------------------------------------------------------------------


async def _index(update: Update, context: BotContext) -> CatalogIndex | None:
    return await load_index(update, context)


async def _ask_service(update: Update, context: BotContext, notice: str | None = None) -> str:
    _start_dialog(context, None)
    t = context.t
    text = _pick_text(t) if notice is None else notice + "\n\n" + _pick_text(t)
    await ui.show(update, text, keyboards.order_pick_service(t))
    return PICK_SERVICE


async def _select(update: Update, context: BotContext, service_id: int) -> str | int:
    index = await _index(update, context)
    if index is None:
        return _end_dialog(context)
    t = context.t
    service = index.get(service_id)
    if service is None:
        return await _ask_service(
            update, context, "⚠️ " + t._("There is no service with ID {id}.", id=service_id)
        )
    if plan_for(service) is None:
        return await _ask_service(update, context, _error_text(t, unknown_type_error(service)))
    _start_dialog(context, service_id)
    return await _advance(update, context)


async def _service_plan(
    update: Update, context: BotContext, dialog: dict[str, Any]
) -> tuple[Service, OrderPlan] | str | int:
    """The dialog's service and plan, or the state to go to when it cannot continue."""
    index = await _index(update, context)
    if index is None:
        return _end_dialog(context)
    service = index.get(int(dialog["service"]))
    if service is None:
        gone = ServiceGone(
            N_("Service {id} is no longer offered by the panel. Please pick another one."),
            id=dialog["service"],
        )
        return await _ask_service(update, context, _error_text(context.t, gone))
    plan = plan_for(service)
    if plan is None:
        return await _ask_service(
            update, context, _error_text(context.t, unknown_type_error(service))
        )
    return service, plan


async def _advance(update: Update, context: BotContext, notice: str | None = None) -> str | int:
    """Ask the next open question, or show the preview when every answer is in."""
    dialog = _dialog(context)
    if "service" not in dialog:
        return await _ask_service(update, context)
    found = await _service_plan(update, context, dialog)
    if not isinstance(found, tuple):
        return found
    service, plan = found
    t = context.t
    values: dict[str, Any] = dialog["values"]
    spec = plan.next_field(values, dialog["skipped"])
    if spec is None:
        return await _preview(update, context, dialog)
    prefix = "" if notice is None else notice + "\n\n"
    if spec.name == "runs" and not dialog.get("dripfeed"):
        dialog["field"] = DRIPFEED_PENDING
        text = (
            _header(t, service)
            + "\n\n"
            + t._("This service can deliver in portions (drip-feed). Use drip-feed?")
        )
        await ui.show(update, prefix + text, keyboards.order_dripfeed(t))
        return ANSWER
    dialog["field"] = spec.name
    await ui.show(
        update,
        prefix + _question(t, service, spec.prompt_msgid),
        keyboards.order_question(t, optional=spec.optional),
    )
    return ANSWER


async def _preview(update: Update, context: BotContext, dialog: dict[str, Any]) -> str | int:
    t = context.t
    values: dict[str, Any] = dialog["values"]
    try:
        preview = await context.deps.ordering.prepare(
            context.user.id, int(dialog["service"]), values
        )
    except AnswerRejected as exc:
        # The answer no longer fits the service as the panel lists it now: ask it again.
        for name in (exc.field, *_DEPENDENTS.get(exc.field, ())):
            values.pop(name, None)
        if exc.field == "runs":
            dialog.pop("dripfeed", None)
        return await _advance(update, context, _error_text(t, exc.error))
    except (ServiceGone, UnknownServiceType) as exc:
        return await _ask_service(update, context, _error_text(t, exc))
    except InputError as exc:
        await ui.show(update, _error_text(t, exc))
        return _end_dialog(context)
    except (NoKey, PanelError) as exc:
        await ui.show(update, panel_error_text(t, exc))
        return _end_dialog(context)
    _end_dialog(context)
    await ui.show(update, render_preview(preview, t), keyboards.order_preview(t, preview.batch))
    return END


# --- dialog handlers -----------------------------------------------------------------------


async def start_order(update: Update, context: BotContext) -> str | int:
    """/order, /order <id>, /order <words>, and the menu button."""
    await ui.answer(update)
    if not await context.deps.keys.has_key(context.user.id):
        await ui.show(update, no_key_text(context.t))
        return _end_dialog(context)
    args = context.args or []
    if update.callback_query is None and args:
        return await _service_text(update, context, " ".join(args))
    return await _ask_service(update, context)


async def order_service(update: Update, context: BotContext) -> str | int:
    """The "Order" button of a service card."""
    await ui.answer(update)
    decoded = decode(update.callback_query.data if update.callback_query else None)
    if decoded is None:
        return END
    return await _select(update, context, decoded.num(0))


async def receive_service(update: Update, context: BotContext) -> str | int:
    message = update.effective_message
    if message is None or not message.text:
        return PICK_SERVICE
    return await _service_text(update, context, message.text)


async def _service_text(update: Update, context: BotContext, text: str) -> str | int:
    raw = text.strip().removeprefix("#").strip()
    if raw.isascii() and raw.isdigit() and len(raw) <= 18:
        return await _select(update, context, int(raw))
    index = await _index(update, context)
    if index is None:
        return _end_dialog(context)
    _start_dialog(context, None)
    if context.user_data is not None:
        context.user_data["catalog_search"] = raw[:200]
    screen = render_search_page(index, context.t, raw)
    await ui.send(update, screen.text, screen.markup)
    return PICK_SERVICE


async def receive_answer(update: Update, context: BotContext) -> str | int:
    message = update.effective_message
    if message is None or message.text is None:
        return ANSWER
    dialog = _dialog(context)
    if "service" not in dialog:
        return await _ask_service(update, context)
    t = context.t
    if dialog.get("field") == DRIPFEED_PENDING:
        return await _advance(update, context, "⚠️ " + t._("Please answer with the buttons."))
    found = await _service_plan(update, context, dialog)
    if not isinstance(found, tuple):
        return found
    service, plan = found
    try:
        spec = plan.field(str(dialog.get("field")))
    except KeyError:
        return await _advance(update, context)
    values: dict[str, Any] = dialog["values"]
    try:
        values[spec.name] = spec.parse(message.text, service, values)
    except InputError as exc:
        await ui.send(
            update,
            _error_text(t, exc) + "\n\n" + _question(t, service, spec.prompt_msgid),
            keyboards.order_question(t, optional=spec.optional),
        )
        return ANSWER
    return await _advance(update, context)


async def dripfeed_choice(update: Update, context: BotContext) -> str | int:
    await ui.answer(update)
    decoded = decode(update.callback_query.data if update.callback_query else None)
    dialog = _dialog(context)
    if decoded is None or dialog.get("field") != DRIPFEED_PENDING:
        return await _advance(update, context)
    if decoded.num(0) == 1:
        dialog["dripfeed"] = True
    else:
        dialog["skipped"] = [*dialog["skipped"], "runs"]
    return await _advance(update, context)


async def skip_question(update: Update, context: BotContext) -> str | int:
    await ui.answer(update)
    dialog = _dialog(context)
    if "service" not in dialog:
        return await _ask_service(update, context)
    found = await _service_plan(update, context, dialog)
    if not isinstance(found, tuple):
        return found
    _service, plan = found
    name = str(dialog.get("field"))
    try:
        optional = plan.field(name).optional
    except KeyError:
        optional = False
    if optional:
        dialog["skipped"] = [*dialog["skipped"], name]
    return await _advance(update, context)


async def reorder(update: Update, context: BotContext) -> str | int:
    """ "Reorder" on an order card: the same service, link and quantity, straight to preview."""
    t = context.t
    decoded = decode(update.callback_query.data if update.callback_query else None)
    found = (
        await context.deps.ordering.reorder_values(context.user.id, decoded.num(0))
        if decoded is not None
        else None
    )
    if found is None:
        await ui.answer(update, t._("This button has expired."))
        return END
    await ui.answer(update)
    if not await context.deps.keys.has_key(context.user.id):
        await ui.show(update, no_key_text(t))
        return _end_dialog(context)
    service_id, values = found
    index = await _index(update, context)
    if index is None:
        return _end_dialog(context)
    service = index.get(service_id)
    plan = plan_for(service) if service is not None else None
    # Optional questions the first order left out stay out (no drip-feed unless it had one).
    skipped = [f.name for f in plan.fields if f.optional and f.name not in values] if plan else []
    dialog = _start_dialog(context, service_id, values, skipped)
    if "runs" in values:
        dialog["dripfeed"] = True
    return await _preview(update, context, dialog)


# --- confirm / discard (not dialog states: they must work from anywhere) -------------------


async def confirm(update: Update, context: BotContext) -> None:
    t = context.t
    decoded = decode(update.callback_query.data if update.callback_query else None)
    if decoded is None:
        return

    async def claimed(order: Order) -> None:
        # The Confirm button goes away before the panel call: no third tap can even try.
        await announce(update, t._("⏳ Sending your order to the panel…"))

    try:
        result = await context.deps.ordering.confirm(context.user.id, decoded.text(0), claimed)
    except NoKey:
        await ui.answer(update, no_key_text(t), alert=True)
        return
    if result.outcome in {Outcome.ALREADY, Outcome.GONE}:
        await ui.answer(update, already_text(t, result.order), alert=True)
        return
    panel_id = result.panel_order_id if result.outcome is Outcome.PLACED else None
    order_id = result.order.id if result.order is not None else None
    await deliver(
        update,
        context,
        result_text(t, result),
        keyboards.order_result(t, panel_id),
        edit=True,
        order_id=order_id,
    )


async def discard(update: Update, context: BotContext) -> None:
    t = context.t
    decoded = decode(update.callback_query.data if update.callback_query else None)
    if decoded is None:
        return
    ordering = context.deps.ordering
    batch = decoded.text(0)
    if await ordering.discard(context.user.id, batch):
        await ui.answer(update)
        await ui.show(update, t._("Order cancelled. Nothing was sent."), keyboards.main_menu(t))
        return
    rows = await ordering.batch_of(context.user.id, batch)
    await ui.answer(update, already_text(t, rows[0] if rows else None), alert=True)


def dialog_part() -> DialogPart:
    text = tg_filters.TEXT & ~tg_filters.COMMAND
    return DialogPart(
        entry_points=[
            CommandHandler("order", start_order),
            CallbackQueryHandler(start_order, pattern=menu_pattern("order")),
            CallbackQueryHandler(order_service, pattern=pattern(Action.ORDER_SERVICE)),
            CallbackQueryHandler(reorder, pattern=pattern(Action.REORDER)),
        ],
        states={
            PICK_SERVICE: [MessageHandler(text, receive_service)],
            ANSWER: [
                MessageHandler(text, receive_answer),
                CallbackQueryHandler(dripfeed_choice, pattern=pattern(Action.DRIPFEED)),
                CallbackQueryHandler(skip_question, pattern=pattern(Action.ORDER_SKIP)),
            ],
        },
    )


def handlers() -> list[AnyHandler]:
    return [
        CallbackQueryHandler(confirm, pattern=pattern(Action.CONFIRM)),
        CallbackQueryHandler(discard, pattern=pattern(Action.DISCARD)),
    ]
