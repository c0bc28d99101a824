"""Scheduled orders: 🕒 Later under a preview → when (a quick time or a typed one) → once or
repeated → the schedule; /scheduled with Cancel; ✅ Place / ✖️ Skip under a held or missed run.

The scheduling itself, the runs and their checks are in bot/services/schedules.py.
"""

from __future__ import annotations

import contextlib

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.callbacks.base import callback_of
from bot.callbacks.schedules import (
    ScheduleAnswer,
    ScheduleCancel,
    ScheduleLater,
    ScheduleQuick,
    ScheduleRepeat,
)
from bot.deps import BotContext
from bot.handlers import new_order, ui
from bot.handlers import previews as preview_ui
from bot.handlers.dialog import (
    AnyHandler,
    DialogPart,
    ScheduleDialog,
    begin,
    end,
    instance_id,
    open_run,
    save,
)
from bot.handlers.routing import on_press
from bot.keyboards import schedules as keyboards
from bot.keyboards.dialog import cancel_dialog
from bot.services.schedule_times import (
    MAX_TIMES,
    Quick,
    TimeProblem,
    parse_time,
    quick_choices,
)
from bot.services.schedule_times import quick_time as quick_at
from bot.services.schedules import Every, When
from bot.views import schedules as views
from bot.views.errors import button_expired

WAIT_TIME = "schedule.time"


def _now(context: BotContext) -> float:
    """The scheduler's own clock: a typed "21:30" means the same moment to both."""
    return context.deps.schedules.clock()


async def later(update: Update, context: BotContext) -> str | int | None:
    """🕒 Later: the preview must still be confirmable; then the time question."""
    pressed = callback_of(update, ScheduleLater)
    if pressed is None:
        return None
    t = context.t
    refusal = await context.deps.schedules.may_schedule(context.user.id, pressed.batch)
    if refusal is not None:
        await ui.answer(update, views.refused_text(t, refusal), alert=True)
        return None
    stopped = await context.deps.ordering.stopped_for_later(context.user.id, pressed.batch)
    if stopped is not None:
        # An order on its link was placed after the preview: it warns now, without Later.
        await new_order.tell_duplicate(update, context, stopped)
        return None
    await ui.answer(update)
    state = begin(context, ScheduleDialog)
    state.batch = pressed.batch
    save(context, state)
    markup = keyboards.pick_time(t, pressed.batch, quick_choices(_now(context), t.zone), state.id)
    await ui.send(update, views.ask_time(t), markup)
    return WAIT_TIME


async def typed_time(update: Update, context: BotContext) -> str | int:
    t = context.t
    state = open_run(context, ScheduleDialog)
    message = update.effective_message
    if state is None or message is None:
        return end(context)
    picked = parse_time(message.text or "", _now(context), t.zone)
    if picked.at is None:
        cancel = cancel_dialog(t, instance_id(context, ScheduleDialog))
        problem = picked.problem or TimeProblem.UNREADABLE
        await ui.send(update, views.time_problem(t, problem), cancel)
        return WAIT_TIME
    await ui.send(update, views.ask_repeat(t, picked.at), _repeat(context, state.batch, picked.at))
    return end(context)


def _repeat(context: BotContext, batch: str, at: float) -> InlineKeyboardMarkup:
    return keyboards.pick_repeat(context.t, batch, int(at))


async def quick(update: Update, context: BotContext) -> str | int | None:
    pressed = callback_of(update, ScheduleQuick)
    t = context.t
    choice = next((q for q in Quick if pressed is not None and q.value == pressed.quick), None)
    if pressed is None or choice is None:
        await ui.answer(update, button_expired(t))
        return None
    picked = quick_at(choice, _now(context), t.zone)
    if picked.at is None:
        problem = picked.problem or TimeProblem.UNREADABLE
        await ui.answer(update, views.time_problem(t, problem), alert=True)
        return None
    await ui.answer(update)
    markup = _repeat(context, pressed.batch, picked.at)
    await ui.show(update, views.ask_repeat(t, picked.at), markup)
    return end(context) if open_run(context, ScheduleDialog) is not None else None


