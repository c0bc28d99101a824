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
    # Short timeout and backoff keep fault tests fast; retries stay at the default count.
    async with PanelClient(fake.url, KEY, timeout=0.5, read_retries=2, retry_backoff=0.01) as c:
        yield c


@pytest.fixture
def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: connection refused, request never sent."""
    return f"http://127.0.0.1:{free_port()}/api/v2"
