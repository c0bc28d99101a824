"""Webhook mode under a flood of idle connections (issue 19 item 7).

In process: the real listener over real sockets, with a small ceiling and a short header
deadline so that nothing waits long. The process test (`python -m bot` with a descriptor limit
lower than the flood) is in test_webhook_flood.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.webhook import SECRET_HEADER, WebhookServer
from tests.hardening.steps import webhook_listener

SECRET = "idle-test_secret-0123456789"
UPDATE = {"update_id": 7, "message": None}


@pytest.fixture
async def server() -> AsyncIterator[WebhookServer]:
    async with webhook_listener(SECRET, max_connections=5, header_timeout=0.5) as listener:
        yield listener


async def idle(port: int, n: int) -> list[asyncio.StreamWriter]:
    """`n` connections that send nothing (or half a request line, as a slow client would)."""
    writers = []
    for i in range(n):
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        if i % 2:
            writer.write(b"POST /hook HTTP/1.1\r\nHost: x\r\n")  # headers never finished
        writers.append(writer)
    return writers


async def test_idle_connections_past_the_ceiling_do_not_keep_a_real_update_out(
    server: WebhookServer,
) -> None:
    writers = await idle(server.port, 60)
    try:
        await asyncio.sleep(0.05)  # let the server take them in
        assert server.connections <= 5
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as http:
            for _ in range(3):
                await idle(server.port, 20)  # more keep coming while updates arrive
                taken = await http.post("/hook", json=UPDATE, headers={SECRET_HEADER: SECRET})
                assert taken.status_code == 200
        assert server.queue.qsize() == 3
        assert server.connections <= 5
    finally:
        for writer in writers:
            writer.close()


async def test_headers_have_a_deadline(server: WebhookServer) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"POST /hook HTTP/1.1\r\n")  # and then nothing
    started = time.monotonic()
    try:
        # The server closes it once the deadline (0.5 s here) has passed.
        assert await asyncio.wait_for(reader.read(), 5) == b""
        assert time.monotonic() - started < 4
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
    assert server.connections == 0
