"""Scheduled orders' keyboards (bot/handlers/schedules.py)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup

from bot.callbacks.schedules import (
    ScheduleAnswer,
    ScheduleCancel,
    ScheduleQuick,
    ScheduleRepeat,
)
from bot.i18n import Translator
from bot.keyboards.dialog import dialog_cancel_button
from bot.keyboards.layout import button, markup
from bot.services.schedule_times import Quick
from bot.storage.schedules import Every, Schedule

# The counts offered for a repeat (MAX_TIMES at most).
TIMES_CHOICES = (2, 3, 5, 7, 10, 14, 30)


def _quick_label(t: Translator, quick: Quick) -> str:
    if quick is Quick.HOUR:
        return t._("In 1 h")
    if quick is Quick.TONIGHT:
        return t._("Tonight 20:00")
    return t._("Tomorrow 09:00")


def pick_time(
    t: Translator, batch: str, quick: Sequence[Quick], instance: str
) -> InlineKeyboardMarkup:
    """The quick times (those still ahead), then ✖️ Cancel of the question."""
    buttons = [button(_quick_label(t, q), ScheduleQuick(batch, q.value)) for q in quick]
    return markup([buttons, [dialog_cancel_button(t, instance)]])


def pick_repeat(t: Translator, batch: str, at: int) -> InlineKeyboardMarkup:
    return markup(
        [
            [button(t._("Once"), ScheduleRepeat(batch, at, Every.ONCE.value, 1))],
            [
                button(t._("🔁 Daily"), ScheduleRepeat(batch, at, Every.DAILY.value, 0)),
                button(t._("🔁 Weekly"), ScheduleRepeat(batch, at, Every.WEEKLY.value, 0)),
            ],
        ]
    )


def pick_times(t: Translator, batch: str, at: int, every: Every) -> InlineKeyboardMarkup:
    buttons = [
        button(t.ngettext("{n} time", "{n} times", n), ScheduleRepeat(batch, at, every.value, n))
        for n in TIMES_CHOICES
    ]
    return markup([buttons[:4], buttons[4:]])


def scheduled_list(t: Translator, schedules: Sequence[Schedule]) -> InlineKeyboardMarkup | None:
    """One ✖️ Cancel per waiting schedule, numbered as in the list."""
    buttons = [
        button(t._("✖️ Cancel {n}", n=n), ScheduleCancel(s.id))
        for n, s in enumerate(schedules, start=1)
    ]
    if not buttons:
        return None
    return markup([buttons[i : i + 3] for i in range(0, len(buttons), 3)])


def run_question(t: Translator, schedule_id: int, run: int) -> InlineKeyboardMarkup:
    """Under a held or missed run's notice."""
    return markup(
        [
            [
                button(t._("✅ Place now"), ScheduleAnswer(schedule_id, run, True)),
                button(t._("✖️ Skip"), ScheduleAnswer(schedule_id, run, False)),
            ]
        ]
    )
