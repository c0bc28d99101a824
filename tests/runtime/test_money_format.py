"""Money and count formatting of the Translator (issue 13, item 7/8)."""

from __future__ import annotations

from decimal import Decimal

from bot.i18n import NBSP, Catalogs
from bot.services.validation import InputError
from bot.views.errors import input_error_message

CATALOGS = Catalogs.load()
EN = CATALOGS.translator("en")
TR = CATALOGS.translator("tr")


def test_a_currency_code_before_the_number_gets_a_no_break_space() -> None:
    assert EN.money(Decimal("1234.5"), "TRY") == f"TRY{NBSP}1,234.50"
    assert EN.money(Decimal("-1234.5"), "RUB") == f"-RUB{NBSP}1,234.50"
    assert TR.money(Decimal("1234.5"), "RUB") == f"RUB{NBSP}1.234,50"


def test_symbols_keep_their_tight_form() -> None:
    assert EN.money(Decimal("62.5"), "USD") == "$62.50"
    assert TR.money(Decimal("1234.5"), "TRY") == "₺1.234,50"
    assert EN.money(Decimal("5"), "USDT") == "5.00 USDT"


def test_plural_count_is_formatted_for_the_locale() -> None:
    assert EN.ngettext("{n} line", "{n} lines", 1234) == "1,234 lines"
    assert TR.ngettext("{n} x", "{n} xs", 1234) == "1.234 xs"


def test_input_error_counts_take_the_right_plural_and_format_their_limits() -> None:
    one = InputError("You sent {n} line.", "You sent {n} lines.", n=1)
    many = InputError("You sent {n} line.", "You sent {n} lines.", n=2)
    assert input_error_message(EN, one) == "You sent 1 line."
    assert input_error_message(EN, many) == "You sent 2 lines."
    limits = InputError(
        "Between {min} and {max} for #{id}, line {line}.", min=100, max=50_000, id=1102, line=1500
    )
    assert input_error_message(EN, limits) == "Between 100 and 50,000 for #1102, line 1500."
    assert input_error_message(TR, limits) == "Between 100 and 50.000 for #1102, line 1500."
