"""The bot under soak: a `python -m bot` process (the default) or an in-process Application.

The process is what production runs, and its RSS is the bot's alone; the soak's fakes and driver
live in the parent. In-process (`--in-process`) shares the parent's memory, so its RSS includes
the fakes, but it can look inside the bot when something stalls (the drain task's await chain,
the rate limiter's window) and can trace allocations.

Either way the soak reads the bot's SQLite database through its own connection (WAL lets a
reader and the bot's writer run side by side) and counts the bot's log records.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from benchmarks._common import BotProcess, rss_mib
from bot.app import ALLOWED_UPDATES, BotApplication, build_application
from bot.config import load_settings
from bot.logs import SecretRegistry, quiet_libraries
from bot.ratelimit import SlidingWindowRateLimiter
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram, ptb_request

# `bot.logs.LOG_FORMAT`: "%(asctime)s %(levelname)s %(name)s: %(message)s".
_RECORD = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) (\S+): (.*)$"
)
_EXCEPTION = re.compile(r"^([A-Za-z_][\w.]*)(?::|$)")


@dataclass(slots=True)
class LogCounter:
    """Counts log records by level and logger; keeps a few samples, never the whole history."""

    by_level_logger: Counter[tuple[str, str]] = field(default_factory=Counter)
    error_types: Counter[str] = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    warning_samples: dict[str, str] = field(default_factory=dict)  # first WARNING per logger

    def count(self, level: str, name: str, message: str, exc_name: str = "-") -> None:
        self.by_level_logger[(level, name)] += 1
        if level == "WARNING" and name not in self.warning_samples:
            self.warning_samples[name] = message[:160]
        if level not in ("ERROR", "CRITICAL"):
            return
        self.error_types[exc_name] += 1
        if len(self.error_samples) < 10:
            self.error_samples.append(f"{name}: {message} [{exc_name}]")

    def feed_text(self, text: str) -> None:
        """Count the records of a log written with `bot.logs.LOG_FORMAT` (tracebacks included)."""
        record: tuple[str, str, str] | None = None
        tail: list[str] = []
        for line in [*text.splitlines(), "0000-00-00 00:00:00,000 INFO end: of text"]:
            match = _RECORD.match(line)
            if match is None:
                tail.append(line)
                continue
            if record is not None:
                self.count(*record, _exception_name(tail))
            level, name, message = match.groups()
            record = None if name == "end" and message == "of text" else (level, name, message)
            tail = []


def _exception_name(lines: list[str]) -> str:
    """The raised exception's class from a traceback's last unindented line (`pkg.Error: …`)."""
    if not lines or not lines[0].startswith("Traceback"):
        return "-"
    for line in reversed(lines):
        if line and not line[0].isspace():
            match = _EXCEPTION.match(line)
            if match is not None:
                return match.group(1).rsplit(".", 1)[-1]
    return "-"


class HandlerCounter(logging.Handler):
    """Feeds an in-process bot's log records to a `LogCounter`."""

    def __init__(self, counter: LogCounter) -> None:
        super().__init__(level=logging.INFO)
        self.counter = counter

    def emit(self, record: logging.LogRecord) -> None:
        exc_type = record.exc_info[0] if record.exc_info else None
        name = exc_type.__name__ if exc_type is not None else "-"
        self.counter.count(record.levelname, record.name, record.getMessage(), name)


class SoakBot(Protocol):
    """What the soak needs from the bot, however it runs."""

    db_path: Path
    encryption_key: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def rss_kb(self) -> int: ...

    def diagnose(self) -> list[tuple[Any, ...]]:
        """Why the outbox may be stuck, as far as this runner can see."""
        ...

    def collect_logs(self) -> None:
        """Count the log records written since the last call."""
        ...

    def close(self) -> None: ...


def bot_settings(config_poll_seconds: float) -> dict[str, str]:
    """The soak's settings beyond the fakes' addresses (names as in the environment)."""
    return {
        "ADMIN_IDS": str(ADMIN_ID),
        "PANEL_TIMEOUT_SECONDS": "2",
        "STATUS_POLL_SECONDS": str(config_poll_seconds),
        "SERVICES_CACHE_SECONDS": "30",
        "LOG_LEVEL": "INFO",
    }


ADMIN_ID = 1000


