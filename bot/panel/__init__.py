"""Client for the standard SMM panel API v2. Knows nothing of Telegram."""

from bot.panel.client import PanelClient
from bot.panel.errors import (
    ActionUnsupported,
    AnswerTooLarge,
    InsufficientBalance,
    InvalidApiKey,
    OutcomeUnknown,
    PanelError,
    PanelRejected,
    PanelUnavailable,
    UnreadableBalance,
)
from bot.panel.models import (
    TERMINAL_STATUSES,
    Balance,
    BulkItemResult,
    CancelResult,
    NewOrder,
    OrderStatus,
    RefillResult,
    RefillState,
    RefillStatus,
    Service,
    Status,
)

__all__ = [
    "TERMINAL_STATUSES",
    "ActionUnsupported",
    "AnswerTooLarge",
    "Balance",
    "BulkItemResult",
    "CancelResult",
    "InsufficientBalance",
    "InvalidApiKey",
    "NewOrder",
    "OrderStatus",
    "OutcomeUnknown",
    "PanelClient",
    "PanelError",
    "PanelRejected",
    "PanelUnavailable",
    "RefillResult",
    "RefillState",
    "RefillStatus",
    "Service",
    "Status",
    "UnreadableBalance",
]
