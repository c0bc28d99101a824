"""Time zone names and quiet hours (bot/zones.py): pure functions."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.zones import parse_hours, quiet_until, resolve_zone, zone_choices


def at(text: str, zone: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)).timestamp()


def test_zone_names_are_iana_names_in_any_case() -> None:
    assert resolve_zone("europe/ISTANBUL") == "Europe/Istanbul"
    assert resolve_zone(" utc ") == "UTC"
    assert resolve_zone("Mars/Olympus_Mons") is None
    assert resolve_zone("../../etc/passwd") is None
    assert resolve_zone("") is None


def test_the_telegram_language_puts_its_zone_first() -> None:
    assert zone_choices("tr")[0] == "Europe/Istanbul"
    assert zone_choices("tr-TR")[0] == "Europe/Istanbul"
    assert zone_choices("en")[0] == "UTC"
    assert len(set(zone_choices("tr"))) == len(zone_choices("tr"))


def test_hours_are_read_in_the_usual_shapes() -> None:
    assert parse_hours("23:00-08:00") == (23 * 60, 8 * 60)
    assert parse_hours("23-8") == (23 * 60, 8 * 60)
    assert parse_hours("22.30 – 07.15") == (22 * 60 + 30, 7 * 60 + 15)
    assert parse_hours("00:00-24:00") is None  # all day is "the same minute"
    for bad in ("later", "25-3", "10:70-11", "8-8", ""):
        assert parse_hours(bad) is None, bad


def test_quiet_hours_wrap_past_midnight_in_the_users_zone() -> None:
    ist = "Europe/Istanbul"
    window = (23 * 60, 8 * 60)
    # 01:30 in Istanbul is quiet until 08:00 the same morning.
    assert quiet_until(at("2026-11-30T01:30", ist), ist, *window) == at("2026-11-30T08:00", ist)
    # 23:10 is quiet until 08:00 the next morning.
    assert quiet_until(at("2026-11-30T23:10", ist), ist, *window) == at("2026-12-01T08:00", ist)
    # 08:00 sharp and the day are not quiet; the same instant in UTC (05:00) is read in Istanbul.
    assert quiet_until(at("2026-11-30T08:00", ist), ist, *window) is None
    assert quiet_until(at("2026-11-30T12:00", ist), ist, *window) is None
    assert quiet_until(at("2026-11-30T01:30", ist), ist, None, None) is None


def test_quiet_hours_across_a_clock_change() -> None:
    ny = "America/New_York"  # clocks go back at 02:00 on 2026-11-01
    ends = quiet_until(at("2026-11-01T00:30", ny), ny, 0, 7 * 60)
    assert ends == at("2026-11-01T07:00", ny)
