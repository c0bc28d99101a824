"""Notifications on Telegram: sending what the drain composed (`telegram_sender`, with the
buttons of `notification_markup`), and the buttons under them: 📄 Open order (a new message: the
push stays), 🔕 Mute on a push or a card, and 📋 List them under a digest."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.callbacks.notifications import DigestOrders, MuteOrder, OpenCard
from bot.deps import BotContext
from bot.handlers import ui
from bot.handlers.dialog import AnyHandler
from bot.handlers.order_history import show_card
from bot.handlers.routing import on_press
from bot.i18n import Translator
from bot.keyboards import notifications as notification_keyboards
from bot.keyboards import schedules as schedule_keyboards
from bot.keyboards.prices import price_cards
from bot.ratelimit import PUSH, retry_seconds
from bot.services.notifications.compose import Notification
from bot.services.notifications.notifier import (
    Blocked,
    RetryLater,
    Send,
    SendFailed,
    Undeliverable,
)
from bot.views.order_history import panel_names
from bot.views.zones import digest_gone, digest_list, mute_note, ref


async def open_card(update: Update, context: BotContext) -> None:
    tracking = context.deps.tracking
    found = await ui.pressed_and_found(
        update, context.t, OpenCard, lambda p: tracking.order(context.user.id, p.order_id)
    )
    if found is None:
        return
    _, order = found
    await ui.answer(update)
    # A new message: the push (or the digest's list) is a record the user may come back to.
    await show_card(update, context, order, new=True)


async def mute_order(update: Update, context: BotContext) -> None:
    notifications = context.deps.notifications
    t = context.t
    found = await ui.pressed_and_found(
        update,
        t,
        MuteOrder,
        lambda p: notifications.set_muted(context.user.id, p.order_id, p.mute),
    )
    if found is None:
        return
    pressed, order = found
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
            notification_keyboards.notification(t, order_id=order.id, muted=order.muted)
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def digest_orders(update: Update, context: BotContext) -> None:
    notifications = context.deps.notifications
    t = context.t
    found = await ui.pressed_and_found(
        update, t, DigestOrders, lambda p: notifications.digest_orders(context.user.id, p.item)
    )
    if found is None:
        return
    _, orders = found
    await ui.answer(update)
    if not orders:
        await ui.send(update, digest_gone(t))
        return
    names = panel_names(await context.deps.accounts.names(context.user.id))
    entries = [
        (f"#{ref(o)}" + (f" · {names[o.panel_slot]}" if o.panel_slot in names else ""), o.id)
        for o in orders
    ]
    # A new message as well: the digest stays.
    await ui.send(
        update, digest_list(t, orders, names), notification_keyboards.digest_orders(t, entries)
    )


def telegram_sender(bot: ExtBot[Any]) -> Send[InlineKeyboardMarkup]:
    """`send` for the notifier: Telegram's errors become the notifier's own."""

    async def send(chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> None:
        try:
            # A push: replies to users' own actions go first in the rate limiter.
            await bot.send_message(
                chat_id, ui.clip(text), reply_markup=markup, rate_limit_args=PUSH
            )
        except Forbidden as exc:
            raise Blocked(exc.message) from None
        except RetryAfter as exc:
            raise RetryLater(retry_seconds(exc)) from None
        except BadRequest as exc:
            raise Undeliverable(exc.message) from None
        except TelegramError as exc:  # network errors, timeouts, 5xx
            raise SendFailed(f"{type(exc).__name__}: {exc.message}") from None

    return send


def notification_markup(t: Translator, notification: Notification) -> InlineKeyboardMarkup | None:
    """The buttons under a push: its order's card and 🔕, or the digest's list; under a
    scheduled run that waits for its user, ✅ Place now / ✖️ Skip; under a price digest, the
    cards of the services it names."""
    if notification.cards:
        return price_cards(notification.cards)
    if notification.ask is not None:
        return schedule_keyboards.run_question(t, *notification.ask)
    return notification_keyboards.notification(
        t,
        order_id=notification.order_id,
        digest_id=notification.digest_id,
        mute=notification.mutable,
        settle=notification.settle,
        reorder=notification.reorder,
        refill=notification.refill,
    )


def handlers() -> list[AnyHandler]:
    return [
        on_press(open_card, OpenCard),
        on_press(mute_order, MuteOrder),
        on_press(digest_orders, DigestOrders),
    ]
