"""The repositories' SQL (SQLite's `?` and `:name` placeholders) rewritten for PostgreSQL.

The repositories write one portable SQL text; the few things PostgreSQL spells differently are
translated here, once per distinct SQL string (the PostgreSQL engine caches the result):

- placeholders: `?` become `$1, $2, …` in order; `:name` become one `$n` per distinct name, and
  the parameters of a dict are then passed in that order;
- migration DDL (`map_types`): SQLite's type names widened to what the values need: INTEGER holds
  Telegram ids and panel ids past 2^31 (BIGINT), REAL holds epoch seconds to the microsecond
  (DOUBLE PRECISION: PostgreSQL's REAL is 4 bytes, two minutes of resolution), BLOB is BYTEA;
  `WITHOUT ROWID` (a storage hint) is dropped.

Only code is rewritten: string literals, quoted identifiers and comments are left alone, so a
`?` or a type name inside quotes stays what it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# One token of SQL that is not code: a string literal ('it''s'), a quoted identifier, a line
# comment, a block comment, or a dollar-quoted body ($$…$$, $fn$…$fn$).
_NOT_CODE = re.compile(
    r"""
      '(?:[^']|'')*'
    | "(?:[^"]|"")*"
    | --[^\n]*
    | /\*.*?\*/
    | (?P<dollar>\$[A-Za-z_]*\$).*?(?P=dollar)
    """,
    re.VERBOSE | re.DOTALL,
)
# `?`, or `:name` not preceded by another colon (PostgreSQL's `::type` casts stay).
_PLACEHOLDER = re.compile(r"\?|(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)")
_TYPES = (
    (re.compile(r"\bWITHOUT\s+ROWID\b", re.IGNORECASE), ""),
    (re.compile(r"\bINTEGER\b", re.IGNORECASE), "BIGINT"),
    (re.compile(r"\bREAL\b", re.IGNORECASE), "DOUBLE PRECISION"),
    (re.compile(r"\bBLOB\b", re.IGNORECASE), "BYTEA"),
)


def _segments(sql: str) -> Iterator[tuple[bool, str]]:
    """(is_code, text) pieces of `sql`, in order."""
    pos = 0
    for match in _NOT_CODE.finditer(sql):
        if match.start() > pos:
            yield True, sql[pos : match.start()]
        yield False, match.group(0)
        pos = match.end()
    if pos < len(sql):
        yield True, sql[pos:]


@dataclass(frozen=True, slots=True)
class Numbered:
    """A statement with `$n` placeholders; `names` orders a dict's values (None: positional)."""

    sql: str
    count: int
    names: tuple[str, ...] | None

    def args(self, params: Sequence[Any] | Mapping[str, Any]) -> tuple[Any, ...]:
        if self.names is not None:
            if not isinstance(params, Mapping):
                raise TypeError("this statement takes named parameters")
            return tuple(params[name] for name in self.names)
        if isinstance(params, Mapping):
            if self.count:
                raise TypeError("this statement takes positional parameters")
            return ()
        if len(params) != self.count:
            raise ValueError(f"statement takes {self.count} parameters, {len(params)} given")
        return tuple(params)


def number_placeholders(sql: str) -> Numbered:
    """`?` and `:name` placeholders as PostgreSQL's `$n` (never both kinds in one statement)."""
    out: list[str] = []
    positional = 0
    names: dict[str, int] = {}

    def replace(match: re.Match[str]) -> str:
        nonlocal positional
        name = match.group(1)
        if name is None:
            positional += 1
            return f"${positional}"
        if name not in names:
            names[name] = len(names) + 1
        return f"${names[name]}"

    for is_code, text in _segments(sql):
        out.append(_PLACEHOLDER.sub(replace, text) if is_code else text)
    if positional and names:
        raise ValueError("a statement mixes ? and :name placeholders")
    if names:
        return Numbered("".join(out), len(names), tuple(names))
    return Numbered("".join(out), positional, None)


def map_types(ddl: str) -> str:
    """A shared (SQLite-flavoured) migration's DDL with PostgreSQL's type names."""
    out: list[str] = []
    for is_code, text in _segments(ddl):
        if is_code:
            for pattern, replacement in _TYPES:
                text = pattern.sub(replacement, text)
        out.append(text)
    return "".join(out)


def has_returning(sql: str) -> bool:
    return any(
        is_code and re.search(r"\bRETURNING\b", text, re.IGNORECASE)
        for is_code, text in _segments(sql)
    )


def affected_rows(status: str) -> int:
    """The row count of a command tag such as `UPDATE 3` or `INSERT 0 1` (0 when none)."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0
