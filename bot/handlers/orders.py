"""/orders: the history list, order cards and their buttons; shared order wording."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import TypeVar

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import keyboards
from bot.callbacks import (
    CallbackData,
    CancelOrder,
    CancelOrderYes,
    OrderCard,
    OrdersPage,
    RefillOrder,
    RefreshOrder,
    StatusOf,
    callback_of,
)
from bot.deps import BotContext
from bot.handlers import ui
from bot.handlers.delivery import deliver
from bot.handlers.dialog import AnyHandler
from bot.handlers.errors import panel_errors
from bot.handlers.menu import menu_pattern
from bot.i18n import N_, Translator
from bot.panel import OrderStatus, Status
from bot.services.tracking import ActionResult, OrderAction, Outcome, Refusal
from bot.storage.models import Order, OrderFilter, SubmitState

STATUS_NAMES: dict[str, str] = {
    Status.PENDING.value: N_("Pending"),
    Status.IN_PROGRESS.value: N_("In progress"),
    Status.PROCESSING.value: N_("Processing"),
    Status.COMPLETED.value: N_("Completed"),
    Status.PARTIAL.value: N_("Partial"),
    Status.CANCELED.value: N_("Canceled"),
    Status.REFUNDED.value: N_("Refunded"),
    Status.ERROR.value: N_("Error"),
}
STATUS_ICONS: dict[str, str] = {
    Status.PENDING.value: "⏳",
    Status.IN_PROGRESS.value: "🚀",
    Status.PROCESSING.value: "⚙️",
    Status.COMPLETED.value: "✅",
    Status.PARTIAL.value: "🟡",
    Status.CANCELED.value: "🚫",
    Status.REFUNDED.value: "↩️",
    Status.ERROR.value: "⚠️",
}
# Where « Back on a card returns to: the list the user came from.
VIEW_KEY = "orders_view"


# --- wording shared with /status, /refill, /cancelorder --------------------------------------


def status_label(t: Translator, status: str | None, raw: str | None = None) -> str:
    """Translated status; a panel's own wording for statuses we do not know, escaped."""
    if status in STATUS_NAMES:
        return t._(STATUS_NAMES[status])
    return ui.esc(raw or status or t._("unknown"))


def money(t: Translator, amount: Decimal | None, currency: str | None) -> str:
    return t.money(amount, currency) if amount is not None else "—"


def status_details(t: Translator, st: OrderStatus) -> str:
    parts = [
        t._("start count {n}", n=t.number(st.start_count)) if st.start_count is not None else "",
        t._("remains {n}", n=t.number(st.remains)) if st.remains is not None else "",
        t._("charge {amount}", amount=money(t, st.charge, st.currency))
        if st.charge is not None
        else "",
    ]
    return " · ".join(p for p in parts if p)


def status_line(t: Translator, panel_id: int, st: OrderStatus | None) -> str:
    if st is None:
        return t._("#{id} — not found", id=panel_id)
    head = t._(
        "{icon} #{id} — <b>{status}</b>",
        icon=STATUS_ICONS.get(st.status.value, "❔"),
        id=panel_id,
        status=status_label(t, st.status.value, st.raw_status),
    )
    details = status_details(t, st)
    return f"{head}\n    {details}" if details else head


def stored_status_line(t: Translator, order: Order) -> str:
    st = OrderStatus(
        status=Status(order.status) if order.status in STATUS_NAMES else Status.UNKNOWN,
        raw_status=order.raw_status or order.status or "",
        charge=order.charge,
        start_count=order.start_count,
        remains=order.remains,
        currency=order.currency,
    )
    return status_line(t, order.panel_order_id or 0, st)


def action_line(t: Translator, result: ActionResult, action: OrderAction) -> str:
    """One order's outcome of /refill or /cancelorder (or the card's buttons)."""
    pid = result.panel_id
    reason = ui.esc(result.error or "")
    if result.outcome is Outcome.REQUESTED:
        if action is OrderAction.REFILL:
            return t._(
                "♻️ #{id} — refill requested (refill #{refill})", id=pid, refill=result.refill_id
            )
        return t._("🛑 #{id} — cancel requested", id=pid)
    if result.outcome is Outcome.REJECTED:
        if reason:
            return t._("❌ #{id} — rejected by the panel: {reason}", id=pid, reason=reason)
        return t._("❌ #{id} — rejected by the panel", id=pid)
    if result.outcome is Outcome.UNKNOWN:
        return t._(
            "❔ #{id} — the panel did not confirm; check on the panel before trying again", id=pid
        )
    if result.outcome is Outcome.NOT_SENT:
        return t._("⏸ #{id} — not sent: an earlier request failed; try again", id=pid)
    if result.refusal is Refusal.NOT_FOUND:
        return t._("#{id} — not found", id=pid)
    if result.refusal is Refusal.NOT_SUPPORTED:
        if action is OrderAction.REFILL:
            return t._("🚫 #{id} — this service does not offer refills", id=pid)
        return t._("🚫 #{id} — this service cannot be cancelled", id=pid)
    status = status_label(t, result.status)
    if action is OrderAction.REFILL:
        return t._(
            "🚫 #{id} — it is {status}; refills are possible once an order is Completed or Partial",
            id=pid,
            status=status,
        )
    return t._("🚫 #{id} — it is {status} and can no longer be cancelled", id=pid, status=status)


