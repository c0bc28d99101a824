"""Row dataclasses and enums the repositories return; callers never see raw rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from bot.panel.models import OrderStatus, Status
from bot.panel.text import PanelText, PanelWords, panel_text
from bot.storage.rows import column


class AccessState(StrEnum):
    NONE = "none"
    REQUESTED = "requested"
    ALLOWED = "allowed"
    DENIED = "denied"


class SubmitState(StrEnum):
    """Submit protocol position: draft → submitting → placed | failed | unknown.

    The user settles an unknown one (issue 20 item 4): placed with the id they found on the
    panel, or not placed.
    """

    DRAFT = "draft"
    SUBMITTING = "submitting"
    PLACED = "placed"
    FAILED = "failed"
    # The request may or may not have reached the panel (timeout, crash mid-submit).
    UNKNOWN = "unknown"
    # Unknown, and then the user said the panel has no such order: nothing was charged.
    NOT_PLACED = "not_placed"


class Settled(StrEnum):
    """What `OrdersRepo.settle_found` did."""

    DONE = "done"  # stored as placed with the panel's id and status
    GONE = "gone"  # not an unknown order of this user (any more): nothing changed
    TAKEN = "taken"  # an order on the same panel holds that id: nothing changed


class OrderFilter(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"  # Completed or Partial: the panel delivered (all or part)
    CANCELED = "canceled"  # Canceled or Refunded: the panel gave the money back
    ALL = "all"


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str | None
    first_name: str | None
    language: str | None
    access: AccessState
    blocked_bot: bool
    notifications: bool
    created_at: float
    updated_at: float
    # The admin who made the latest access decision (None: nobody, or before migration 0003).
    access_decided_by: int | None = None
    # IANA time zone chosen in Settings (None: the TIMEZONE setting).
    time_zone: str | None = None
    # Quiet hours, minutes after midnight in the user's zone (None: none); see services/quiet.py.
    quiet_from: int | None = None
    quiet_to: int | None = None


@dataclass(frozen=True, slots=True)
class RequestCopy:
    """The message an admin got for a user's access request."""

    admin_id: int
    message_id: int


@dataclass(frozen=True, slots=True)
class OrderDraft:
    """What the user confirmed in the preview; becomes one `orders` row in state draft."""

    service_id: int
    service_name_text: str = field(metadata=column("service_name"))
    service_type: str
    link: str | None
    quantity: int | None
    cost: Decimal
    currency_text: str | None = field(default=None, metadata=column("currency"))
    runs: int | None = None
    interval: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    line_no: int | None = None

    # The panel's words, kept plain in `*_text` for SQL and data; views read them as PanelText.
    service_name = PanelWords("service_name_text", PanelText)
    currency = PanelWords("currency_text", panel_text)


@dataclass(frozen=True, slots=True)
class Order:
    id: int
    user_id: int
    token: str
    batch: str
    line_no: int | None
    panel_order_id: int | None
    service_id: int
    # The panel's words as stored (SQL and data read these); views read the `PanelText` of
    # each (`service_name`, `currency`, `raw_status`, `error`) as for the panel's models.
    service_name_text: str = field(metadata=column("service_name"))
    service_type: str
    link: str | None
    quantity: int | None
    runs: int | None
    interval: int | None
    extra: dict[str, Any]
    cost: Decimal
    charge: Decimal | None
    currency_text: str | None = field(metadata=column("currency"))
    status: str | None  # a `Status` value: our word, not the panel's
    raw_status_text: str | None = field(metadata=column("raw_status"))
    remains: int | None
    start_count: int | None
    submit_state: SubmitState
    # Why it failed: our reason code or the panel's own refusal (bot/views/reasons.py).
    error_text: str | None = field(metadata=column("error"))
    created_at: float
    submitted_at: float | None
    updated_at: float
    polled_at: float | None
    started_notified: bool
    # 🔕 on the card or a push: no pushes about this order.
    muted: bool = False
    panel_slot: int = 1  # the user's panel account (bot/storage/accounts.py) it belongs to

    service_name = PanelWords("service_name_text", PanelText)
    currency = PanelWords("currency_text", panel_text)
    raw_status = PanelWords("raw_status_text", panel_text)
    error = PanelWords("error_text", panel_text)  # a reason code or the panel's words

    @property
    def is_terminal(self) -> bool:
        """The panel reported a final status (Completed, Partial, Canceled, Refunded)."""
        return self.status is not None and self.status in _TERMINAL_VALUES


_TERMINAL_VALUES = frozenset(s.value for s in Status if s.is_terminal)


@dataclass(frozen=True, slots=True)
class ClaimResult:
    won: bool
    orders: list[Order]


@dataclass(frozen=True, slots=True)
class LinkCheck:
    """The duplicate-link guard inside a claim (issue 24 item 3): the user's open orders on
    panel account `slot` for the page of `link` (oldest first) go to `clear`, and nothing is
    claimed unless it answers True. It runs in the claim's transaction, after the write lock,
    so of two Confirms of two previews of one page only the first can pass it."""

    slot: int
    link: str
    clear: Callable[[Sequence[Order]], bool]


class DraftKind(StrEnum):
    """Which Confirm button may claim a preview: the single-order one or the bulk one."""

    SINGLE = "single"
    BULK = "bulk"


class DraftState(StrEnum):
    """Only an `open` draft can be claimed (and only before it expires)."""

    OPEN = "open"
    CLAIMED = "claimed"  # Confirm won: the rows went on to `submitting`
    KEY_CHANGED = "key_changed"  # /setkey or /deletekey after the preview
    REPLACED = "replaced"  # Confirm found new prices or limits and showed a fresh preview
    DROPPED = "dropped"  # closed to keep the user under the open-preview cap


