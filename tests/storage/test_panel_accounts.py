"""Panel accounts (migration 0006): several panels per user, one default, slots never reused."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import pytest

from bot.storage import KeyCipher, Storage
from bot.storage.models import LabelTaken, PanelLimitReached, PanelLinkedAlready
from tests.storage.steps import migrations_before_panels

from .conftest import FakeClock

URL_A = "https://a.example/api/v2"
URL_B = "https://b.example/api/v2"


async def version(st: Storage, user_id: int) -> int:
    return await st.drafts.key_version(user_id)


async def test_accounts_slots_default_and_versions(storage: Storage) -> None:
    await storage.users.touch(1, username=None, first_name=None)
    assert await storage.accounts.account(1) is None
    assert await storage.accounts.add(1, "key-a", label="Alpha", url=URL_A) == 1
    assert await storage.accounts.add(1, "key-b", label="Beta", url=URL_B, custom=True) == 2
    assert await version(storage, 1) == 2  # every insert moves it
    default = await storage.accounts.account(1)
    assert default is not None and (default.slot, default.label, default.url) == (1, "Alpha", URL_A)
    assert await storage.accounts.get(1) == "key-a"
    assert await storage.accounts.get(1, 2) == "key-b"
    accounts = await storage.accounts.accounts(1)
    assert [(a.slot, a.is_default, a.custom) for a in accounts] == [
        (1, True, False),
        (2, False, True),
    ]

    # Names are unique per user, case-insensitively; another user may use the same name.
    with pytest.raises(LabelTaken):
        await storage.accounts.add(1, "key-c", label="ALPHA", url=URL_B)
    with pytest.raises(LabelTaken):
        await storage.accounts.rename(1, 2, "alpha")
    await storage.users.touch(2, username=None, first_name=None)
    assert await storage.accounts.add(2, "key-x", label="Alpha", url=URL_A) == 1
    assert await storage.accounts.rename(1, 2, "Gamma")
    assert await version(storage, 1) == 2  # a rename is not a key change

    assert await storage.accounts.make_default(1, 2)
    assert await storage.accounts.get(1) == "key-b"
    assert not await storage.accounts.make_default(1, 9)

    # /setkey replaces the default account's key and moves the version.
    assert await storage.accounts.set(1, "key-b2") == 2
    assert await storage.accounts.get(1, 2) == "key-b2"
    assert await version(storage, 1) == 3


async def test_removed_slot_is_never_reused_and_keeps_its_name(storage: Storage) -> None:
    await storage.users.touch(1, username=None, first_name=None)
    await storage.accounts.add(1, "key-a", label="Alpha", url=URL_A)
    await storage.accounts.add(1, "key-b", label="Beta", url=URL_B)
    assert await storage.accounts.delete(1)  # the default: Beta takes over
    assert not await storage.accounts.delete(1, 1)
    assert await version(storage, 1) == 3
    default = await storage.accounts.account(1)
    assert default is not None and default.slot == 2
    assert await storage.accounts.get(1, 1) is None
    everything = await storage.accounts.accounts(1, removed=True)
    assert [(a.slot, a.label, a.removed) for a in everything] == [
        (1, "Alpha", True),
        (2, "Beta", False),
    ]
    # The name is free again, the slot is not: orders of slot 1 keep naming the old panel.
    assert await storage.accounts.add(1, "key-a2", label="Alpha", url=URL_A) == 3
    assert await storage.accounts.delete(1, 2) and await storage.accounts.delete(1, 3)
    assert not await storage.accounts.has(1)
    assert await storage.accounts.set(1, "again", label="Alpha", url=URL_A) == 4


async def test_low_balance_flag_is_claimed_once(storage: Storage) -> None:
    await storage.users.touch(1, username=None, first_name=None)
    await storage.accounts.add(1, "key-a", label="Alpha", url=URL_A)
    assert await storage.accounts.set_low_balance(1, 1, Decimal("5.50"))
    account = await storage.accounts.account(1, 1)
    assert account is not None and account.low_balance_threshold == Decimal("5.50")
    assert await storage.accounts.set_low_balance_alerted(1, 1, True)
    assert not await storage.accounts.set_low_balance_alerted(1, 1, True)
    assert await storage.accounts.set_low_balance_alerted(1, 1, False)


async def test_pausing_is_per_account(storage: Storage) -> None:
    await storage.users.touch(1, username=None, first_name=None)
    await storage.accounts.add(1, "key-a", label="Alpha", url=URL_A)
    await storage.accounts.add(1, "key-b", label="Beta", url=URL_B)
    assert await storage.accounts.set_paused(1, True, 2)
    assert await storage.accounts.is_paused(1, 2) and not await storage.accounts.is_paused(1)
    assert await storage.accounts.active_accounts() == [(1, 1)]
    assert await storage.accounts.mark_paused_notified(1, 2)
    assert not await storage.accounts.mark_paused_notified(1, 2)
    assert await storage.accounts.replace_key(1, 2, "key-b2")  # a new key un-pauses
    assert await storage.accounts.active_accounts() == [(1, 1), (1, 2)]


async def test_database_of_the_single_key_bot_is_migrated(
    db_path: Path, tmp_path: Path, cipher: KeyCipher, clock: FakeClock
) -> None:
    """A file made by the bot before 0008 (migrations 0001-0005): its key becomes slot 1, the
    default, named after PANEL_API_URL at start-up; its orders belong to slot 1."""
    old_migrations = migrations_before_panels(tmp_path / "migs")
    old = await Storage.open(db_path, cipher, migrations_dir=old_migrations, clock=clock)
    assert await old.db.schema_version() == 5
    await old.db.execute("INSERT INTO users (id, created_at, updated_at) VALUES (7, 1, 1)")
    await old.db.execute(
        "INSERT INTO panel_keys (user_id, ciphertext, added_at, paused) VALUES (7, ?, 5, 0)",
        (cipher.encrypt("old-key"),),
    )
    await old.db.execute(
        "INSERT INTO orders (user_id, token, batch, panel_order_id, service_id, service_name, "
        "service_type, cost, submit_state, status, created_at, updated_at) "
        "VALUES (7, 't', 't', 555, 1, 'x', 'Default', '1.5', 'placed', 'Pending', 1, 1)"
    )
    before = await old.drafts.key_version(7)
    await old.close()

    st = await Storage.open(db_path, cipher, clock=clock)
    try:
        assert await st.drafts.key_version(7) == before  # open previews are not voided
        assert await st.accounts.get(7) == "old-key"
        assert await st.accounts.adopt_legacy("https://panel.example/api/v2", "panel.example") == 1
        assert await st.accounts.adopt_legacy("https://panel.example/api/v2", "panel.example") == 0
        account = await st.accounts.account(7)
        assert account is not None
        assert (account.slot, account.label, account.url, account.is_default, account.custom) == (
            1,
            "panel.example",
            "https://panel.example/api/v2",
            True,
            False,
        )
        order = await st.orders.get_by_panel_id(7, 555)
        assert order is not None and order.panel_slot == 1
        assert [r.panel for r in await st.spending.placed_since(7, 0)] == ["panel.example"]
        # The same panel id on another panel is another order now.
        await st.accounts.add(7, "k2", label="Other", url="https://o.example/api/v2")
        assert await st.accounts.active_accounts() == [(7, 1), (7, 2)]
    finally:
        await st.close()


async def test_the_limit_and_the_once_rule_hold_for_adds_racing(storage: Storage) -> None:
    """Checked inside the write transaction: of adds started together, only as many as fit win."""
    await storage.users.touch(1, username=None, first_name=None)
    results = await asyncio.gather(
        *(
            storage.accounts.add(
                1, f"key-{n}", label=f"P{n}", url=f"https://{n}.example/api/v2", limit=3
            )
            for n in range(6)
        ),
        return_exceptions=True,
    )
    assert sum(isinstance(r, int) for r in results) == 3
    assert all(isinstance(r, int | PanelLimitReached) for r in results), results
    assert len(await storage.accounts.accounts(1)) == 3

    await storage.users.touch(2, username=None, first_name=None)
    same = await asyncio.gather(
        *(storage.accounts.add(2, "k", label=f"A{n}", url=URL_A, once=True) for n in range(4)),
        return_exceptions=True,
    )
    assert sum(isinstance(r, int) for r in same) == 1
    assert all(isinstance(r, int | PanelLinkedAlready) for r in same), same
    # A removed account frees both its place and its URL.
    assert await storage.accounts.delete(2, 1)
    assert await storage.accounts.add(2, "k2", label="Again", url=URL_A, once=True, limit=1) == 2
