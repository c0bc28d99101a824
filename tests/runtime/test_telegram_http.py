"""Which Telegram failures are worth repeating: a 5xx, a failed or reset connection, and for
idempotent calls (edits, deletes) also a timeout; never a refusal."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, TimedOut

from bot.app import build_application
from bot.config import load_settings
from bot.telegram_http import ServerError, StatusRequest, is_transient


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


def test_the_application_reads_the_ca_bundle_once_for_telegram(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram's two clients (API calls, getUpdates) share one verified context: a context of
    each read the CA bundle again (~0.8 MiB resident each, benchmark 5)."""
    loads: list[object] = []
    load = ssl.SSLContext.load_verify_locations

    def counted(context: ssl.SSLContext, *args: Any, **kwargs: Any) -> None:
        loads.append(args or kwargs)
        load(context, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counted)
    settings = load_settings(
        bot_token="123456:" + "A" * 35,
        panel_api_url="https://panel.example/api/v2",
        database_path=tmp_path / "bot.sqlite3",
        encryption_key=Fernet.generate_key().decode(),
    )
    app = build_application(settings)
    assert isinstance(app.bot.request, StatusRequest)
    assert len(loads) == 1, loads
