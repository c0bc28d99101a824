from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.storage import KeyCipher, Storage
from tests.clocks import TestClock

# Deterministic timestamps for repositories: `now` only moves when a test says so.
FakeClock = TestClock


@pytest.fixture
def clock() -> FakeClock:
    return TestClock(1_700_000_000.0)


@pytest.fixture
def fernet_key() -> bytes:
    return Fernet.generate_key()


@pytest.fixture
def cipher(fernet_key: bytes) -> KeyCipher:
    return KeyCipher([fernet_key])


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "bot.sqlite3"


@pytest.fixture
async def storage(
    database: Path | str, cipher: KeyCipher, clock: FakeClock
) -> AsyncIterator[Storage]:
    st = await Storage.open(database, cipher, clock=clock)
    try:
        yield st
    finally:
        await st.close()
