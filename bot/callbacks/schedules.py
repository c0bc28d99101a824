"""Scheduled orders' buttons (bot/handlers/schedules.py): 🕒 Later under a preview, the time and
repeat questions, /scheduled's Cancel, and the answers under a held or missed run."""

from __future__ import annotations

from bot.callbacks.base import CallbackData
from bot.callbacks.previews import PreviewButton


class ScheduleButton(CallbackData):
    """A button acting on schedule `schedule_id`."""

    schedule_id: int


class ScheduleLater(PreviewButton, action="tl"):
    """🕒 Later under a single order's preview `batch`: asks when."""


class ScheduleQuick(PreviewButton, action="tq"):
    """A quick time for preview `batch`; `quick` is a `schedule_times.Quick` value."""

    quick: str


class ScheduleRepeat(PreviewButton, action="tr"):
    """The repeat question of preview `batch` to run first at `at` (epoch seconds): `every`
    is an `Every` value; `times` 0 asks how many times, otherwise the schedule is made."""

    at: int
    every: str
    times: int


class ScheduleCancel(ScheduleButton, action="tx"):
    """✖️ Cancel of schedule `schedule_id` in /scheduled."""


class ScheduleAnswer(ScheduleButton, action="ta"):
    """✅ Place / ✖️ Skip under a held or missed run `run` of schedule `schedule_id`."""

    run: int
    place: bool
