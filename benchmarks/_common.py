"""Shared pieces of the benchmark suite: percentiles, seeding users, and the bot as a process.

The bot under test always runs as `python -m bot` in its own process, configured through the
environment exactly like production; the fakes (Telegram, panel) and the load driver run in the
benchmark process. That keeps CPU use honest: the bot cannot borrow the driver's core, and the
figures include real HTTP on 127.0.0.1 both ways.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import signal
import statistics
import sys
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

from cryptography.fernet import Fernet

from bot.storage import KeyCipher, Storage
from bot.storage.models import AccessState
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram

# Settings the benchmark never inherits from the caller's environment.
_OWN_PREFIXES = (
    "BOT_",
    "PANEL_",
    "TELEGRAM_",
    "ENCRYPTION_",
    "WEBHOOK_",
    "DATABASE_",
    "ACCESS_",
    "ADMIN_",
    "STATUS_",
    "SERVICES_",
    "MAX_CONCURRENT",
    "LOG_",
    "DEFAULT_LANGUAGE",
)


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile: never interpolates a tail value that was not observed."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    clean = [v for v in values if not math.isnan(v)]
    return statistics.median(clean) if clean else math.nan


def user_key(user_id: int) -> str:
    return f"bench-key-{user_id:07d}-0123456789abcdef"


async def seed_users(
    db_path: Path | str, encryption_key: str, panel: FakePanel, user_ids: Sequence[int]
) -> None:
    """Allowed users with linked keys, written straight into the bot's database before start-up.

    Goes through the bot's own repositories (and its cipher) so the rows are exactly what
    /setkey and an admin's approval would have written.
    """
    storage = await Storage.open(db_path, KeyCipher([encryption_key.encode()]))
    try:
        for user_id in user_ids:
            key = user_key(user_id)
            panel.add_key(key, balance="1000000")
            await storage.users.touch(user_id, username=None, first_name=f"Bench {user_id}")
            await storage.users.set_access(user_id, AccessState.ALLOWED)
            await storage.accounts.set(user_id, key)
    finally:
        await storage.close()


def bot_env(
    telegram: FakeTelegram,
    panel: FakePanel,
    db_path: Path,
    encryption_key: str,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(_OWN_PREFIXES)}
    env.update(
        BOT_TOKEN=telegram.token,
        TELEGRAM_BASE_URL=telegram.base_url,
        TELEGRAM_BASE_FILE_URL=telegram.base_file_url,
        PANEL_API_URL=panel.url,
        DATABASE_PATH=str(db_path),
        ENCRYPTION_KEY=encryption_key,
        LOG_LEVEL="WARNING",
        # The status poller would add panel calls that belong to no user step; it has its own
        # benchmark (poll cycle), so it is kept out of the latency figures.
        STATUS_POLL_SECONDS="3600",
        PANEL_TIMEOUT_SECONDS="30",
    )
    if extra:
        env.update(extra)
    # The bot must import this checkout, not an installed copy.
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def rss_mib(pid: int) -> float:
    """Resident set size of `pid` from /proc (Linux), in MiB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return math.nan


class BotProcess:
    """`python -m bot` against the given fakes; `startup_s` is spawn → first getUpdates."""

    def __init__(
        self,
        telegram: FakeTelegram,
        panel: FakePanel,
        workdir: Path,
        *,
        encryption_key: str | None = None,
        settings: Mapping[str, str] | None = None,
        database_url: str | None = None,
        module: str = "bot",
    ) -> None:
        self.telegram = telegram
        # What `python -m` runs: the bot, or a wrapper around it (benchmarks.loop_probe).
        self.module = module
        self.panel = panel
        self.workdir = workdir
        self.db_path = workdir / "bot.sqlite3"
        # PostgreSQL instead of the SQLite file when given (DATABASE_URL).
        self.database_url = database_url
        # One file across restarts, so a run's whole log can be read back (benchmarks.soak).
        self.log_path = workdir / "bot-stderr.log"
        self.encryption_key = encryption_key or Fernet.generate_key().decode()
        self.settings = dict(settings or {})
        if database_url is not None:
            self.settings["DATABASE_URL"] = database_url
        self.proc: asyncio.subprocess.Process | None = None
        self.startup_s = math.nan
        self._stderr: IO[bytes] | None = None

    @property
    def database(self) -> Path | str:
        """What the bot stores into: the PostgreSQL URL or the SQLite file."""
        return self.database_url if self.database_url is not None else self.db_path

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def rss_mib(self) -> float:
        return rss_mib(self.pid)

    async def start(self, wait_s: float = 60.0) -> None:
        env = bot_env(self.telegram, self.panel, self.db_path, self.encryption_key, self.settings)
        # A file, not a pipe: nobody reads stderr while the bot runs, and a full pipe would block.
        # It lives as long as the process and is closed in stop(), hence no `with`.
        if self._stderr is None:
            self._stderr = open(self.log_path, "ab")  # noqa: SIM115, ASYNC230 - a local file
        polls_before = self.telegram.count("getUpdates")
        arrived: list[float] = []

        def polling() -> bool:
            # ApiCall.at is when a call was answered, and the first long poll is held open for
            # its whole timeout; the arrival shows as a poll in flight (or an answered call).
            if (
                self.telegram.polls_in_flight > 0
                or self.telegram.count("getUpdates") > polls_before
            ):
                arrived.append(time.monotonic())
                return True
            return self.proc is not None and self.proc.returncode is not None

        spawned = time.monotonic()
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            self.module,
            cwd=self.workdir,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=self._stderr,
        )
        try:
            await self.telegram.wait_until(polling, timeout=wait_s)
        except AssertionError:
            arrived.clear()
        if not arrived:
            await self.stop()
            raise RuntimeError(f"the bot did not start polling: {self.stderr_tail()}")
        self.startup_s = arrived[0] - spawned

    def stderr_tail(self, limit: int = 2000) -> str:
        try:
            data = self.log_path.read_bytes()
        except FileNotFoundError:
            return ""
        return data.decode(errors="replace")[-limit:]

    async def stop(self) -> int | None:
        proc, self.proc = self.proc, None
        if proc is None:
            return None
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        return proc.returncode

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


def fmt_ms(seconds: float) -> str:
    return "n/a" if math.isnan(seconds) else f"{seconds * 1000:.0f} ms"


def jsonable(value: Any) -> Any:
    """NaN is not JSON: results.json gets null instead."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def options(argv: Sequence[str] | None, name: str, doc: str | None, **defaults: float) -> Any:
    """`python -m benchmarks <name>`'s options: `--a-b` for each `a_b=default`, typed as it."""
    parser = argparse.ArgumentParser(prog=f"python -m benchmarks {name}", description=doc)
    for option, default in defaults.items():
        flag = "--" + option.replace("_", "-")
        parser.add_argument(flag, type=type(default), default=default)
    return parser.parse_args(argv)


def run_main(
    argv: Sequence[str] | None,
    name: str,
    doc: str | None,
    run: Callable[[Any], Coroutine[Any, Any, dict[str, Any]]],
    show: Callable[[dict[str, Any]], str],
    **defaults: float,
) -> int:
    """A benchmark module's `main`: its options, one run, its table printed."""
    print(show(asyncio.run(run(options(argv, name, doc, **defaults)))))
    return 0
