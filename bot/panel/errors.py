"""Exceptions raised by the panel client. None of them ever carries the API key."""

from __future__ import annotations

from decimal import Decimal

from bot.panel.text import PanelText


class PanelError(Exception):
    """Base class of every error the panel client raises."""


class PanelRejected(PanelError):
    """The panel answered with `{"error": ...}`; `message` is the panel's own text (a
    `PanelText` for the views, bot/panel/text.py; `message_text` the same as plain text, for
    data: storage, matching), `code` the error code some panels send beside it (`"status":
    "104"`, a string or a number)."""

    code: str | None = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message_text = message

    @property
    def message(self) -> PanelText:
        """The panel's words (or ours, for a refusal it did not word): text to escape."""
        return PanelText(self.message_text)


class InvalidApiKey(PanelRejected):
    """The panel does not accept the API key."""


class InsufficientBalance(PanelRejected):
    """The account cannot pay; amounts are filled in when the panel's message gives them."""

    def __init__(
        self,
        message: str,
        required: Decimal | None = None,
        available: Decimal | None = None,
    ) -> None:
        super().__init__(message)
        self.required = required
        self.available = available


class ActionUnsupported(PanelRejected):
    """The panel does not take this action through its API: it answered `null` or "unknown
    action" (the classic panel script for add_bulk, refill, refill_status and cancel), or it was
    learned to do so (bot/panel/capabilities.py) and was not asked again."""

    def __init__(self, action: str) -> None:
        super().__init__(f"the panel does not take {action} through its API")
        self.action = action


class PanelUnavailable(PanelError):
    """Timeout, connection error, HTTP 5xx, or a body that is not the JSON we expect."""


class AnswerTooLarge(PanelUnavailable):
    """A read's answer grew past its size cap; nothing of it was kept.

    A kind of `PanelUnavailable` (callers that fall back on stored data when the panel fails
    keep doing so), but never retried: the next try would be as large. A write never raises
    it: an oversized answer to a write is `OutcomeUnknown`, the panel may have acted.
    """

    def __init__(self, message: str, limit: int) -> None:
        super().__init__(message)
        self.limit = limit


class UnreadableBalance(PanelUnavailable):
    """The panel answered a balance we cannot read (`"NaN"`, `1e308`, `"12,345.67"`).

    `shown` is the value as the panel sent it, cut short: the user is told what came (escaped),
    which says more than "not answering". Never retried: the panel would send it again.
    """

    def __init__(self, shown: str) -> None:
        super().__init__(f"balance: cannot read {shown!r}")
        self.shown_text = shown

    @property
    def shown(self) -> PanelText:
        """What the panel sent for its balance: text to escape."""
        return PanelText(self.shown_text)


class OutcomeUnknown(PanelError):
    """A non-idempotent call was sent and no trustworthy answer came back.

    The order (or refill, or cancel) may or may not exist on the panel.
    """
