"""Typed values the panel client returns. Parsing lives in `bot.panel.parsing`."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from bot.panel.text import PanelText, PanelWords, panel_text


class Status(StrEnum):
    """Order status as the bot understands it; `UNKNOWN` keeps the raw text elsewhere."""

    PENDING = "Pending"
    IN_PROGRESS = "In progress"
    PROCESSING = "Processing"
    COMPLETED = "Completed"
    PARTIAL = "Partial"
    CANCELED = "Canceled"
    REFUNDED = "Refunded"
    ERROR = "Error"
    UNKNOWN = "Unknown"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATUSES


TERMINAL_STATUSES = frozenset({Status.COMPLETED, Status.PARTIAL, Status.CANCELED, Status.REFUNDED})


class RefillState(StrEnum):
    COMPLETED = "completed"
    PENDING = "pending"
    REJECTED = "rejected"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Service:
    id: int
    # The panel's name and category as it sent them; views read them as `name` and `category`
    # (`PanelText`). Data (search keys, sorting, matching, storage, JSON) reads these.
    name_text: str
    type: str
    category_text: str
    rate: Decimal  # per 1000 units
    min: int
    max: int
    # None: the panel's `services` does not say (see parsing.parse_service).
    refill: bool | None = False
    cancel: bool | None = False
    dripfeed: bool | None = None
    # The panel's words as it sent them; views read them as `description` (`PanelText`).
    description_text: str | None = None
    # The panel's `average_time` (not in the standard, common in practice): minutes when it
    # could be read, else the panel's own words (views read `average_text`); both None when it
    # sent none.
    average_minutes: int | None = None
    average_words: str | None = None

    # Text for a view to escape (bot/panel/text.py), made when read.
    name = PanelWords("name_text", PanelText)
    category = PanelWords("category_text", PanelText)  # "" when the panel sent none
    description = PanelWords("description_text", panel_text)
    # The panel's own words for the average time, when it gave no number of minutes.
    average_text = PanelWords("average_words", panel_text)

    def cost(self, quantity: int, runs: int = 1) -> Decimal:
        """Cost of `quantity` units, `runs` times: rate is per 1000."""
        return self.rate * quantity * runs / 1000


@dataclass(frozen=True, slots=True)
class OrderStatus:
    status: Status
    # The panel's own word for the status; views read `raw_status` (`PanelText`).
    raw_status_text: str
    charge: Decimal | None = None
    start_count: int | None = None
    remains: int | None = None
    # The panel's currency as it sent it; views read `currency` (`PanelText`).
    currency_text: str | None = None

    # The currency the panel named beside the charge, and its word for the status.
    currency = PanelWords("currency_text", panel_text)
    raw_status = PanelWords("raw_status_text", PanelText)


@dataclass(frozen=True, slots=True)
class RefillStatus:
    state: RefillState
    # The panel's own word for the refill's state; views read `raw_status` (`PanelText`).
    raw_status_text: str
    refill_id: int | None = None

    raw_status = PanelWords("raw_status_text", PanelText)


@dataclass(frozen=True, slots=True)
class Balance:
    amount: Decimal
    # The panel's currency as it sent it ("" when none); views read `currency` (`PanelText`).
    currency_text: str

    # Often an ISO code, sometimes the panel's own words.
    currency = PanelWords("currency_text", PanelText)


@dataclass(frozen=True, slots=True)
class NewOrder:
    """One order to place; `extra` holds the type-specific parameters of the standard."""

    service: int
    link: str | None = None
    quantity: int | None = None
    runs: int | None = None
    interval: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BulkItemResult:
    """Outcome of one item of `add_orders`, in input order."""

    index: int
    order_id: int | None = None
    error: str | None = None
    # True when the item was never sent (an earlier chunk failed as a whole).
    not_sent: bool = False
    # True when the item was sent but no trustworthy answer came back: the order MAY exist on
    # the panel. Never resend such an item blindly; check the panel's order list first.
    unknown: bool = False

    @property
    def ok(self) -> bool:
        return self.order_id is not None


@dataclass(frozen=True, slots=True)
class RefillResult:
    order_id: int
    refill_id: int | None
    state: RefillState
    # The panel's own word for the refill's state; views read `raw_status` (`PanelText`).
    raw_status_text: str
    error: str | None = None
    # Only multi calls set these, for items of a chunk after the first that failed as a whole:
    # `unknown` = sent without a trustworthy answer, `not_sent` = never sent.
    unknown: bool = False
    not_sent: bool = False

    raw_status = PanelWords("raw_status_text", PanelText)

    @property
    def ok(self) -> bool:
        return self.refill_id is not None and self.state is not RefillState.REJECTED


@dataclass(frozen=True, slots=True)
class CancelResult:
    order_id: int
    ok: bool
    error: str | None = None
    # As for `RefillResult`: set only for later chunks of a multi call that failed as a whole.
    unknown: bool = False
    not_sent: bool = False
