"""What the repositories share: the database and clock they hold, and rows read into dataclasses."""

from __future__ import annotations

import json
import time
import types
from collections.abc import Callable
from dataclasses import fields
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar, get_args, get_origin, get_type_hints

from bot.storage.db import Database, Row

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Clock = Callable[[], float]

_Model = TypeVar("_Model", bound="DataclassInstance")


class Repo:
    """A repository: the database it works on and the clock its timestamps come from."""

    __slots__ = ("_clock", "_db")

    def __init__(self, db: Database, *, clock: Clock = time.time) -> None:
        self._db = db
        self._clock = clock

    def now(self) -> float:
        """The repository's clock: the time its timestamps are in (tests pin it)."""
        return self._clock()


Reader = Callable[[Any], Any]


def _reader(hint: Any) -> Reader | None:
    """How a column holds a field of type `hint`, where the driver's value is not it already
    (both engines give int, float, str and None alike): None for a plain one."""
    args = get_args(hint)
    if get_origin(hint) is types.UnionType and type(None) in args:
        (inner,) = (a for a in args if a is not type(None))
        read = _reader(inner)
        return None if read is None else lambda value: None if value is None else read(value)
    if hint is bool:
        return bool  # 0/1
    if hint is Decimal:
        return Decimal  # money and rates are TEXT holding a Decimal
    if get_origin(hint) is dict:
        return json.loads  # JSON text
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint  # its value
    return None


def column(name: str) -> dict[str, str]:
    """A field's metadata naming the column it is read from, where the names differ: panel
    text kept plain in `service_name_text` (its `service_name` is the `PanelText` views read,
    bot/panel/text.py) is the column `service_name`."""
    return {"column": name}


@cache
def _readers(model: type[DataclassInstance]) -> tuple[tuple[str, str, Reader | None], ...]:
    hints = get_type_hints(model)
    return tuple(
        (f.name, f.metadata.get("column", f.name), _reader(hints[f.name]))
        for f in fields(model)
        if f.init
    )


def from_row(model: type[_Model], row: Row, **given: Any) -> _Model:
    """A `model` dataclass from `row`: each field is the column of its name (or the one its
    metadata names, `column`), read as the field's
    type says (a bool from 0/1, an enum from its value, a Decimal from its text, a dict from JSON;
    None stays None where the type allows it), except the fields `given`: values that come from
    other columns or read otherwise."""
    read = {
        name: row[col] if reader is None else reader(row[col])
        for name, col, reader in _readers(model)
        if name not in given
    }
    return model(**read, **given)


def optional_decimal(text: str | None) -> Decimal | None:
    """A stored amount (TEXT holding a Decimal), None for NULL."""
    return None if text is None else Decimal(text)


def readable_decimal(text: str | None) -> Decimal | None:
    """A stored amount where an unreadable value counts as none (a report, a threshold)."""
    try:
        return optional_decimal(text)
    except InvalidOperation:
        return None