@dataclass(frozen=True, slots=True)
class Draft:
    """What one preview promised: kind, key version, expiry, and the message showing it."""

    batch: str
    user_id: int
    kind: DraftKind
    key_version: int
    lines: int
    rate: Decimal | None
    state: DraftState
    chat_id: int | None
    message_id: int | None
    created_at: float
    expires_at: float
    closed_at: float | None
    expired: bool  # expires_at has passed, by the repository's clock
    panel_slot: int = 1  # the panel account it was priced on, the only one it may go to
    # Bulk: the most lines its Confirm may place (the balance covered only these); None: all.
    offered: int | None = None
    cancelled: bool = False  # the user cancelled it (its rows are gone; see migration 0009)
    # It warned of an open order on the same link: only "Order anyway" places it (0014).
    duplicates: bool = False


@dataclass(frozen=True, slots=True)
class DraftMessage:
    """A message whose Confirm keyboard must go when its draft closes."""

    batch: str
    chat_id: int
    message_id: int


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """One polled status; `None` in charge/currency/start_count/remains keeps the stored value."""

    order_id: int
    status: str
    raw_status: str | None = None
    charge: Decimal | None = None
    start_count: int | None = None
    remains: int | None = None
    currency: str | None = None

    @classmethod
    def from_panel(cls, order_id: int, st: OrderStatus) -> StatusUpdate:
        return cls(
            order_id=order_id,
            status=st.status.value,
            raw_status=st.raw_status_text,
            charge=st.charge,
            start_count=st.start_count,
            remains=st.remains,
            currency=st.currency_text,
        )


@dataclass(frozen=True, slots=True)
class Refill:
    id: int
    user_id: int
    panel_order_id: int
    order_id: int | None
    refill_id: int | None
    status: str  # a `RefillState` value: our word
    # The panel's own word for the state as stored; views read `raw_status` (`PanelText`).
    raw_status_text: str | None = field(metadata=column("raw_status"))
    created_at: float
    updated_at: float
    polled_at: float | None
    last_notified_status: str | None
    panel_slot: int = 1  # the panel account the refill was asked of

    raw_status = PanelWords("raw_status_text", panel_text)


class OutboxKind(StrEnum):
    """What an outbox item tells its user; the notifier renders each kind."""

    ORDER_STATUS = "order_status"  # the poller saw a final status
    ORDER_STARTED = "order_started"  # the poller saw it start
    ORDER_UNKNOWN = "order_unknown"  # mid-submit at a crash: it may or may not be placed
    REFILL_STATUS = "refill_status"  # a refill completed or was rejected
    KEY_REJECTED = "key_rejected"  # the panel stopped accepting the key; polling paused
    KEY_UNREADABLE = "key_unreadable"  # the stored key cannot be decrypted any more
    LOW_BALANCE = "low_balance"  # a panel's balance fell below the user's threshold
    # The price watch's changes on one panel account (issue 24 part 1): payload {"slot": n,
    # "changes": [{"service_id", "kind", "name", "old", "new"}, ...]}.
    PRICE_CHANGES = "price_changes"
    # The result of a user's own action (order, bulk, refill, cancel) that Telegram would not
    # take when it was due: payload {"text": rendered HTML, "order_id": local id or absent}.
    REPLY = "reply"
    # Several order pushes in one message: the poller's changes of one cycle, or what quiet hours
    # held back. Payload {"orders": [[order id, status or "started"], ...],
    # "refills": [[refill row id, status], ...]}.
    ORDER_DIGEST = "order_digest"
    # A scheduled order's run (issue 24): placed, refused, held at a higher price, missed...
    # Payload {"schedule_id", "run", "event" (bot/services/schedules.py ScheduleEvent), ...}.
    SCHEDULED = "scheduled"


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    user_id: int
    # An `OutboxKind` value; kept as stored, so that a kind this version does not know (left
    # by a newer one) reaches the notifier, which drops it, instead of failing the read.
    kind: str
    payload: dict[str, Any]
    dedupe_key: str | None
    created_at: float
    attempts: int
    next_attempt_at: float
    sent_at: float | None
    dropped_at: float | None
    last_error: str | None
    held: bool = False  # held back by quiet hours (merged into a digest when they end)


class LabelTaken(Exception):
    """The user already has a panel by this name (names are compared case-insensitively)."""


class PanelLimitReached(Exception):
    """The user already has as many live panel accounts as MAX_PANELS_PER_USER allows."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


class PanelLinkedAlready(Exception):
    """The user already has a live account on this URL (an operator's panel is linked once)."""


@dataclass(frozen=True, slots=True)
class PanelAccount:
    """One panel a user linked (or linked once: `removed` accounts keep only their name)."""

    user_id: int
    slot: int
    label: str
    url: str
    custom: bool  # a URL the user typed: its client gets the address guard
    is_default: bool
    paused: bool
    added_at: float
    removed: bool = False
    low_balance_threshold: Decimal | None = None
    low_balance_alerted: bool = False


@dataclass(frozen=True, slots=True)
class UnreadableKey:
    """A stored key no configured encryption key opens (ENCRYPTION_KEY lost or replaced)."""

    user_id: int
    # A digest of the ciphertext: tells one stored value from another, reveals nothing.
    fingerprint: str
    slot: int = 1


@dataclass(frozen=True, slots=True)
class KeyScan:
    """Every stored panel key: the readable ones decrypted, the unreadable ones by user."""

    readable: list[str]
    unreadable: list[UnreadableKey]


class Starred(StrEnum):
    """The outcome of adding a favourite."""

    ADDED = "added"  # now a favourite (also when it already was: a double tap)
    FULL = "full"  # the user has `limit` favourites already
