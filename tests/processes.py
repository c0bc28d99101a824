"""`python -m bot` as a real process, for tests of what the process itself does and prints."""

from __future__ import annotations

import asyncio
import os
import random
import resource
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet

from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram

# Settings a test never inherits from the caller's environment.
_OWN_PREFIXES = ("BOT_", "PANEL_", "TELEGRAM_", "ENCRYPTION_", "WEBHOOK_", "DATABASE_", "LOG_")


def bot_env(settings: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(_OWN_PREFIXES)}
    env.update(settings)
    return env


def fake_settings(telegram: FakeTelegram, panel: FakePanel, folder: Path) -> dict[str, str]:
    """The settings of a bot on the fakes, SQLite in `folder`, a fresh encryption key."""
    return {
        "BOT_TOKEN": telegram.token,
        "TELEGRAM_BASE_URL": telegram.base_url,
        "TELEGRAM_BASE_FILE_URL": telegram.base_file_url,
        "PANEL_API_URL": panel.url,
        "DATABASE_PATH": str(folder / "bot.sqlite3"),
        "ENCRYPTION_KEY": Fernet.generate_key().decode(),
    }


# Ports handed out for a process to bind later. Below Linux's ephemeral range (32768 and up),
# where every `bind(0)` (the fakes' servers, asyncpg's clients) takes its ports: a port picked
# here is not taken by another worker's `bind(0)` between the pick and the bind. A random start
# per process keeps parallel workers (pytest-xdist) and other runs on the machine apart; the
# test bind skips the few ports something else holds.
_FREE_PORTS = range(20_000, 32_768)
_handed_out: set[int] = set()


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now, not handed out before by this process."""
    start = random.randrange(len(_FREE_PORTS))
    for step in range(len(_FREE_PORTS)):
        port = _FREE_PORTS[(start + step) % len(_FREE_PORTS)]
        if port in _handed_out:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError("no free port left")


@dataclass
class Finished:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """Everything the process wrote, both streams."""
        return self.stdout + self.stderr


async def spawn(
    cwd: Path, settings: Mapping[str, str], *, max_files: int | None = None
) -> asyncio.subprocess.Process:
    """`python -m bot`; `max_files` sets its descriptor limit (as `ulimit -n` would)."""

    def limit_files() -> None:
        if max_files is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (max_files, max_files))

    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=cwd, env=bot_env(settings),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        preexec_fn=limit_files if max_files is not None else None,
    )  # fmt: skip


async def finish(proc: asyncio.subprocess.Process, seconds: float) -> Finished:
    """Wait for the process to end by itself; kill it (and fail) after `seconds`."""
    try:
        out, err = await asyncio.wait_for(proc.communicate(), seconds)
    except TimeoutError:
        proc.kill()
        out, err = await proc.communicate()
        raise AssertionError(
            f"the bot was still running after {seconds:.0f} s:\n{err.decode()[-2000:]}"
        ) from None
    assert proc.returncode is not None
    return Finished(proc.returncode, out.decode(), err.decode())


async def run_bot(cwd: Path, settings: Mapping[str, str], seconds: float = 60) -> Finished:
    """Start `python -m bot` and wait for it to exit by itself."""
    return await finish(await spawn(cwd, settings), seconds)


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")
