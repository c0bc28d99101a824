"""Settings' 🕒 Time zone and 🌙 Quiet hours: buttons, and typed answers (a dialog each)."""

from __future__ import annotations

import time

from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.callbacks.base import callback_of
from bot.callbacks.zones import QuietMenu, SetQuiet, SetZone, TypeQuiet, TypeZone, ZoneMenu
from bot.deps import BotContext
from bot.handlers import ui
from bot.handlers.dialog import (
    AnyHandler,
    DialogPart,
    DialogState,
    QuietDialog,
    ZoneDialog,
    begin,
    end,
    instance_id,
)
from bot.handlers.routing import on_press
from bot.handlers.start import render_settings
from bot.keyboards import dialog as dialog_keyboards
from bot.keyboards import zones as zones_keyboards
from bot.views.errors import button_expired
from bot.views.zones import (
    quiet_bad,
    quiet_label,
    quiet_menu_text,
    quiet_presets,
    quiet_question,
    quiet_set,
    zone_menu_text,
    zone_question,
    zone_set,
    zone_unknown,
)
from bot.zones import parse_hours, zone_choices

WAIT_ZONE = "zone.name"
WAIT_QUIET = "quiet.hours"


async def _reload_user(context: BotContext) -> None:
    user = await context.deps.users.get(context.user.id)
    if user is not None:
        context.user = user


# --- time zone --------------------------------------------------------------------------------


async def zone_menu(update: Update, context: BotContext) -> None:
    await ui.answer(update)
    t = context.t
    tg_user = update.effective_user
    zones = zone_choices(tg_user.language_code if tg_user else None)
    await ui.show(
        update, zone_menu_text(t, time.time()), zones_keyboards.zone_menu(t, zones, t.zone)
    )


async def set_zone(update: Update, context: BotContext) -> None:
    pressed = callback_of(update, SetZone)
    zone = None
    if pressed is not None:
        zone = await context.deps.notifications.set_time_zone(context.user.id, pressed.zone)
    if zone is None:
        await ui.answer(update, button_expired(context.t))
        return
    context.t = context.t.with_zone(zone)
    await _reload_user(context)
    await ui.answer(update)
    await render_settings(update, context, zone_set(context.t, time.time()))


async def _ask(update: Update, context: BotContext, flow: type[DialogState], question: str) -> None:
    """A typed setting's question, with its ✖️ Cancel, as a new `flow` dialog."""
    await ui.answer(update)
    state = begin(context, flow)
    await ui.show(update, question, dialog_keyboards.cancel_dialog(context.t, state.id))


async def ask_zone(update: Update, context: BotContext) -> str:
    await _ask(update, context, ZoneDialog, zone_question(context.t))
    return WAIT_ZONE


async def receive_zone(update: Update, context: BotContext) -> str | int:
    message = update.effective_message
    text = message.text if message is not None else None
    zone = await context.deps.notifications.set_time_zone(context.user.id, text) if text else None
    if zone is None:
        cancel = dialog_keyboards.cancel_dialog(context.t, instance_id(context, ZoneDialog))
        await ui.send(update, zone_unknown(context.t, text or ""), cancel)
        return WAIT_ZONE
    context.t = context.t.with_zone(zone)
    await _reload_user(context)
    await render_settings(update, context, zone_set(context.t, time.time()), new=True)
    return end(context)


# --- quiet hours ------------------------------------------------------------------------------


def _current(context: BotContext) -> tuple[int, int] | None:
    user = context.user
    if user.quiet_from is None or user.quiet_to is None:
        return None
    return user.quiet_from, user.quiet_to


async def quiet_menu(update: Update, context: BotContext) -> None:
    await ui.answer(update)
    t = context.t
    current = _current(context)
    label = quiet_label(*current) if current else None
    markup = zones_keyboards.quiet_menu(t, quiet_presets(), current)
    await ui.show(update, quiet_menu_text(t, label), markup)


async def set_quiet(update: Update, context: BotContext) -> None:
    pressed = callback_of(update, SetQuiet)
    valid = range(24 * 60)
    if pressed is None or pressed.start not in valid or pressed.end not in valid:
        await ui.answer(update, button_expired(context.t))
        return
    hours = None if pressed.start == pressed.end else (pressed.start, pressed.end)
    await context.deps.notifications.set_quiet_hours(context.user.id, hours)
    await _reload_user(context)
    await ui.answer(update)
    note = quiet_set(context.t, quiet_label(*hours) if hours else None)
    await render_settings(update, context, note)


async def ask_quiet(update: Update, context: BotContext) -> str:
    await _ask(update, context, QuietDialog, quiet_question(context.t))
    return WAIT_QUIET


async def receive_quiet(update: Update, context: BotContext) -> str | int:
    message = update.effective_message
    hours = parse_hours(message.text or "") if message is not None else None
    if hours is None:
        cancel = dialog_keyboards.cancel_dialog(context.t, instance_id(context, QuietDialog))
        await ui.send(update, quiet_bad(context.t), cancel)
        return WAIT_QUIET
    await context.deps.notifications.set_quiet_hours(context.user.id, hours)
    await _reload_user(context)
    await render_settings(update, context, quiet_set(context.t, quiet_label(*hours)), new=True)
    return end(context)


def dialog_part() -> DialogPart:
    return DialogPart(
        entry_points=[
            on_press(ask_zone, TypeZone),
            on_press(ask_quiet, TypeQuiet),
        ],
        states={
            WAIT_ZONE: [MessageHandler(~filters.COMMAND, receive_zone)],
            WAIT_QUIET: [MessageHandler(~filters.COMMAND, receive_quiet)],
        },
    )


def handlers() -> list[AnyHandler]:
    return [
        on_press(zone_menu, ZoneMenu),
        on_press(set_zone, SetZone),
        on_press(quiet_menu, QuietMenu),
        on_press(set_quiet, SetQuiet),
    ]
