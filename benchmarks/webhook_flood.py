"""The webhook under a flood of idle connections (issue 19 item 7).

    python -m benchmarks webhook_flood [--idle 2000] [--max-files 1024] [--seconds 30]

`python -m bot` in webhook mode with a descriptor limit of `max_files` (as `ulimit -n 1024`).
`idle` connections without the secret are opened and kept open, sending nothing; then a real
update (with the secret) is posted every second for `seconds`. Reported: how many updates were
answered and how fast (POST → the bot's sendMessage), the lines and bytes the bot logged during
the flood, its descriptors and RSS at the end, and how many idle connections the server closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import tempfile
import time
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from benchmarks._common import run_main
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram, FakeUser
from tests.processes import fake_settings, free_port, rss_mib, spawn

SECRET = "bench-flood_secret-0123456789"
# The bot of this checkout runs, not an installed copy (benchmarks/_common.py does the same).
CHECKOUT = str(Path(__file__).resolve().parent.parent)


def _update(user: FakeUser, update_id: int) -> bytes:
    return json.dumps(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": int(time.time()),
                "chat": user.chat_json(),
                "from": user.to_json(),
                "text": "/help",
                "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
            },
        }
    ).encode()


async def _post(port: int, body: bytes) -> int | None:
    head = (
        f"POST /hook HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"X-Telegram-Bot-Api-Secret-Token: {SECRET}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    try:
        connecting = asyncio.open_connection("127.0.0.1", port)
        reader, writer = await asyncio.wait_for(connecting, 10)
        writer.write(head.encode() + body)
        line = await asyncio.wait_for(reader.readline(), 10)
        writer.close()
    except (OSError, TimeoutError):
        return None
    parts = line.split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


async def _idle(port: int, n: int) -> list[asyncio.StreamWriter]:
    writers: list[asyncio.StreamWriter] = []
    for _ in range(n):
        with contextlib.suppress(OSError, TimeoutError):
            _, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 2)
            writers.append(writer)
    return writers


async def _count_output(stream: asyncio.StreamReader, totals: list[int]) -> None:
    while line := await stream.readline():
        totals[0] += 1
        totals[1] += len(line)


def _more_sent(telegram: FakeTelegram, before: int) -> Callable[[], bool]:
    return lambda: telegram.count("sendMessage") > before


async def _updates(telegram: FakeTelegram, port: int, seconds: int) -> list[float | None]:
    user = telegram.user(1000)
    answered: list[float | None] = []
    for n in range(seconds):
        sent_before = telegram.count("sendMessage")
        started = time.monotonic()
        status = await _post(port, _update(user, n + 1))
        try:
            if status != 200:
                raise AssertionError(status)
            await telegram.wait_until(_more_sent(telegram, sent_before), 10)
            answered.append(time.monotonic() - started)
        except AssertionError:
            answered.append(None)
        await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
    return answered


async def _run(idle: int, max_files: int, seconds: int) -> dict[str, Any]:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="smm-bench-") as tmp:
        async with FakeTelegram() as telegram, FakePanel() as panel:
            settings = fake_settings(telegram, panel, Path(tmp)) | {
                "ADMIN_IDS": "1000",
                "WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
                "WEBHOOK_SECRET": SECRET,
                "WEBHOOK_LISTEN": "127.0.0.1",
                "WEBHOOK_PORT": str(port),
                "PYTHONPATH": CHECKOUT,
            }
            proc = await spawn(Path(tmp), settings, max_files=max_files)
            assert proc.stderr is not None
            await telegram.wait_until(lambda: telegram.webhook is not None, timeout=60)
            await asyncio.sleep(1.0)
            totals = [0, 0]
            counting = asyncio.create_task(_count_output(proc.stderr, totals))
            writers = await _idle(port, idle)
            answered = await _updates(telegram, port, seconds)
            fds = len(os.listdir(f"/proc/{proc.pid}/fd"))
            rss = rss_mib(proc.pid)
            closed = sum(1 for w in writers if w.transport.is_closing() or _peer_closed(w))
            for writer in writers:
                writer.close()
            proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(proc.wait(), 30)
            if proc.returncode is None:
                proc.kill()
            counting.cancel()
    times = [a for a in answered if a is not None]
    return {
        "idle": idle,
        "idle_opened": len(writers),
        "max_files": max_files,
        "updates": len(answered),
        "answered": len(times),
        "answer_median_s": sorted(times)[len(times) // 2] if times else float("nan"),
        "answer_worst_s": max(times) if times else float("nan"),
        "log_lines": totals[0],
        "log_bytes": totals[1],
        "fds": fds,
        "rss_mib": rss,
        "idle_closed_by_server": closed,
    }


def _peer_closed(writer: asyncio.StreamWriter) -> bool:
    reader = getattr(writer, "_protocol", None)
    stream = getattr(reader, "_stream_reader", None)
    return bool(stream is not None and stream.at_eof())


def format_table(r: dict[str, Any]) -> str:
    lines = [
        f"{r['idle_opened']:,} of {r['idle']:,} idle connections opened, "
        f"descriptor limit {r['max_files']:,}",
        f"real updates answered: {r['answered']}/{r['updates']} (median "
        f"{r['answer_median_s'] * 1000:.0f} ms, worst {r['answer_worst_s'] * 1000:.0f} ms)",
        f"logged during the flood: {r['log_lines']:,} lines, {r['log_bytes']:,} bytes",
        f"bot at the end: {r['fds']} descriptors, RSS {r['rss_mib']:.0f} MiB; "
        f"{r['idle_closed_by_server']:,} idle connections closed by the server",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    defaults = {"idle": 2000, "max_files": 1024, "seconds": 30}

    def run(a: Any) -> Coroutine[Any, Any, dict[str, Any]]:
        return _run(a.idle, a.max_files, a.seconds)

    return run_main(argv, "webhook_flood", __doc__, run, format_table, **defaults)


if __name__ == "__main__":
    raise SystemExit(main())
