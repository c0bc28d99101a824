"""Serving the Mini App: its routes, its static files, and a server of its own.

With a webhook, the webhook's server (bot/webhook.py) serves these routes beside the webhook
and /leader: one port, one certificate at the proxy. Without one, `WebAppServer` serves them on
WEBAPP_LISTEN:WEBAPP_PORT. Either way the server opens before leadership is settled, so a
standby answers the API with 503 as it answers the webhook.

Routes come from the API modules' `routes(ctx)` (paths relative to WEBAPP_URL's path), so a page
added later brings its own endpoints without a central list to edit beyond `API_MODULES`.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from types import ModuleType
from typing import Any

import tornado.web

from bot.config import webapp_path
from bot.deps import Deps
from bot.i18n import Catalogs
from bot.webapp.api import MAX_BODY_BYTES, WebAppContext
from bot.webapp.api_session import TEXTS as SHELL_TEXTS
from bot.webapp.api_session import SessionHandler
from bot.webhook_guard import GuardedHTTPServer

log = logging.getLogger(__name__)

Route = tuple[str, type[Any], dict[str, Any]]

# Each has `routes(ctx) -> list[Route]` and may have `TEXTS` (key -> N_ source) for its page.
API_MODULES = ("bot.webapp.api_catalog", "bot.webapp.api_orders")

# Scripts only from this origin and Telegram's (its telegram-web-app.js); no inline script,
# no eval, nothing embedded from elsewhere. The page talks to this origin only.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' https://telegram.org",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    )
)
# The bodies tornado buffers are a backstop only: the handlers count and answer 413 first.
_MAX_BUFFER = MAX_BODY_BYTES * 4
HEADER_TIMEOUT_SECONDS = 10.0
BODY_TIMEOUT_SECONDS = 30.0
MAX_CONNECTIONS = 500


class StaticHandler(tornado.web.StaticFileHandler):
    """The page's files, with the Content-Security-Policy and revalidation on every load."""

    def set_default_headers(self) -> None:
        self.set_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")

    def set_extra_headers(self, path: str) -> None:
        # No build step, no hashed names: an upgrade must reach clients at once (ETag keeps
        # the revalidation cheap).
        self.set_header("Cache-Control", "no-cache")


def api_modules() -> list[ModuleType]:
    """The API modules present (a page's module may not exist yet)."""
    found = []
    for name in API_MODULES:
        if importlib.util.find_spec(name) is not None:
            found.append(importlib.import_module(name))
    return found


def page_texts(modules: Sequence[ModuleType]) -> dict[str, str]:
    texts = dict(SHELL_TEXTS)
    for module in modules:
        extra: Mapping[str, str] = getattr(module, "TEXTS", {})
        texts.update(extra)
    return texts


def webapp_routes(ctx: WebAppContext) -> list[Route]:
    """Every route of the Mini App under WEBAPP_URL's path: the API first, then the files."""
    prefix = webapp_path(ctx.settings.webapp_url)
    modules = api_modules()
    routes: list[Route] = [
        (prefix + "api/session", SessionHandler, {"ctx": ctx, "texts": page_texts(modules)})
    ]
    for module in modules:
        for path, handler, kwargs in module.routes(ctx):
            routes.append((prefix + path, handler, kwargs))
    if prefix != "/":
        routes.append((prefix.rstrip("/"), tornado.web.RedirectHandler, {"url": prefix}))
    routes.append(
        (
            prefix + "(.*)",
            StaticHandler,
            {"path": str(ctx.static_dir), "default_filename": "index.html"},
        )
    )
    return routes


def context_for(
    app: Any, accepting: Callable[[], bool], clock: Callable[[], float] = time.time
) -> WebAppContext:
    """The Mini App's dependencies from a bot application (its `deps` once initialised)."""

    def deps() -> Deps | None:
        found = getattr(app, "deps", None)
        return found if isinstance(found, Deps) else None

    return WebAppContext(
        settings=app.settings,
        deps=deps,
        accepting=accepting,
        bot=app.bot,
        catalogs=Catalogs.load(),
        clock=clock,
    )


class _Application(tornado.web.Application):
    def log_request(self, handler: tornado.web.RequestHandler) -> None:
        """No access log: every request carries a user's initData in its headers."""


class WebAppServer:
    """The Mini App on its own port (no webhook): WEBAPP_LISTEN:WEBAPP_PORT."""

    def __init__(self, ctx: WebAppContext, *, listen: str, port: int) -> None:
        self.listen = listen
        self.port = port
        # gzip: the catalog's JSON shrinks about tenfold (the figure is the gzipped size).
        app = _Application(webapp_routes(ctx), compress_response=True)
        self._server = GuardedHTTPServer(
            app,
            max_body_size=MAX_BODY_BYTES * 2,
            max_buffer_size=_MAX_BUFFER,
            body_timeout=BODY_TIMEOUT_SECONDS,
            idle_connection_timeout=HEADER_TIMEOUT_SECONDS,
        )
        self._server.guard(MAX_CONNECTIONS)
        self._running = False

    async def start(self) -> None:
        self._server.listen(self.port, address=self.listen)
        self._running = True

    @property
    def bound_port(self) -> int:
        """The port listened on (the real one when `port` was 0)."""
        sockets = list(self._server._sockets.values())
        return int(sockets[0].getsockname()[1]) if sockets else self.port

    async def stop(self) -> None:
        running, self._running = self._running, False
        if running:
            self._server.stop()
            await self._server.close_all_connections()
