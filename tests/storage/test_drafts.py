"""The `drafts` rows: the key version triggers, the claim's conditions, cap, cancel and purge."""

from __future__ import annotations

import asyncio
import shutil
from decimal import Decimal
from importlib.resources import as_file, files
from pathlib import Path

import pytest

from bot.storage import KeyCipher, OrderDraft, Storage, SubmitState
from bot.storage.models import DraftKind, DraftState
from tests.e2e.steps import order_draft
from tests.pg import EMPTY_DATABASE

from .conftest import FakeClock

USER = 20
KEY = "pk_drafts_0123456789abcdef"


def line(n: int | None = None) -> OrderDraft:
    return order_draft(
        service_name_text="Followers", link=f"https://t.me/x{n}", quantity=1000, line_no=n
    )


@pytest.fixture
async def st(storage: Storage) -> Storage:
    await storage.users.touch(USER, username=None, first_name=None)
    await storage.users.touch(USER + 1, username=None, first_name=None)
    return storage


async def states(st: Storage, batch: str) -> list[SubmitState]:
    return [o.submit_state for o in await st.orders.get_batch(batch)]


async def test_key_version_moves_with_every_key_change_and_only_then(st: Storage) -> None:
    drafts = st.drafts
    assert await drafts.key_version(USER) == 0
    await st.accounts.set(USER, KEY)
    assert await drafts.key_version(USER) == 1
    await st.accounts.set(USER, KEY)  # the same key again is still a new link
    assert await drafts.key_version(USER) == 2
    await st.accounts.set_paused(USER, True)
    await st.accounts.mark_paused_notified(USER)
    await st.accounts.rotate_old_keys()  # re-encryption keeps the key: previews stay good
    assert await drafts.key_version(USER) == 2
    assert await st.accounts.delete(USER)
    assert await drafts.key_version(USER) == 3
    assert not await st.accounts.delete(USER)
    assert await drafts.key_version(USER) == 3
    assert await drafts.key_version(USER + 1) == 0
    assert await drafts.key_version(999) == 0


async def test_create_drafts_records_the_promise(st: Storage, clock: FakeClock) -> None:
    await st.accounts.set(USER, KEY)
    await st.orders.create_drafts(USER, "one", [line()], rate=Decimal("12.5"), ttl=60)
    await st.orders.create_drafts(USER, "many", [line(1), line(2)], kind=DraftKind.BULK)
    one = await st.drafts.get("one", USER)
    many = await st.drafts.get("many", USER)
    assert one is not None and many is not None
    assert (one.kind, one.key_version, one.lines, one.rate) == (
        DraftKind.SINGLE,
        1,
        1,
        Decimal("12.5"),
    )
    assert one.state is DraftState.OPEN and one.expires_at == clock.now + 60
    assert not one.expired and one.message_id is None
    assert (many.kind, many.lines, many.rate) == (DraftKind.BULK, 2, None)
    assert await st.drafts.get("one", USER + 1) is None
    clock.advance(60)
    assert (await st.drafts.get("one", USER)).expired  # type: ignore[union-attr]


async def test_claim_checks_kind_key_expiry_and_state_before_touching_a_row(
    st: Storage, clock: FakeClock
) -> None:
    await st.accounts.set(USER, KEY)
    orders = st.orders
    await orders.create_drafts(USER, "bulk", [line(1), line(2)], kind=DraftKind.BULK, ttl=60)
    await orders.create_drafts(USER, "single", [line()], kind=DraftKind.SINGLE, ttl=60)

    # Wrong kind: a single-order Confirm aimed at a bulk preview and vice versa.
    assert not (await orders.claim("bulk", USER, kind=DraftKind.SINGLE)).won
    assert not (await orders.claim("single", USER, kind=DraftKind.BULK)).won
    # Another key version than the one the caller is about to use.
    assert not (await orders.claim("bulk", USER, kind=DraftKind.BULK, key_version=7)).won
    assert await states(st, "bulk") == [SubmitState.DRAFT] * 2
    assert all(o.submitted_at is None for o in await orders.get_batch("bulk"))

    won = await orders.claim("bulk", USER, kind=DraftKind.BULK, key_version=1)
    assert won.won and await states(st, "bulk") == [SubmitState.SUBMITTING] * 2
    assert (await st.drafts.get("bulk", USER)).state is DraftState.CLAIMED  # type: ignore[union-attr]

    # The key changed since the preview: no caller can claim it any more.
    await st.accounts.set(USER, KEY)
    assert not (await orders.claim("single", USER, kind=DraftKind.SINGLE)).won
    await orders.create_drafts(USER, "late", [line()], ttl=60)
    clock.advance(60)
    assert not (await orders.claim("late", USER, kind=DraftKind.SINGLE)).won
    await orders.create_drafts(USER, "closed", [line()], ttl=60)
    assert await st.drafts.replace("closed", USER)
    assert not await st.drafts.replace("closed", USER)  # one caller closes it
    assert not (await orders.claim("closed", USER, kind=DraftKind.SINGLE)).won
    for batch in ("single", "late", "closed"):
        assert await states(st, batch) == [SubmitState.DRAFT]


