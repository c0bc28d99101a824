from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.storage import KeyCipher, Storage


class FakeClock:
    """Deterministic timestamps for repositories: `now` only moves when a test says so."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


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
