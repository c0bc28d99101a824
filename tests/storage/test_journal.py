"""The placement journal file and `OrdersRepo.restore_outcomes`: durable, private, idempotent."""

from __future__ import annotations

import json
import stat
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from bot.storage import OrderDraft, Storage, SubmitState
from bot.storage.journal import (
    BadEntry,
    JournalEntry,
    PlacementJournal,
    journal_path,
)
from bot.storage.models import Order
from tests.e2e.steps import order_draft
from tests.pg import refuse_writes

from .conftest import FakeClock

USER = 20


def draft(link: str, line_no: int | None = None) -> OrderDraft:
    extra = {"comments": "çok güzel\nnice\n=1+1"}
    return order_draft(service_id=4, service_name_text="Yorum", service_type="Custom Comments",
                       link=link, quantity=3, cost=Decimal("0.123456"), currency_text="TRY",
                       extra=extra, line_no=line_no)  # fmt: skip


async def claimed(st: Storage, batch: str, n: int = 1) -> list[Order]:
    drafts = [draft(f"https://t.me/{batch}{i}", i + 1 if n > 1 else None) for i in range(n)]
    await st.orders.create_drafts(USER, batch, drafts)
    claim = await st.orders.claim(batch, USER)
    assert claim.won
    return claim.orders


def placed_entry(order: Order, panel_id: int) -> JournalEntry:
    return JournalEntry.of(order, SubmitState.PLACED, panel_order_id=panel_id, at=1.0)


@pytest.fixture
async def st(storage: Storage) -> Storage:
    await storage.users.touch(USER, username=None, first_name=None)
    return storage


def test_journal_lives_beside_the_database(tmp_path: Path) -> None:
    assert journal_path(tmp_path / "bot.sqlite3") == tmp_path / "bot.sqlite3.journal"
    assert journal_path(":memory:") is None


async def test_entries_round_trip_exactly(st: Storage, tmp_path: Path) -> None:
    [order] = await claimed(st, "rt")
    journal = PlacementJournal(tmp_path / "j" / "bot.sqlite3.journal")
    assert not journal.pending()
    entries = [
        placed_entry(order, 90001),
        JournalEntry.of(order, SubmitState.UNKNOWN, error="timeout", at=2.0),
    ]
    journal.append(entries)
    assert journal.pending()
    read = journal.read()
    assert read.entries == entries and read.bad_lines == []
    assert read.entries[0].order.cost == Decimal("0.123456")  # a Decimal string, not a float
    assert read.entries[0].order.extra == {"comments": "çok güzel\nnice\n=1+1"}
    raw = json.loads(journal.path.read_text(encoding="utf-8").splitlines()[0])
    assert raw["cost"] == "0.123456"
    # Private, whatever the umask, and also when someone else created the file first.
    assert stat.S_IMODE(journal.path.stat().st_mode) == 0o600
    journal.path.chmod(0o644)
    journal.append(entries[:1])
    assert stat.S_IMODE(journal.path.stat().st_mode) == 0o600


# A line as the journal has written it since format 1 (before an upgrade, say): the row's
# columns side by side.
_V1_LINE = (
    '{"v":1,"state":"placed","panel_order_id":90001,"error":null,"recorded_at":1.0,'
    '"order_id":7,"user_id":20,"token":"rt","batch":"rt","line_no":null,"service_id":4,'
    '"service_name":"Yorum","service_type":"Custom Comments","link":"https://t.me/rt0",'
    '"quantity":3,"runs":null,"interval":null,"cost":"0.123456","currency":"TRY",'
    '"created_at":5.0,"submitted_at":6.0,"extra":{"comments":"nice"},"panel_slot":2}'
)


def test_a_format_1_line_reads_and_writes_back_the_same() -> None:
    entry = JournalEntry.from_json(_V1_LINE)
    assert (entry.token, entry.panel_slot, entry.order.link) == ("rt", 2, "https://t.me/rt0")
    assert entry.order == replace(draft("https://t.me/rt0"), extra={"comments": "nice"})
    assert json.loads(entry.to_json()) == json.loads(_V1_LINE)


async def test_an_entry_must_be_an_outcome(st: Storage) -> None:
    [order] = await claimed(st, "bad")
    with pytest.raises(BadEntry):
        JournalEntry.of(order, SubmitState.PLACED, at=1.0)  # no panel id
    with pytest.raises(BadEntry):
        JournalEntry.of(order, SubmitState.SUBMITTING, at=1.0)
    for line in ("{", "[]", '{"v": 99}', json.dumps({"v": 1, "state": "placed"})):
        with pytest.raises(BadEntry):
            JournalEntry.from_json(line)


async def test_a_torn_last_line_does_not_swallow_the_next_entry(
    st: Storage, tmp_path: Path
) -> None:
    a, b = await claimed(st, "torn", 2)
    journal = PlacementJournal(tmp_path / "bot.sqlite3.journal")
    journal.append([placed_entry(a, 1)])
    with journal.path.open("ab") as f:  # a crash in the middle of an append
        f.write(placed_entry(b, 2).to_json().encode()[:40])
    journal.append([placed_entry(b, 2)])
    read = journal.read()
    assert [e.panel_order_id for e in read.entries] == [1, 2]
    assert len(read.bad_lines) == 1

    journal.consume(read)
    assert not journal.path.exists()
    rejected = journal.rejected_path.read_text(encoding="utf-8")
    assert rejected == read.bad_lines[0] + "\n"
    assert stat.S_IMODE(journal.rejected_path.stat().st_mode) == 0o600