def _when(t: Translator, ts: float | None) -> str:
    return t.datetime(datetime.fromtimestamp(ts, UTC)) if ts is not None else "—"


def card_text(t: Translator, order: Order, note: str | None = None) -> str:
    if order.panel_order_id is not None:
        title = t._("<b>Order #{id}</b>", id=order.panel_order_id)
    else:
        title = t._("<b>Order (not confirmed by the panel)</b>")
    lines = [title]
    if note:
        lines = [note, "", title]
    lines.append(
        t._("Service: {name} (#{id})", name=ui.esc(order.service_name), id=order.service_id)
    )
    if order.link:
        lines.append(t._("Link: {link}", link=ui.esc(order.link)))
    if order.quantity is not None:
        lines.append(t._("Quantity: {n}", n=t.number(order.quantity)))
    if order.runs:
        lines.append(
            t._(
                "Drip-feed: {runs} runs every {interval} min",
                runs=order.runs,
                interval=order.interval,
            )
        )
    lines.append(
        t._(
            "Status: {icon} <b>{status}</b>",
            icon=STATUS_ICONS.get(order.status or "", "❔"),
            status=status_label(t, order.status, order.raw_status),
        )
    )
    if order.start_count is not None:
        lines.append(t._("Start count: {n}", n=t.number(order.start_count)))
    if order.remains is not None:
        lines.append(t._("Remains: {n}", n=t.number(order.remains)))
    if order.charge is not None:
        lines.append(t._("Charge: {amount}", amount=money(t, order.charge, order.currency)))
    else:
        lines.append(t._("Cost: {amount}", amount=money(t, order.cost, order.currency)))
    if order.submit_state is SubmitState.UNKNOWN:
        lines.append(
            t._("⚠️ The panel did not confirm this order. Check on the panel before ordering again.")
        )
    lines.append(t._("Created: {when}", when=_when(t, order.created_at)))
    lines.append(t._("Updated: {when}", when=_when(t, order.updated_at)))
    return "\n".join(lines)


def entry_label(t: Translator, order: Order) -> str:
    ref = f"#{order.panel_order_id}" if order.panel_order_id is not None else "#—"
    name = order.service_name if len(order.service_name) <= 28 else order.service_name[:27] + "…"
    icon = STATUS_ICONS.get(order.status or "", "❔")
    return f"{icon} {ref} · {name} · {status_label(t, order.status, order.raw_status)}"


# --- plumbing ---------------------------------------------------------------------------------


_Data = TypeVar("_Data", bound=CallbackData)


def _pressed(update: Update, kind: type[_Data]) -> _Data:
    pressed = callback_of(update, kind)
    if pressed is None:  # the handler patterns only let well-formed data through
        raise ValueError("malformed callback data")
    return pressed


async def _expired(update: Update, context: BotContext) -> None:
    # Someone else's (or a deleted) order: say no more than an old button would.
    await ui.answer(update, context.t._("This button has expired."))


def _back(context: BotContext) -> tuple[str, int]:
    view = context.user_data.get(VIEW_KEY) if context.user_data is not None else None
    if isinstance(view, list | tuple) and len(view) == 2:
        return str(view[0]), int(view[1])
    return OrderFilter.ALL.value, 0


async def show_card(
    update: Update,
    context: BotContext,
    order: Order,
    note: str | None = None,
    *,
    new: bool = False,
    result: bool = False,
) -> None:
    """The order card; `new` sends it as a new message instead of replacing the pressed one.

    `result`: the card reports what a refill or cancel did; it reaches the user through the
    outbox when Telegram does not take it now."""
    t = context.t
    offers = await context.deps.tracking.card_actions(context.user.id, order)
    markup = keyboards.order_card(
        t, order.id, refill=offers.refill, cancel=offers.cancel, back=_back(context)
    )
    if result:
        await deliver(
            update, context, card_text(t, order, note), markup, edit=not new, order_id=order.id
        )
        return
    render = ui.send if new else ui.show
    await render(update, card_text(t, order, note), markup)


# --- handlers ---------------------------------------------------------------------------------


async def orders_command(update: Update, context: BotContext) -> None:
    await ui.answer(update)
    await _render_page(update, context, OrderFilter.ALL, 0)


async def orders_page(update: Update, context: BotContext) -> None:
    await ui.answer(update)
    pressed = _pressed(update, OrdersPage)
    try:
        order_filter = OrderFilter(pressed.filter)
    except ValueError:
        await _expired(update, context)
        return
    await _render_page(update, context, order_filter, pressed.page)


