"""/orders: the history list, order cards and their buttons (wording: views/order_history.py)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TypeVar

from telegram import InlineKeyboardMarkup, Update

from bot.callbacks.base import CallbackData, callback_of
from bot.callbacks.order_history import (
    CancelOrder,
    CancelOrderYes,
    OrderButton,
    OrderCard,
    OrdersPage,
    PanelOrdersFilter,
    RefillOrder,
    RefreshOrder,
    StatusOf,
)
from bot.deps import BotContext
from bot.handlers import ui, which_panel
from bot.handlers.dialog import AnyHandler
from bot.handlers.errors import panel_errors
from bot.handlers.menu import command_and_button
from bot.handlers.replies import deliver
from bot.handlers.routing import on_press
from bot.keyboards import layout
from bot.keyboards import order_history as order_history_keyboards
from bot.services.tracking import OrderAction, ParsedIds, Pinned, SeveralPanels
from bot.storage.models import Order, OrderFilter, SubmitState
from bot.views.errors import button_expired
from bot.views.order_history import (
    action_line,
    cancel_question,
    card_text,
    panel_names,
    refresh_note,
    render_found,
    render_history,
    status_line,
)

# --- plumbing ---------------------------------------------------------------------------------


_Data = TypeVar("_Data", bound=CallbackData)


def _pressed(update: Update, kind: type[_Data]) -> _Data:
    pressed = callback_of(update, kind)
    if pressed is None:  # the handler patterns only let well-formed data through
        raise ValueError("malformed callback data")
    return pressed


async def _expired(update: Update, context: BotContext) -> None:
    # Someone else's (or a deleted) order: say no more than an old button would.
    await ui.answer(update, button_expired(context.t))


def _back(context: BotContext) -> tuple[str, int]:
    """Where « Back on a card returns to: the list the user came from."""
    return context.state.orders_view or (OrderFilter.ALL.value, 0)


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
    markup = order_history_keyboards.order_card(
        t,
        order.id,
        refill=offers.refill,
        cancel=offers.cancel,
        back=_back(context),
        muted=order.muted,
        unknown=order.submit_state is SubmitState.UNKNOWN,
        link=order.link,
        # Only when BotFather's inline mode is on: otherwise the chat picker would lead nowhere.
        share=order.panel_order_id if context.bot.supports_inline_queries else None,
    )
    names = panel_names(await context.deps.accounts.names(context.user.id))
    eta = await context.deps.progress.eta(context.user.id, order)
    text = card_text(t, order, note, offers.refills, names.get(order.panel_slot, ""), eta)
    if result:
        await deliver(update, context, text, markup, edit=not new, order_id=order.id)
        return
    render = ui.send if new else ui.show
    await render(update, text, markup)


# --- handlers ---------------------------------------------------------------------------------


async def orders_command(update: Update, context: BotContext) -> None:
    """/orders lists the history; /orders <id or piece of a link> searches it."""
    await ui.answer(update)
    query = " ".join(context.args or []).strip()
    if not query:
        await _render_page(update, context, OrderFilter.ALL, 0)
        return
    found = await context.deps.tracking.search(context.user.id, query)
    names = panel_names(await context.deps.accounts.names(context.user.id))
    screen = render_found(context.t, found, names)
    await ui.show(update, screen.text, screen.markup)


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
    names = await context.deps.accounts.names(context.user.id)
    slot = _panel_filter(context) if len(names) > 1 else None
    if slot not in names:
        slot = None
    history = await context.deps.tracking.history(
        context.user.id, order_filter, page, panel_slot=slot
    )
    context.state.orders_view = (history.filter.value, history.page)
    screen = render_history(context.t, history, panel_names(names))
    if len(names) < 2:
        await ui.show(update, screen.text, screen.markup)
        return
    # Several panels: a row to show one panel's orders (removed panels' too) or every one.
    t = context.t
    choices = [(0, t._("All panels")), *sorted(names.items())]
    row = [
        layout.button(("✅ " if (slot or 0) == value else "") + label, PanelOrdersFilter(value))
        for value, label in choices
    ]
    rows = [list(r) for r in screen.markup.inline_keyboard]
    panel_rows = [row[i : i + 3] for i in range(0, len(row), 3)]
    markup = layout.markup([*rows[:-1], *panel_rows, rows[-1]])
    await ui.show(update, screen.text, markup)


def _panel_filter(context: BotContext) -> int | None:
    value = context.state.orders_panel
    return value if value is not None and value > 0 else None


async def orders_of_panel(update: Update, context: BotContext) -> None:
    """/orders' panel row: keep the choice for the pages that follow, show page 1."""
    await ui.answer(update)
    pressed = callback_of(update, PanelOrdersFilter)
    if pressed is None:
        await _expired(update, context)
        return
    context.state.orders_panel = pressed.slot
    view = context.state.orders_view
    try:
        order_filter = OrderFilter(view[0]) if view is not None else OrderFilter.ALL
    except ValueError:
        order_filter = OrderFilter.ALL
    await _render_page(update, context, order_filter, 0)


