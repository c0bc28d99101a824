"""PanelClient against the fake panel over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest

from bot.panel.capabilities import Support
from bot.panel.client import PanelClient
from bot.panel.errors import (
    InsufficientBalance,
    InvalidApiKey,
    OutcomeUnknown,
    PanelError,
    PanelRejected,
    PanelUnavailable,
)
from bot.panel.models import NewOrder, RefillState, Status
from tests.fakes.panel import FakePanel, Fault
from tests.panel.support import KEY

# Faults that break the answer; each must surface as a typed error, never as a crash.
BREAKING_FAULTS = {
    "timeout": Fault.timeout,
    "http_500": Fault.http_500,
    "html_200": Fault.html_200,
    "malformed_json": Fault.malformed_json,
    "drop_connection": Fault.drop_connection,
}


def _order(fake: FakePanel, status: str = "Pending", service: int = 1) -> int:
    return fake.create_order(KEY, service, "https://instagram.com/p/x", 100, status=status)


# --------------------------------------------------------------------------- services


async def test_services_default_catalog(client: PanelClient) -> None:
    services = await client.services()
    assert [s.id for s in services] == list(range(1, 10))
    first = services[0]
    assert (first.name_text, first.type, first.category_text) == (
        "Instagram Takipçi",
        "Default",
        "Instagram",
    )
    assert first.rate == Decimal("12.50") and isinstance(first.rate, Decimal)
    assert (first.min, first.max, first.refill, first.cancel) == (100, 10000, True, True)
    assert first.dripfeed is None and first.description is None
    second = services[1]
    assert second.dripfeed is True and second.description is not None
    assert services[8].dripfeed is False


@pytest.mark.parametrize("fault", [Fault.numbers_not_strings(), Fault.unknown_fields()])
async def test_services_quirky_types_and_fields_parse_the_same(
    fake: FakePanel, client: PanelClient, fault: Fault
) -> None:
    plain = await client.services()
    fake.inject(fault, action="services")
    assert await client.services() == plain


async def test_services_odd_but_valid_entries(fake: FakePanel, client: PanelClient) -> None:
    fake.set_services(
        [
            {"service": "3", "name": "A", "type": "Default", "category": "C", "rate": 0.5}
            | {"min": "10", "max": "20", "refill": "1", "cancel": "yes", "extra": [1]},
        ]
    )
    [service] = await client.services()
    assert (service.id, service.rate, service.min, service.max) == (3, Decimal("0.5"), 10, 20)
    assert service.refill and service.cancel


async def test_services_with_bad_key_is_invalid_key(fake: FakePanel) -> None:
    async with PanelClient(fake.url, "wrong-key-123456", timeout=30) as other:
        with pytest.raises(InvalidApiKey):
            await other.services()
    # A rejection is an answer, not a transport failure: never retried.
    assert fake.count("services") == 1


# --------------------------------------------------------------------------- reads: faults


@pytest.mark.parametrize("kind", list(BREAKING_FAULTS))
async def test_read_faults_are_unavailable(fake: FakePanel, kind: str) -> None:
    async with PanelClient(fake.url, KEY, timeout=0.3, read_retries=0) as client:
        fake.inject(BREAKING_FAULTS[kind](), action="balance")
        with pytest.raises(PanelUnavailable):
            await client.balance()
    assert fake.count("balance") == 1


async def test_read_retries_then_succeeds(fake: FakePanel, client: PanelClient) -> None:
    fake.inject(Fault.http_500(), action="balance", times=2)
    balance = await client.balance()
    assert balance.amount == Decimal("100")
    assert fake.count("balance") == 3


async def test_read_gives_up_after_retries(fake: FakePanel, client: PanelClient) -> None:
    fake.inject(Fault.html_200(), action="status", times=3)
    with pytest.raises(PanelUnavailable):
        await client.status(_order(fake))
    assert fake.count("status") == 3  # one try + read_retries=2


async def test_read_timeout_spends_the_whole_budget_once(fake: FakePanel) -> None:
    # The deadline covers the retries: a hung first try leaves no time for a second one.
    async with PanelClient(fake.url, KEY, timeout=0.3, retry_backoff=0) as client:
        fake.inject(Fault.timeout(), action="services")
        started = time.monotonic()
        with pytest.raises(PanelUnavailable):
            await client.services()
        assert time.monotonic() - started < 0.6
    assert fake.count("services") == 1


async def test_connection_refused_is_unavailable(closed_port_url: str) -> None:
    async with PanelClient(closed_port_url, KEY, timeout=0.5, retry_backoff=0) as client:
        with pytest.raises(PanelUnavailable):
            await client.balance()


# --------------------------------------------------------------------------- balance, status


async def test_balance_is_decimal_and_follows_orders(fake: FakePanel, client: PanelClient) -> None:
    before = await client.balance()
    assert (before.amount, before.currency_text) == (Decimal("100.00"), "USD")
    await client.add_order(NewOrder(1, "https://instagram.com/p/1", 1000))  # 12.50 per 1000
    after = await client.balance()
    assert after.amount == Decimal("87.50")
    assert fake.balance_of(KEY) == Decimal("87.50")


async def test_status_fields(fake: FakePanel, client: PanelClient) -> None:
    order_id = _order(fake)
    fake.set_order(order_id, status="In progress", remains=40, start_count=3572)
    result = await client.status(order_id)
    assert result.status is Status.IN_PROGRESS
    assert (result.remains, result.start_count, result.currency_text) == (40, 3572, "USD")
    assert result.charge == Decimal("1.25")


# How panels spell a status, and what the client makes of each.
STATUS_SPELLINGS = {
    "inprogress": Status.IN_PROGRESS,
    "in_progress": Status.IN_PROGRESS,
    "COMPLETED": Status.COMPLETED,
    "Cancelled": Status.CANCELED,
    "Fail": Status.ERROR,
    "Sırada": Status.UNKNOWN,
}


@pytest.mark.parametrize(("raw", "expected"), STATUS_SPELLINGS.items())
async def test_status_spellings(
    fake: FakePanel, client: PanelClient, raw: str, expected: Status
) -> None:
    order_id = _order(fake)
    fake.set_order(order_id, status=raw)
    result = await client.status(order_id)
    assert result.status is expected
    assert result.raw_status_text == raw


@pytest.mark.parametrize("fault", [Fault.numbers_not_strings(), Fault.unknown_fields()])
async def test_status_quirky_answers(fake: FakePanel, client: PanelClient, fault: Fault) -> None:
    order_id = _order(fake, status="Partial")
    plain = await client.status(order_id)
    fake.inject(fault, action="status")
    assert await client.status(order_id) == plain


async def test_status_of_unknown_order_is_rejected(fake: FakePanel, client: PanelClient) -> None:
    with pytest.raises(PanelRejected) as info:
        await client.status(999)
    assert info.value.message_text == "Incorrect order ID"
    assert fake.count("status") == 1


async def test_statuses_chunk_by_100_and_keep_per_order_errors(
    fake: FakePanel, client: PanelClient
) -> None:
    ids = [_order(fake) for _ in range(249)] + [1]  # 1 does not exist
    fake.set_order(ids[120], status="Completed", remains=0)
    result = await client.statuses(ids)
    assert fake.count("status") == 3
    assert [len(r.params["orders"].split(",")) for r in fake.requests] == [100, 100, 50]
    assert list(result) == ids
    done = result[ids[120]]
    assert not isinstance(done, PanelRejected) and done.status is Status.COMPLETED
    missing = result[1]
    assert isinstance(missing, PanelRejected) and missing.message_text == "Incorrect order ID"


async def test_statuses_empty_sends_nothing(fake: FakePanel, client: PanelClient) -> None:
    assert await client.statuses([]) == {}
    assert fake.count() == 0


# --------------------------------------------------------------------------- add


async def test_add_order_places_it(fake: FakePanel, client: PanelClient) -> None:
    order_id = await client.add_order(NewOrder(1, "https://instagram.com/p/1", 200))
    order = fake.orders[order_id]
    assert (order.service, order.link, order.quantity) == (1, "https://instagram.com/p/1", 200)
    sent = fake.requests[-1].params
    assert sent["action"] == "add" and "runs" not in sent and "interval" not in sent


async def test_add_order_extras_are_sent(fake: FakePanel, client: PanelClient) -> None:
    words = ["harika", "süper", "güzel", "çok iyi", "bravo"]
    order_id = await client.add_order(
        NewOrder(3, "https://instagram.com/p/1", extra={"comments": words})
    )
    assert fake.orders[order_id].params["comments"] == "\n".join(words)
    assert fake.orders[order_id].quantity == 5


async def test_add_order_unknown_extra_is_refused_before_sending(
    fake: FakePanel, client: PanelClient
) -> None:
    with pytest.raises(ValueError, match="bogus"):
        await client.add_order(NewOrder(1, "https://x", 100, extra={"bogus": 1}))
    assert fake.count() == 0


async def test_add_order_rejections(fake: FakePanel, client: PanelClient) -> None:
    with pytest.raises(PanelRejected) as info:
        await client.add_order(NewOrder(404, "https://x", 100))
    assert type(info.value) is PanelRejected and info.value.message_text == "Service not found"
    fake.set_balance(KEY, "10")
    with pytest.raises(InsufficientBalance) as funds:
        await client.add_order(NewOrder(1, "https://x", 1240))  # 15.50
    assert (funds.value.required, funds.value.available) == (Decimal("15.5"), Decimal("10"))
    assert fake.count("add") == 2


@pytest.mark.parametrize("kind", list(BREAKING_FAULTS))
async def test_add_fault_after_placing_is_outcome_unknown_and_never_retried(
    fake: FakePanel, kind: str
) -> None:
    async with PanelClient(fake.url, KEY, timeout=0.3) as client:
        fake.inject(BREAKING_FAULTS[kind](after=True), action="add")
        with pytest.raises(OutcomeUnknown):
            await client.add_order(NewOrder(1, "https://x", 100))
    assert fake.count("add") == 1
    assert len(fake.orders) == 1  # the order exists although the client saw a failure


@pytest.mark.parametrize("kind", ["http_500", "drop_connection", "timeout"])
async def test_add_fault_before_placing_is_still_unknown_to_the_client(
    fake: FakePanel, kind: str
) -> None:
    async with PanelClient(fake.url, KEY, timeout=0.3) as client:
        fake.inject(BREAKING_FAULTS[kind](), action="add")
        with pytest.raises(OutcomeUnknown):
            await client.add_order(NewOrder(1, "https://x", 100))
    assert fake.count("add") == 1 and not fake.orders


async def test_add_connection_refused_is_unavailable(closed_port_url: str) -> None:
    async with PanelClient(closed_port_url, KEY, timeout=0.5) as client:
        with pytest.raises(PanelUnavailable):
            await client.add_order(NewOrder(1, "https://x", 100))


async def test_add_numbers_not_strings(fake: FakePanel, client: PanelClient) -> None:
    fake.inject(Fault.numbers_not_strings(), action="add")
    order_id = await client.add_order(NewOrder(1, "https://x", 100))
    assert order_id in fake.orders


# --------------------------------------------------------------------------- add_orders


def _orders(n: int, service: int = 6, quantity: int = 1000) -> list[NewOrder]:
    return [NewOrder(service, f"https://youtube.com/watch?v={i}", quantity) for i in range(n)]


async def test_add_orders_150_is_two_bulk_requests(fake: FakePanel, client: PanelClient) -> None:
    fake.set_balance(KEY, "1000")
    results = await client.add_orders(_orders(150))
    # One probe with no orders first (issue 20), then the two chunks.
    assert fake.requests[0].params["orders"] == "[]"
    assert fake.count("add_bulk") == 3 and fake.count("add") == 0
    assert [r.index for r in results] == list(range(150))
    assert all(r.ok and not r.unknown and not r.not_sent for r in results)
    ids = [r.order_id for r in results]
    assert len(set(ids)) == 150 and set(ids) == set(fake.orders)
    # The form carries `orders` as a JSON string, as the spec's PHP class sends it.
    sent = json.loads(fake.requests[1].params["orders"])
    assert len(sent) == 100
    assert sent[0] == {"service": 6, "link": "https://youtube.com/watch?v=0", "quantity": 1000}
    # Input order is kept: item i placed link i.
    assert ids[137] is not None
    assert fake.orders[ids[137]].link == "https://youtube.com/watch?v=137"


async def test_add_orders_partial_success(fake: FakePanel, client: PanelClient) -> None:
    orders = [*_orders(1), NewOrder(404, "https://x", 100), *_orders(1, quantity=1)]
    results = await client.add_orders(orders)
    assert results[0].ok
    assert results[1].error == "Order 2: Service not found" and not results[1].ok
    assert results[2].error == "Order 3: Quantity must be at least 500"
    assert not any(r.unknown or r.not_sent for r in results)


async def test_add_orders_insufficient_balance_stops_later_chunks(
    fake: FakePanel, client: PanelClient
) -> None:
    fake.set_balance(KEY, "300")  # 2.75 each: 100 fit, 200 do not
    assert await client.probe_bulk() is Support.YES
    fake.clear_log()
    results = await client.add_orders(_orders(250))
    assert fake.count("add_bulk") == 2
    assert all(r.ok for r in results[:100])
    refused = results[100:200]
    assert all(r.error and r.error.startswith("Insufficient balance") for r in refused)
    assert not any(r.not_sent or r.unknown or r.ok for r in refused)
    assert all(r.not_sent and r.error for r in results[200:])
    assert len(fake.orders) == 100


async def test_add_orders_lost_answer_marks_chunk_unknown(
    fake: FakePanel, client: PanelClient
) -> None:
    fake.set_balance(KEY, "1000")
    assert await client.probe_bulk() is Support.YES
    fake.clear_log()
    fake.inject(Fault.http_500(after=True), action="add_bulk")
    results = await client.add_orders(_orders(250))
    assert fake.count("add_bulk") == 1  # never retried, later chunks held back
    assert all(r.unknown and r.error and not r.ok for r in results[:100])
    assert all(r.not_sent and not r.unknown for r in results[100:])
    assert len(fake.orders) == 100  # they were in fact placed


async def test_add_orders_falls_back_to_single_adds(fake: FakePanel, client: PanelClient) -> None:
    fake.supports_add_bulk = False
    results = await client.add_orders([*_orders(3), NewOrder(404, "https://x", 100)])
    assert fake.count("add_bulk") == 1 and fake.count("add") == 4
    assert [r.ok for r in results] == [True, True, True, False]
    assert results[3].error == "Service not found"
    assert len(fake.orders) == 3


async def test_add_orders_fallback_stops_after_unknown(
    fake: FakePanel, client: PanelClient
) -> None:
    fake.supports_add_bulk = False
    fake.inject(Fault.drop_connection(after=True), action="add")
    results = await client.add_orders(_orders(3))
    assert fake.count("add") == 1
    assert results[0].unknown and all(r.not_sent for r in results[1:])


async def test_add_orders_unreachable_panel_sends_nothing(closed_port_url: str) -> None:
    async with PanelClient(closed_port_url, KEY, timeout=0.5) as client:
        results = await client.add_orders(_orders(120))
    assert len(results) == 120 and all(r.not_sent and not r.unknown for r in results)


async def test_add_orders_validates_every_item_first(fake: FakePanel, client: PanelClient) -> None:
    with pytest.raises(ValueError):
        await client.add_orders([*_orders(2), NewOrder(1, "https://x", 10, extra={"nope": 1})])
    assert fake.count() == 0


# --------------------------------------------------------------------------- refill


async def test_refill_created_and_rejected(fake: FakePanel, client: PanelClient) -> None:
    done = _order(fake, status="Completed")
    created = await client.refill(done)
    assert created.ok and created.order_id == done and created.refill_id in fake.refills
    rejected = await client.refill(_order(fake, status="Pending"))
    assert not rejected.ok and rejected.state is RefillState.REJECTED


async def test_refill_fault_is_outcome_unknown_not_retried(
    fake: FakePanel, client: PanelClient
) -> None:
    done = _order(fake, status="Completed")
    fake.inject(Fault.html_200(after=True), action="refill")
    with pytest.raises(OutcomeUnknown):
        await client.refill(done)
    assert fake.count("refill") == 1 and len(fake.refills) == 1


async def test_refills_pair_by_position(fake: FakePanel, client: PanelClient) -> None:
    done = _order(fake, status="Partial")
    pending = _order(fake)
    no_refill_service = _order(fake, status="Completed", service=2)
    results = await client.refills([done, pending, 99999, no_refill_service])
    assert [r.order_id for r in results] == [done, pending, 99999, no_refill_service]
    assert [r.ok for r in results] == [True, False, False, False]
    assert fake.refills[results[0].refill_id or 0].order_id == done
    assert fake.requests[-1].params["orders"] == f"{done},{pending},99999,{no_refill_service}"


async def test_refills_spec_malformed_answer_is_outcome_unknown(
    fake: FakePanel, client: PanelClient
) -> None:
    fake.inject(Fault.malformed_json(after=True), action="refill")
    with pytest.raises(OutcomeUnknown):
        await client.refills([_order(fake, status="Completed"), _order(fake)])
    assert fake.count("refill") == 1


async def test_refills_numbers_not_strings(fake: FakePanel, client: PanelClient) -> None:
    fake.inject(Fault.numbers_not_strings(), action="refill")
    [result] = await client.refills([_order(fake, status="Completed")])
    assert result.ok and result.refill_id in fake.refills


# --------------------------------------------------------------------------- refill status


async def test_refill_status_single(fake: FakePanel, client: PanelClient) -> None:
    created = await client.refill(_order(fake, status="Completed"))
    assert created.refill_id is not None
    fake.set_refill(created.refill_id, "completed")
    result = await client.refill_status(created.refill_id)
    assert (result.refill_id, result.state) == (created.refill_id, RefillState.COMPLETED)
    with pytest.raises(PanelRejected) as info:
        await client.refill_status(777)
    assert info.value.message_text == "Refill not found"


async def test_refill_statuses_use_refills_and_chunk(fake: FakePanel, client: PanelClient) -> None:
    created = await client.refills([_order(fake, status="Completed") for _ in range(3)])
    ids = [r.refill_id for r in created if r.refill_id is not None]
    fake.set_refill(ids[1], "rejected")
    fake.clear_log()
    wanted = ids + list(range(1000, 1247))  # 250 ids, most unknown
    result = await client.refill_statuses(wanted)
    assert fake.count("refill_status") == 3
    # `refills` is the multi parameter (and wins over `refill` per spec); never send both.
    assert all("refills" in r.params and "refill" not in r.params for r in fake.requests)
    assert list(result) == wanted
    states = [result[i] for i in ids]
    assert [s.state for s in states if not isinstance(s, PanelRejected)] == [
        RefillState.PENDING,
        RefillState.REJECTED,
        RefillState.PENDING,
    ]
    unknown = result[1000]
    assert isinstance(unknown, PanelRejected) and unknown.message_text == "Refill not found"


async def test_refill_status_retries_reads(fake: FakePanel, client: PanelClient) -> None:
    fake.inject(Fault.drop_connection(), action="refill_status")
    with pytest.raises(PanelRejected):
        await client.refill_status(5)
    assert fake.count("refill_status") == 2


# --------------------------------------------------------------------------- cancel


async def test_cancel_results(fake: FakePanel, client: PanelClient) -> None:
    pending = _order(fake)
    completed = _order(fake, status="Completed")
    results = await client.cancel([pending, completed, 424242])
    assert [(r.order_id, r.ok) for r in results] == [
        (pending, True),
        (completed, False),
        (424242, False),
    ]
    assert results[1].error == "Order cannot be canceled"
    assert results[2].error == "Incorrect order ID"
    assert fake.orders[pending].status == "Canceled"


async def test_cancel_fault_is_outcome_unknown(fake: FakePanel, client: PanelClient) -> None:
    pending = _order(fake)
    fake.inject(Fault.timeout(after=True), action="cancel")
    async with PanelClient(fake.url, KEY, timeout=0.3) as short:
        with pytest.raises(OutcomeUnknown):
            await short.cancel([pending])
    assert fake.count("cancel") == 1
    assert fake.orders[pending].status == "Canceled"


async def test_cancel_second_chunk_failure_is_marked(fake: FakePanel, client: PanelClient) -> None:
    ids = [_order(fake) for _ in range(150)]
    # The first cancel request goes through; the second is lost after the fact.
    fake.inject(Fault.latency(0), action="cancel")
    fake.inject(Fault.http_500(after=True), action="cancel")
    results = await client.cancel(ids)
    assert fake.count("cancel") == 2
    assert all(r.ok for r in results[:100])
    assert all(r.unknown and not r.ok for r in results[100:])


# --------------------------------------------------------------------------- secrets, lifecycle


async def _raise_panel_error(fake: FakePanel, call: Callable[[PanelClient], Awaitable[Any]]) -> Any:
    async with PanelClient(fake.url, KEY, timeout=0.3, read_retries=1, retry_backoff=0) as client:
        assert KEY not in repr(client) and KEY not in str(client)
        with pytest.raises(PanelError) as info:
            await call(client)
    return info.value


def _chain(exc: BaseException | None) -> list[BaseException]:
    seen: list[BaseException] = []
    while exc is not None and exc not in seen:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__
    return seen


SECRET_CASES: dict[str, tuple[str, Fault | None, Callable[[PanelClient], Awaitable[Any]]]] = {
    "balance-timeout": ("balance", Fault.timeout(), lambda c: c.balance()),
    "services-html": ("services", Fault.html_200(), lambda c: c.services()),
    "status-malformed": ("status", Fault.malformed_json(), lambda c: c.status(1)),
    "add-500": (
        "add",
        Fault.http_500(after=True),
        lambda c: c.add_order(NewOrder(1, "https://x", 100)),
    ),
    "add-drop": (
        "add",
        Fault.drop_connection(),
        lambda c: c.add_order(NewOrder(1, "https://x", 100)),
    ),
    "cancel-timeout": ("cancel", Fault.timeout(after=True), lambda c: c.cancel([1])),
    "refill-html": ("refill", Fault.html_200(), lambda c: c.refill(1)),
    "rejected": ("status", None, lambda c: c.status(31337)),
    "funds": ("add", None, lambda c: c.add_order(NewOrder(6, "https://x", 10**6))),
}


@pytest.mark.parametrize("case", list(SECRET_CASES))
async def test_key_never_leaks(
    fake: FakePanel, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    action, fault, call = SECRET_CASES[case]
    if fault is not None:
        fake.inject(fault, action=action, times=None)
    with caplog.at_level(logging.DEBUG):
        exc = await _raise_panel_error(fake, call)
    for link in _chain(exc):
        assert KEY not in str(link) and KEY not in repr(link)
        assert KEY not in str(link.args)
    assert KEY not in caplog.text
    assert all(KEY not in str(r.args) for r in caplog.records)


async def test_bad_key_rejection_does_not_echo_it(fake: FakePanel) -> None:
    async with PanelClient(fake.url, "sk-WRONG-aa55aa55aa55", timeout=0.5) as client:
        with pytest.raises(InvalidApiKey) as info:
            await client.add_order(NewOrder(1, "https://x", 100))
    assert "sk-WRONG" not in str(info.value) and fake.count("add") == 1


async def test_shared_http_client_is_not_closed(fake: FakePanel) -> None:
    async with httpx.AsyncClient() as http:
        async with PanelClient(fake.url, KEY, http=http) as client:
            await client.balance()
        assert not http.is_closed
        owned = PanelClient(fake.url, KEY)
        await owned.aclose()
        assert owned._http.is_closed


@pytest.mark.parametrize("fault", [Fault.numbers_not_strings(), Fault.unknown_fields()])
async def test_multi_reads_and_bulk_tolerate_quirky_answers(
    fake: FakePanel, client: PanelClient, fault: Fault
) -> None:
    ids = [_order(fake, status="Completed"), 5]
    [refill] = await client.refills(ids[:1])
    assert refill.refill_id is not None
    plain = (
        await client.statuses(ids),
        await client.refill_statuses([refill.refill_id, 99]),
        await client.balance(),
    )
    for action in ("status", "refill_status", "balance", "add_bulk", "cancel"):
        fake.inject(fault, action=action)
    quirky = (
        await client.statuses(ids),
        await client.refill_statuses([refill.refill_id, 99]),
        await client.balance(),
    )
    # Values compare equal (Decimal("1.25") == Decimal("1.25000")); rejections by message.
    assert _comparable(quirky[0]) == _comparable(plain[0])
    assert _comparable(quirky[1]) == _comparable(plain[1])
    assert quirky[2] == plain[2]
    bulk = await client.add_orders(_orders(2, service=9, quantity=100))  # cancellable
    assert all(r.ok and r.order_id in fake.orders for r in bulk)
    cancelled = await client.cancel([r.order_id for r in bulk if r.order_id is not None])
    assert all(c.ok for c in cancelled)


def _comparable(result: dict[int, Any]) -> dict[int, Any]:
    return {k: v.message_text if isinstance(v, PanelRejected) else v for k, v in result.items()}
