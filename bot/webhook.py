"""The webhook listener: checks Telegram's secret header and the size before reading a body.

PTB's own webhook server (tornado) reads a request's whole body, up to tornado's default of
100 MB, before its handler looks at the secret header: anyone who can reach the port can make
the bot buffer gigabytes with a handful of forged POSTs. This server streams the body instead:
the handler runs as soon as the headers are in, refuses a wrong or missing secret (403) and a
declared size over the cap (413) without reading a byte of the body, closes the connection, and
counts the bytes of a chunked body as they arrive. An update Telegram sends is a few KB; 1 MB
leaves room for the largest (a message with a long text and many entities).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
from collections.abc import Callable, Sequence
from http import HTTPStatus
from typing import Any

import tornado.web
from telegram import Bot, Update

from bot.fetched import FetchedUpdates
from bot.webhook_guard import GuardedHTTPServer

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# A client that stops sending in the middle of a body must not hold a connection forever.
BODY_TIMEOUT_SECONDS = 30.0
# Request headers must be in this soon after the connection (or the previous answer): Telegram
# sends them at once, and a connection that sends nothing holds a descriptor.
HEADER_TIMEOUT_SECONDS = 10.0
# WEBHOOK_MAX_CONNECTIONS: Telegram itself opens at most 100 (setWebhook's max_connections).
DEFAULT_MAX_CONNECTIONS = 200


@tornado.web.stream_request_body
class _UpdateHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("POST",)

    def initialize(self, receiver: WebhookServer) -> None:
        self._receiver = receiver
        self._body = bytearray()

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")

    def _refuse(self, status: HTTPStatus) -> None:
        # Finishing before the body was read makes tornado close the connection once the answer
        # is written, instead of draining the rest of the body.
        self._body.clear()
        # Say so: a client must not send its next request on a connection about to close.
        self.set_header("Connection", "close")
        self.set_status(status)
        self.finish(json.dumps({"ok": False, "error": status.phrase}))

    def prepare(self) -> None:
        sent = self.request.headers.get(SECRET_HEADER, "")
        # compare_digest: the answer time must not tell a guesser how much of the secret matched.
        if not hmac.compare_digest(sent.encode(), self._receiver.secret):
            log.debug("webhook: refused a request without the right secret header")
            self._refuse(HTTPStatus.FORBIDDEN)
            return
        declared = self.request.headers.get("Content-Length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                self._refuse(HTTPStatus.BAD_REQUEST)
                return
            if size > MAX_BODY_BYTES:
                log.warning("webhook: refused a %d-byte body (limit %d)", size, MAX_BODY_BYTES)
                self._refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
                return
        if not self._receiver.accepting():
            # A standby (or a leader that just lost its lock) takes no update: Telegram keeps
            # it and delivers it again, by then to the leader.
            self.set_header("Retry-After", "1")
            self._refuse(HTTPStatus.SERVICE_UNAVAILABLE)

    def data_received(self, chunk: bytes) -> None:
        if self._finished:
            return
        if len(self._body) + len(chunk) > MAX_BODY_BYTES:
            # A chunked body declares no size up front: it is cut off at the cap.
            log.warning("webhook: refused a body over %d bytes", MAX_BODY_BYTES)
            self._refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            return
        self._body += chunk

    async def post(self) -> None:
        try:
            data = json.loads(bytes(self._body))
            update = Update.de_json(data, self._receiver.bot) if isinstance(data, dict) else None
        except Exception as exc:  # any malformed JSON or object: refuse it, keep serving
            log.warning("webhook: an update could not be read (%s)", type(exc).__name__)
            update = None
        finally:
            self._body.clear()
        if update is None:
            self._refuse(HTTPStatus.BAD_REQUEST)
            return
        if self._receiver.fetched is not None:
            # Kept before the answer that tells Telegram it is delivered (bot/fetched.py).
            await self._receiver.fetched.fetched([data])
        await self._receiver.queue.put(update)
        self.set_status(HTTPStatus.OK)
        self.finish(json.dumps({"ok": True}))


class _LeaderHandler(tornado.web.RequestHandler):
    """GET /leader: 200 on the active instance, 503 on a standby, for a load balancer's
    health check, so that Telegram's requests go where they are taken."""

    SUPPORTED_METHODS = ("GET",)

    def initialize(self, receiver: WebhookServer) -> None:
        self._receiver = receiver

    def get(self) -> None:
        leading = self._receiver.accepting()
        self.set_status(HTTPStatus.OK if leading else HTTPStatus.SERVICE_UNAVAILABLE)
        self.finish({"leader": leading})


class _Application(tornado.web.Application):
    def log_request(self, handler: tornado.web.RequestHandler) -> None:
        """No access log: forged requests would fill it, and our own lines say what matters."""


class WebhookServer:
    """Serves `path` on `listen:port` and puts every accepted update on `queue`."""

    def __init__(
        self,
        *,
        listen: str,
        port: int,
        path: str,
        secret: str,
        bot: Bot,
        queue: asyncio.Queue[Any],
        accepting: Callable[[], bool] = lambda: True,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        header_timeout: float = HEADER_TIMEOUT_SECONDS,
        fetched: FetchedUpdates | None = None,
        extra_routes: Sequence[tuple[str, type[Any], dict[str, Any]]] = (),
    ) -> None:
        """`extra_routes` are served after the webhook and /leader (the Mini App's)."""
        if not secret:
            raise ValueError("a webhook needs a secret")
        self.listen = listen
        self.port = port
        self.secret = secret.encode()
        self.bot = bot
        self.queue = queue
        # Whether this instance takes updates now (the leader); see bot/leadership.py.
        self.accepting = accepting
        # Where an update is kept until handled (None: nowhere).
        self.fetched = fetched
        route = re.escape("/" + path.strip("/")).rstrip("/") + "/?"
        app = _Application(
            [
                ("/leader", _LeaderHandler, {"receiver": self}),
                (route, _UpdateHandler, {"receiver": self}),
                *extra_routes,
            ],
            # The Mini App's catalog is large JSON; a webhook answer is too small to be touched.
            compress_response=bool(extra_routes),
        )
        self._server = GuardedHTTPServer(
            app,
            # A backstop only: above the handler's own cap, so that the handler answers 413
            # (tornado's own limit would answer a bare 400).
            max_body_size=MAX_BODY_BYTES * 2,
            max_buffer_size=MAX_BODY_BYTES * 4,
            body_timeout=BODY_TIMEOUT_SECONDS,
            # tornado's deadline for a request's headers (bot/webhook_guard.py).
            idle_connection_timeout=header_timeout,
        )
        self._server.guard(max_connections)
        self._running = False

    async def start(self) -> None:
        # "Malformed HTTP message" lines for refused bodies would let a flood fill the log.
        logging.getLogger("tornado.general").setLevel(logging.WARNING)
        self._server.listen(self.port, address=self.listen)
        self._running = True

    @property
    def connections(self) -> int:
        """Connections held now (at most `max_connections`)."""
        return self._server.held

    async def stop(self) -> None:
        if not self._running:
            return
        self._running = False
        self._server.stop()
        await self._server.close_all_connections()
