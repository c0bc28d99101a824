"""Exceptions raised by the panel client. None of them ever carries the API key."""

from __future__ import annotations

from decimal import Decimal


class PanelError(Exception):
    """Base class of every error the panel client raises."""


class PanelRejected(PanelError):
    """The panel answered with `{"error": ...}`; `message` is the panel's own text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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


class PanelUnavailable(PanelError):
    """Timeout, connection error, HTTP 5xx, or a body that is not the JSON we expect."""


class OutcomeUnknown(PanelError):
    """A non-idempotent call was sent and no trustworthy answer came back.

    The order (or refill, or cancel) may or may not exist on the panel.
    """