async def repeat(update: Update, context: BotContext) -> None:
    """Once / Daily / Weekly, then how many times: the schedule is made."""
    pressed = callback_of(update, ScheduleRepeat)
    t = context.t
    every = next((e for e in Every if pressed is not None and e.value == pressed.every), None)
    if pressed is None or every is None or not 0 <= pressed.times <= MAX_TIMES:
        await ui.answer(update, button_expired(t))
        return
    if every is not Every.ONCE and pressed.times < 2:
        await ui.answer(update)
        markup = keyboards.pick_times(t, pressed.batch, pressed.at, every)
        await ui.show(update, views.ask_times(t, pressed.at, every), markup)
        return
    if pressed.at < _now(context):
        await ui.answer(update, views.time_problem(t, TimeProblem.PAST), alert=True)
        return
    times = 1 if every is Every.ONCE else pressed.times
    when = When(float(pressed.at), every, times, t.zone)
    made = await context.deps.schedules.schedule(context.user.id, pressed.batch, when)
    if made.stopped is not None:
        # An order on its link was placed since 🕒 Later was tapped: it warns, as Later does.
        await new_order.tell_duplicate(update, context, made.stopped)
        return
    if made.schedule is None:
        await ui.answer(update, views.refused_text(t, made.refusal), alert=True)
        return
    await ui.answer(update)
    await ui.show(update, views.scheduled_text(t, made.schedule))
    if made.preview is not None:
        # The preview became the schedule: its Confirm and Later buttons go.
        await preview_ui.strip_keyboards(context, [made.preview])


async def scheduled_command(update: Update, context: BotContext) -> None:
    """/scheduled: what is waiting, with Cancel."""
    await ui.answer(update)
    schedules = await context.deps.schedules.waiting(context.user.id)
    text = views.schedules_list(context.t, schedules)
    await ui.show(update, text, keyboards.scheduled_list(context.t, schedules))


async def cancel(update: Update, context: BotContext) -> None:
    pressed = await ui.pressed_or_expired(update, context.t, ScheduleCancel)
    if pressed is None:
        return
    done = await context.deps.schedules.cancel(context.user.id, pressed.schedule_id)
    await ui.answer(update, views.cancel_result(context.t, done), alert=not done)
    schedules = await context.deps.schedules.waiting(context.user.id)
    text = views.schedules_list(context.t, schedules)
    await ui.show(update, text, keyboards.scheduled_list(context.t, schedules))


async def answer(update: Update, context: BotContext) -> None:
    """✅ Place / ✖️ Skip under a held or missed run: the result follows as a notice."""
    t = context.t
    pressed = await ui.pressed_or_expired(update, t, ScheduleAnswer)
    if pressed is None:
        return
    result = await context.deps.schedules.answer(
        context.user.id, pressed.schedule_id, pressed.run, place=pressed.place
    )
    await ui.answer(update, views.answered(t, result, pressed.place))
    query = update.callback_query
    if query is not None:
        # Answered once: the notice keeps its text, its buttons go.
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(reply_markup=None)


def dialog_part() -> DialogPart:
    return DialogPart(
        entry_points=[on_press(later, ScheduleLater)],
        states={
            WAIT_TIME: [
                on_press(quick, ScheduleQuick),
                MessageHandler(filters.TEXT & ~filters.COMMAND, typed_time),
            ]
        },
    )


def handlers() -> list[AnyHandler]:
    return [
        on_press(quick, ScheduleQuick),
        on_press(repeat, ScheduleRepeat),
        CommandHandler("scheduled", scheduled_command),
        on_press(cancel, ScheduleCancel),
        on_press(answer, ScheduleAnswer),
    ]