class ProcessBot:
    """`python -m bot` (benchmarks._common.BotProcess); restarts are SIGTERM and a new spawn."""

    def __init__(
        self,
        telegram: FakeTelegram,
        panel: FakePanel,
        workdir: Path,
        encryption_key: str,
        settings: Mapping[str, str],
        logs: LogCounter,
    ) -> None:
        self._logs = logs
        self.encryption_key = encryption_key
        self._proc = BotProcess(
            telegram, panel, workdir, encryption_key=encryption_key, settings=settings
        )
        self.db_path = self._proc.db_path
        self.running = False  # while True, the log's last record may still be growing
        self._log_offset = 0

    async def start(self) -> None:
        await self._proc.start()
        self.running = True

    async def stop(self) -> None:
        await self._proc.stop()
        self.running = False

    def rss_kb(self) -> int:
        return int(rss_mib(self._proc.pid) * 1024) if self._proc.proc is not None else 0

    def diagnose(self) -> list[tuple[Any, ...]]:
        warnings = [
            line[24:200]
            for line in self._proc.stderr_tail(20_000).splitlines()
            if " WARNING " in line or " ERROR " in line
        ]
        return [("last bot warnings", warnings[-3:])]

    def collect_logs(self) -> None:
        try:
            with open(self._proc.log_path, "rb") as log:
                log.seek(self._log_offset)
                data = log.read()
        except FileNotFoundError:
            return
        # Only whole records while the bot runs: the last one's traceback may still grow.
        cut = _last_record_start(data) if self.running else len(data)
        end = data.rfind(b"\n", 0, cut)
        if end < 0:
            return
        self._log_offset += end + 1
        self._logs.feed_text(data[: end + 1].decode(errors="replace"))

    def close(self) -> None:
        """Nothing beyond stop()."""


def _last_record_start(data: bytes) -> int:
    """Offset of the last line that starts a log record (its traceback may still grow)."""
    for match in reversed(list(re.finditer(rb"(?m)^\d{4}-\d\d-\d\d ", data))):
        return match.start()
    return len(data)


class InProcessBot:
    """`build_application` in this process, like tests/harness.py."""

    def __init__(
        self,
        telegram: FakeTelegram,
        panel: FakePanel,
        workdir: Path,
        encryption_key: str,
        settings: Mapping[str, str],
        logs: LogCounter,
    ) -> None:
        self.db_path = workdir / "bot.sqlite3"
        self.encryption_key = encryption_key
        self._settings = load_settings(
            bot_token=telegram.token,
            telegram_base_url=telegram.base_url,
            telegram_base_file_url=telegram.base_file_url,
            panel_api_url=panel.url,
            database_path=self.db_path,
            encryption_key=encryption_key,
            **{k.lower(): v for k, v in settings.items()},
        )
        self.app: BotApplication | None = None
        # The bot's records reach the counter as they are written, through the root logger.
        self._handler = HandlerCounter(logs)
        root = logging.getLogger()
        self._old_level = root.level
        root.addHandler(self._handler)
        root.setLevel(logging.INFO)
        quiet_libraries()
        logging.getLogger("aiosqlite").setLevel(logging.WARNING)

    async def start(self) -> None:
        app = build_application(
            self._settings, SecretRegistry(), requests=(ptb_request(), ptb_request())
        )
        await app.initialize()
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES)
        self.app = app

    async def stop(self) -> None:
        app, self.app = self.app, None
        if app is None:
            return
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()

    def rss_kb(self) -> int:
        return int(rss_mib(os.getpid()) * 1024)

    def diagnose(self) -> list[tuple[Any, ...]]:
        if self.app is None:
            return []
        from bot.jobs import jobs_of

        found: list[tuple[Any, ...]] = [("drain running", jobs_of(self.app).notifier.running)]
        limiter = self.app.bot.rate_limiter
        if isinstance(limiter, SlidingWindowRateLimiter):
            found.append(("limiter", limiter.describe()))
        for task in asyncio.all_tasks():
            chain = _await_chain(task)
            if any("notifier" in where for where in chain):
                found.append((task.get_name(), " > ".join(chain)))
        return found

    def collect_logs(self) -> None:
        """Nothing to do: the root handler counts records as they are written."""

    def close(self) -> None:
        root = logging.getLogger()
        root.removeHandler(self._handler)
        root.setLevel(self._old_level)


def _await_chain(task: asyncio.Task[Any]) -> list[str]:
    """Where a suspended task waits: its coroutines, outermost first (file:function:line)."""
    chain: list[str] = []
    coro: Any = task.get_coro()
    while coro is not None and len(chain) < 40:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        if frame is not None:
            name = Path(frame.f_code.co_filename).name
            chain.append(f"{name}:{frame.f_code.co_name}:{frame.f_lineno}")
        coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
    return chain
