from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from decimal import Decimal
from pathlib import Path

import pytest

from bot.panel.models import OrderStatus, Status
from bot.storage import KeyCipher, OrderDraft, OrderFilter, StatusUpdate, Storage, SubmitState
from bot.storage.db import Database, Transaction
from bot.storage.models import Order, OutboxKind, Settled
from bot.storage.orders import PolledStatuses
from bot.storage.outbox import OutboxMessage
from tests.e2e.steps import order_draft
from tests.pg import INTEGRITY_ERRORS

from .conftest import FakeClock

USER = 10


def draft(
    service_id: int = 1, link: str = "https://t.me/x", line_no: int | None = None
) -> OrderDraft:
    extra = {"comments": "çok güzel\nnice"}
    cost = Decimal("1.2345")
    return order_draft(service_id=service_id, service_name_text="Followers", link=link,
                       quantity=1000, cost=cost, extra=extra, line_no=line_no)  # fmt: skip


@pytest.fixture
async def st(storage: Storage) -> Storage:
    await storage.users.touch(USER, username=None, first_name=None)
    await storage.users.touch(USER + 1, username=None, first_name=None)
    return storage


async def placed(st: Storage, batch: str, panel_id: int, **kw: object) -> Order:
    [order] = await st.orders.create_drafts(USER, batch, [draft(**kw)])  # type: ignore[arg-type]
    assert (await st.orders.claim(batch, USER)).won
    assert await st.orders.mark_placed(order.id, panel_id)
    got = await st.orders.get(order.id)
    assert got is not None
    return got


async def test_create_drafts_single_and_bulk(st: Storage, clock: FakeClock) -> None:
    [single] = await st.orders.create_drafts(USER, "b1", [draft()])
    assert single.token == "b1" and single.batch == "b1"
    assert single.submit_state is SubmitState.DRAFT
    assert single.cost == Decimal("1.2345") and isinstance(single.cost, Decimal)
    assert single.extra == {"comments": "çok güzel\nnice"}
    assert single.charge is None and single.status is None and single.panel_order_id is None
    assert single.created_at == clock.now and single.submitted_at is None
    assert single.started_notified is False

    bulk = await st.orders.create_drafts(
        USER, "b2", [draft(line_no=3), draft(line_no=1), draft(line_no=2)]
    )
    assert [o.line_no for o in bulk] == [1, 2, 3]
    assert sorted(o.token for o in bulk) == ["b2:0", "b2:1", "b2:2"]
    assert await st.orders.get_batch("b2") == bulk
    with pytest.raises(ValueError):
        await st.orders.create_drafts(USER, "b3", [])


async def test_create_drafts_is_atomic(st: Storage) -> None:
    await st.orders.create_drafts(USER, "b:1", [draft()])
    # Rows b:0 then b:1 — the second collides with the token above; b:0 must not survive.
    with pytest.raises(INTEGRITY_ERRORS):
        await st.orders.create_drafts(USER, "b", [draft(), draft(), draft()])
    assert await st.orders.get_batch("b") == []


async def test_money_must_be_decimal(st: Storage) -> None:
    bad = OrderDraft(1, "n", "Default", "l", 10, 1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        await st.orders.create_drafts(USER, "f", [bad])
    assert await st.orders.get_batch("f") == []


async def test_claim_race_has_exactly_one_winner(st: Storage, clock: FakeClock) -> None:
    await st.orders.create_drafts(USER, "race", [draft(line_no=i) for i in range(3)])
    results = await asyncio.gather(*(st.orders.claim("race", USER) for _ in range(20)))
    assert sum(r.won for r in results) == 1
    for r in results:
        assert [o.submit_state for o in r.orders] == [SubmitState.SUBMITTING] * 3
        assert all(o.submitted_at == clock.now for o in r.orders)


async def test_claim_race_across_two_connections(
    st: Storage, database: Path | str, cipher: KeyCipher
) -> None:
    await st.orders.create_drafts(USER, "race2", [draft()])
    async with await Storage.open(database, cipher) as other:
        results = await asyncio.gather(
            *(repo.claim("race2", USER) for repo in [st.orders, other.orders] * 10)
        )
    assert sum(r.won for r in results) == 1


async def test_claim_unknown_batch_or_other_user(st: Storage) -> None:
    result = await st.orders.claim("nope", USER)
    assert not result.won and result.orders == []
    await st.orders.create_drafts(USER, "mine", [draft()])
    stolen = await st.orders.claim("mine", USER + 1)
    assert not stolen.won and stolen.orders == []
    assert (await st.orders.claim("mine", USER)).won


async def test_loser_sees_panel_ids(st: Storage) -> None:
    order = await placed(st, "p", 555)
    again = await st.orders.claim("p", USER)
    assert not again.won
    assert [(o.id, o.panel_order_id, o.submit_state) for o in again.orders] == [
        (order.id, 555, SubmitState.PLACED)
    ]


async def test_outcomes_only_apply_to_submitting_rows(st: Storage) -> None:
    a, b, c = await st.orders.create_drafts(USER, "bulk", [draft(line_no=i) for i in (1, 2, 3)])
    # Not claimed yet: marking must not jump over the protocol.
    assert not await st.orders.mark_placed(a.id, 1)
    assert not await st.orders.mark_failed(a.id, "x")
    assert (await st.orders.claim("bulk", USER)).won
    assert await st.orders.mark_placed_many([(a.id, 101)]) == 1
    assert await st.orders.mark_failed_many([(b.id, "Not enough funds")]) == 1
    assert await st.orders.mark_unknown_many([(c.id, "timeout")]) == 1
    # An unknown order found on the panel later can still be placed; a placed one stays placed.
    assert not await st.orders.mark_failed(a.id, "late")
    assert await st.orders.mark_placed(c.id, 103, status="In progress")
    rows = {o.id: o for o in await st.orders.get_batch("bulk")}
    assert rows[a.id].submit_state is SubmitState.PLACED and rows[a.id].status == "Pending"
    assert (
        rows[b.id].submit_state is SubmitState.FAILED
        and rows[b.id].error_text == "Not enough funds"
    )
    assert rows[c.id].submit_state is SubmitState.PLACED and rows[c.id].status == "In progress"
    assert rows[c.id].error is None
    assert await st.orders.get_by_panel_id(USER, 103) == rows[c.id]
    assert await st.orders.get_by_panel_id(USER + 1, 103) is None


async def test_panel_order_id_unique_per_user(st: Storage) -> None:
    await placed(st, "a", 1)
    [other] = await st.orders.create_drafts(USER, "b", [draft()])
    await st.orders.claim("b", USER)
    with pytest.raises(INTEGRITY_ERRORS):
        await st.orders.mark_placed(other.id, 1)


async def test_recover_submitting(st: Storage) -> None:
    await st.orders.create_drafts(USER, "s1", [draft(line_no=1), draft(line_no=2)])
    await st.orders.create_drafts(USER, "d", [draft()])
    await st.orders.claim("s1", USER)
    kept = await placed(st, "done", 9)
    recovered = await st.orders.recover_submitting()
    assert len(recovered) == 2
    assert all(o.submit_state is SubmitState.UNKNOWN and o.error for o in recovered)
    assert await st.orders.recover_submitting() == []
    assert (await st.orders.get_batch("d"))[0].submit_state is SubmitState.DRAFT
    assert await st.orders.get(kept.id) == kept


async def test_discard_draft(st: Storage) -> None:
    await st.orders.create_drafts(USER, "prev", [draft(), draft()])
    assert await st.orders.discard_draft("prev", USER + 1) == 0
    assert await st.orders.discard_draft("prev", USER) == 2
    assert await st.orders.get_batch("prev") == []
    await placed(st, "kept", 1)
    assert await st.orders.discard_draft("kept", USER) == 0
    assert len(await st.orders.get_batch("kept")) == 1


async def test_listing_filters_and_counts(st: Storage, clock: FakeClock) -> None:
    open_a = await placed(st, "a", 1)
    clock.advance(1)
    done = await placed(st, "b", 2)
    await st.orders.update_statuses(
        [
            StatusUpdate(
                done.id,
                status=Status.COMPLETED,
                raw_status="Completed",
                charge=Decimal("0.5"),
                start_count=10,
                remains=0,
                currency="USD",
            )
        ],
        polled_at=clock.now,
    )
    clock.advance(1)
    [unknown] = await st.orders.create_drafts(USER, "c", [draft()])
    await st.orders.claim("c", USER)
    await st.orders.mark_unknown(unknown.id, "timeout")
    clock.advance(1)
    [failed] = await st.orders.create_drafts(USER, "d", [draft()])
    await st.orders.claim("d", USER)
    await st.orders.mark_failed(failed.id, "bad link")
    await st.orders.create_drafts(USER, "e", [draft()])  # draft: never listed

    def ids(orders: list[Order]) -> list[int]:
        return [o.id for o in orders]

    assert ids(await st.orders.list_for_user(USER, filter=OrderFilter.ALL)) == [
        unknown.id,
        done.id,
        open_a.id,
    ]
    assert ids(await st.orders.list_for_user(USER, filter=OrderFilter.OPEN)) == [open_a.id]
    # A negative limit is "all" on both engines (/status lists every open order with it).
    assert ids(await st.orders.list_for_user(USER, offset=1, limit=-1)) == [done.id, open_a.id]
    assert ids(await st.orders.list_for_user(USER, filter=OrderFilter.COMPLETED)) == [done.id]
    assert ids(await st.orders.list_for_user(USER, filter=OrderFilter.ALL, offset=1, limit=1)) == [
        done.id
    ]
    assert await st.orders.count_for_user(USER, filter=OrderFilter.ALL) == 3
    assert await st.orders.count_for_user(USER, filter=OrderFilter.OPEN) == 1
    assert await st.orders.count_for_user(USER, filter=OrderFilter.COMPLETED) == 1
    assert await st.orders.count_for_user(USER + 1, filter=OrderFilter.ALL) == 0
    assert ids(await st.orders.all_for_user(USER)) == [open_a.id, done.id, unknown.id, failed.id]


async def test_open_on_links_finds_open_orders_of_the_same_page(st: Storage) -> None:
    assert await st.orders.open_on_links(USER, 1, ["https://t.me/x"]) == []
    await st.orders.create_drafts(USER, "draft", [draft()])  # a draft is not an order yet
    assert await st.orders.open_on_links(USER, 1, ["https://t.me/x"]) == []
    first = await placed(st, "a", 1)
    assert await st.orders.open_on_links(USER, 1, ["https://www.t.me/x/?utm_source=a"]) == [first]
    assert await st.orders.open_on_links(USER, 1, ["https://t.me/y"]) == []
    assert await st.orders.open_on_links(USER, 2, ["https://t.me/x"]) == []  # another panel
    assert await st.orders.open_on_links(USER + 1, 1, ["https://t.me/x"]) == []
    await st.orders.update_statuses(
        [StatusUpdate(first.id, "Canceled", "Canceled")],
        polled_at=1.0,
    )
    assert await st.orders.open_on_links(USER, 1, ["https://t.me/x"]) == []


async def test_open_on_links_for_many_pages_in_one_call(st: Storage) -> None:
    x, y = "https://t.me/x", "https://t.me/y"
    older = await placed(st, "a", 1, service_id=1, link=x)
    newer = await placed(st, "b", 2, service_id=2, link="http://T.me/x/")
    other = await placed(st, "c", 3, service_id=2, link=y)
    # More pages than one query takes: the lookup goes in chunks.
    many = [f"https://t.me/p{i}" for i in range(1200)] + [x, y]
    assert await st.orders.open_on_links(USER, 1, many) == [older, newer, other]


async def test_backfill_gives_older_rows_their_link_key(st: Storage) -> None:
    mine = await placed(st, "a", 1, link="https://www.t.me/Old/?fbclid=1")
    await st.db.execute("UPDATE orders SET link_key = NULL")  # as before migration 0011
    assert await st.orders.open_on_links(USER, 1, ["https://t.me/Old"]) == []
    assert await st.orders.backfill_link_keys(chunk=1) == 1
    assert await st.orders.backfill_link_keys() == 0
    assert await st.orders.open_on_links(USER, 1, ["https://t.me/Old"]) == [mine]


async def test_update_statuses_keeps_unreported_fields(st: Storage, clock: FakeClock) -> None:
    a = await placed(st, "a", 1)
    b = await placed(st, "b", 2)
    clock.advance(5)
    n = await st.orders.update_statuses(
        [
            StatusUpdate.from_panel(
                a.id,
                OrderStatus(Status.IN_PROGRESS, "inprogress", Decimal("0.90"), 100, 50, "USD"),
            ),
            StatusUpdate(b.id, "Partial", "Partial", Decimal("0.10"), 7, 3, "TRY"),
        ],
        polled_at=clock.now,
    )
    assert n == 2
    got = await st.orders.get(a.id)
    assert got is not None
    assert (got.status, got.raw_status_text, got.charge, got.start_count, got.remains) == (
        "In progress",
        "inprogress",
        Decimal("0.90"),
        100,
        50,
    )
    assert got.polled_at == got.updated_at == clock.now
    # Charge/start_count/remains/currency left out by the panel keep the last known values.
    await st.orders.update_statuses(
        [StatusUpdate(a.id, "Completed", "Completed", remains=0)],
        polled_at=clock.now,
    )
    got = await st.orders.get(a.id)
    assert got is not None
    assert (got.status, got.charge, got.start_count, got.remains, got.currency_text) == (
        "Completed",
        Decimal("0.90"),
        100,
        0,
        "USD",
    )
    assert got.is_terminal
    assert (await st.orders.get(b.id)).currency_text == "TRY"  # type: ignore[union-attr]


async def test_open_for_polling_fresh_vs_stale(st: Storage, clock: FakeClock) -> None:
    start = clock.now
    old = await placed(st, "old", 1)  # submitted at `start`
    clock.advance(2 * 86400)
    fresh = await placed(st, "fresh", 2)  # submitted two days later
    done = await placed(st, "done", 3)
    await st.orders.update_statuses([StatusUpdate(done.id, "Completed")], polled_at=clock.now)
    [unknown] = await st.orders.create_drafts(USER, "u", [draft()])
    await st.orders.claim("u", USER)
    await st.orders.mark_unknown(unknown.id, "timeout")

    now = start + 2 * 86400

    async def due(t: float) -> list[Order]:
        return await st.orders.open_for_polling(t, fresh_interval=60, stale_interval=3600)

    # Never polled: both due, terminal/unknown never.
    assert {o.id for o in await due(now)} == {old.id, fresh.id}

    await st.orders.mark_polled([old.id, fresh.id], now)
    assert await due(now + 59) == []
    # The young order is due after a minute, the old one only after an hour.
    assert [o.id for o in await due(now + 60)] == [fresh.id]
    assert [o.id for o in await due(now + 3600)] == [old.id, fresh.id]
    # limit, and never-polled first.
    await st.orders.mark_polled([fresh.id], now + 3600)
    assert [
        o.id for o in await st.orders.open_for_polling(now + 7200, fresh_interval=60, limit=1)
    ] == [old.id]
    assert await st.orders.mark_polled([], now) == 0


async def test_notification_flags(st: Storage) -> None:
    order = await placed(st, "a", 1)
    assert await st.orders.set_started_notified(order.id)
    assert not await st.orders.set_started_notified(order.id)
    got = await st.orders.get(order.id)
    assert got is not None
    assert got.started_notified is True
    assert await st.orders.get(99999) is None


# --- unknown outcomes the user settles (issue 20 item 4) -----------------------------------------


async def unknown_row(st: Storage, user: int, batch: str, slot: int = 1) -> Order:
    [order] = await st.orders.create_drafts(user, batch, [draft()], panel_slot=slot)
    assert (await st.orders.claim(batch, user)).won
    assert await st.orders.mark_unknown(order.id, "no answer")
    return order


async def test_settle_found_refuses_an_id_held_on_the_same_panel_by_anyone(st: Storage) -> None:
    url_a, url_b = "https://a.example/api/v2", "https://b.example/api/v2"
    await st.accounts.add(USER, "key-1", label="A", url=url_a)
    await st.accounts.add(USER + 1, "key-2", label="A too", url=url_a)  # another user, same panel
    await st.accounts.add(USER + 1, "key-3", label="B", url=url_b)
    [theirs] = await st.orders.create_drafts(USER + 1, "t1", [draft()], panel_slot=1)
    assert (await st.orders.claim("t1", USER + 1)).won
    assert await st.orders.mark_placed(theirs.id, 500)
    mine = await unknown_row(st, USER, "m1")
    found = StatusUpdate(mine.id, "In progress", "In progress", Decimal("1.5"), 10, 990, "USD")

    assert await st.orders.settle_found(mine.id, USER, found, 500) is Settled.TAKEN
    assert await st.orders.settle_found(mine.id, USER + 1, found, 501) is Settled.GONE
    # The same id on another panel (URL B) is no obstacle.
    [elsewhere] = await st.orders.create_drafts(USER + 1, "t2", [draft()], panel_slot=2)
    assert (await st.orders.claim("t2", USER + 1)).won
    assert await st.orders.mark_placed(elsewhere.id, 501)
    assert await st.orders.settle_found(mine.id, USER, found, 501) is Settled.DONE
    got = await st.orders.get(mine.id)
    assert got is not None and got.submit_state is SubmitState.PLACED
    assert (got.panel_order_id, got.status, got.charge) == (501, "In progress", Decimal("1.5"))
    assert (got.remains, got.start_count, got.error, got.polled_at) == (990, 10, None, None)
    assert await st.orders.settle_found(mine.id, USER, found, 502) is Settled.GONE


async def test_settle_not_placed_only_from_unknown_and_kept_in_all(st: Storage) -> None:
    mine = await unknown_row(st, USER, "n1")
    other = await placed(st, "n2", 600)
    assert not await st.orders.settle_not_placed(mine.id, USER + 1, "no")  # not theirs
    assert not await st.orders.settle_not_placed(other.id, USER, "no")  # not unknown
    assert await st.orders.settle_not_placed(mine.id, USER, "the user found none")
    assert not await st.orders.settle_not_placed(mine.id, USER, "again")
    got = await st.orders.get(mine.id)
    assert got is not None and got.submit_state is SubmitState.NOT_PLACED
    assert got.error_text == "the user found none"
    listed = await st.orders.list_for_user(USER, filter=OrderFilter.ALL)
    assert {o.id for o in listed} == {mine.id, other.id}
    assert [o.id for o in await st.orders.list_for_user(USER, filter=OrderFilter.OPEN)] == [
        other.id
    ]
    assert mine.id in {o.id for o in await st.orders.visible_for_user(USER)}
    # Not a duplicate of a new order for the same link: it was never placed.
    assert await st.orders.open_on_links(USER, 1, ["https://t.me/x"]) == [other]


async def test_completion_times_come_from_the_first_completed_poll(
    st: Storage, clock: FakeClock
) -> None:
    done = await placed(st, "a", 1)
    running = await placed(st, "b", 2)
    elsewhere = await placed(st, "c", 3, service_id=2)
    clock.advance(100)

    def update(order: Order, status: str) -> StatusUpdate:
        return StatusUpdate(order.id, status, status)

    statuses = [update(done, "Completed"), update(running, "In progress")]
    await st.orders.update_statuses([*statuses, update(elsewhere, "Completed")], polled_at=1.0)
    clock.advance(500)
    # A later poll of a completed order keeps the time it completed.
    await st.orders.update_statuses([update(done, "Completed")], polled_at=2.0)
    assert await st.orders.completion_times(USER, 1, 1, newest=10) == [100.0]
    assert await st.orders.completion_times(USER, 1, 2, newest=10) == [100.0]
    assert await st.orders.completion_times(USER, 2, 1, newest=10) == []
    assert await st.orders.completion_times(USER + 1, 1, 1, newest=10) == []


async def test_a_keys_poll_answers_are_written_in_one_transaction(
    st: Storage, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    done, started, quiet, also_done = [await placed(st, b, i) for i, b in enumerate("abcd", 1)]
    clock.advance(100)

    def notice(order: Order, what: str) -> OutboxMessage:
        kind = OutboxKind.ORDER_STARTED if what == "started" else OutboxKind.ORDER_STATUS
        return OutboxMessage(USER, kind, {"order_id": order.id}, f"order:{order.id}:{what}")

    def digest(messages: list[OutboxMessage]) -> OutboxMessage:
        covered = [m.payload["order_id"] for m in messages]
        return OutboxMessage(USER, OutboxKind.ORDER_DIGEST, {"orders": covered})

    polled = PolledStatuses(
        updates=[
            StatusUpdate(done.id, "Completed", "Completed", remains=0),
            StatusUpdate(started.id, "In progress", "In progress", start_count=5),
            StatusUpdate(also_done.id, "Completed", "Completed", remains=0),
        ],
        unchanged=[quiet.id],
        started=[started.id],
        notices=[
            notice(done, "Completed"),
            notice(started, "started"),
            notice(also_done, "Completed"),
        ],
    )
    opened = 0
    transaction = type(st.db).transaction

    def counted(db: Database) -> AbstractAsyncContextManager[Transaction]:
        nonlocal opened
        opened += 1
        return transaction(db)

    monkeypatch.setattr(type(st.db), "transaction", counted)
    assert await st.orders.record_poll(USER, polled, digest, polled_at=50.0) == 3
    assert opened == 1

    [item] = await st.outbox.due(clock.now)
    assert item.kind == OutboxKind.ORDER_DIGEST
    assert item.payload == {"orders": [done.id, started.id, also_done.id]}
    rows = {o.id: o for o in await st.orders.all_for_user(USER)}
    assert [rows[o.id].status for o in (done, started, quiet, also_done)] == [
        "Completed", "In progress", quiet.status, "Completed"]  # fmt: skip
    assert all(rows[o.id].polled_at == 50.0 for o in (done, started, quiet, also_done))
    assert rows[started.id].started_notified and rows[started.id].start_count == 5
    assert not rows[done.id].started_notified
    assert await st.orders.completion_times(USER, 1, 1, newest=10) == [100.0, 100.0]

    # The same answers again (a status saved back): nothing is queued twice, and the orders keep
    # the time they completed.
    clock.advance(500)
    assert await st.orders.record_poll(USER, polled, digest, polled_at=60.0) == 0
    assert [i.id for i in await st.outbox.due(clock.now)] == [item.id]
    assert await st.orders.completion_times(USER, 1, 1, newest=10) == [100.0, 100.0]
