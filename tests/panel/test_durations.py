"""`average_time` in every shape panels send it (bot/panel/durations.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bot.panel import parsing
from bot.panel.durations import MAX_AVERAGE_TIME_TEXT, parse_average_time
from bot.panel.text import PanelText
from tests.fakes.panel_catalog import SPEC_SERVICE


@pytest.mark.parametrize(
    ("raw", "minutes"),
    [
        (90, 90),
        (Decimal("45"), 45),
        (1.5, 2),
        ("90", 90),
        (" 90 ", 90),
        ("1,5", 2),
        ("1 hours 14 minutes", 74),
        ("1 hour and 14 minutes", 74),
        ("2 Hours, 5 Mins", 125),
        ("45min", 45),
        ("3 days", 4320),
        ("1 day 2 hours", 1560),
        ("2 saat 30 dakika", 150),
        ("1 gün 3 saat", 1620),
        ("40 dk", 40),
        ("30 sec", 1),
        ("1.5 hours", 90),
        ("01:30", 90),
        ("2:05:30", 126),
        ("<b>2 h</b>", 120),
    ],
)
def test_numbers_and_readable_words_become_minutes(raw: Any, minutes: int) -> None:
    assert parse_average_time(raw) == (minutes, None)


@pytest.mark.parametrize(
    "raw",
    [None, True, False, 0, "0", -5, "", "   ", float("nan"), float("inf"), [], {"h": 1}, 10**12],
)
def test_nothing_zero_or_absurd_gives_no_average_time(raw: Any) -> None:
    assert parse_average_time(raw) == (None, None)


def test_other_words_are_kept_as_the_panels_one_bounded_line() -> None:
    assert parse_average_time("Not enough data") == (None, "Not enough data")
    assert parse_average_time("  Yeterli\nveri   yok ") == (None, "Yeterli veri yok")
    assert parse_average_time("5 parsecs") == (None, "5 parsecs")
    minutes, text = parse_average_time("x" * 500)
    assert minutes is None and text is not None
    assert len(text) == MAX_AVERAGE_TIME_TEXT and text.endswith("…")
    assert parse_average_time("a\x00b") == (None, "ab")


def test_a_service_entry_carries_its_average_time() -> None:
    words, number, unread, none = parsing.parse_services(
        [
            {**SPEC_SERVICE, "average_time": "1 hours 14 minutes"},
            {**SPEC_SERVICE, "service": 2, "average_time": 90},
            {**SPEC_SERVICE, "service": 3, "average_time": "Not enough data"},
            {**SPEC_SERVICE, "service": 4},
        ]
    )
    assert (words.average_minutes, words.average_text) == (74, None)
    assert (number.average_minutes, number.average_text) == (90, None)
    assert (unread.average_minutes, unread.average_words) == (None, "Not enough data")
    assert unread.average_text == PanelText("Not enough data")
    assert (none.average_minutes, none.average_text) == (None, None)


def test_an_odd_average_time_never_costs_the_service() -> None:
    [service] = parsing.parse_services([{**SPEC_SERVICE, "average_time": {"nested": [1]}}])
    assert service.id == 1 and service.average_minutes is None
