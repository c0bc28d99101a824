"""Access decisions in storage: one winner per request, admins' copies handed out once, and the
scan that tells readable stored keys from ones no configured encryption key opens."""

from __future__ import annotations

import asyncio
from pathlib import Path

from cryptography.fernet import Fernet

from bot.storage import AccessState, KeyCipher, Storage
from bot.storage.models import RequestCopy

from .conftest import FakeClock


async def test_first_decision_wins_and_records_who(storage: Storage) -> None:
    await storage.users.touch(7, username=None, first_name="Ayşe")
    await storage.users.set_access(7, AccessState.REQUESTED)
    results = await asyncio.gather(
        storage.users.decide_request(7, AccessState.ALLOWED, by=1000),
        storage.users.decide_request(7, AccessState.DENIED, by=1001),
    )
    assert sorted(results) == [False, True]
    user = await storage.users.get(7)
    assert user is not None
    winner = 1000 if user.access is AccessState.ALLOWED else 1001
    assert user.access_decided_by == winner
    # Decided: no later decision changes it.
    assert not await storage.users.decide_request(7, AccessState.DENIED, by=1001)
    assert not await storage.users.decide_request(8, AccessState.ALLOWED, by=1000)  # unknown


async def test_set_access_returns_the_state_before_and_who_decided(storage: Storage) -> None:
    assert await storage.users.set_access(9, AccessState.ALLOWED, by=1000) is None  # new row
    assert await storage.users.set_access(9, AccessState.DENIED, by=1001) is AccessState.ALLOWED
    user = await storage.users.get(9)
    assert user is not None and user.access_decided_by == 1001
    await storage.users.set_access(9, AccessState.REQUESTED)
    assert (await storage.users.get(9)).access_decided_by is None  # type: ignore[union-attr]


async def test_request_copies_are_handed_out_once(storage: Storage) -> None:
    await storage.users.touch(7, username=None, first_name=None)
    await storage.users.add_request_copy(7, 1000, 11)
    await storage.users.add_request_copy(7, 1001, 12)
    await storage.users.add_request_copy(7, 1001, 12)  # recorded twice: still one copy
    pressed = RequestCopy(1001, 12)
    unknown = RequestCopy(1002, 40)  # e.g. a copy sent before the bot recorded copies
    first = await storage.users.settle_request_copies(7, extra=[pressed, unknown])
    assert first == [RequestCopy(1000, 11), RequestCopy(1001, 12), unknown]
    assert await storage.users.settle_request_copies(7, extra=[pressed, unknown]) == []
    await storage.users.add_request_copy(7, 1003, 13)  # sent after the decision
    assert await storage.users.settle_request_copies(7) == [RequestCopy(1003, 13)]


async def test_scan_separates_unreadable_keys(database: Path | str, clock: FakeClock) -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    async with await Storage.open(database, KeyCipher([old]), clock=clock) as st:
        for uid in (1, 2):
            await st.users.touch(uid, username=None, first_name=None)
            await st.accounts.set(uid, f"key-{uid}")
    async with await Storage.open(database, KeyCipher([new]), clock=clock) as st:
        await st.accounts.set(2, "key-2b")
        scan = await st.accounts.scan()
        assert scan.readable == ["key-2b"]
        [lost] = scan.unreadable
        assert lost.user_id == 1 and len(lost.fingerprint) == 16
        assert "key-1" not in repr(scan.unreadable)
        assert (await st.accounts.scan()).unreadable == [lost]  # stable: same value, same print
