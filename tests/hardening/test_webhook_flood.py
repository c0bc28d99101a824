"""Webhook mode under a flood of forged and oversized POSTs (the real `python -m bot` process).

The secret header and the declared size are checked before any of the body is read: a forged
POST announcing 90 MB is answered 403 at once, and the connection is closed instead of drained.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.webhook import MAX_BODY_BYTES
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram, FakeUser
from tests.processes import fake_settings, finish, free_port, rss_mib, spawn

SECRET = "flood-test_secret-0123456789"
HUGE = 90 * 1024 * 1024
CHUNK = b"x" * (256 * 1024)


@dataclass
class Webhook:
    telegram: FakeTelegram
    admin: FakeUser
    port: int
    pid: int
    output: str = ""  # everything the process wrote, once it has stopped

    def head(self, length: int | None, *, secret: str | None, chunked: bool = False) -> bytes:
        lines = [
            "POST /hook HTTP/1.1",
            f"Host: 127.0.0.1:{self.port}",
            "Content-Type: application/json",
        ]
        if secret is not None:
            lines.append(f"X-Telegram-Bot-Api-Secret-Token: {secret}")
        if chunked:
            lines.append("Transfer-Encoding: chunked")
        elif length is not None:
            lines.append(f"Content-Length: {length}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode()


@asynccontextmanager
async def webhook_bot(
    tmp_path: Path, *, max_files: int | None = None, **extra: str
) -> AsyncIterator[Webhook]:
    port = free_port()
    async with FakeTelegram() as telegram, FakePanel() as panel:
        admin = telegram.user(1000)
        settings = fake_settings(telegram, panel, tmp_path) | {
            "ADMIN_IDS": "1000",
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
            **extra,
        }
        proc = await spawn(tmp_path, settings, max_files=max_files)
        try:
            await telegram.wait_until(lambda: telegram.webhook is not None, timeout=30)
            for _ in range(100):  # the listener is up before setWebhook; this is a safety net
                try:
                    _, writer = await asyncio.open_connection("127.0.0.1", port)
                except OSError:
                    await asyncio.sleep(0.1)
                    continue
                writer.close()
                break
            hook = Webhook(telegram, admin, port, proc.pid)
            yield hook
            proc.send_signal(signal.SIGTERM)
            result = await finish(proc, 30)
            hook.output = result.output
            assert result.returncode == 0, result.stderr[-2000:]
            assert SECRET not in result.output and telegram.token not in result.output
            assert "Traceback" not in result.output
        finally:
            if proc.returncode is None:
                proc.kill()
                # Drained, not waited: a process that filled its pipes (a log flood) would never
                # be seen to end.
                await proc.communicate()


@dataclass
class Answer:
    status: int | None  # None: closed or reset without an answer
    body_bytes_sent: int
    seconds: float


async def post(hook: Webhook, head: bytes, body: int = 0, *, chunked: bool = False) -> Answer:
    """Send `head`, then up to `body` bytes while watching for the answer; stop at the answer."""
    started = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", hook.port)
    writer.write(head)
    status_line = asyncio.create_task(reader.readline())
    sent = 0
    try:
        while sent < body and not status_line.done():
            piece = CHUNK[: body - sent]
            try:
                writer.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
                await writer.drain()
            except ConnectionError:
                break
            sent += len(piece)
        try:
            line = await asyncio.wait_for(status_line, 10)
        except (TimeoutError, ConnectionError):
            # A server that closes with unread data in its socket sends a reset, which may
            # overtake its answer: the client then sees the reset only.
            line = b""
        # The server closes the connection after refusing: the rest is never read.
        with contextlib.suppress(ConnectionError, TimeoutError):
            await asyncio.wait_for(reader.read(), 10)
    finally:
        status_line.cancel()
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
    parts = line.split()
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    return Answer(status, sent, time.monotonic() - started)


async def test_forged_and_oversized_posts_are_refused_before_the_body(tmp_path: Path) -> None:
    async with webhook_bot(tmp_path) as hook:
        # Headers only: the answer must come without a byte of the announced 90 MB.
        forged = await post(hook, hook.head(HUGE, secret=None))
        assert forged.status == 403 and forged.seconds < 5
        wrong = await post(hook, hook.head(HUGE, secret=SECRET[:-1] + "X"))
        assert wrong.status == 403
        too_big = await post(hook, hook.head(HUGE, secret=SECRET))
        assert too_big.status == 413 and too_big.seconds < 5
        # A chunked body announces no size: it is cut off once past the cap.
        chunked_head = hook.head(None, secret=SECRET, chunked=True)
        chunked = await post(hook, chunked_head, 20 * MAX_BODY_BYTES, chunked=True)
        # 413, or a reset that overtook it (the rest of the body was still arriving).
        assert chunked.status in {413, None}
        assert chunked.body_bytes_sent < 20 * MAX_BODY_BYTES
    assert f"webhook: refused a body over {MAX_BODY_BYTES} bytes" in hook.output
    assert f"webhook: refused a {HUGE}-byte body" in hook.output


async def test_a_flood_of_forged_90_mb_posts_leaves_memory_flat(tmp_path: Path) -> None:
    async with webhook_bot(tmp_path) as hook:
        before = rss_mib(hook.pid)
        answers = await asyncio.gather(
            *(post(hook, hook.head(HUGE, secret=None), HUGE) for _ in range(16))
        )
        after = rss_mib(hook.pid)
        # 403, or a reset that overtook the 403 (the server closed with unread data pending).
        assert {a.status for a in answers} <= {403, None}
        # Each connection was closed long before its 90 MB were through (socket buffers only).
        assert all(a.body_bytes_sent < HUGE // 4 for a in answers), [
            a.body_bytes_sent for a in answers
        ]
        assert after - before < 30, (before, after)
        # The flood left the bot serving: a real update with the secret is handled.
        reply = await post_update(hook)
        assert reply == 200
        await hook.telegram.wait_until(lambda: hook.telegram.count("sendMessage") >= 1, 10)
        assert "/setkey" in (hook.admin.last().text or "")


async def post_update(hook: Webhook) -> int | None:
    import json

    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": hook.admin.chat_json(),
            "from": hook.admin.to_json(),
            "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }
    body = json.dumps(update).encode()
    answer = await post_with_body(hook, body)
    return answer


async def post_with_body(hook: Webhook, body: bytes) -> int | None:
    reader, writer = await asyncio.open_connection("127.0.0.1", hook.port)
    writer.write(hook.head(len(body), secret=SECRET) + body)
    await writer.drain()
    line = await asyncio.wait_for(reader.readline(), 10)
    writer.close()
    parts = line.split()
    return int(parts[1]) if len(parts) > 1 else None


async def test_idle_connections_past_the_descriptor_limit_leave_updates_served(
    tmp_path: Path,
) -> None:
    """Issue 19 item 7, scaled down: 256 descriptors, 400 connections without the secret that
    send nothing. They used every descriptor; tornado's accept loop then failed on every turn of
    the loop, each failure a traceback, and real updates could not get in."""
    async with webhook_bot(tmp_path, max_files=256, WEBHOOK_MAX_CONNECTIONS="50") as hook:
        idle: list[asyncio.StreamWriter] = []
        try:
            for _ in range(400):
                # A server that no longer accepts leaves a connect hanging once its backlog is
                # full: that is a failure too, not a wait.
                connecting = asyncio.open_connection("127.0.0.1", hook.port)
                _, writer = await asyncio.wait_for(connecting, 10)
                idle.append(writer)
            await asyncio.sleep(0.5)
            started = time.monotonic()
            assert await post_update(hook) == 200
            await hook.telegram.wait_until(lambda: hook.telegram.count("sendMessage") >= 1, 10)
            assert "/setkey" in (hook.admin.last().text or "")
            assert time.monotonic() - started < 10
        finally:
            for writer in idle:
                writer.close()
    # The flood cost a bounded number of lines, none of them a traceback.
    assert "Too many open files" not in hook.output
    assert len(hook.output.splitlines()) < 60, hook.output[-3000:]
