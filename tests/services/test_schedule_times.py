"""When a scheduled order runs (issue 24): typed and quick times in the user's zone, repeats."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.services.schedule_times import (
    Quick,
    TimeProblem,
    next_run_at,
    parse_time,
    quick_choices,
    quick_time,
    run_at,
)
from bot.storage.schedules import Every

IST = "Europe/Istanbul"  # UTC+3, no daylight saving time
# 7 Dec 2026, 15:30 in Istanbul.
NOW = dt.datetime(2026, 12, 7, 15, 30, tzinfo=dt.UTC).timestamp() - 3 * 3600


def local(ts: float | None, zone: str = IST) -> str:
    assert ts is not None
    from zoneinfo import ZoneInfo

    return dt.datetime.fromtimestamp(ts, ZoneInfo(zone)).strftime("%d.%m %H:%M")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21:30", "07.12 21:30"),
        ("09:00", "08.12 09:00"),  # already past today: tomorrow
        ("9.05", "08.12 09:05"),
        ("24.12 09:00", "24.12 09:00"),
        ("24/12 9:00", "24.12 09:00"),
        ("+30m", "07.12 16:00"),
        ("+2h", "07.12 17:30"),
        ("+ 1d", "08.12 15:30"),
    ],
)
def test_typed_times_are_read_in_the_users_zone(text: str, expected: str) -> None:
    assert local(parse_time(text, NOW, IST).at) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("soon", TimeProblem.UNREADABLE),
        ("25:00", TimeProblem.UNREADABLE),
        ("31.02 10:00", TimeProblem.UNREADABLE),
        ("01.12 10:00", TimeProblem.PAST),
        ("+0m", TimeProblem.PAST),
        ("+100d", TimeProblem.TOO_FAR),
    ],
)
def test_times_that_cannot_be_used_say_why(text: str, problem: TimeProblem) -> None:
    picked = parse_time(text, NOW, IST)
    assert picked.at is None and picked.problem is problem


def test_quick_times() -> None:
    assert local(quick_time(Quick.HOUR, NOW, IST).at) == "07.12 16:30"
    assert local(quick_time(Quick.TONIGHT, NOW, IST).at) == "07.12 20:00"
    assert local(quick_time(Quick.TOMORROW, NOW, IST).at) == "08.12 09:00"
    late = NOW + 6 * 3600  # 21:30: tonight is over
    assert quick_choices(late, IST) == [Quick.HOUR, Quick.TOMORROW]


def test_a_daily_repeat_keeps_its_wall_clock_time_across_daylight_saving() -> None:
    berlin = "Europe/Berlin"
    first = dt.datetime(2026, 3, 28, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))).timestamp()
    assert local(run_at(first, Every.DAILY, 1, berlin), berlin) == "29.03 20:00"
    assert run_at(first, Every.DAILY, 1, berlin) - first == 23 * 3600
    assert local(run_at(first, Every.WEEKLY, 2, berlin), berlin) == "11.04 20:00"
    assert next_run_at(first, Every.DAILY, 3, 1, berlin) == run_at(first, Every.DAILY, 2, berlin)
    assert next_run_at(first, Every.DAILY, 3, 2, berlin) is None
    assert next_run_at(first, Every.ONCE, 1, 0, berlin) is None
