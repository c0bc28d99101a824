"""Progress bars, durations and estimates as the user reads them (issue 24 item 4)."""

from __future__ import annotations

from bot.i18n import Translator
from bot.services.progress import Duration, DurationSource, Eta, Progress, is_open, progress_of
from bot.storage.models import SubmitState
from bot.views.progress import bar, duration_text, eta_line, expected_line, progress_line

from ._data import NOON, order


def test_progress_is_quantity_minus_remains_of_every_run() -> None:
    assert progress_of(order(remains=None)) is None
    assert progress_of(order(quantity=1000, remains=700)) == Progress(300, 1000)
    assert progress_of(order(quantity=100, runs=5, remains=200)) == Progress(300, 500)
    # A panel that reports more remaining than ordered, or a negative rest, stays in bounds.
    assert progress_of(order(quantity=100, remains=150)) == Progress(0, 100)
    assert progress_of(order(quantity=100, remains=-5)) == Progress(100, 100)
    assert Progress(999, 1000).percent == 99  # 100% only when all is delivered
    assert Progress(0, 0).percent == 0


def test_only_placed_orders_that_are_not_final_are_open() -> None:
    assert is_open(order(status="In progress"))
    assert not is_open(order(status="Completed"))
    assert not is_open(order(status="Partial"))
    assert not is_open(order(submit_state=SubmitState.UNKNOWN, status=None))


def test_bar_has_ten_cells() -> None:
    assert bar(0) == "▱" * 10
    assert bar(35) == "▰▰▰▱▱▱▱▱▱▱"
    assert bar(100) == "▰" * 10
    assert bar(250) == "▰" * 10


def test_progress_line(en: Translator, tr: Translator) -> None:
    assert progress_line(en, Progress(1500, 2000)) == "Progress: ▰▰▰▰▰▰▰▱▱▱ 75% (1,500 of 2,000)"
    assert (
        progress_line(tr, Progress(1500, 2000)) == "İlerleme: ▰▰▰▰▰▰▰▱▱▱ %75 (2.000 içinden 1.500)"
    )


def test_durations_read_in_two_units(en: Translator, tr: Translator) -> None:
    assert duration_text(en, 20) == "1 min"
    assert duration_text(en, 45 * 60) == "45 min"
    assert duration_text(en, 2 * 3600) == "2 h"
    assert duration_text(en, 2.5 * 3600) == "2 h 30 min"
    assert duration_text(en, 3 * 86400 + 4 * 3600 + 59) == "3 d 4 h"
    assert duration_text(en, 86400) == "1 d"
    assert duration_text(tr, 2.5 * 3600) == "2 sa 30 dk"


def test_preview_and_card_lines_name_their_source(en: Translator) -> None:
    own = Duration(5400, DurationSource.OWN, samples=4)
    panel = Duration(600, DurationSource.PANEL)
    assert expected_line(en, None) == []
    assert expected_line(en, own) == [
        "⏱ Expected duration: about 1 h 30 min (the median of your last 4 orders of this service)"
    ]
    istanbul = en.with_zone("Europe/Istanbul")
    assert eta_line(istanbul, Eta(NOON, panel)) == [
        f"⏱ Expected by {istanbul.when(NOON)} (the panel's average time)"
    ]
    assert "15:00 (Europe/Istanbul)" in eta_line(istanbul, Eta(NOON, panel))[0]
    assert eta_line(en, Eta(NOON, panel, late=True)) == [
        f"⏱ Expected by {en.when(NOON)}: running late (the panel's average time)"
    ]
    assert eta_line(en, None) == []