async def test_concurrent_claims_with_checks_still_have_one_winner(st: Storage) -> None:
    await st.accounts.set(USER, KEY)
    await st.orders.create_drafts(USER, "race", [line(i) for i in range(3)], kind=DraftKind.BULK)
    results = await asyncio.gather(
        *(st.orders.claim("race", USER, kind=DraftKind.BULK, key_version=1) for _ in range(20))
    )
    assert sum(r.won for r in results) == 1


async def test_a_preview_marked_as_warning_is_claimed_only_with_anyway(st: Storage) -> None:
    # A Confirm found an open order on the link placed after the preview (issue 24 item 3).
    await st.accounts.set(USER, KEY)
    await st.orders.create_drafts(USER, "late_warning", [line()], kind=DraftKind.SINGLE)
    assert await st.drafts.warn_duplicates("late_warning", USER)
    assert not await st.drafts.warn_duplicates("late_warning", USER + 1)  # not theirs
    assert (await st.drafts.get("late_warning", USER)).duplicates  # type: ignore[union-attr]
    plain = await st.orders.claim("late_warning", USER, kind=DraftKind.SINGLE, anyway=False)
    assert not plain.won and await states(st, "late_warning") == [SubmitState.DRAFT]
    assert (await st.orders.claim("late_warning", USER, anyway=True)).won
    # Claimed: nothing more to mark (its claim decided).
    assert not await st.drafts.warn_duplicates("late_warning", USER)


async def test_rows_without_a_drafts_row_are_never_claimable(st: Storage) -> None:
    # Draft rows written before migration 0002 have no promise to check.
    await st.orders.create_drafts(USER, "old", [line()])
    await st.db.execute("DELETE FROM drafts WHERE batch = 'old'")
    assert not (await st.orders.claim("old", USER)).won
    assert await states(st, "old") == [SubmitState.DRAFT]


async def test_close_open_and_cancel_return_the_messages_to_strip(st: Storage) -> None:
    drafts = st.drafts
    await st.orders.create_drafts(USER, "a", [line()])
    await st.orders.create_drafts(USER, "b", [line(1), line(2)])
    await st.orders.create_drafts(USER, "claimed", [line()])
    await st.orders.create_drafts(USER + 1, "other", [line()])
    assert await drafts.attach_message("a", USER, USER, 11)
    assert not await drafts.attach_message("a", USER + 1, USER + 1, 11)
    await drafts.attach_message("claimed", USER, USER, 13)
    assert (await st.orders.claim("claimed", USER)).won

    cancelled = await drafts.cancel_open(USER)
    assert [(m.batch, m.message_id) for m in cancelled] == [("a", 11), ("b", 0)]
    assert await st.orders.get_batch("a") == []
    # The promise stays, closed and marked cancelled, until the purge (a late tap says so).
    gone = await drafts.get("a", USER)
    assert gone is not None and gone.cancelled and gone.state is DraftState.DROPPED
    assert await states(st, "claimed") == [SubmitState.SUBMITTING]
    assert await drafts.get("other", USER + 1) is not None

    await st.orders.create_drafts(USER, "c", [line()])
    await drafts.attach_message("c", USER, USER, 14)
    closed = await drafts.close_open(USER, DraftState.KEY_CHANGED)
    assert [(m.batch, m.chat_id, m.message_id) for m in closed] == [("c", USER, 14)]
    assert (await drafts.get("c", USER)).state is DraftState.KEY_CHANGED  # type: ignore[union-attr]
    assert await drafts.close_open(USER, DraftState.KEY_CHANGED) == []
    with pytest.raises(ValueError):
        await drafts.close_open(USER, DraftState.OPEN)


