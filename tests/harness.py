"""End-to-end harness: the real Application over real HTTP against fake Telegram and panel."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from bot.app import ALLOWED_UPDATES, BotApplication, build_application
from bot.config import Settings, load_settings
from bot.deps import Deps
from bot.logs import RedactingFilter, SecretRegistry, quiet_libraries
from bot.panel.errors import PanelUnavailable
from bot.storage import Storage, load_cipher
from tests.clocks import TestClock as TestClock  # re-exported: tests import it from here
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram, FakeUser, ptb_request

ADMIN_ID = 1000
# The pauses before the bot repeats a call Telegram failed with a 5xx (production: 0.5 to 4 s,
# bot.ratelimit.TRANSIENT_BACKOFF): as many repeats, a tenth of the wait.
TEST_TRANSIENT_BACKOFF = (0.05, 0.1, 0.2, 0.4)
# A test about the bot's command menus or descriptions, which the harness's bots otherwise do
# not publish at start (`running_bot(publish_profile=True)`; the `bot` fixture reads the mark).
# Publishing reads and writes 18 of them: half the CPU of a start, and most tests start a bot.
PUBLISH_PROFILE = pytest.mark.publish_profile
# How long `member` keeps trying a slow panel (its budget per call is the settings' 2 s).
SETUP_PANEL_PATIENCE = 30.0


class CapturingHandler(logging.Handler):
    """Keeps every formatted line, after the same redaction production logging applies."""

    def __init__(self, registry: SecretRegistry) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.addFilter(RedactingFilter(registry))
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class Harness:
    telegram: FakeTelegram
    panel: FakePanel
    settings: Settings
    secrets: SecretRegistry
    logs: CapturingHandler
    app: BotApplication | None = None
    users: dict[int, FakeUser] = field(default_factory=dict)
    # Replaces the storage's and the caches' clocks (tests.harness.TestClock): time moves when
    # the test says so, instead of the test sleeping until a cache or a preview expires.
    clock: TestClock | None = None
    transient_backoff: tuple[float, ...] = TEST_TRANSIENT_BACKOFF
    publish_profile: bool = False

    @property
    def deps(self) -> Deps:
        assert self.app is not None and self.app.deps is not None
        return self.app.deps

    async def start(self) -> None:
        app = build_application(
            self.settings,
            self.secrets,
            requests=(ptb_request(), ptb_request()),
            clock=self.clock,
            transient_backoff=self.transient_backoff,
            publish_profile=self.publish_profile,
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
        assert app.updater is not None
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    def user(self, user_id: int, *, language_code: str | None = "en", **kw: Any) -> FakeUser:
        if user_id not in self.users:
            self.users[user_id] = self.telegram.user(user_id, language_code=language_code, **kw)
        return self.users[user_id]

    async def member(
        self,
        user_id: int,
        *,
        key: str | None = None,
        balance: str = "100",
        language_code: str | None = "en",
    ) -> FakeUser:
        """A user the admins allowed, with a linked panel key (when `key` is given)."""
        await self.deps.access.allow(user_id)
        if key is not None:
            self.panel.add_key(key, balance=balance)
            await self._link(user_id, key)
        return self.user(user_id, language_code=language_code)

    async def _link(self, user_id: int, key: str) -> None:
        """The real /setkey path, its balance check tried again while the panel is merely slow:
        a set-up step, not what the test checks. The harness's panel budget is 2 s (the tests
        of a hung panel wait that long), and on a loaded CI machine the fake once took longer
        to answer this one read."""
        deadline = time.monotonic() + SETUP_PANEL_PATIENCE
        while True:
            try:
                await self.deps.accounts.link(user_id, key)
                return
            except PanelUnavailable:
                if time.monotonic() > deadline:
                    raise


# This process's SQLite database at the current schema, made once (`_fresh_sqlite`).
_MIGRATED_SQLITE: dict[str, bytes] = {}


async def _fresh_sqlite(path: Path) -> None:
    """Put a database at the current schema, without any row, at `path`: a copy of one this
    process migrated once. Migrating a new file took 18 ms of CPU at each bot's start, and
    most tests start one; the migrations themselves are the storage tests' (`database`).
    The copy is created private (0600) as the bot creates its own file (bot.storage.sqlite)."""
    if "current" not in _MIGRATED_SQLITE:
        folder = Path(tempfile.mkdtemp(prefix="smm-bot-sqlite-"))
        try:
            template = folder / "bot.sqlite3"
            storage = await Storage.open(template, load_cipher([Fernet.generate_key()], template))
            await storage.close()  # a closed database is one file: the WAL is checkpointed
            _MIGRATED_SQLITE["current"] = template.read_bytes()
        finally:
            shutil.rmtree(folder, True)  # kept in memory: nothing left behind by a killed worker
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(_MIGRATED_SQLITE["current"])


@asynccontextmanager
async def running_bot(tmp_path: Path, **overrides: Any) -> AsyncIterator[Harness]:
    """The bot on fresh fakes; `fake_panel=` builds PANEL_API_URL's fake (e.g. ClassicPanel),
    every other override is a setting. (Popped, not a parameter: callers pass settings as a
    `**dict`, which a typed parameter would have to match too.)"""
    fake_panel: Callable[[], FakePanel] = overrides.pop("fake_panel", FakePanel)
    # `clock=TestClock()`: storage and caches age by it instead of the real clocks.
    clock = overrides.pop("clock", None)
    assert clock is None or isinstance(clock, TestClock)
    publish_profile = bool(overrides.pop("publish_profile", False))  # PUBLISH_PROFILE
    registry = SecretRegistry()
    capture = CapturingHandler(registry)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    quiet_libraries()  # exactly what production logging does
    fresh = tmp_path / "bot.sqlite3"
    if not ({"database_url", "database_path"} & overrides.keys() or fresh.exists()):
        await _fresh_sqlite(fresh)
    try:
        async with FakeTelegram() as telegram, fake_panel() as panel:
            values: dict[str, Any] = {
                "bot_token": telegram.token,
                "telegram_base_url": telegram.base_url,
                "telegram_base_file_url": telegram.base_file_url,
                "panel_api_url": panel.url,
                "database_path": fresh,
                "admin_ids": str(ADMIN_ID),
                "encryption_key": Fernet.generate_key().decode(),
                "panel_timeout_seconds": 2,
                "status_poll_seconds": 3600,
            }
            values.update(overrides)
            settings = load_settings(**values)
            harness = Harness(
                telegram,
                panel,
                settings,
                registry,
                capture,
                clock=clock,
                publish_profile=publish_profile,
            )
            await harness.start()
            try:
                yield harness
            finally:
                await harness.stop()
    finally:
        root.removeHandler(capture)
        root.setLevel(old_level)
