"""The one CSV writer: formula guard on text, plain numbers left alone (issue 10 item 13)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from bot.csvfile import safe_cell, write_csv


@pytest.mark.parametrize(
    "value",
    ["=1+2", '=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"],
)
def test_text_that_a_spreadsheet_would_run_is_prefixed(value: str) -> None:
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["-5", "-5.00", "+3", "-0.5", "1E+2", "-1.5e-3", "12.50"])
def test_plain_numbers_stay_numbers(value: str) -> None:
    assert safe_cell(value) == value


def test_values_of_other_types() -> None:
    assert safe_cell(None) == ""
    assert safe_cell(Decimal("-12.50")) == "-12.50"
    assert safe_cell(-3) == "-3"
    assert safe_cell("a=b") == "a=b" and safe_cell("") == ""


def test_write_csv_bom_crlf_and_guard() -> None:
    data = write_csv(["name", "amount"], [["=evil()", Decimal("-1.25")], ['a "q",b', 7]])
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["name", "amount"], ["'=evil()", "-1.25"], ['a "q",b', "7"]]
