"""What a panel's API takes, learned per panel URL (issue 20).

Hundreds of panels run a classic script that knows only `status` with `order=` and answers
`add_bulk`, `refill`, `refill_status` and `cancel` with a bare `null`. The client learns this
from the panel's own answers, safely (never by sending real orders where they could be lost),
and a `CapabilityBook` remembers it per URL so every user of that panel benefits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

# Learned answers are trusted this long, then learned again (a panel may be upgraded).
RELEARN_SECONDS = 86_400.0


class Feature(StrEnum):
    MULTI_STATUS = "multi_status"  # `status` with `orders=` (a map of ids)
    ADD_BULK = "add_bulk"
    REFILL = "refill"
    REFILL_STATUS = "refill_status"
    CANCEL = "cancel"


class Support(StrEnum):
    UNKNOWN = "unknown"
    YES = "yes"
    NO = "no"


@dataclass(frozen=True, slots=True)
class Capabilities:
    """One panel's learned support; a feature not in `known` is `Support.UNKNOWN`."""

    known: dict[Feature, Support] = field(default_factory=dict)

    def of(self, feature: Feature) -> Support:
        return self.known.get(feature, Support.UNKNOWN)

    def lacks(self, feature: Feature) -> bool:
        return self.of(feature) is Support.NO


class CapabilityBook(Protocol):
    """Where learned capabilities live (the database, bot/services/capabilities.py).

    `get` answers only what is still fresh (learned within RELEARN_SECONDS); `learn` stores an
    answer, and is cheap to call again with what is already known.
    """

    async def get(self, url: str) -> Capabilities: ...

    async def learn(self, url: str, feature: Feature, support: Support) -> None: ...


class Pacer(Protocol):
    """Spreads the requests a panel gets one at a time (PANEL_MAX_RPS per panel URL)."""

    async def turn(self, url: str) -> None: ...


class MemoryBook:
    """A book kept in memory, for one client (the default) or a tool; never expires."""

    def __init__(self) -> None:
        self._known: dict[str, dict[Feature, Support]] = {}

    async def get(self, url: str) -> Capabilities:
        return Capabilities(dict(self._known.get(url, {})))

    async def learn(self, url: str, feature: Feature, support: Support) -> None:
        self._known.setdefault(url, {})[feature] = support
