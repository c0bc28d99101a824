"""What every Mini App order call shares: its typed requests, who asks, and a refusal.

The requests are pydantic models (the edge: the page's JSON is checked before any service sees
it). `Asker` is what the order calls need of `bot.webapp.api.Caller` (validated initData only).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, Protocol

from pydantic import BaseModel, Field

from bot.deps import Deps
from bot.i18n import Translator
from bot.panel.errors import PanelError
from bot.services.accounts import NoKey
from bot.storage.models import OrderFilter
from bot.views.errors import no_key_text, panel_error_text
from bot.webapp.order_views import plain

# A pasted list of the chat's maximum (1,000 lines) fits well within this (and in 64 KB).
MAX_LIST_CHARS = 60_000
# DraftService one bulk Review may make: one per panel, and nobody has this many.
MAX_BATCHES = 10
# A batch token is 16 characters (secrets.token_urlsafe(12)).
MAX_BATCH_CHARS = 64
MAX_QUERY_CHARS = 200
MAX_ANSWER_CHARS = 40_000


class Asker(Protocol):
    """Who asks, from the validated initData (never from a parameter), and in which words."""

    @property
    def id(self) -> int: ...

    @property
    def t(self) -> Translator: ...


class ServiceRequest(BaseModel):
    service_id: int
    slot: int | None = None  # the panel account; the default one without


class AnswersRequest(ServiceRequest):
    answers: dict[str, str | int] = Field(default_factory=dict)
    dripfeed: bool = False

    def texts(self) -> dict[str, str]:
        """The answers as the texts the chat's parsers read (empty ones left out)."""
        found = {k: str(v)[:MAX_ANSWER_CHARS] for k, v in self.answers.items()}
        return {k: v for k, v in found.items() if v.strip()}


class BatchRequest(BaseModel):
    batch: str = Field(min_length=1, max_length=MAX_BATCH_CHARS)


class ConfirmRequest(BatchRequest):
    # The review warned of an open order on its link: its "⚠️ Order anyway" (the service
    # places only the caller's own draft, and a warned one only with this).
    anyway: bool = False


class ListRequest(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_LIST_CHARS)


class BulkBatch(BatchRequest):
    first: int | None = Field(default=None, ge=1)  # "only the first N" lines
    anyway: bool = False  # its preview warned of open orders on its links: "Order anyway"


class BulkConfirmRequest(BaseModel):
    batches: list[BulkBatch] = Field(min_length=1, max_length=MAX_BATCHES)


class OrdersRequest(BaseModel):
    filter: OrderFilter = OrderFilter.ALL
    page: int = Field(default=0, ge=0)
    q: str = Field(default="", max_length=MAX_QUERY_CHARS)


class OrderRequest(BaseModel):
    id: int  # our row id, never a panel's order id


class Refusal(Exception):
    """An answer that is not a success: its status, a code for the page, what the user reads."""

    def __init__(self, status: HTTPStatus, code: str, text: str, **extra: Any) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.text = text
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.text, **self.extra}


def refusal_of(t: Translator, exc: NoKey | PanelError) -> Refusal:
    """Why the panel work did not happen, as the chat says it."""
    if isinstance(exc, NoKey):
        return Refusal(HTTPStatus.CONFLICT, "no_key", plain(no_key_text(t)))
    return Refusal(HTTPStatus.BAD_GATEWAY, "panel", plain(panel_error_text(t, exc)))


async def panel_currency(deps: Deps, user_id: int, slot: int) -> str | None:
    """The currency amounts of panel account `slot` are shown in: the default panel's, which
    the catalog views keep (no balance call each time); None (plain numbers) for another
    panel, never priced in a currency that is not its own."""
    default = await deps.accounts.account(user_id)
    if default is None or default.slot != slot:
        return None
    try:
        return await deps.currencies.currency(user_id)
    except NoKey:
        return None
