"""What every Mini App order call shares: who asks, and an answer that is not a success."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from bot.i18n import Translator
from bot.panel import PanelError
from bot.services.keys import NoKey
from bot.views.errors import no_key_text, panel_error_text
from bot.webapp.order_views import plain


class Refusal(Exception):
    """An answer that is not a success: its HTTP status and what the user reads."""

    def __init__(self, status: HTTPStatus, text: str, **extra: Any) -> None:
        super().__init__(text)
        self.status = status
        self.text = text
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": self.text, **self.extra}


@dataclass(frozen=True, slots=True)
class Caller:
    """Who asks, from the validated initData (never from a parameter), and in which words."""

    user_id: int
    t: Translator


def refusal_of(t: Translator, exc: NoKey | PanelError) -> Refusal:
    """Why the panel work did not happen, as the chat says it."""
    if isinstance(exc, NoKey):
        return Refusal(HTTPStatus.CONFLICT, plain(no_key_text(t)))
    return Refusal(HTTPStatus.BAD_GATEWAY, plain(panel_error_text(t, exc)))


def answers_of(body: Mapping[str, Any]) -> dict[str, str]:
    """The form's answers as the texts the chat's parsers read."""
    raw = body.get("answers")
    if not isinstance(raw, Mapping):
        return {}
    return {str(k): str(v) for k, v in raw.items() if isinstance(v, str | int) and str(v).strip()}


def int_of(body: Mapping[str, Any], name: str, *, required: bool = True) -> int | None:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int | str):
        if required:
            raise Refusal(HTTPStatus.BAD_REQUEST, f"{name}?")
        return None
    try:
        return int(value)
    except ValueError:
        raise Refusal(HTTPStatus.BAD_REQUEST, f"{name}?") from None


def text_of(body: Mapping[str, Any], name: str, *, limit: int) -> str:
    """A text field of the request, required, at most `limit` characters."""
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise Refusal(HTTPStatus.BAD_REQUEST, f"{name}?")
    if len(value) > limit:
        raise Refusal(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"{name}: too long")
    return value
