"""A service's `average_time` as panels send it: minutes as a number, or words.

The standard does not define the field, yet many API v2 panels add it to `services` entries, in
whatever shape their software has: `90`, `"90"`, `"1 hours 14 minutes"`, `"2 saat 30 dakika"`,
`"01:30"`, `"Not enough data"`. A bare number is minutes: that is the unit the standard uses for
times (`interval`), and the one panels show it in. Words we can read become minutes too, so the
card can say it in the user's language; other text is kept as the panel's own words (bounded,
one line). Nothing here raises: an odd value only means the card shows no average time.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

# Ten years: anything longer is a panel's placeholder, not an average.
MAX_MINUTES = 10 * 366 * 24 * 60
# The panel's own words are shown on a card line: one short line.
MAX_AVERAGE_TIME_TEXT = 60

_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_CLOCK = re.compile(r"(\d{1,4}):([0-5]\d)(?::([0-5]\d))?")
# Unit words (English and Turkish, abbreviations too) → minutes per unit.
_UNITS: dict[str, Decimal] = {
    **dict.fromkeys(("d", "day", "days", "gün", "gun"), Decimal(1440)),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "saat", "sa"), Decimal(60)),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes", "dk", "dak", "dakika"), Decimal(1)),
    **dict.fromkeys(
        ("s", "sec", "secs", "second", "seconds", "sn", "saniye"), Decimal(1) / Decimal(60)
    ),
}
_AMOUNT = re.compile(r"(\d+(?:[.,]\d+)?)\s*([^\W\d_]+)\.?")
# What may stand between "1 hour" and "14 minutes".
_GLUE = re.compile(r"(?:\s|,|and|ve|&)*")
_MARKUP = re.compile(r"<[^<>]*>")


def parse_average_time(value: Any) -> tuple[int | None, str | None]:
    """(minutes, None) when understood, (None, text) for other words, (None, None) for nothing.

    Zero and negative times are "no data" on every panel seen, so they give (None, None).
    """
    if value is None or isinstance(value, bool):
        return None, None
    if isinstance(value, int | float | Decimal):
        return _minutes(_decimal(value)), None
    if not isinstance(value, str):
        return None, None
    text = " ".join(_MARKUP.sub(" ", value).split())
    text = "".join(ch for ch in text if ch.isprintable())
    if not text:
        return None, None
    if _NUMBER.fullmatch(text):
        return _minutes(_decimal(text.replace(",", "."))), None
    clock = _CLOCK.fullmatch(text)
    if clock is not None:
        hours, minutes, seconds = (int(part or 0) for part in clock.groups())
        return _minutes(Decimal(hours * 60 + minutes) + Decimal(seconds) / 60), None
    words = _words(text)
    if words is not None:
        return _minutes(words), None
    if len(text) > MAX_AVERAGE_TIME_TEXT:
        text = text[: MAX_AVERAGE_TIME_TEXT - 1].rstrip() + "…"
    return None, text


def _decimal(value: int | float | Decimal | str) -> Decimal | None:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    try:
        result = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


def _minutes(amount: Decimal | None) -> int | None:
    """Whole minutes (at least 1 for any positive time); None for no time or an absurd one."""
    if amount is None or amount <= 0 or amount > MAX_MINUTES:
        return None
    return max(1, int(amount.to_integral_value()))


def _words(text: str) -> Decimal | None:
    """ "1 hours 14 minutes", "2 saat, 30 dk", "45min": the total in minutes, else None."""
    folded = text.casefold()
    position = 0
    total = Decimal(0)
    found = False
    while position < len(folded):
        glue = _GLUE.match(folded, position)
        if glue is not None:
            position = glue.end()
        if position >= len(folded):
            break
        amount = _AMOUNT.match(folded, position)
        if amount is None:
            return None
        unit = _UNITS.get(amount.group(2))
        number = _decimal(amount.group(1).replace(",", "."))
        if unit is None or number is None:
            return None
        total += number * unit
        found = True
        position = amount.end()
    return total if found else None
