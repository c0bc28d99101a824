"""How a user looks at service lists: sorted by price or not, refill-only, cancel-only.

One view per user, kept in their state (bot/user_state.py; JSON, persisted), applied
to every category page and search result. It is kept, not encoded in each button: a card's
« Back then returns to the same sorted, filtered page, and old buttons keep their wire format.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from bot.panel.models import Service


class Sort(StrEnum):
    CATALOG = ""  # the panel's order
    PRICE_UP = "asc"
    PRICE_DOWN = "desc"


class Option(StrEnum):
    """What a toggle button changes (its one-letter code travels in the button's data)."""

    SORT = "s"
    REFILL = "r"
    CANCEL = "c"


_NEXT_SORT = {Sort.CATALOG: Sort.PRICE_UP, Sort.PRICE_UP: Sort.PRICE_DOWN}


@dataclass(frozen=True, slots=True)
class CatalogOptions:
    sort: Sort = Sort.CATALOG
    refill_only: bool = False
    cancel_only: bool = False

    @property
    def filtered(self) -> bool:
        return self.refill_only or self.cancel_only

    @property
    def plain(self) -> bool:
        return self == PLAIN

    def apply(self, services: Sequence[Service]) -> list[Service]:
        """The services this view shows, in its order (a stable sort: ties keep the panel's)."""
        shown = [
            s
            for s in services
            if (s.refill or not self.refill_only) and (s.cancel or not self.cancel_only)
        ]
        if self.sort is not Sort.CATALOG:
            shown.sort(key=lambda s: s.rate, reverse=self.sort is Sort.PRICE_DOWN)
        return shown

    def toggled(self, option: Option) -> CatalogOptions:
        """The view after pressing `option`: sort cycles panel order → price ↑ → price ↓."""
        if option is Option.SORT:
            return replace(self, sort=_NEXT_SORT.get(self.sort, Sort.CATALOG))
        if option is Option.REFILL:
            return replace(self, refill_only=not self.refill_only)
        return replace(self, cancel_only=not self.cancel_only)

    def to_json(self) -> dict[str, Any]:
        return {"sort": self.sort.value, "refill": self.refill_only, "cancel": self.cancel_only}

    @classmethod
    def from_json(cls, data: object) -> CatalogOptions:
        """The stored view; anything unreadable is the plain view (it only changes the order)."""
        if not isinstance(data, Mapping):
            return PLAIN
        try:
            sort = Sort(data.get("sort", ""))
        except ValueError:
            sort = Sort.CATALOG
        return cls(sort, data.get("refill") is True, data.get("cancel") is True)


PLAIN = CatalogOptions()
