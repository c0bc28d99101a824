"""Decoding a list answer's file, and telling a drip-feed refusal apart (no Telegram)."""

from __future__ import annotations

import codecs

import pytest

from bot.services.order_types import mentions_dripfeed
from bot.services.uploads import MAX_LIST_FILE_BYTES, decode_list_file, list_file_problem
from bot.services.validation import InputError


def test_utf8_with_and_without_bom_and_utf16_with_bom() -> None:
    text = "güzel\nçok iyi"
    assert decode_list_file(text.encode()) == text
    assert decode_list_file(codecs.BOM_UTF8 + text.encode()) == text
    assert decode_list_file(text.encode("utf-16")) == text  # Python writes the BOM


def test_legacy_encodings_and_binary_are_refused_not_guessed() -> None:
    with pytest.raises(InputError, match="not UTF-8"):
        decode_list_file("şahane".encode("cp1254"))
    with pytest.raises(InputError, match="does not look like a text file"):
        decode_list_file(b"a\x00b")


def test_size_limit_before_and_after_download() -> None:
    assert list_file_problem("a.txt", MAX_LIST_FILE_BYTES) is None
    problem = list_file_problem("a.TXT", MAX_LIST_FILE_BYTES + 1)
    assert problem is not None and problem.params["max"] == 1024
    with pytest.raises(InputError, match="too large"):
        decode_list_file(b"x" * (MAX_LIST_FILE_BYTES + 1))
    assert list_file_problem("a.csv", None) is None
    wrong = list_file_problem("photo.jpg", 10)
    assert wrong is not None and ".txt or .csv" in wrong.english
    assert list_file_problem(None, 10) is not None


def test_csv_unquotes_only_single_quoted_cells() -> None:
    data = b'"a, b"\n"say ""hi"""\n"x","y"\nplain, text\n"broken\n'
    assert decode_list_file(data, "c.csv").splitlines() == [
        "a, b",
        'say "hi"',
        '"x","y"',
        "plain, text",
        '"broken',
    ]
    # A .txt keeps its quotes: they may be part of the comment.
    assert decode_list_file(b'"quoted"', "c.txt") == '"quoted"'


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Drip-feed is not available for this service", True),
        ("Dripfeed disabled", True),
        ("Runs must be at least 2", True),
        ("Invalid interval", True),
        ("Bu serviste damla besleme yok", True),
        ("Insufficient balance. Required: 1, Available: 0", False),
        ("Quantity must be at least 100", False),
        ("Incorrect link", False),
    ],
)
def test_mentions_dripfeed(message: str, expected: bool) -> None:
    assert mentions_dripfeed(message) is expected
