"""Rows read into dataclasses: each column read as its field's type says."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from bot.storage.rows import from_row


class Colour(StrEnum):
    RED = "red"


@dataclass(frozen=True, slots=True)
class Sample:
    id: int
    name: str | None
    flag: bool
    colour: Colour
    cost: Decimal
    charge: Decimal | None
    payload: dict[str, Any]
    closed: bool = False
    tags: list[str] = field(default_factory=list)


def test_each_column_is_read_as_its_field_type_says() -> None:
    row = {
        "id": 7,
        "name": None,
        "flag": 1,
        "colour": "red",
        "cost": "1.10",
        "charge": None,
        "payload": '{"a": [1]}',
    }
    sample = from_row(Sample, row, closed=True, tags=["x"])
    assert sample == Sample(
        7, None, True, Colour.RED, Decimal("1.10"), None, {"a": [1]}, True, ["x"]
    )
    assert type(sample.flag) is bool and type(sample.cost) is Decimal
    assert from_row(Sample, {**row, "charge": "0.5"}, closed=False, tags=[]).charge == Decimal(
        "0.5"
    )