async def test_consume_keeps_what_was_appended_after_the_read(st: Storage, tmp_path: Path) -> None:
    a, b, c = await claimed(st, "later", 3)
    journal = PlacementJournal(tmp_path / "bot.sqlite3.journal")
    journal.append([placed_entry(a, 1), placed_entry(b, 2)])
    read = journal.read()
    journal.append([placed_entry(c, 3)])  # while the import was running
    journal.consume(read, [read.entries[1]])  # entry b contradicted the database
    assert [e.panel_order_id for e in journal.read().entries] == [3]
    assert stat.S_IMODE(journal.path.stat().st_mode) == 0o600
    set_aside = journal.rejected_path.read_text(encoding="utf-8").splitlines()
    assert [JournalEntry.from_json(line) for line in set_aside] == [read.entries[1]]


async def test_restore_marks_claimed_rows_placed_once(st: Storage, clock: FakeClock) -> None:
    rows = await claimed(st, "bulk", 3)
    # One row was already turned `unknown` by a start-up recovery; it is placed all the same.
    await st.orders.mark_unknown(rows[2].id, "interrupted by restart")
    entries = [
        placed_entry(rows[0], 501),
        JournalEntry.of(rows[1], SubmitState.FAILED, error="Order 2: bad link", at=1.0),
        placed_entry(rows[2], 503),
    ]
    clock.advance(60)
    report = await st.orders.restore_outcomes(entries)
    assert (report.restored, report.inserted, report.already, report.rejected) == (3, 0, 0, [])
    got = await st.orders.get_batch("bulk")
    assert [(o.submit_state, o.panel_order_id) for o in got] == [
        (SubmitState.PLACED, 501),
        (SubmitState.FAILED, None),
        (SubmitState.PLACED, 503),
    ]
    assert got[0].status == "Pending" and got[2].error is None
    assert got[1].error_text == "Order 2: bad link"
    assert got[0].updated_at == clock.now

    again = await st.orders.restore_outcomes(entries)
    assert (again.restored, again.inserted, again.already, again.rejected) == (0, 0, 3, [])
    assert [(o.submit_state, o.panel_order_id) for o in await st.orders.get_batch("bulk")] == [
        (o.submit_state, o.panel_order_id) for o in got
    ]


async def test_restore_inserts_a_missing_row_from_the_entry(st: Storage) -> None:
    [order] = await claimed(st, "gone")
    entry = placed_entry(order, 777)
    # The database lost the row (restored from an older backup, say): the entry brings it back.
    await st.db.execute("DELETE FROM orders WHERE id = ?", (order.id,))
    report = await st.orders.restore_outcomes([entry])
    assert report.inserted == 1
    back = await st.orders.get_by_panel_id(USER, 777)
    assert back is not None and back.submit_state is SubmitState.PLACED
    assert (back.token, back.batch, back.link, back.quantity) == (
        order.token,
        order.batch,
        order.link,
        order.quantity,
    )
    assert back.cost == Decimal("0.123456") and back.extra == order.extra
    assert (await st.orders.restore_outcomes([entry])).already == 1
    assert len(await st.orders.all_for_user(USER)) == 1


async def test_restore_sets_aside_entries_that_contradict_the_database(st: Storage) -> None:
    a, b = await claimed(st, "clash", 2)
    assert await st.orders.mark_placed(a.id, 1000)
    clash_id = placed_entry(b, 1000)  # another row holds this panel id
    clash_row = placed_entry(a, 2000)  # the row has another panel id
    stranger = JournalEntry.of(b, SubmitState.PLACED, panel_order_id=3000, at=1.0)
    stranger = JournalEntry.from_json(
        stranger.to_json().replace(f'"user_id":{USER}', '"user_id":999').replace(b.token, "zz")
    )
    report = await st.orders.restore_outcomes([clash_id, clash_row, stranger])
    assert report.rejected == [clash_id, clash_row, stranger]
    assert [(o.submit_state, o.panel_order_id) for o in await st.orders.get_batch("clash")] == [
        (SubmitState.PLACED, 1000),
        (SubmitState.SUBMITTING, None),
    ]


async def test_record_outcomes_is_one_transaction(st: Storage) -> None:
    rows = await claimed(st, "one", 3)
    await refuse_writes(st.db, True)
    with pytest.raises(Exception, match="readonly"):
        await st.orders.record_outcomes(
            placed=[(rows[0].id, 1)], failed=[(rows[1].id, "x")], unknown=[(rows[2].id, "y")]
        )
    await refuse_writes(st.db, False)
    assert {o.submit_state for o in await st.orders.get_batch("one")} == {SubmitState.SUBMITTING}
    changed = await st.orders.record_outcomes(
        placed=[(rows[0].id, 1)], failed=[(rows[1].id, "x")], unknown=[(rows[2].id, "y")]
    )
    assert changed == 3
    assert [o.submit_state for o in await st.orders.get_batch("one")] == [
        SubmitState.PLACED,
        SubmitState.FAILED,
        SubmitState.UNKNOWN,
    ]


def test_the_reserve_is_set_aside_once_private_and_full_size(tmp_path: Path) -> None:
    journal = PlacementJournal(tmp_path / "bot.sqlite3.journal", reserve_bytes=256 * 1024)
    assert journal.keep_reserve()
    reserve = journal.reserve_path
    assert reserve.name == "bot.sqlite3.journal.reserve"
    assert reserve.stat().st_size == 256 * 1024
    assert reserve.stat().st_blocks * 512 >= 256 * 1024  # allocated, not sparse
    assert stat.S_IMODE(reserve.stat().st_mode) == 0o600
    before = reserve.stat().st_mtime_ns
    assert journal.keep_reserve() and reserve.stat().st_mtime_ns == before
