from __future__ import annotations

import logging
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.storage import AccessState, KeyCipher, Storage, UndecryptableKey
from tests.pg import INTEGRITY_ERRORS

from .conftest import FakeClock

API_KEY = "a9f3c1e07b5d4c2e8f6a1b3d5e7f9c0a"


async def test_touch_inserts_then_updates_names(storage: Storage, clock: FakeClock) -> None:
    created = await storage.users.touch(1, username="ali", first_name="Ali")
    assert created.access is AccessState.NONE
    assert created.language is None
    assert created.notifications is True and created.blocked_bot is False
    assert created.created_at == created.updated_at == clock.now

    clock.advance(10)
    assert await storage.users.set_blocked(1, True)
    updated = await storage.users.touch(1, username=None, first_name="Ali V")
    assert (updated.username, updated.first_name) == (None, "Ali V")
    assert updated.created_at == created.created_at
    assert updated.updated_at == clock.now
    assert updated.blocked_bot is False  # writing to the bot means it is not blocked
    assert await storage.users.get(1) == updated
    assert await storage.users.get(2) is None


async def test_user_settings(storage: Storage) -> None:
    await storage.users.touch(1, username=None, first_name=None)
    assert await storage.users.set_language(1, "tr")
    assert await storage.users.set_notifications(1, False)
    assert await storage.users.set_blocked(1, True)
    user = await storage.users.get(1)
    assert user is not None
    assert (user.language, user.notifications, user.blocked_bot) == ("tr", False, True)
    assert await storage.users.set_language(1, None)
    assert (await storage.users.get(1)).language is None  # type: ignore[union-attr]
    assert not await storage.users.set_language(99, "en")


async def test_set_access_upserts(storage: Storage) -> None:
    await storage.users.set_access(5, AccessState.ALLOWED)
    pre = await storage.users.get(5)
    assert pre is not None and pre.access is AccessState.ALLOWED and pre.first_name is None
    after = await storage.users.touch(5, username="u", first_name="U")
    assert after.access is AccessState.ALLOWED
    await storage.users.set_access(5, AccessState.DENIED)
    assert (await storage.users.get(5)).access is AccessState.DENIED  # type: ignore[union-attr]


async def test_list_count_and_by_access(storage: Storage, clock: FakeClock) -> None:
    # Same created_at for 3 and 2: id breaks the tie.
    await storage.users.touch(3, username=None, first_name=None)
    await storage.users.touch(2, username=None, first_name=None)
    clock.advance(1)
    await storage.users.touch(1, username=None, first_name=None)
    assert [u.id for u in await storage.users.list(0, 10)] == [2, 3, 1]
    assert [u.id for u in await storage.users.list(1, 1)] == [3]
    assert await storage.users.count() == 3
    await storage.users.set_access(1, AccessState.REQUESTED)
    await storage.users.set_access(3, AccessState.REQUESTED)
    requested = await storage.users.list_by_access(AccessState.REQUESTED)
    assert [u.id for u in requested] == [3, 1]


async def test_keys_set_get_delete_has(storage: Storage) -> None:
    await storage.users.touch(1, username=None, first_name=None)
    assert await storage.accounts.get(1) is None
    assert not await storage.accounts.has(1)
    await storage.accounts.set(1, API_KEY)
    assert await storage.accounts.get(1) == API_KEY
    assert await storage.accounts.has(1)
    await storage.accounts.set(1, "replacement")
    assert await storage.accounts.get(1) == "replacement"
    assert await storage.accounts.delete(1)
    assert not await storage.accounts.delete(1)
    assert await storage.accounts.get(1) is None


async def test_key_needs_known_user(storage: Storage) -> None:
    with pytest.raises(INTEGRITY_ERRORS) as info:
        await storage.accounts.set(404, API_KEY)
    assert API_KEY not in str(info.value)


async def test_pause_lifecycle(storage: Storage) -> None:
    for uid in (1, 2, 3):
        await storage.users.touch(uid, username=None, first_name=None)
        await storage.accounts.set(uid, f"{API_KEY}{uid}")
    assert await storage.accounts.active_user_ids() == [1, 2, 3]

    assert await storage.accounts.set_paused(2, True)
    assert not await storage.accounts.set_paused(2, True)  # no change the second time
    assert await storage.accounts.is_paused(2)
    assert not await storage.accounts.is_paused(1)
    assert not await storage.accounts.is_paused(404)
    assert await storage.accounts.active_user_ids() == [1, 3]

    # Exactly one "your key was rejected" notice.
    assert await storage.accounts.mark_paused_notified(2)
    assert not await storage.accounts.mark_paused_notified(2)
    assert not await storage.accounts.mark_paused_notified(1)  # not paused

    # A new key un-pauses and re-arms the notice.
    await storage.accounts.set(2, "new-key")
    assert not await storage.accounts.is_paused(2)
    assert await storage.accounts.active_user_ids() == [1, 2, 3]
    assert await storage.accounts.set_paused(2, True)
    assert await storage.accounts.mark_paused_notified(2)
    assert await storage.accounts.set_paused(2, False)
    assert await storage.accounts.set_paused(2, True)
    assert await storage.accounts.mark_paused_notified(2)


async def test_all_plaintext_and_rotate_old_keys(
    database: Path | str, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    async with await Storage.open(database, KeyCipher([old]), clock=clock) as st:
        for uid in (1, 2):
            await st.users.touch(uid, username=None, first_name=None)
            await st.accounts.set(uid, f"key-{uid}")
    async with await Storage.open(database, KeyCipher([new, old]), clock=clock) as st:
        assert sorted(await st.accounts.all_plaintext()) == ["key-1", "key-2"]
        assert await st.accounts.rotate_old_keys() == 2
    async with await Storage.open(database, KeyCipher([new]), clock=clock) as st:
        assert await st.accounts.get(1) == "key-1"
        assert sorted(await st.accounts.all_plaintext()) == ["key-1", "key-2"]
    # With the key gone, reads fail loudly and the redaction list skips with a warning.
    async with await Storage.open(database, KeyCipher([old]), clock=clock) as st:
        with pytest.raises(UndecryptableKey):
            await st.accounts.get(1)
        with caplog.at_level(logging.WARNING, logger="bot.storage.accounts"):
            assert await st.accounts.all_plaintext() == []
            assert await st.accounts.rotate_old_keys() == 0
        assert "user 1" in caplog.text


async def test_plaintext_key_never_reaches_database_files(db_path: Path, cipher: KeyCipher) -> None:
    st = await Storage.open(db_path, cipher)
    await st.users.touch(1, username="u", first_name="U")
    await st.accounts.set(1, API_KEY)
    await st.accounts.set_paused(1, True)
    # Read the files while the connection is open (WAL holds the writes) …
    files = sorted(db_path.parent.glob(db_path.name + "*"))
    assert any(p.name.endswith("-wal") for p in files)
    for path in files:
        assert API_KEY.encode() not in path.read_bytes(), path.name
    # … and after closing, when everything is folded into the main file.
    await st.close()
    files = sorted(db_path.parent.glob(db_path.name + "*"))
    assert files
    for path in files:
        assert API_KEY.encode() not in path.read_bytes(), path.name
    async with await Storage.open(db_path, cipher) as st:
        assert await st.accounts.get(1) == API_KEY


async def test_repr_never_shows_key(storage: Storage, fernet_key: bytes) -> None:
    await storage.users.touch(1, username=None, first_name=None)
    await storage.accounts.set(1, API_KEY)
    text = repr(storage) + repr(storage.accounts) + repr(storage.db)
    assert fernet_key.decode() not in text
    assert API_KEY not in text
