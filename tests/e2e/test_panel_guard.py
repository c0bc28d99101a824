"""A user's own panel URL never reaches the operator's network (issue 19 item 4), end to end:
/panels → ➕ → Other panel → the URL → the key, with a listener on 127.0.0.1 counting every
connection that arrives."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeUser
from tests.harness import running_bot

KEY_A = "pk_alpha_1f2e3d4c5b6a79881726354433221100"
KEY_X = "pk_inward_00112233445566778899aabbccddeeff"

# Every spelling of loopback a resolver accepts: a name, decimal, hex, octal, short, and "0"
# (0.0.0.0, which Linux connects to the local host).
INWARD_HOSTS = ["localhost", "2130706433", "0x7f000001", "0177.0.0.1", "127.1", "0"]


@dataclass
class CountingListener:
    """A TCP listener on 127.0.0.1 that counts connections and closes each at once."""

    port: int = 0
    connections: int = 0
    server: asyncio.Server | None = field(default=None, repr=False)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        writer.close()


@asynccontextmanager
async def counting_listener() -> AsyncIterator[CountingListener]:
    listener = CountingListener()
    server = await asyncio.start_server(listener._accept, "127.0.0.1", 0)
    listener.server, listener.port = server, server.sockets[0].getsockname()[1]
    async with server:
        yield listener


async def add_custom_panel(user: FakeUser, url: str) -> tuple[str, str]:
    """Walk /panels → ➕ → Other panel → `url` (→ the key, when asked): the URL question, and
    the bot's last word."""
    await user.send("/panels")
    await user.reply()
    question = ""
    for button in ("➕", "Other panel"):
        await user.press(button)
        question = (await user.update()).text or ""
    await user.send(url)
    answer = (await user.reply()).text or ""
    if "API key" in answer:
        await user.send(KEY_X)
        answer = (await user.reply()).text or ""
    return question, answer


async def test_no_spelling_of_loopback_reaches_the_operators_network(tmp_path: Path) -> None:
    async with (
        counting_listener() as inward,
        running_bot(tmp_path, allow_custom_panels=True) as bot,
    ):
        user = await bot.member(8301, key=KEY_A)
        for host in INWARD_HOSTS:
            question, answer = await add_custom_panel(user, f"https://{host}:{inward.port}/api/v2")
            assert "Only https addresses on the public internet" in question
            assert inward.connections == 0, host
            assert "cannot be used" in answer, (host, answer)
        assert len(await bot.deps.accounts.accounts(8301)) == 1
        assert bot.telegram.bad_requests() == []
        assert KEY_X not in bot.logs.text


async def test_a_custom_panel_never_goes_through_a_proxy_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even where private panels are allowed: a proxy would connect in the guard's place. The
    proxy applies to everything but 127.0.0.1 (the fake Telegram, the operator's panel); the
    user's panel is the same fake reached as `localhost`."""
    async with counting_listener() as proxy, FakePanel() as lan_panel:
        monkeypatch.delenv("no_proxy", raising=False)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
            monkeypatch.setenv(name, f"http://127.0.0.1:{proxy.port}")
        lan_panel.add_key(KEY_X, balance="7")
        async with running_bot(
            tmp_path, allow_custom_panels=True, allow_private_panels=True
        ) as bot:
            user = await bot.member(8302, key=KEY_A)
            lan_url = lan_panel.url.replace("127.0.0.1", "localhost")
            question, answer = await add_custom_panel(user, lan_url)
        # Issue 21: the question no longer claims "https only" where http on a LAN is accepted.
        assert "Only https" not in question and "private network" in question
        assert "linked" in answer
        assert proxy.connections == 0
