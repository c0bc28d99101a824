"""Text files uploaded as the answer to a list question (comments, usernames, hashtags, groups).

Unlike the bulk order file, whose content is service ids, links and numbers, these lines are
sent to the panel and published as they are: a guessed legacy encoding would post mojibake
comments. So the text must be UTF-8 (a BOM is fine) or UTF-16 with a BOM; anything else is
refused with a message instead of being guessed.
"""

from __future__ import annotations

import codecs
import csv
from pathlib import PurePosixPath

from bot.i18n import N_
from bot.services.validation import InputError

MAX_LIST_FILE_BYTES = 1024 * 1024
LIST_FILE_EXTENSIONS = frozenset({".txt", ".csv"})


def list_file_problem(file_name: str | None, size: int | None) -> InputError | None:
    """Why a file cannot be a list answer, judged before downloading it; None if it may be."""
    if PurePosixPath(file_name or "").suffix.lower() not in LIST_FILE_EXTENSIONS:
        return InputError(N_("Please send a .txt or .csv file, or type the lines."))
    if size is not None and size > MAX_LIST_FILE_BYTES:
        return _too_large(size)
    return None


def _too_large(size: int) -> InputError:
    return InputError(
        N_("The file is too large ({size} KB). The limit is {max} KB."),
        size=size // 1024,
        max=MAX_LIST_FILE_BYTES // 1024,
    )


def decode_list_file(data: bytes, file_name: str | None = None) -> str:
    """The file's lines as text, one item a line, ready for the question's own parser.

    A `.csv` line that is one quoted cell (a spreadsheet's one-column export of a comment with
    a comma or a quote in it) is unquoted; every other line is kept as it is. A CSV is one item
    per line, not its first column: comments hold commas, and a list typed or pasted into a
    `.csv` rarely quotes them, so cutting at the first comma would post half a comment.
    """
    if len(data) > MAX_LIST_FILE_BYTES:
        raise _too_large(len(data))
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(
            N_("The file is not UTF-8 text. Save it as UTF-8 (e.g. “CSV UTF-8”) and send it again.")
        ) from None
    if "\x00" in text:
        raise InputError(N_("This does not look like a text file. Send a .txt or .csv file."))
    if PurePosixPath(file_name or "").suffix.lower() == ".csv":
        text = "\n".join(_unquote(line) for line in text.splitlines())
    return text


def _unquote(line: str) -> str:
    stripped = line.strip()
    if len(stripped) < 2 or not (stripped.startswith('"') and stripped.endswith('"')):
        return line
    try:
        rows = list(csv.reader([stripped]))
    except csv.Error:
        return line
    if len(rows) == 1 and len(rows[0]) == 1:
        return rows[0][0]
    return line
