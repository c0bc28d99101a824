"""Learned capabilities in the database (re-learned daily) and the per-panel pacer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.panel.capabilities import RELEARN_SECONDS, Feature, Support
from bot.services.capabilities import CACHE_SECONDS, PanelPacer, StoredBook
from bot.storage import KeyCipher, Storage
from tests.clocks import TestClock as Clock

URL = "https://classic.example/api/v2"


@pytest.fixture
def clock() -> Clock:
    return Clock(1_700_000_000.0)


@pytest.fixture
async def storage(database: Path | str, clock: Clock) -> AsyncIterator[Storage]:
    st = await Storage.open(database, KeyCipher([Fernet.generate_key()]), clock=clock)
    try:
        yield st
    finally:
        await st.close()


async def test_learned_is_kept_per_url_and_learned_again_after_a_day(
    storage: Storage, clock: Clock
) -> None:
    book = StoredBook(storage.capabilities, clock=clock)
    await book.learn(URL, Feature.ADD_BULK, Support.NO)
    await book.learn(URL, Feature.MULTI_STATUS, Support.NO)
    await book.learn(URL, Feature.MULTI_STATUS, Support.YES)  # an answer contradicted it
    fresh = StoredBook(storage.capabilities, clock=clock)  # another process, or a restart
    caps = await fresh.get(URL)
    assert caps.of(Feature.ADD_BULK) is Support.NO
    assert caps.of(Feature.MULTI_STATUS) is Support.YES
    assert (await fresh.get("https://other.example/api/v2")).known == {}
    clock.now += RELEARN_SECONDS + CACHE_SECONDS + 1
    assert (await fresh.get(URL)).of(Feature.ADD_BULK) is Support.UNKNOWN


async def test_pacer_spreads_one_panels_requests_and_not_anothers() -> None:
    clock = Clock(1_700_000_000.0)
    pacer = PanelPacer(5, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        await pacer.turn(URL)
    await pacer.turn("https://other.example/api/v2")
    assert clock.sleeps == pytest.approx([0.2, 0.2])
