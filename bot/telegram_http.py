"""Telegram's HTTP transport, with the failures worth a retry told apart from the others.

PTB turns every 5xx answer into a plain `NetworkError` whose message is Telegram's description
("Bad Gateway"), so the status is lost by the time the rate limiter sees the error. The wrapper
below raises `ServerError` with the status instead; `is_transient` then decides, per call,
whether repeating it can only help.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

# Gateway and overload answers of Telegram's front end: the request may not even have reached
# the Bot API. 500 is included: Telegram answers it for internal hiccups that pass.
TRANSIENT_STATUS = frozenset({500, 502, 503, 504})
# PTB's defaults (ApplicationBuilder): a pool large enough for many users' replies at once.
API_POOL_SIZE = 256


class ServerError(NetworkError):
    """Telegram (or the proxy in front of it) answered with a transient 5xx status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _describe(status: int, payload: bytes) -> str:
    try:
        description = json.loads(payload).get("description")
    except (ValueError, AttributeError):
        description = None
    text = description if isinstance(description, str) and description else "server error"
    return f"{text} ({status})"


class StatusRequest(BaseRequest):
    """Delegates to a PTB request; a 5xx answer in TRANSIENT_STATUS raises `ServerError`."""

    def __init__(self, inner: BaseRequest, gate: Callable[[], None] | None = None) -> None:
        self._inner = inner
        # Raises when this process may no longer talk to Telegram (bot/leadership.py's fence).
        self._gate = gate

    @property
    def read_timeout(self) -> float | None:
        value: float | None = self._inner.read_timeout
        return value

    async def initialize(self) -> None:
        await self._inner.initialize()

    async def shutdown(self) -> None:
        await self._inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._gate is not None:
            self._gate()
        status, payload = await self._inner.do_request(
            url,
            method,
            request_data=request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        if status in TRANSIENT_STATUS:
            raise ServerError(status, _describe(status, payload))
        return status, payload


def api_request(inner: BaseRequest, gate: Callable[[], None] | None = None) -> StatusRequest:
    """The request for Bot API calls (not getUpdates), wrapped."""
    return StatusRequest(inner, gate)


def default_requests() -> tuple[HTTPXRequest, HTTPXRequest]:
    """PTB's default transports: API calls (a large pool) and getUpdates (one connection).

    Both share one verified TLS context: each client would otherwise build its own and read the
    CA bundle again (~0.8 MiB resident each, benchmark 5). Built as httpx builds its default,
    so SSL_CERT_FILE and SSL_CERT_DIR still apply.
    """
    tls = {"verify": httpx.create_ssl_context()}
    return (
        HTTPXRequest(connection_pool_size=API_POOL_SIZE, httpx_kwargs=tls),
        HTTPXRequest(connection_pool_size=1, httpx_kwargs=tls),
    )


def _cause(exc: BaseException) -> BaseException | None:
    return exc.__cause__ or exc.__context__


def is_transient(exc: TelegramError, *, idempotent: bool) -> bool:
    """Whether repeating the failed call is worth it.

    Always: a 5xx in TRANSIENT_STATUS, a connection that failed or was reset, a connect or pool
    timeout (the request never left). For an idempotent call (an edit, a delete) also a read or
    write timeout; for a new message a timeout means Telegram is slow rather than down, the
    message is probably on its way, and a repeat would show it twice.
    """
    if isinstance(exc, ServerError):
        return True
    if isinstance(exc, TimedOut):
        cause = _cause(exc)
        return idempotent or isinstance(cause, httpx.ConnectTimeout | httpx.PoolTimeout)
    if isinstance(exc, NetworkError):
        return isinstance(_cause(exc), httpx.TransportError)
    return False
