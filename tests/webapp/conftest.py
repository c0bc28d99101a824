from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.harness import running_bot
from tests.miniapp import WEBAPP_URL, MiniApp, running_miniapp


@pytest.fixture
async def miniapp(tmp_path: Path) -> AsyncIterator[MiniApp]:
    """The bot (SQLite, allowlist, admin tests.harness.ADMIN_ID) and its Mini App on a free
    port. The API's subject is HTTP and auth; storage is covered on both engines elsewhere."""
    async with (
        running_bot(tmp_path, webapp_url=WEBAPP_URL) as harness,
        running_miniapp(harness) as app,
    ):
        yield app
