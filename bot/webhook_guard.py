"""tornado's HTTP server with a ceiling on the connections it holds (issue 19 item 7).

With the common limit of 1,024 file descriptors, 2,000 connections that never send a request
used them all: tornado's accept loop then failed on every turn of the event loop ("Too many
open files", 381,151 tracebacks in 33 s), and Telegram's own requests could not get in.

* At most `max_connections` are held. When a new one comes in at the ceiling, the connection
  that has waited longest for its request headers is closed to make room: a client that sends
  nothing loses its place to one that came later, while a request in progress is never cut. When
  every held connection is busy with a request, the newcomer is closed instead.
* Headers must arrive within `header_timeout` of the connection (or of the previous answer on a
  kept-alive one); tornado's `idle_connection_timeout` is that deadline.
* An accept that fails for want of descriptors or memory pauses accepting for a second instead
  of failing again at once, and says so in one (rate-limited) line.
"""

from __future__ import annotations

import errno
import logging
import socket
from collections import OrderedDict
from typing import Any

from tornado import httputil
from tornado.http1connection import HTTP1ServerConnection
from tornado.httpserver import HTTPServer, _HTTPRequestContext
from tornado.ioloop import IOLoop
from tornado.iostream import IOStream

log = logging.getLogger("bot.webhook")

# Errors of accept() that retrying at once cannot fix: wait for descriptors to come back.
_OUT_OF_RESOURCES = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})
ACCEPT_PAUSE_SECONDS = 1.0
# As tornado: accept at most this many at a time, so other work is not starved.
_ACCEPTS_PER_TURN = 128


class _HeadersSeen(httputil.HTTPMessageDelegate):
    """Passes everything on; tells the server when a request's headers are in."""

    def __init__(
        self, inner: httputil.HTTPMessageDelegate, server: GuardedHTTPServer, conn: object
    ) -> None:
        self._inner = inner
        self._server = server
        self._conn = conn

    def headers_received(
        self,
        start_line: httputil.RequestStartLine | httputil.ResponseStartLine,
        headers: httputil.HTTPHeaders,
    ) -> Any:
        self._server.busy(self._conn)
        return self._inner.headers_received(start_line, headers)

    def data_received(self, chunk: bytes) -> Any:
        return self._inner.data_received(chunk)

    def finish(self) -> None:
        self._inner.finish()

    def on_connection_close(self) -> None:
        self._inner.on_connection_close()


class GuardedHTTPServer(HTTPServer):
    """`HTTPServer` holding at most `max_connections`; call `guard` before `listen`."""

    def guard(self, max_connections: int) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        self.max_connections = max_connections
        self._held: set[object] = set()
        # Held connections waiting for request headers, the longest-waiting first.
        self._waiting: OrderedDict[object, HTTP1ServerConnection] = OrderedDict()
        self.evicted = 0
        self.refused = 0

    @property
    def held(self) -> int:
        return len(self._held)

    def handle_stream(self, stream: IOStream, address: tuple[Any, ...]) -> None:
        if len(self._held) >= self.max_connections and not self._evict_one():
            self.refused += 1
            log.warning("webhook: %d connections busy; refused a new one", len(self._held))
            stream.close()
            return
        context = _HTTPRequestContext(stream, address, self.protocol, self.trusted_downstream)
        conn = HTTP1ServerConnection(stream, self.conn_params, context)
        self._connections.add(conn)
        self._held.add(conn)
        self._waiting[conn] = conn
        conn.start_serving(self)

    def _evict_one(self) -> bool:
        """Close the connection that has waited longest for its headers; False when none."""
        if not self._waiting:
            return False
        key, conn = self._waiting.popitem(last=False)
        self._held.discard(key)
        self.evicted += 1
        conn.stream.close()
        return True

    def start_request(
        self, server_conn: object, request_conn: httputil.HTTPConnection
    ) -> httputil.HTTPMessageDelegate:
        # Called when the connection starts waiting for a request (again, after an answer).
        if server_conn in self._held and isinstance(server_conn, HTTP1ServerConnection):
            self._waiting[server_conn] = server_conn
            self._waiting.move_to_end(server_conn)
        return _HeadersSeen(super().start_request(server_conn, request_conn), self, server_conn)

    def busy(self, server_conn: object) -> None:
        self._waiting.pop(server_conn, None)

    def on_close(self, server_conn: object) -> None:
        self._held.discard(server_conn)
        self._waiting.pop(server_conn, None)
        super().on_close(server_conn)

    def add_sockets(self, sockets: Any) -> None:
        for sock in sockets:
            self._sockets[sock.fileno()] = sock
            self._handlers[sock.fileno()] = self._accept_on(sock)

    def _accept_on(self, sock: socket.socket) -> Any:
        """tornado's accept loop, pausing when out of descriptors instead of spinning."""
        io_loop = IOLoop.current()
        state = {"listening": True, "removed": False}

        def resume() -> None:
            if not state["removed"] and not state["listening"]:
                state["listening"] = True
                io_loop.add_handler(sock, accept, IOLoop.READ)

        def accept(fd: Any, events: int) -> None:
            for _ in range(_ACCEPTS_PER_TURN):
                try:
                    connection, address = sock.accept()
                except (BlockingIOError, InterruptedError):
                    return
                except ConnectionAbortedError:
                    continue
                except OSError as exc:
                    if exc.errno not in _OUT_OF_RESOURCES:
                        raise
                    log.warning(
                        "webhook: cannot accept a connection (%s); pausing %.0f s",
                        exc.strerror,
                        ACCEPT_PAUSE_SECONDS,
                    )
                    state["listening"] = False
                    io_loop.remove_handler(sock)
                    io_loop.call_later(ACCEPT_PAUSE_SECONDS, resume)
                    return
                self._handle_connection(connection, address)

        def remove() -> None:
            state["removed"] = True
            if state["listening"]:
                io_loop.remove_handler(sock)

        io_loop.add_handler(sock, accept, IOLoop.READ)
        return remove
