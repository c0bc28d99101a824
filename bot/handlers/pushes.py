"""Buttons under pushes: 📄 Open order (a new message: the push stays), 🔕 Mute on a push or a
card, and 📋 List them under a digest."""

from __future__ import annotations

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from bot.callbacks.base import callback_of
from bot.callbacks.pushes import DigestOrders, MuteOrder, OpenCard
from bot.deps import BotContext
from bot.handlers import ui
from bot.handlers.dialog import AnyHandler
from bot.handlers.order_history import show_card
from bot.keyboards import pushes as pushes_keyboards
from bot.views.errors import button_expired
from bot.views.order_history import panel_names
from bot.views.zones import digest_gone, digest_list, mute_note, ref


async def open_card(update: Update, context: BotContext) -> None:
    pressed = callback_of(update, OpenCard)
    order = (
        await context.deps.tracking.order(context.user.id, pressed.order_id)
        if pressed is not None
        else None
    )
    if order is None:
        await ui.answer(update, button_expired(context.t))
        return
    await ui.answer(update)
    # A new message: the push (or the digest's list) is a record the user may come back to.
    await show_card(update, context, order, new=True)


async def mute_order(update: Update, context: BotContext) -> None:
    pressed = callback_of(update, MuteOrder)
    order = (
        await context.deps.pushes.set_muted(context.user.id, pressed.order_id, pressed.mute)
        if pressed is not None
        else None
    )
    if pressed is None or order is None:
        await ui.answer(update, button_expired(context.t))
        return
    t = context.t
    await ui.answer(update, mute_note(t, ref(order), muted=order.muted))
    if pressed.card:
        await show_card(update, context, order)
        return
    # On a push only the button flips: the push's text stays as it was.
    query = update.callback_query
    if query is None:
        return
    try:
        await query.edit_message_reply_markup(
            pushes_keyboards.notification(t, order_id=order.id, muted=order.muted)
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def digest_orders(update: Update, context: BotContext) -> None:
    pressed = callback_of(update, DigestOrders)
    orders = (
        await context.deps.pushes.digest_orders(context.user.id, pressed.item)
        if pressed is not None
        else None
    )
    if orders is None:
        await ui.answer(update, button_expired(context.t))
        return
    await ui.answer(update)
    t = context.t
    if not orders:
        await ui.send(update, digest_gone(t))
        return
    names = panel_names(await context.deps.accounts.names(context.user.id))
    entries = [
        (f"#{ref(o)}" + (f" · {names[o.panel_slot]}" if o.panel_slot in names else ""), o.id)
        for o in orders
    ]
    # A new message as well: the digest stays.
    await ui.send(update, digest_list(t, orders, names), pushes_keyboards.digest_orders(t, entries))


def handlers() -> list[AnyHandler]:
    return [
        CallbackQueryHandler(open_card, pattern=OpenCard.pattern()),
        CallbackQueryHandler(mute_order, pattern=MuteOrder.pattern()),
        CallbackQueryHandler(digest_orders, pattern=DigestOrders.pattern()),
    ]
