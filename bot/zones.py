"""Time zones and quiet hours (pure): which zones to offer, reading a typed zone or hours, and
whether a moment falls in a user's quiet hours (and until when)."""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

DEFAULT_ZONE: Final = "UTC"
# Offered as buttons in Settings; any other IANA name can be typed.
COMMON_ZONES: Final = (
    "UTC",
    "Europe/Istanbul",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Moscow",
    "Asia/Dubai",
    "Asia/Kolkata",
    "America/New_York",
)
# The zone offered first to a user whose Telegram language is the key.
LANGUAGE_ZONES: Final[Mapping[str, str]] = MappingProxyType({"tr": "Europe/Istanbul"})

# Quiet hours offered as buttons: (from, to) in minutes after midnight.
QUIET_PRESETS: Final = ((22 * 60, 8 * 60), (23 * 60, 7 * 60), (0, 9 * 60))
_HOURS = re.compile(r"^\s*(\d{1,2})(?:[:.](\d{2}))?\s*(?:-|–|—|\s)\s*(\d{1,2})(?:[:.](\d{2}))?\s*$")


@functools.cache
def _known_zones() -> Mapping[str, str]:
    """Every IANA name this system knows (tzdata included), by its lower-case form."""
    return MappingProxyType({name.lower(): name for name in zoneinfo.available_timezones()})


def resolve_zone(text: str) -> str | None:
    """The IANA name `text` means ("europe/istanbul" → "Europe/Istanbul"); None if unknown."""
    name = text.strip()
    if not name or len(name) > 64:
        return None
    if name.upper() == "UTC":
        return DEFAULT_ZONE
    found = _known_zones().get(name.lower())
    if found is None:
        return None
    try:
        zoneinfo.ZoneInfo(found)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    return found


def zone_choices(telegram_language: str | None) -> list[str]:
    """The zone buttons: the one of the user's Telegram language first, then the common ones."""
    primary = (telegram_language or "").replace("_", "-").split("-", 1)[0].lower()
    first = LANGUAGE_ZONES.get(primary)
    return list(dict.fromkeys([first, *COMMON_ZONES] if first else COMMON_ZONES))


def effective_zone(own: str | None, configured: str | None, language: str | None) -> str:
    """The zone a user's times are shown in: their own pick in Settings, else the operator's
    TIMEZONE, else their language's zone (a Turkish user sees Istanbul's time), else UTC."""
    return own or configured or suggested_zone(language) or DEFAULT_ZONE


def suggested_zone(telegram_language: str | None) -> str | None:
    primary = (telegram_language or "").replace("_", "-").split("-", 1)[0].lower()
    return LANGUAGE_ZONES.get(primary)


# --- quiet hours -----------------------------------------------------------------------------


def parse_hours(text: str) -> tuple[int, int] | None:
    """ "23:00-08:00", "23-8", "22.30 07.00" → (from, to) in minutes; None if not hours."""
    match = _HOURS.match(text)
    if match is None:
        return None
    h1, m1, h2, m2 = match.groups()
    start = (int(h1), int(m1 or 0))
    end = (int(h2), int(m2 or 0))
    if any(h > 24 or m > 59 or (h == 24 and m) for h, m in (start, end)):
        return None
    first, last = (start[0] % 24) * 60 + start[1], (end[0] % 24) * 60 + end[1]
    return None if first == last else (first, last)


def format_minutes(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def format_hours(start: int, end: int) -> str:
    return f"{format_minutes(start)}–{format_minutes(end)}"


def quiet_until(now: float, zone: str, start: int | None, end: int | None) -> float | None:
    """When the quiet hours `now` falls in end (epoch seconds); None when `now` is not quiet.

    `start`/`end` are minutes after midnight in `zone`; start > end wraps past midnight.
    """
    if start is None or end is None or start == end:
        return None
    tz = zone_info(zone)
    local = dt.datetime.fromtimestamp(now, tz)
    minute = local.hour * 60 + local.minute
    inside = start <= minute < end if start < end else (minute >= start or minute < end)
    if not inside:
        return None
    at = dt.time(end // 60, end % 60)
    ends = dt.datetime.combine(local.date(), at, tzinfo=tz).timestamp()
    if ends <= now:
        tomorrow = local.date() + dt.timedelta(days=1)
        ends = dt.datetime.combine(tomorrow, at, tzinfo=tz).timestamp()
    return ends


def zone_info(zone: str) -> dt.tzinfo:
    """The zone, or UTC for a name this system no longer knows (never fails a message)."""
    try:
        return zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC
