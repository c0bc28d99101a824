"""Fixtures: a fake panel over real HTTP on 127.0.0.1 and a client pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.panel.client import PanelClient
from tests.fakes.panel import FakePanel
from tests.panel.support import KEY
from tests.processes import free_port


@pytest.fixture
async def fake() -> AsyncIterator[FakePanel]:
    async with FakePanel() as panel:
        panel.add_key(KEY, balance="100")
        yield panel


@pytest.fixture
async def client(fake: FakePanel) -> AsyncIterator[PanelClient]:
    # A short backoff keeps fault tests fast; retries stay at the default count. No test of this
    # client waits its timeout out (those make their own client with a short one), so it is long
    # enough for a loaded machine: 0.5 s ran out under load with the fake answering normally.
    async with PanelClient(fake.url, KEY, timeout=10, read_retries=2, retry_backoff=0.01) as c:
        yield c


@pytest.fixture
def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: connection refused, request never sent."""
    return f"http://127.0.0.1:{free_port()}/api/v2"
