"""The status poller against a real database (both engines) and the fake panel over real HTTP."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

from bot.services.panel_clients import PanelClients
from bot.services.poller import StatusPoller, polling_clients
from bot.storage import KeyCipher, Order, OutboxKind, StatusUpdate, Storage
from tests.clocks import TestClock as Clock
from tests.e2e.steps import order_draft
from tests.fakes.panel import FakePanel, FakeRefill, Fault

INTERVAL = 60.0
KEY_A = "pk_poll_a_0123456789abcdef"
KEY_B = "pk_poll_b_0123456789abcdef"
USER_A = 501
USER_B = 502


@pytest.fixture
def clock() -> Clock:
    return Clock(1_700_000_000.0)


@pytest.fixture
async def storage(database: Path | str, clock: Clock) -> AsyncIterator[Storage]:
    # Both engines: the poller's writes take engine-specific statements (bot/storage/orders.py).
    st = await Storage.open(database, KeyCipher([Fernet.generate_key()]), clock=clock)
    try:
        yield st
    finally:
        await st.close()


@pytest.fixture
async def panel() -> AsyncIterator[FakePanel]:
    async with FakePanel() as fake:
        yield fake


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


def make_poller(
    storage: Storage, panel: FakePanel, http: httpx.AsyncClient, clock: Clock, **kw: object
) -> StatusPoller:
    clients = polling_clients(PanelClients(panel.url, http, 2.0))
    return StatusPoller(storage, clients, interval=INTERVAL, clock=clock, **kw)  # type: ignore[arg-type]


async def add_user(storage: Storage, panel: FakePanel, user_id: int, key: str) -> None:
    await storage.users.touch(user_id, username=None, first_name="U")
    panel.add_key(key)
    await storage.accounts.set(user_id, key)


async def place(
    storage: Storage, panel: FakePanel, user_id: int, key: str, n: int, *, batch: str = "b"
) -> list[Order]:
    """`n` orders placed through the submit protocol, with real ids from the fake panel."""
    drafts = [order_draft(link=f"https://instagram.com/u{user_id}_{i}") for i in range(n)]
    token = f"{batch}-{user_id}"
    orders = await storage.orders.create_drafts(user_id, token, drafts)
    claim = await storage.orders.claim(token, user_id)
    assert claim.won
    pairs = [(o.id, panel.create_order(key, 1, o.link or "", 100)) for o in orders]
    await storage.orders.mark_placed_many(pairs)
    return [o for o in [await storage.orders.get(o.id) for o in orders] if o is not None]


async def test_requests_per_cycle_are_the_sum_of_ceilings(
    storage: Storage, panel: FakePanel, http: httpx.AsyncClient, clock: Clock
) -> None:
    await add_user(storage, panel, USER_A, KEY_A)
    await add_user(storage, panel, USER_B, KEY_B)
    await place(storage, panel, USER_A, KEY_A, 201)
    await place(storage, panel, USER_B, KEY_B, 49)
    poller = make_poller(storage, panel, http, clock)

    report = await poller.run_cycle()

    assert report is not None
    assert panel.count("status") == 4  # ⌈201/100⌉ + ⌈49/100⌉ = 3 + 1
    assert (report.requests, report.orders, report.keys) == (4, 250, 2)
    # Every multi request stayed within the spec's cap and used the owner's key.
    for request in panel.requests:
        ids = str(request.params["orders"]).split(",")
        assert 1 <= len(ids) <= 100
        assert all(panel.orders[int(i)].key == request.params["key"] for i in ids)

    # Nothing is due again until an interval has passed.
    again = await poller.run_cycle()
    assert again is not None and again.requests == 0
    assert panel.count("status") == 4
    clock.advance(INTERVAL)
    assert (await poller.run_cycle()) is not None
    assert panel.count("status") == 8


async def test_old_orders_are_polled_hourly(
    storage: Storage, panel: FakePanel, http: httpx.AsyncClient, clock: Clock
) -> None:
    await add_user(storage, panel, USER_A, KEY_A)
    await place(storage, panel, USER_A, KEY_A, 3)
    clock.advance(2 * 86_400)  # the orders are two days old now
    poller = make_poller(storage, panel, http, clock)
    assert (await poller.run_cycle()) is not None  # never polled: due at once
    assert panel.count("status") == 1
    clock.advance(INTERVAL)
    await poller.run_cycle()
    assert panel.count("status") == 1  # not due yet
    clock.advance(3_600)
    await poller.run_cycle()
    assert panel.count("status") == 2


@pytest.mark.parametrize(
    ("status", "remains"),
    [("Completed", 0), ("Partial", 40), ("Canceled", 100), ("Refunded", 100)],
)
async def test_terminal_transition_queues_one_notification(
    storage: Storage,
    panel: FakePanel,
    http: httpx.AsyncClient,
    clock: Clock,
    status: str,
    remains: int,
) -> None:
    await add_user(storage, panel, USER_A, KEY_A)
    [order] = await place(storage, panel, USER_A, KEY_A, 1)
    assert order.panel_order_id is not None
    panel.set_order(order.panel_order_id, status=status, remains=remains)
    poller = make_poller(storage, panel, http, clock)

    report = await poller.run_cycle()

    assert report is not None and report.queued == 1 and report.changed == 1
    [item] = await storage.outbox.due(clock(), 10)
    assert item.kind == OutboxKind.ORDER_STATUS and item.user_id == USER_A
    assert item.payload == {"order_id": order.id, "status": status}
    assert item.dedupe_key == f"order:{order.id}:{status}"
    saved = await storage.orders.get(order.id)
    assert saved is not None and saved.status == status and saved.remains == remains
    assert saved.charge == Decimal("1.25") and saved.currency_text == "USD"
    # Terminal orders leave the poll set: nothing more is asked or queued.
    clock.advance(INTERVAL)
    again = await poller.run_cycle()
    assert again is not None and again.requests == 0
    assert len(await storage.outbox.due(clock(), 10)) == 1


async def test_a_transition_seen_again_is_not_told_twice(
    storage: Storage, panel: FakePanel, http: httpx.AsyncClient, clock: Clock
) -> None:
    # The notice is queued with the status; should the old status be stored again afterwards,
    # the next cycle sees the same transition again. The dedupe key is what keeps it to one
    # message, even after the first one was delivered.
    await add_user(storage, panel, USER_A, KEY_A)
    [order] = await place(storage, panel, USER_A, KEY_A, 1)
    assert order.panel_order_id is not None
    panel.set_order(order.panel_order_id, status="Completed", remains=0)
    poller = make_poller(storage, panel, http, clock)
    first = await poller.run_cycle()
    assert first is not None and first.queued == 1
    [item] = await storage.outbox.due(clock(), 10)
    assert await storage.outbox.mark_sent(item.id)

    # As if the save of "Completed" had never happened.
    await storage.orders.update_statuses(
        [StatusUpdate(order.id, "Pending", "Pending")], polled_at=clock() - INTERVAL
    )
    clock.advance(INTERVAL)
    again = await poller.run_cycle()

    assert again is not None and again.requests == 1 and again.changed == 1
    assert again.queued == 0
    assert await storage.outbox.due(clock(), 10) == []
    rows = await storage.db.fetchall("SELECT kind FROM outbox")
    assert [r["kind"] for r in rows] == [OutboxKind.ORDER_STATUS]
    saved = await storage.orders.get(order.id)
    assert saved is not None and saved.status == "Completed"


async def test_started_is_reported_once_and_running_states_are_not_terminal(
    storage: Storage, panel: FakePanel, http: httpx.AsyncClient, clock: Clock
) -> None:
    await add_user(storage, panel, USER_A, KEY_A)
    [order] = await place(storage, panel, USER_A, KEY_A, 1)
    assert order.panel_order_id is not None
    poller = make_poller(storage, panel, http, clock)
    first = await poller.run_cycle()  # Pending: nothing to say
    assert first is not None and first.queued == 0

    panel.advance(order.panel_order_id)  # In progress, start count known
    clock.advance(INTERVAL)
    second = await poller.run_cycle()
    assert second is not None and second.queued == 1
    clock.advance(INTERVAL)
    panel.set_order(order.panel_order_id, status="Processing")
    third = await poller.run_cycle()
    assert third is not None and third.queued == 0 and third.changed == 1

    items = await storage.outbox.due(clock(), 10)
    assert [(i.kind, i.payload) for i in items] == [
        (OutboxKind.ORDER_STARTED, {"order_id": order.id})
    ]
    saved = await storage.orders.get(order.id)
    assert saved is not None and saved.started_notified
    assert saved.start_count == panel.orders[order.panel_order_id].start_count


async def test_unknown_order_ids_stay_open(
    storage: Storage, panel: FakePanel, http: httpx.AsyncClient, clock: Clock
) -> None:
    await add_user(storage, panel, USER_A, KEY_A)
    [order, other] = await place(storage, panel, USER_A, KEY_A, 2)
    assert order.panel_order_id is not None and other.panel_order_id is not None
    del panel.orders[order.panel_order_id]  # the panel forgot it: "Incorrect order ID"
    panel.set_order(other.panel_order_id, status="Completed")
    report = await make_poller(storage, panel, http, clock).run_cycle()
    assert report is not None and report.queued == 1
    kept = await storage.orders.get(order.id)
    assert kept is not None and kept.status == "Pending" and kept.polled_at == clock()


async def test_refills_are_polled_in_chunks_and_outcomes_queued(
    storage: Storage, panel: FakePanel, http: httpx.AsyncClient, clock: Clock
) -> None:
    await add_user(storage, panel, USER_A, KEY_A)
    [order] = await place(storage, panel, USER_A, KEY_A, 1)
    assert order.panel_order_id is not None
    panel.set_order(order.panel_order_id, status="Completed", remains=0)
    await storage.orders.update_statuses(
        [StatusUpdate(order.id, "Completed", "Completed", remains=0)],
        polled_at=clock(),
    )
    refills = []
    for refill_id in range(1, 151):
        panel.refills[refill_id] = FakeRefill(refill_id, KEY_A, order.panel_order_id)
        refills.append(
            await storage.refills.add(USER_A, order.panel_order_id, refill_id, "pending", order.id)
        )
    panel.set_refill(1, "completed")
    panel.set_refill(150, "rejected")
    panel.set_refill(2, "In progress")
    poller = make_poller(storage, panel, http, clock)

    report = await poller.run_cycle()

    assert report is not None
    assert panel.count("refill_status") == 2 and panel.count("status") == 0
    assert report.refills == 150 and report.queued == 2
    items = await storage.outbox.due(clock(), 10)
    assert sorted((i.kind, i.payload["status"]) for i in items) == [
        (OutboxKind.REFILL_STATUS, "completed"),
        (OutboxKind.REFILL_STATUS, "rejected"),
    ]
    first = await storage.refills.get(refills[0].id)
    assert first is not None and first.status == "completed"
    second = await storage.refills.get(refills[1].id)
    assert second is not None and second.raw_status_text == "In progress"
    # Final refills drop out; the 148 still running are asked about again.
    clock.advance(INTERVAL)
    again = await poller.run_cycle()
    assert again is not None and again.refills == 148 and again.queued == 0


async def test_invalid_key_pauses_polling_and_tells_once(
    storage: Storage, panel: FakePanel, http: httpx.AsyncClient, clock: Clock
) -> None:
    await add_user(storage, panel, USER_A, KEY_A)
    await add_user(storage, panel, USER_B, KEY_B)
    await place(storage, panel, USER_A, KEY_A, 2)
    [b_order] = await place(storage, panel, USER_B, KEY_B, 1)
    assert b_order.panel_order_id is not None
    panel.set_order(b_order.panel_order_id, status="Completed")
    await storage.accounts.set(USER_A, "pk_revoked_on_the_panel_000000")
    poller = make_poller(storage, panel, http, clock)

    report = await poller.run_cycle()
    for _ in range(3):
        clock.advance(INTERVAL)
        await poller.run_cycle()

    assert report is not None and report.paused_keys == 1
    assert await storage.accounts.is_paused(USER_A)
    assert panel.count("status") == 2  # A once, then never again; B once (then terminal)
    kinds = sorted((i.user_id, i.kind) for i in await storage.outbox.due(clock(), 10))
    assert kinds == [(USER_A, OutboxKind.KEY_REJECTED), (USER_B, OutboxKind.ORDER_STATUS)]

    # A new key un-pauses polling and re-arms the one-time notice.
    await storage.accounts.set(USER_A, KEY_A)
    clock.advance(INTERVAL)
    await poller.run_cycle()
    assert panel.count("status") == 3


async def test_sick_panel_skips_that_key_only_and_logs_once(
    storage: Storage,
    panel: FakePanel,
    http: httpx.AsyncClient,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await add_user(storage, panel, USER_A, KEY_A)
    await add_user(storage, panel, USER_B, KEY_B)
    [a_order] = await place(storage, panel, USER_A, KEY_A, 1)
    [b_order] = await place(storage, panel, USER_B, KEY_B, 1)
    assert b_order.panel_order_id is not None
    panel.set_order(b_order.panel_order_id, status="In progress")
    # One key at a time, in user order: the injected failure hits user A's request.
    poller = make_poller(storage, panel, http, clock, concurrency=1)
    panel.inject(Fault.http_500(), action="status", times=1)
    caplog.set_level(logging.DEBUG, logger="bot.services.poller")

    first = await poller.run_cycle()
    assert first is not None and (first.failed_keys, first.requests) == (1, 2)
    b_saved = await storage.orders.get(b_order.id)
    assert b_saved is not None and b_saved.status == "In progress"
    a_saved = await storage.orders.get(a_order.id)
    assert a_saved is not None and a_saved.polled_at is None  # A is asked again later
    assert poller.backing_off(USER_A) == clock() + INTERVAL
    assert poller.backing_off(USER_B) is None

    # The panel stays down for everyone: each key backs off on its own, 1, 2, 4 intervals.
    panel.inject(Fault.http_500(), action="status", times=None)
    asked: list[int] = []
    for _ in range(7):
        clock.advance(INTERVAL)
        before = panel.count("status")
        report = await poller.run_cycle()
        assert report is not None
        asked.append(panel.count("status") - before)
    assert asked == [2, 1, 1, 1, 0, 0, 1]
    warnings = [
        r for r in caplog.records if r.levelno == logging.WARNING and f"user {USER_A}" in r.message
    ]
    assert len(warnings) == 1

    panel.clear_faults()
    clock.advance(8 * INTERVAL)
    await poller.run_cycle()
    assert poller.backing_off(USER_A) is None
    assert any("works again" in r.message for r in caplog.records)


async def test_a_cycle_never_overlaps_the_previous_one(
    storage: Storage, panel: FakePanel, http: httpx.AsyncClient, clock: Clock
) -> None:
    await add_user(storage, panel, USER_A, KEY_A)
    await place(storage, panel, USER_A, KEY_A, 1)
    poller = make_poller(storage, panel, http, clock)
    panel.inject(Fault.latency(0.3), action="status", times=1)

    first = asyncio.create_task(poller.run_cycle())
    await panel.wait_for_request("status")
    assert poller.running
    clock.advance(INTERVAL)  # even with the orders due again, the second cycle must not run
    assert await poller.run_cycle() is None
    report = await first
    assert report is not None and report.requests == 1
    assert panel.count("status") == 1
    assert not poller.running


async def test_a_users_changes_of_one_cycle_are_one_item(
    storage: Storage, panel: FakePanel, http: httpx.AsyncClient, clock: Clock
) -> None:
    """Several orders of a user (over two status requests): one digest covering them all;
    another user's single change stays their own ordinary push."""
    await add_user(storage, panel, USER_A, KEY_A)
    await add_user(storage, panel, USER_B, KEY_B)
    a_orders = await place(storage, panel, USER_A, KEY_A, 150)
    [b_order] = await place(storage, panel, USER_B, KEY_B, 1)
    for o in a_orders:
        panel.set_order(o.panel_order_id or 0, status="Completed", remains=0)
    panel.set_order(b_order.panel_order_id or 0, status="Completed", remains=0)
    poller = make_poller(storage, panel, http, clock)

    report = await poller.run_cycle()

    assert report is not None and report.requests == 3 and report.queued == 150 + 1
    # Keys are polled side by side: the order between users is not fixed.
    items = sorted(await storage.outbox.due(clock.now, limit=500), key=lambda i: i.user_id)
    assert [(i.user_id, i.kind) for i in items] == [
        (USER_A, OutboxKind.ORDER_DIGEST),  # 150 orders over two status requests: one item
        (USER_B, OutboxKind.ORDER_STATUS),
    ]
    assert [e[0] for e in items[0].payload["orders"]] == [o.id for o in a_orders]
    assert items[1].payload == {"order_id": b_order.id, "status": "Completed"}