async def _render_page(
    update: Update, context: BotContext, order_filter: OrderFilter, page: int
) -> None:
    t = context.t
    history = await context.deps.tracking.history(context.user.id, order_filter, page)
    if context.user_data is not None:
        context.user_data[VIEW_KEY] = [history.filter.value, history.page]
    names = {
        OrderFilter.OPEN: t._("open"),
        OrderFilter.COMPLETED: t._("completed"),
        OrderFilter.ALL: t._("all"),
    }
    if history.total == 0:
        text = t._(
            "📋 <b>Your orders</b> ({filter})\n\nNo orders here yet.", filter=names[history.filter]
        )
    else:
        text = t._(
            "📋 <b>Your orders</b> ({filter}): {n} in total, newest first.\nTap one for details.",
            filter=names[history.filter],
            n=history.total,
        )
    entries = [(entry_label(t, o), o.id) for o in history.orders]
    await ui.show(
        update,
        text,
        keyboards.orders_list(t, entries, history.filter.value, history.page, history.pages),
    )


async def order_card(update: Update, context: BotContext) -> None:
    order_id = _pressed(update, OrderCard).order_id
    order = await context.deps.tracking.order(context.user.id, order_id)
    if order is None:
        await _expired(update, context)
        return
    await ui.answer(update)
    await show_card(update, context, order)


@panel_errors
async def status_of(update: Update, context: BotContext) -> None:
    """A panel order id (the order dialog's result carries it): its card, or a plain lookup."""
    panel_id = _pressed(update, StatusOf).panel_order_id
    tracking = context.deps.tracking
    order = await tracking.order_by_panel_id(context.user.id, panel_id)
    if order is not None:
        await ui.answer(update)
        # A new message: the button sits on the order dialog's result, which should stay.
        await show_card(update, context, order, new=True)
        return
    lines = await tracking.statuses(context.user.id, [panel_id])
    await ui.answer(update)
    await ui.send(update, status_line(context.t, panel_id, lines[0].status))


@panel_errors
async def order_refresh(update: Update, context: BotContext) -> None:
    t = context.t
    tracking = context.deps.tracking
    order = await tracking.order(context.user.id, _pressed(update, RefreshOrder).order_id)
    if order is None:
        await _expired(update, context)
        return
    line = await tracking.refresh(context.user.id, order)
    if line is None:
        await ui.answer(
            update, t._("The panel has no id for this order, so there is nothing to ask.")
        )
        return
    if line.not_found:
        await ui.answer(update, t._("The panel does not know this order (for your current key)."))
        return
    await ui.answer(update, t._("Updated."))
    await show_card(update, context, line.order or order)


@panel_errors
async def order_refill(update: Update, context: BotContext) -> None:
    tracking = context.deps.tracking
    order = await tracking.order(context.user.id, _pressed(update, RefillOrder).order_id)
    if order is None or order.panel_order_id is None:
        await _expired(update, context)
        return
    await ui.answer(update)
    results = await tracking.refill(context.user.id, [order.panel_order_id])
    note = action_line(context.t, results[0], OrderAction.REFILL)
    await show_card(update, context, order, note, result=True)


async def order_cancel_ask(update: Update, context: BotContext) -> None:
    t = context.t
    order_id = _pressed(update, CancelOrder).order_id
    order = await context.deps.tracking.order(context.user.id, order_id)
    if order is None or order.panel_order_id is None:
        await _expired(update, context)
        return
    await ui.answer(update)
    await ui.show(
        update,
        t._("Cancel order #{id}?", id=order.panel_order_id)
        + "\n"
        + t._("{name} · {link}", name=ui.esc(order.service_name), link=ui.esc(order.link or "—")),
        keyboards.confirm_cancel_order(t, order.id),
    )


@panel_errors
async def order_cancel_yes(update: Update, context: BotContext) -> None:
    tracking = context.deps.tracking
    order = await tracking.order(context.user.id, _pressed(update, CancelOrderYes).order_id)
    if order is None or order.panel_order_id is None:
        await _expired(update, context)
        return
    await ui.answer(update)
    results = await tracking.cancel(context.user.id, [order.panel_order_id])
    note = action_line(context.t, results[0], OrderAction.CANCEL)
    fresh = await tracking.order(context.user.id, order.id)
    await show_card(update, context, fresh or order, note, result=True)


def handlers() -> list[AnyHandler]:
    return [
        CommandHandler("orders", orders_command),
        CallbackQueryHandler(orders_command, pattern=menu_pattern("orders")),
        CallbackQueryHandler(orders_page, pattern=OrdersPage.pattern()),
        CallbackQueryHandler(order_card, pattern=OrderCard.pattern()),
        CallbackQueryHandler(status_of, pattern=StatusOf.pattern()),
        CallbackQueryHandler(order_refresh, pattern=RefreshOrder.pattern()),
        CallbackQueryHandler(order_refill, pattern=RefillOrder.pattern()),
        CallbackQueryHandler(order_cancel_ask, pattern=CancelOrder.pattern()),
        CallbackQueryHandler(order_cancel_yes, pattern=CancelOrderYes.pattern()),
    ]
