"""The client against the classic-script fake (issue 20): parsing its numbers and codes, learning
what it takes, and never sending it real orders in add_bulk."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from bot.panel import parsing
from bot.panel.capabilities import Feature, MemoryBook, Support
from bot.panel.client import PanelClient
from bot.panel.errors import ActionUnsupported, InsufficientBalance, PanelRejected
from bot.panel.models import NewOrder, OrderStatus, Status
from tests.fakes.panel import PROBE, FakePanel, Fault
from tests.fakes.panel_classic import ClassicPanel
from tests.panel.support import KEY


@pytest.fixture
async def classic() -> AsyncIterator[ClassicPanel]:
    async with ClassicPanel() as panel:
        panel.add_key(KEY, balance="100.84")
        yield panel


def test_json_numbers_keep_the_panels_digits() -> None:
    data = parsing.decode_json(b'{"balance": 100.84, "rate": 1.25, "charge": 0.1000}')
    assert data["balance"] == Decimal("100.84") and isinstance(data["balance"], Decimal)
    assert str(parsing.to_decimal(data["charge"])) == "0.1000"
    balance = parsing.parse_balance(b'{"status": 100, "balance": 0.30, "currency": "USD"}')
    assert balance.amount == Decimal("0.30") and str(balance.amount) == "0.30"


@pytest.mark.parametrize("code", ['"104"', "104"])
def test_error_code_beside_the_error_is_kept(code: str) -> None:
    body = f'{{"error": "Order not found.", "status": {code}}}'.encode()
    with pytest.raises(PanelRejected) as caught:
        parsing.parse_status(body)
    assert caught.value.message_text == "Order not found." and caught.value.code == "104"
    funds = parsing.error_of({"error": "Not enough funds on balance", "status": 103})
    assert isinstance(funds, InsufficientBalance) and funds.code == "103"


def test_add_answer_with_a_status_code_and_a_text_id() -> None:
    assert parsing.parse_order_id(b'{"status": 100, "order": "1"}') == 1
    assert parsing.parse_order_id(b'{"status": "100", "order": 23}') == 23
    single = parsing.parse_status(b'{"charge": 0.25, "status": "Inprogress", "remains": 5}')
    assert single.status is Status.IN_PROGRESS and single.charge == Decimal("0.25")


async def test_services_without_flags_are_not_stated(classic: ClassicPanel) -> None:
    async with PanelClient(classic.url, KEY) as client:
        [first, *_] = await client.services()
    assert first.rate == Decimal("12.50")
    assert first.refill is None and first.cancel is None and first.dripfeed is None


async def test_statuses_learn_single_status_once(classic: ClassicPanel) -> None:
    ids = [classic.create_order(KEY, 1, f"https://x.y/{i}", 100) for i in range(3)]
    classic.advance(ids[0])
    book = MemoryBook()
    async with PanelClient(classic.url, KEY, book=book) as client:
        answers = await client.statuses(ids)
        assert isinstance(answers[ids[0]], OrderStatus)
        assert {a.status for a in answers.values() if isinstance(a, OrderStatus)} == {
            Status.IN_PROGRESS,
            Status.PENDING,
        }
        assert (await book.get(classic.url)).of(Feature.MULTI_STATUS) is Support.NO
        classic.clear_log()
        again = await client.statuses([*ids, 999])
    assert isinstance(again[999], PanelRejected) and again[999].code == "104"
    assert classic.count("status") == 4
    assert all("orders" not in r.params for r in classic.requests)


async def test_a_multi_status_panel_is_asked_as_before(fake: FakePanel) -> None:
    ids = [fake.create_order(KEY, 1, f"https://x.y/{i}", 100) for i in range(3)]
    book = MemoryBook()
    async with PanelClient(fake.url, KEY, book=book) as client:
        await client.statuses(ids)
    assert fake.count("status") == 1
    assert (await book.get(fake.url)).of(Feature.MULTI_STATUS) is Support.YES


async def test_bulk_on_a_classic_panel_is_one_probe_then_adds(classic: ClassicPanel) -> None:
    orders = [NewOrder(1, f"https://x.y/{i}", 100) for i in range(3)]
    seen: list[tuple[int, int]] = []

    async def progress(done: int, total: int) -> None:
        seen.append((done, total))

    async with PanelClient(classic.url, KEY) as client:
        results = await client.add_orders(orders, progress)
        assert [r.order_id for r in results] == [1, 2, 3]
        assert classic.count("add_bulk") == 1 and classic.bulk_calls() == 0
        await client.add_orders(orders[:1])
    assert classic.count("add_bulk") == 1  # learned: no second probe
    assert classic.count("add") == 4
    assert seen == [(1, 3), (2, 3), (3, 3)]


@pytest.mark.parametrize(
    ("answer", "support"),
    [
        (None, Support.NO),
        ({"error": "Incorrect request"}, Support.NO),
        ({"error": "Invalid action"}, Support.NO),
        ({"error": "Orders list is empty"}, Support.YES),
        ({}, Support.YES),
        ("ok", Support.NO),
    ],
)
def test_probe_answers_are_classified(answer: object, support: Support) -> None:
    from bot.panel.client import _bulk_probe_answer

    assert _bulk_probe_answer(answer) is support


async def test_a_probe_that_fails_to_arrive_sends_no_real_bulk(fake: FakePanel) -> None:
    fake.inject(Fault.http_500(), action=PROBE)
    async with PanelClient(fake.url, KEY) as client:
        results = await client.add_orders([NewOrder(1, "https://x.y/a", 100)])
    assert results[0].ok and fake.bulk_calls() == 0 and fake.count("add") == 1


async def test_refill_and_cancel_answered_null_are_unsupported_and_not_asked_again(
    classic: ClassicPanel,
) -> None:
    done = classic.create_order(KEY, 1, "https://x.y/p", 100, status="Completed")
    async with PanelClient(classic.url, KEY) as client:
        for call in (lambda: client.refill(done), lambda: client.cancel([done])):
            with pytest.raises(ActionUnsupported):
                await call()
            with pytest.raises(ActionUnsupported):
                await call()
        with pytest.raises(ActionUnsupported):
            await client.refill_statuses([1])
        assert (await client.capabilities()).lacks(Feature.CANCEL)
    assert classic.count("refill") == 1 and classic.count("cancel") == 1