async def order_card(update: Update, context: BotContext) -> None:
    order_id = _pressed(update, OrderCard).order_id
    order = await context.deps.tracking.order(context.user.id, order_id)
    if order is None:
        await _expired(update, context)
        return
    await ui.answer(update)
    # A push sent before pushes had their own "open" button carries this one alone: it opens
    # the card as a new message too, so the push stays.
    await show_card(update, context, order, new=_pressed_on_push(update))


def _pressed_on_push(update: Update) -> bool:
    query = update.callback_query
    message = query.message if query is not None else None
    markup = getattr(message, "reply_markup", None)
    if not isinstance(markup, InlineKeyboardMarkup):
        return False
    buttons = [b for row in markup.inline_keyboard for b in row]
    return len(buttons) == 1 and OrderCard.unpack(buttons[0].callback_data) is not None


@panel_errors
async def status_of(update: Update, context: BotContext) -> None:
    """📊 Status under a result sent before it named the local order: the panel's id alone,
    so an id stored on several panels asks which one."""
    parsed = ParsedIds([_pressed(update, StatusOf).panel_order_id], [])
    await ui.answer(update)
    try:
        await card_of_id(update, context, parsed, {})
    except SeveralPanels as several:
        # A new message: the result the button sits under stays.
        await which_panel.ask(
            update, context, which_panel.CARD, parsed, {}, several, in_place=False
        )


async def card_of_id(
    update: Update, context: BotContext, parsed: ParsedIds, pinned: Pinned
) -> None:
    """The card of the user's order with this panel id (on the pinned panel, when several
    panels have it: SeveralPanels until one is), else a plain lookup of the id."""
    panel_id = parsed.ids[0]
    tracking = context.deps.tracking
    held = {o.panel_slot: o for o in await tracking.orders_by_panel_id(context.user.id, panel_id)}
    order = held.get(pinned.get(panel_id, 0))
    if order is None and len(held) > 1:
        raise SeveralPanels({panel_id: sorted(held)})
    order = order or next(iter(held.values()), None)
    if order is not None:
        # Under the result a new message (the result stays); after the question, in its place.
        await show_card(update, context, order, new=callback_of(update, StatusOf) is not None)
        return
    [line] = await tracking.statuses(context.user.id, [panel_id])
    names = panel_names(await context.deps.accounts.names(context.user.id))
    await ui.send(update, status_line(context.t, panel_id, line.status, line.slot, names))


@panel_errors
async def order_refresh(update: Update, context: BotContext) -> None:
    tracking = context.deps.tracking
    order = await tracking.order(context.user.id, _pressed(update, RefreshOrder).order_id)
    if order is None:
        await _expired(update, context)
        return
    line = await tracking.refresh(context.user.id, order)
    await ui.answer(update, refresh_note(context.t, line))
    if line is not None and not line.not_found:
        await show_card(update, context, line.order or order)


async def order_cancel_ask(update: Update, context: BotContext) -> None:
    t = context.t
    order_id = _pressed(update, CancelOrder).order_id
    order = await context.deps.tracking.order(context.user.id, order_id)
    if order is None or order.panel_order_id is None:
        await _expired(update, context)
        return
    await ui.answer(update)
    names = panel_names(await context.deps.accounts.names(context.user.id))
    question = cancel_question(t, order, names)
    await ui.show(update, question, order_history_keyboards.confirm_cancel_order(t, order.id))


# The card's buttons that ask the panel to act on its order, by the action they ask for.
_ACTIONS: Mapping[type[OrderButton], OrderAction] = MappingProxyType(
    {RefillOrder: OrderAction.REFILL, CancelOrderYes: OrderAction.CANCEL}
)


@panel_errors
async def order_act(update: Update, context: BotContext) -> None:
    """♻️ Refill on a card, or Yes under 🛑 Cancel order's question: the panel is asked, then
    the card is shown with the outcome."""
    pressed = _pressed(update, OrderButton)
    action = _ACTIONS[type(pressed)]
    tracking = context.deps.tracking
    order = await tracking.order(context.user.id, pressed.order_id)
    if order is None or order.panel_order_id is None:
        await _expired(update, context)
        return
    await ui.answer(update)
    request = tracking.refill if action is OrderAction.REFILL else tracking.cancel
    # The card's own order: its panel, whatever other panel has the same id.
    pid = order.panel_order_id
    results = await request(context.user.id, [pid], {pid: order.panel_slot})
    note = action_line(context.t, results[0], action)
    if action is OrderAction.CANCEL:
        # A cancel changes the order's state: show it as stored now.
        order = await tracking.order(context.user.id, order.id) or order
    await show_card(update, context, order, note, result=True)


def handlers() -> list[AnyHandler]:
    return [
        *command_and_button("orders", orders_command),
        on_press(orders_page, OrdersPage),
        on_press(orders_of_panel, PanelOrdersFilter),
        on_press(order_card, OrderCard),
        on_press(status_of, StatusOf),
        on_press(order_refresh, RefreshOrder),
        on_press(order_act, RefillOrder, CancelOrderYes),
        on_press(order_cancel_ask, CancelOrder),
    ]
