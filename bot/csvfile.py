"""The one CSV writer for every file the bot sends (/export, bulk check and result files).

Cells come from users (links) and from the panel (service names, error texts). A spreadsheet
runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula
(`=HYPERLINK(...)` phones home when clicked), so such text is prefixed with `'`, which the
spreadsheet shows as plain text. Plain numbers (`-5.00`, `+3`, `1E+2`) are left alone: they are
data, and guarding them would turn money into text.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A decimal comma too: Turkish files write amounts as "-5,00".
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value: object) -> str:
    """`value` as cell text that a spreadsheet cannot run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and _PLAIN_NUMBER.fullmatch(text) is None:
        return "'" + text
    return text


def write_csv(
    header: Sequence[object], rows: Iterable[Sequence[object]], delimiter: str = ","
) -> bytes:
    """UTF-8 with a BOM (Excel, Turkish Windows included, then reads it as UTF-8), CRLF rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([safe_cell(v) for v in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")
