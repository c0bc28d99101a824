"""What `python -m bot` imports by the time it polls (benchmark 5's idle footprint).

`python -m bot` runs, on SQLite and the fakes, until its first getUpdates; then it is stopped
and writes the modules it holds (an exit hook around `runpy`, which is what `-m` does). Modules
only some paths need must not be there: each costs resident memory for the process's whole life.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path

from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram
from tests.processes import bot_env, fake_settings, free_port

WAIT = 120.0

# Never used by a bot polling on SQLite without the Mini App: httpx's command-line client
# (rich, click, pygments), the web server (tornado) and the bot's own servers, the /stats chart
# (matplotlib, drawn on first use), PostgreSQL's driver.
NOT_AT_IDLE = (
    "httpx._main",
    "rich",
    "click",
    "pygments",
    "tornado",
    "bot.webhook",
    "bot.webhook_guard",
    "bot.webapp",
    "matplotlib",
    "asyncpg",
)


# `python -m bot`, with the names in sys.modules written to MODULES_FILE at exit (a name marked
# absent, None, is left out: importing it fails).
RUN_BOT = """
import atexit, json, os, runpy, sys
def dump():
    with open(os.environ["MODULES_FILE"], "w") as out:
        json.dump(sorted(k for k, v in sys.modules.items() if v is not None), out)
atexit.register(dump)
runpy.run_module("bot", run_name="__main__", alter_sys=True)
"""


async def _imports_until_polling(tmp_path: Path, extra: dict[str, str]) -> set[str]:
    modules_file = tmp_path / "modules.json"
    async with FakeTelegram() as telegram, FakePanel() as panel:
        settings = fake_settings(telegram, panel, tmp_path) | extra
        env = bot_env(settings) | {"MODULES_FILE": str(modules_file)}
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", RUN_BOT, cwd=tmp_path, env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            await telegram.wait_until(lambda: telegram.polls_in_flight > 0, timeout=WAIT)
            proc.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(proc.communicate(), WAIT)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    assert proc.returncode == 0, err.decode()[-2000:]
    names: list[str] = json.loads(modules_file.read_text())
    return set(names)


def _left_out(modules: set[str], roots: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if m in roots or m.startswith(tuple(r + "." for r in roots)))


async def test_a_bot_polling_on_sqlite_imports_no_module_only_other_paths_need(
    tmp_path: Path,
) -> None:
    modules = await _imports_until_polling(tmp_path, {})
    # The log is read right: the bot's own start-up and PTB are in it.
    assert {"bot.app", "telegram.ext", "httpx", "aiosqlite"} <= modules
    assert _left_out(modules, NOT_AT_IDLE) == []


async def test_a_bot_with_the_mini_app_still_imports_its_server(tmp_path: Path) -> None:
    extra = {
        "WEBAPP_URL": "https://example.org/app",
        "WEBAPP_LISTEN": "127.0.0.1",
        "WEBAPP_PORT": str(free_port()),
    }
    modules = await _imports_until_polling(tmp_path, extra)
    assert {"tornado.web", "bot.webapp.server"} <= modules
    assert _left_out(modules, ("httpx._main", "rich", "click", "matplotlib", "asyncpg")) == []