async def test_cap_closes_the_oldest_by_count_and_by_rows(st: Storage, clock: FakeClock) -> None:
    drafts = st.drafts
    for i in range(5):
        await st.orders.create_drafts(USER, f"p{i}", [line()])
        await drafts.attach_message(f"p{i}", USER, USER, 100 + i)
        clock.advance(1)
    closed = await drafts.enforce_cap(USER, max_open=3, max_lines=1000)
    assert sorted(m.batch for m in closed) == ["p0", "p1"]
    assert (await drafts.get("p0", USER)).state is DraftState.DROPPED  # type: ignore[union-attr]
    assert (await drafts.get("p2", USER)).state is DraftState.OPEN  # type: ignore[union-attr]
    assert await drafts.enforce_cap(USER, max_open=3, max_lines=1000) == []

    # A big upload pushes older previews out by rows; the newest stays however big it is.
    await st.orders.create_drafts(USER, "big", [line(i) for i in range(1, 8)])
    closed = await drafts.enforce_cap(USER, max_open=3, max_lines=5)
    assert sorted(m.batch for m in closed) == ["p2", "p3", "p4"]
    assert (await drafts.get("big", USER)).state is DraftState.OPEN  # type: ignore[union-attr]


async def test_purge_deletes_dead_previews_after_the_grace(st: Storage, clock: FakeClock) -> None:
    orders, drafts = st.orders, st.drafts
    # Twenty uploads of a 100-line file: the were 1,000 lines each, the same rules at a
    # tenth of the rows (20,000 rows took a minute on PostgreSQL, most of it inserting them).
    for i in range(20):
        await orders.create_drafts(USER, f"up{i}", [line(n) for n in range(1, 101)], ttl=1800)
        clock.advance(1)
    await drafts.enforce_cap(USER, max_open=20, max_lines=500)
    assert await drafts.count_rows(USER) == 2_000
    await orders.create_drafts(USER, "placed", [line()], ttl=1800)
    assert (await orders.claim("placed", USER)).won
    await orders.create_drafts(USER, "orphan", [line()])
    await st.db.execute("DELETE FROM drafts WHERE batch = 'orphan'")

    # The 15 previews over the row cap are closed; after the grace their rows go, with the
    # orphan; the 5 still open stay until they expire.
    assert await drafts.purge(grace=3600) == 1  # only the orphan yet
    clock.advance(3600)
    assert await drafts.purge(grace=3600) == 1_500
    assert await drafts.count_rows(USER) == 500
    # The open five expired 1,800 s after they were made: dead, but not yet for an hour.
    assert (await drafts.get("up19", USER)).expired  # type: ignore[union-attr]
    assert await drafts.purge(grace=3600) == 0
    clock.advance(1800)
    assert await drafts.purge(grace=3600) == 500
    assert await drafts.count_rows(USER) == 0
    assert await st.db.fetchall("SELECT batch FROM drafts") == []
    assert await states(st, "placed") == [SubmitState.SUBMITTING]  # an order, never purged


@EMPTY_DATABASE  # it starts from the schema of migration 0001
async def test_upgrade_keeps_old_drafts_unclaimable_until_purged(
    database: Path | str, tmp_path: Path, cipher: KeyCipher, clock: FakeClock
) -> None:
    # A database from before 0002, with a key and a preview waiting for Confirm.
    first_only = tmp_path / "migs"
    first_only.mkdir()
    with as_file(files("bot.storage").joinpath("migrations")) as packaged:
        for migration in packaged.glob("0001_*.sql"):  # shared and engine-specific
            shutil.copy(migration, first_only)
    old = await Storage.open(database, cipher, migrations_dir=first_only, clock=clock)
    # Raw SQL: today's repositories read columns that later migrations add.
    await old.db.execute("INSERT INTO users (id, created_at, updated_at) VALUES (?, 1, 1)", (USER,))
    await old.db.execute(
        "INSERT INTO panel_keys (user_id, ciphertext, added_at) VALUES (?, ?, 1)",
        (USER, cipher.encrypt(KEY)),
    )
    await old.db.execute(
        "INSERT INTO orders (user_id, token, batch, service_id, service_name, service_type, "
        "cost, created_at, updated_at) VALUES (?, 'pre', 'pre', 1, 'x', 'Default', '1', 1, 1)",
        (USER,),
    )
    await old.close()

    st = await Storage.open(database, cipher, clock=clock)
    try:
        assert await st.drafts.key_version(USER) == 0
        assert not (await st.orders.claim("pre", USER, kind=DraftKind.SINGLE)).won
        assert await states(st, "pre") == [SubmitState.DRAFT]
        assert await st.drafts.purge(grace=3600) == 1
        assert await st.orders.get_batch("pre") == []
        # New previews work on the upgraded file, and key changes still move the version.
        await st.orders.create_drafts(USER, "new", [line()])
        await st.accounts.set(USER, KEY)  # replaces the key migrated from panel_keys
        assert await st.drafts.key_version(USER) == 1
        assert not (await st.orders.claim("new", USER, kind=DraftKind.SINGLE)).won
    finally:
        await st.close()
