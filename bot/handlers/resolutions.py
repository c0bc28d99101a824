"""Unknown outcomes the user settles (issue 20 item 4; wording: views/resolutions.py).

"🔎 I found it on the panel" asks for the panel's order id in a dialog; "✖️ It was not placed"
asks first. Neither sends anything to the panel but a `status` read of the id given.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.callbacks.base import callback_of
from bot.callbacks.resolutions import FoundOnPanel, NotPlaced, NotPlacedYes
from bot.deps import BotContext
from bot.handlers import ui
from bot.handlers.dialog import AnyHandler, DialogPart, FoundOrderDialog, begin, end, open_run, save
from bot.handlers.errors import reply_panel_error
from bot.handlers.order_history import show_card
from bot.handlers.routing import on_press
from bot.keyboards import dialog as dialog_keyboards
from bot.keyboards import resolutions as resolutions_keyboards
from bot.panel.errors import PanelError
from bot.services.accounts import NoKey
from bot.services.resolutions import FoundOutcome
from bot.services.tracking import parse_ids
from bot.storage.models import Order
from bot.views import resolutions as views

WAIT_PANEL_ID = "found.id"


async def _panel_name(context: BotContext, order: Order) -> str:
    """The order's panel, named when the user has several."""
    names = await context.deps.accounts.names(context.user.id)
    return names.get(order.panel_slot, "") if len(names) > 1 else ""


async def _ask(
    update: Update, context: BotContext, run: FoundOrderDialog, order: Order, notice: str = ""
) -> str:
    text = views.found_question(context.t, order, await _panel_name(context, order), notice)
    await ui.send(update, text, dialog_keyboards.cancel_dialog(context.t, run.id))
    return WAIT_PANEL_ID


async def _pressed_unknown(
    update: Update, context: BotContext, kind: type[FoundOnPanel] | type[NotPlaced]
) -> Order | None:
    """The unknown order a settle button names, its spinner stopped; None (and an alert) for
    an order settled already or not the user's."""
    pressed = callback_of(update, kind)
    unknown = context.deps.unknown_orders
    order = (
        None if pressed is None else await unknown.unknown_order(context.user.id, pressed.order_id)
    )
    if order is None:
        await ui.answer(update, views.not_waiting(context.t), alert=True)
    else:
        await ui.answer(update)
    return order


async def ask_found(update: Update, context: BotContext) -> str | None:
    order = await _pressed_unknown(update, context, FoundOnPanel)
    if order is None:
        return None  # an old button: the open dialog, if any, stays as it was
    run = begin(context, FoundOrderDialog)
    run.order_id = order.id
    save(context, run)
    return await _ask(update, context, run, order)


async def receive_found(update: Update, context: BotContext) -> str | int:
    run = open_run(context, FoundOrderDialog)
    message = update.effective_message
    if run is None or message is None:
        return end(context)
    t, user_id = context.t, context.user.id
    unknown = context.deps.unknown_orders
    order = await unknown.unknown_order(user_id, run.order_id)
    if order is None:
        await ui.send(update, views.not_waiting(t))
        return end(context)
    parsed = parse_ids(message.text or "")
    if len(parsed.ids) != 1 or parsed.invalid:
        return await _ask(update, context, run, order, views.not_an_id(t))
    panel_id = parsed.ids[0]
    try:
        result = await unknown.found(user_id, order.id, panel_id)
    except NoKey as exc:
        await reply_panel_error(update, context, exc)
        return end(context)
    except PanelError as exc:
        # Nothing was stored: the user may send the id again once the panel answers.
        await reply_panel_error(update, context, exc)
        return WAIT_PANEL_ID
    if result.outcome is FoundOutcome.NOT_ON_PANEL:
        return await _ask(update, context, run, order, views.not_on_panel(t, panel_id))
    if result.outcome is FoundOutcome.TAKEN:
        return await _ask(update, context, run, order, views.taken(t, panel_id))
    note = views.tracked(t, panel_id) if result.outcome is FoundOutcome.TRACKED else None
    if result.order is not None:
        await show_card(update, context, result.order, note or views.not_waiting(t), new=True)
    return end(context)


async def ask_not_placed(update: Update, context: BotContext) -> None:
    order = await _pressed_unknown(update, context, NotPlaced)
    if order is None:
        return
    text = views.not_placed_question(context.t, order, await _panel_name(context, order))
    await ui.show(update, text, resolutions_keyboards.confirm_not_placed(context.t, order.id))


async def not_placed_yes(update: Update, context: BotContext) -> None:
    pressed = callback_of(update, NotPlacedYes)
    unknown = context.deps.unknown_orders
    order = None if pressed is None else await unknown.not_placed(context.user.id, pressed.order_id)
    if order is None:
        await ui.answer(update, views.not_waiting(context.t), alert=True)
        return
    await ui.answer(update)
    await show_card(update, context, order, views.not_placed_done(context.t))


def dialog_part() -> DialogPart:
    return DialogPart(
        entry_points=[on_press(ask_found, FoundOnPanel)],
        states={WAIT_PANEL_ID: [MessageHandler(~filters.COMMAND, receive_found)]},
    )


def handlers() -> list[AnyHandler]:
    return [
        on_press(ask_not_placed, NotPlaced),
        on_press(not_placed_yes, NotPlacedYes),
    ]
