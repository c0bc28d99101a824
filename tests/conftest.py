from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.harness import Harness, running_bot


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Harness]:
    """The bot running against fresh fakes, allowlist mode, one admin (tests.harness.ADMIN_ID)."""
    async with running_bot(tmp_path) as harness:
        yield harness
