"""UserService on a real SQLite database: first contact, language, the toggle, the listing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.services.users import UserService
from bot.storage import KeyCipher, Storage


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    st = await Storage.open(tmp_path / "bot.sqlite3", KeyCipher([Fernet.generate_key()]))
    try:
        yield st
    finally:
        await st.close()


async def test_first_contact_adopts_the_language_once(storage: Storage) -> None:
    users = UserService(storage.users)
    first = await users.arrive(1, username="a", first_name="A", language="tr")
    assert (first.username, first.language) == ("a", "tr")
    await users.set_language(1, "en")
    again = await users.arrive(1, username="a2", first_name="A", language="tr")
    assert (again.username, again.language) == ("a2", "en")


async def test_arrival_clears_blocked(storage: Storage) -> None:
    users = UserService(storage.users)
    await users.arrive(1, username=None, first_name=None, language="en")
    await storage.users.set_blocked(1, True)
    back = await users.arrive(1, username=None, first_name=None, language="en")
    assert back.blocked_bot is False


async def test_toggle_notifications_returns_the_stored_row(storage: Storage) -> None:
    users = UserService(storage.users)
    user = await users.arrive(1, username=None, first_name=None, language="en")
    assert user.notifications is True
    off = await users.toggle_notifications(user)
    assert off.notifications is False
    assert (await users.get(1)) == off
    assert (await users.toggle_notifications(off)).notifications is True


async def test_pages_are_clamped(storage: Storage) -> None:
    users = UserService(storage.users)
    empty = await users.page(3, 20)
    assert (empty.users, empty.page, empty.pages, empty.total) == ([], 0, 1, 0)
    for uid in range(1, 46):
        await users.arrive(uid, username=None, first_name=None, language="en")
    last = await users.page(99, 20)
    assert (last.page, last.pages, last.total, len(last.users)) == (2, 3, 45, 5)
    first = await users.page(-1, 20)
    assert (first.page, len(first.users)) == (0, 20)
    seen = [u.id for p in range(3) for u in (await users.page(p, 20)).users]
    assert sorted(seen) == list(range(1, 46))
