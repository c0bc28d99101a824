"""When a scheduled order runs (pure): the quick times, typed times, and a repeat's runs.

Everything is read and computed in the user's zone (bot/zones.py `effective_zone`): "20:00"
means 20:00 where the user is, and a daily repeat stays at that wall-clock time across a
change of daylight saving time.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from bot.storage.schedules import Every
from bot.zones import zone_info

# A scheduled time must be at least this far ahead (a time "now" is a Confirm) and at most this
# far: a preview's price is a promise about today's catalog, not next year's.
MIN_AHEAD_SECONDS = 60.0
MAX_AHEAD_DAYS = 60
# How many times a repeat may run (the buttons offer a few counts up to this).
MAX_TIMES = 30
TONIGHT = dt.time(20, 0)
TOMORROW = dt.time(9, 0)

_CLOCK = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")
_DATED = re.compile(r"^\s*(\d{1,2})[./](\d{1,2})\.?\s+(\d{1,2})[:.](\d{2})\s*$")
_AHEAD = re.compile(r"^\s*\+\s*(\d{1,4})\s*([mhd])\s*$", re.IGNORECASE)
_UNITS = {"m": 60, "h": 3600, "d": 86400}


class Quick(StrEnum):
    """The quick-time buttons."""

    HOUR = "h"  # in 1 h
    TONIGHT = "t"  # today 20:00
    TOMORROW = "m"  # tomorrow 09:00


class TimeProblem(StrEnum):
    UNREADABLE = "unreadable"
    PAST = "past"  # before now (or within MIN_AHEAD_SECONDS)
    TOO_FAR = "too_far"  # beyond MAX_AHEAD_DAYS


@dataclass(frozen=True, slots=True)
class Picked:
    """A time the user picked: `at` (epoch seconds), or why it cannot be used."""

    at: float | None = None
    problem: TimeProblem | None = None


def _local(now: float, zone: str) -> dt.datetime:
    return dt.datetime.fromtimestamp(now, zone_info(zone))


def _at(day: dt.date, clock: dt.time, zone: str) -> float:
    return dt.datetime.combine(day, clock, tzinfo=zone_info(zone)).timestamp()


def _checked(at: float, now: float) -> Picked:
    if at < now + MIN_AHEAD_SECONDS:
        return Picked(problem=TimeProblem.PAST)
    if at > now + MAX_AHEAD_DAYS * 86400:
        return Picked(problem=TimeProblem.TOO_FAR)
    return Picked(at=at)


def quick_time(choice: Quick, now: float, zone: str) -> Picked:
    """A quick button's time; "tonight" after 20:00 has passed is PAST (the button is not
    offered then, see `quick_choices`)."""
    today = _local(now, zone).date()
    if choice is Quick.HOUR:
        return _checked(now + 3600, now)
    if choice is Quick.TONIGHT:
        return _checked(_at(today, TONIGHT, zone), now)
    return _checked(_at(today + dt.timedelta(days=1), TOMORROW, zone), now)


def quick_choices(now: float, zone: str) -> list[Quick]:
    """The quick buttons that make sense now (no "tonight" once it is past 20:00)."""
    return [q for q in Quick if quick_time(q, now, zone).at is not None]


def parse_time(text: str, now: float, zone: str) -> Picked:
    """`HH:MM` (the next such time), `DD.MM HH:MM` (this year), `+30m`, `+2h`, `+1d`."""
    ahead = _AHEAD.match(text)
    if ahead is not None:
        return _checked(now + int(ahead.group(1)) * _UNITS[ahead.group(2).lower()], now)
    local = _local(now, zone)
    clock = _CLOCK.match(text)
    if clock is not None:
        wall = _clock_of(int(clock.group(1)), int(clock.group(2)))
        if wall is None:
            return Picked(problem=TimeProblem.UNREADABLE)
        at = _at(local.date(), wall, zone)
        if at < now + MIN_AHEAD_SECONDS:
            at = _at(local.date() + dt.timedelta(days=1), wall, zone)
        return _checked(at, now)
    dated = _DATED.match(text)
    if dated is None:
        return Picked(problem=TimeProblem.UNREADABLE)
    day, month, hour, minute = (int(g) for g in dated.groups())
    wall = _clock_of(hour, minute)
    try:
        date = dt.date(local.year, month, day)
    except ValueError:
        return Picked(problem=TimeProblem.UNREADABLE)
    if wall is None:
        return Picked(problem=TimeProblem.UNREADABLE)
    return _checked(_at(date, wall, zone), now)


def _clock_of(hour: int, minute: int) -> dt.time | None:
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


def run_at(first_at: float, every: Every, run: int, zone: str) -> float:
    """When run number `run` (0 = the first) of a repeat is due, at the first run's wall-clock
    time in `zone`."""
    if every is Every.ONCE or run == 0:
        return first_at
    days = run * (7 if every is Every.WEEKLY else 1)
    local = _local(first_at, zone)
    wall = local.replace(tzinfo=None) + dt.timedelta(days=days)
    return wall.replace(tzinfo=zone_info(zone)).timestamp()


def next_run_at(first_at: float, every: Every, times: int, done: int, zone: str) -> float | None:
    """When the run after run number `done` is due; None when `done` was the last."""
    if done + 1 >= times:
        return None
    return run_at(first_at, every, done + 1, zone)
