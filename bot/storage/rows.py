"""What the repositories share: the database and clock they hold, and rows read into dataclasses."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import fields
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

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


@cache
def _field_names(model: type[DataclassInstance]) -> tuple[str, ...]:
    return tuple(f.name for f in fields(model) if f.init)


def from_row(model: type[_Model], row: Row, **converted: Any) -> _Model:
    """A `model` dataclass from `row`: each field is the column of its name as the driver gave
    it (both engines give int, float, str and None alike), except the fields in `converted`:
    the values that need converting (enums, Decimals, 0/1 flags) or come from other columns."""
    read = {name: row[name] for name in _field_names(model) if name not in converted}
    return model(**read, **converted)


def optional_decimal(text: str | None) -> Decimal | None:
    """A stored amount (TEXT holding a Decimal), None for NULL."""
    return None if text is None else Decimal(text)


def readable_decimal(text: str | None) -> Decimal | None:
    """A stored amount where an unreadable value counts as none (a report, a threshold)."""
    try:
        return optional_decimal(text)
    except InvalidOperation:
        return None
