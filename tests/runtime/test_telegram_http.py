"""Which Telegram failures are worth repeating: a 5xx, a failed or reset connection, and for
idempotent calls (edits, deletes) also a timeout; never a refusal."""

from __future__ import annotations

import httpx
import pytest
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, TimedOut

from bot.telegram_http import ServerError, is_transient


def _caused(exc: Exception, cause: BaseException) -> Exception:
    exc.__cause__ = cause
    return exc


@pytest.mark.parametrize(
    ("exc", "send", "edit"),
    [
        (ServerError(502, "Bad Gateway (502)"), True, True),
        (_caused(NetworkError("reset"), httpx.RemoteProtocolError("disconnected")), True, True),
        (_caused(NetworkError("refused"), httpx.ConnectError("refused")), True, True),
        (_caused(TimedOut(), httpx.ConnectTimeout("connect")), True, True),
        (_caused(TimedOut(), httpx.PoolTimeout("pool")), True, True),
        # Telegram may have taken the message before the answer timed out: a new message is
        # not repeated (it could show twice), an edit is.
        (_caused(TimedOut(), httpx.ReadTimeout("read")), False, True),
        (NetworkError("Unknown HTTPError (418)"), False, False),
        (BadRequest("message is too long"), False, False),
        (Forbidden("bot was blocked by the user"), False, False),
        (InvalidToken("Unauthorized"), False, False),
    ],
    ids=[
        "5xx",
        "reset",
        "refused",
        "connect-timeout",
        "pool-timeout",
        "read-timeout",
        "other-status",
        "400",
        "403",
        "401",
    ],
)
def test_transient_failures(exc: Exception, send: bool, edit: bool) -> None:
    assert isinstance(exc, NetworkError | BadRequest | Forbidden | InvalidToken)
    assert is_transient(exc, idempotent=False) is send
    assert is_transient(exc, idempotent=True) is edit
