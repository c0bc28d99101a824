"""Scheduled orders' buttons (bot/handlers/schedules.py): 🕒 Later under a preview, the time and
repeat questions, /scheduled's Cancel, and the answers under a held or missed run."""

from __future__ import annotations

from bot.callbacks.base import CallbackData


class ScheduleLater(CallbackData, action="tl"):
    """🕒 Later under a single order's preview `batch`: asks when."""

    batch: str


class ScheduleQuick(CallbackData, action="tq"):
    """A quick time for preview `batch`; `quick` is a `schedule_times.Quick` value."""

    batch: str
    quick: str


class ScheduleRepeat(CallbackData, action="tr"):
    """The repeat question of preview `batch` to run first at `at` (epoch seconds): `every`
    is an `Every` value; `times` 0 asks how many times, otherwise the schedule is made."""

    batch: str
    at: int
    every: str
    times: int


class ScheduleCancel(CallbackData, action="tx"):
    """✖️ Cancel of schedule `schedule_id` in /scheduled."""

    schedule_id: int


class ScheduleAnswer(CallbackData, action="ta"):
    """✅ Place / ✖️ Skip under a held or missed run `run` of schedule `schedule_id`."""

    schedule_id: int
    run: int
    place: bool
