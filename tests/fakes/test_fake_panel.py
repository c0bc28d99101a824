"""The fake panel against plain httpx: every action, every shape the spec shows, every fault."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import time
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.fakes import WAIT_SECONDS
from tests.fakes.panel import DEMO_KEY, FakePanel, Fault, money, parse_args, serve
from tests.fakes.panel_catalog import (
    SPEC_SERVICE,
    comment_replies,
    default_services,
    parse_service,
)

KEY = "test-key-A"
OTHER = "test-key-B"


@pytest.fixture
async def panel() -> AsyncIterator[FakePanel]:
    async with FakePanel() as fake:
        fake.add_key(KEY, "100")
        fake.add_key(OTHER, "50", currency="TRY")
        yield fake


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    # verify=False: only plain HTTP is used, and loading CA certificates costs ~50 ms per test.
    async with httpx.AsyncClient(timeout=5.0, verify=False) as client:
        yield client


async def call(http: httpx.AsyncClient, panel: FakePanel, **params: Any) -> Any:
    """POST form-encoded, the way the spec's PHP class does, with KEY unless given."""
    params.setdefault("key", KEY)
    response = await http.post(panel.url, data={k: str(v) for k, v in params.items()})
    assert response.status_code == 200
    return response.json()


def root(panel: FakePanel) -> str:
    return panel.url.removesuffix("/api/v2")


async def send(http: httpx.AsyncClient, url: str, style: str, params: dict[str, Any]) -> Any:
    if style == "get":
        response = await http.get(url, params=params)
    elif style == "form":
        response = await http.post(url, data=params)
    elif style == "multipart":
        response = await http.post(url, files={k: (None, str(v)) for k, v in params.items()})
    else:
        response = await http.post(url, json=params)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


# -- transport: paths, methods, encodings ----------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v2", "/api"])
@pytest.mark.parametrize("style", ["get", "form", "multipart", "json"])
async def test_every_path_and_encoding_reaches_the_same_panel(
    panel: FakePanel, http: httpx.AsyncClient, path: str, style: str
) -> None:
    url = root(panel) + path
    services = await send(http, url, style, {"key": KEY, "action": "services"})
    assert services[0] == SPEC_SERVICE  # the spec's example, as the spec writes it
    placed = await send(
        http,
        url,
        style,
        {"key": KEY, "action": "add", "service": 1, "link": "https://ig.com/x", "quantity": 200},
    )
    assert placed == {"order": 23501}
    assert panel.balance_of(KEY) == Decimal("97.5")
    assert panel.requests[-1].method == ("GET" if style == "get" else "POST")
    assert panel.requests[-1].path == path
    assert panel.requests[-1].params["key"] == KEY


async def test_missing_or_unknown_key_is_invalid_with_status_200(
    panel: FakePanel, http: httpx.AsyncClient
) -> None:
    for params in ({"action": "balance"}, {"key": "nope", "action": "balance"}, {}):
        response = await http.post(panel.url, data=params)
        assert response.status_code == 200
        assert response.json() == {"error": "Invalid API key"}


async def test_unknown_or_missing_action_is_incorrect_request(
    panel: FakePanel, http: httpx.AsyncClient
) -> None:
    assert await call(http, panel, action="steal") == {"error": "Incorrect request"}
    assert await call(http, panel) == {"error": "Incorrect request"}


async def test_unknown_path_is_404(panel: FakePanel, http: httpx.AsyncClient) -> None:
    response = await http.get(root(panel) + "/api/v3", params={"key": KEY, "action": "balance"})
    assert response.status_code == 404


# -- services and balance --------------------------------------------------------------------


async def test_default_catalog_covers_types_categories_and_optional_fields(
    panel: FakePanel, http: httpx.AsyncClient
) -> None:
    services = await call(http, panel, action="services")
    assert 8 <= len(services) <= 10
    assert len({s["category"] for s in services}) == 3
    assert {"Default", "Package", "Custom Comments", "Subscriptions", "Poll"} <= {
        s["type"] for s in services
    }
    assert "Mentions With Hashtags" in {s["type"] for s in services}
    for s in services:
        assert isinstance(s["service"], int) and isinstance(s["min"], int)
        assert isinstance(s["rate"], str) and Decimal(s["rate"]) > 0
        assert isinstance(s["refill"], bool) and isinstance(s["cancel"], bool)
    drip = [s for s in services if s.get("dripfeed") is True]
    assert drip and drip[0]["description"]


async def test_some_services_carry_an_average_time_in_every_shape(
    panel: FakePanel, http: httpx.AsyncClient
) -> None:
    services = await call(http, panel, action="services")
    times = {s["service"]: s["average_time"] for s in services if "average_time" in s}
    assert times == {2: "1 hours 14 minutes", 6: 90, 8: "Not enough data"}
    generated = panel.make_services(30)
    shapes = {type(s["average_time"]) for s in generated if "average_time" in s}
    assert shapes == {int, str}
    assert any("average_time" not in s for s in generated)


async def test_set_services_replaces_catalog(panel: FakePanel, http: httpx.AsyncClient) -> None:
    panel.set_services([{**panel.make_services(1)[0], "service": 77, "rate": "0.5"}])
    services = await call(http, panel, action="services")
    assert [s["service"] for s in services] == [77]
    assert await call(http, panel, action="add", service=1, link="l", quantity=100) == {
        "error": "Service not found"
    }


def test_set_services_rejects_broken_catalog() -> None:
    with pytest.raises(ValueError, match="bad fake service"):
        FakePanel([{"service": 1, "name": "x"}])


async def test_balance_is_a_string_with_two_decimals_in_the_keys_currency(
    panel: FakePanel, http: httpx.AsyncClient
) -> None:
    assert await call(http, panel, action="balance") == {"balance": "100.00", "currency": "USD"}
    assert await call(http, panel, key=OTHER, action="balance") == {
        "balance": "50.00",
        "currency": "TRY",
    }
    panel.set_balance(KEY, "100.845")
    assert (await call(http, panel, action="balance"))["balance"] == "100.845"
    assert panel.balance_of(KEY) == Decimal("100.845")


def test_money_keeps_exact_value_and_pads() -> None:
    assert money(Decimal("100"), 2) == "100.00"
    assert money(Decimal("0.278190"), 5) == "0.27819"
    assert money(Decimal("0.0000125"), 5) == "0.0000125"


# -- add ---------------------------------------------------------------------------------------


async def test_add_places_pending_order_and_deducts_exact_charge(
    panel: FakePanel, http: httpx.AsyncClient
) -> None:
    first = await call(http, panel, action="add", service=1, link="https://ig/a", quantity=123)
    second = await call(http, panel, key=OTHER, action="add", service=9, link="t", quantity=100)
    assert first == {"order": 23501}
    assert second == {"order": 23502}  # one counter across keys
    order = panel.orders[23501]
    assert (order.key, order.service, order.link, order.quantity) == (KEY, 1, "https://ig/a", 123)
    assert order.charge == Decimal("1.5375")
    assert (order.status, order.remains, order.start_count) == ("Pending", 123, 0)
    assert panel.balance_of(KEY) == Decimal("98.4625")
    assert panel.balance_of(OTHER) == Decimal("49.905")


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"service": 999, "link": "l", "quantity": 100}, "Service not found"),
        ({"service": "abc", "link": "l", "quantity": 100}, "Service not found"),
        ({"link": "l", "quantity": 100}, "Service not found"),
        ({"service": 1, "link": "l", "quantity": 99}, "Quantity must be at least 100"),
        ({"service": 1, "link": "l"}, "Quantity must be at least 100"),
        ({"service": 1, "link": "l", "quantity": 10001}, "Quantity must be at most 10000"),
        ({"service": 1, "quantity": 100}, "Link is required"),
        ({"service": 1, "link": "  ", "quantity": 100}, "Link is required"),
        ({"service": 9, "link": "l", "quantity": 100, "runs": 2}, "not available"),
        ({"service": 2, "link": "l", "quantity": 100, "runs": 0}, "Runs must be at least 1"),
    ],
)
async def test_add_rejections_place_nothing(
    panel: FakePanel, http: httpx.AsyncClient, params: dict[str, Any], error: str
) -> None:
    answer = await call(http, panel, action="add", **params)
    assert set(answer) == {"error"}
    assert error in answer["error"]
    assert panel.orders == {}
    assert panel.balance_of(KEY) == Decimal("100")


async def test_insufficient_balance_message_uses_six_decimals(
    panel: FakePanel, http: httpx.AsyncClient
) -> None:
    panel.set_balance(KEY, "10")
    answer = await call(http, panel, action="add", service=1, link="l", quantity=1240)
    assert answer == {"error": "Insufficient balance. Required: 15.500000, Available: 10.000000"}
    assert panel.orders == {}
    panel.set_balance(KEY, "15.5")  # exactly enough is enough
    assert await call(http, panel, action="add", service=1, link="l", quantity=1240) == {
        "order": 23501
    }
    assert panel.balance_of(KEY) == Decimal(0)


async def test_dripfeed_charges_quantity_times_runs(
    panel: FakePanel, http: httpx.AsyncClient
) -> None:
    answer = await call(
        http, panel, action="add", service=2, link="l", quantity=1000, runs=5, interval=30
    )
    order = panel.orders[answer["order"]]
    assert (order.runs, order.interval, order.remains) == (5, 30, 5000)
    assert order.charge == Decimal("16")  # 3.20 x 5000 / 1000
    assert panel.balance_of(KEY) == Decimal("84")


async def test_flagless_service_takes_dripfeed_unless_told_to_refuse_it(
    panel: FakePanel, http: httpx.AsyncClient
) -> None:
    services = await call(http, panel, action="services")
    assert "dripfeed" not in next(s for s in services if s["service"] == 1)
    answer = await call(
        http, panel, action="add", service=1, link="l", quantity=100, runs=2, interval=5
    )
    assert panel.orders[answer["order"]].runs == 2
    panel.refuse_dripfeed.add(1)
    refused = await call(
        http, panel, action="add", service=1, link="l", quantity=100, runs=2, interval=5
    )
    assert refused == {"error": "Drip-feed is not available for this service"}
    # The catalog still says nothing, and orders without runs still go through.
    services = await call(http, panel, action="services")
    assert "dripfeed" not in next(s for s in services if s["service"] == 1)
    assert "order" in await call(http, panel, action="add", service=1, link="l", quantity=100)


async def test_package_needs_no_quantity_and_costs_its_rate(
    panel: FakePanel, http: httpx.AsyncClient
) -> None:
    answer = await call(http, panel, action="add", service=7, link="https://yt/c")
    # 150.00 > 100 balance: the package price, not a per-1000 rate, is what is checked.
    assert answer == {"error": "Insufficient balance. Required: 150.000000, Available: 100.000000"}
    panel.set_balance(KEY, "200")
    answer = await call(http, panel, action="add", service=7, link="https://yt/c")
    assert panel.orders[answer["order"]].charge == Decimal("150")
    assert panel.balance_of(KEY) == Decimal("50")


async def test_custom_comments_quantity_is_the_number_of_lines(
    panel: FakePanel, http: httpx.AsyncClient
) -> None:
    comments = "Harika!\nÇok güzel\n\n👍\nSüper\r\nbravo\n"
    answer = await call(
        http, panel, action="add", service=3, link="l", comments=comments, quantity=999
    )
    order = panel.orders[answer["order"]]
    assert order.quantity == 5
    assert order.charge == Decimal("0.225")
    assert order.params["comments"] == comments
    too_few = await call(http, panel, action="add", service=3, link="l", comments="a\nb")
    assert too_few == {"error": "Quantity must be at least 5"}


async def test_comment_replies_need_a_username_and_bill_per_reply(
    panel: FakePanel, http: httpx.AsyncClient
) -> None:
    panel.set_services([*default_services(), comment_replies()])
    base = {"action": "add", "service": 10, "link": "https://instagram.com/p/x"}
    replies = "Teşekkürler!\n\nKatılıyorum\r\n👍\n"
    assert await call(http, panel, **base, comments=replies) == {"error": "Username is required"}
    answer = await call(http, panel, **base, username="ayse", comments=replies, quantity=999)
    order = panel.orders[answer["order"]]
    assert order.quantity == 3  # one per reply line; the sent quantity is ignored
    assert order.charge == Decimal("0.18")  # 60.00 x 3 / 1000
    assert order.params == {"username": "ayse", "comments": replies}
    too_few = await call(http, panel, **base, username="ayse", comments="only one")
    assert too_few == {"error": "Quantity must be at least 2"}


async def test_subscriptions_use_username_and_store_their_params(
    panel: FakePanel, http: httpx.AsyncClient
) -> None:
    base = {"action": "add", "service": 5, "min": 100, "max": 200, "posts": 3}
    assert await call(http, panel, **base) == {"error": "Username is required"}
    answer = await call(http, panel, **base, username="ayse", delay=30, expiry="31/12/2025")
    order = panel.orders[answer["order"]]
    assert order.params == {
        "username": "ayse",
        "min": "100",
        "max": "200",
        "posts": "3",
        "delay": "30",
        "expiry": "31/12/2025",
    }
    assert order.charge == Decimal("3")  # 5.00 x 200 x 3 posts / 1000


async def test_type_specific_params_are_stored(panel: FakePanel, http: httpx.AsyncClient) -> None:
    answer = await call(
        http,
        panel,
        action="add",
        service=4,
        link="l",
        quantity=100,
        usernames="a\nb",
        hashtags="#x\n#y",
    )
    assert panel.orders[answer["order"]].params == {"usernames": "a\nb", "hashtags": "#x\n#y"}
    poll = await call(http, panel, action="add", service=8, link="l", quantity=100, answer_number=2)
    assert panel.orders[poll["order"]].params == {"answer_number": "2"}


async def test_concurrent_adds_never_overspend(panel: FakePanel, http: httpx.AsyncClient) -> None:
    panel.set_balance(KEY, "3.75")  # three orders of 1.25
    answers = await asyncio.gather(
        *(call(http, panel, action="add", service=1, link="l", quantity=100) for _ in range(10))
    )
    assert sum("order" in a for a in answers) == 3
    assert panel.balance_of(KEY) == Decimal(0)


# -- add_bulk ----------------------------------------------------------------------------------


async def test_add_bulk_json_body_with_real_array(
    panel: FakePanel, http: httpx.AsyncClient
) -> None:
    orders = [
        {"service": 1, "link": "https://instagram.com/test1", "quantity": 100},
        {"service": 2, "link": "https://instagram.com/test2", "quantity": 200},
    ]
    response = await http.post(panel.url, json={"key": KEY, "action": "add_bulk", "orders": orders})
    assert response.json() == {"0": {"order": 23501}, "1": {"order": 23502}}
    assert panel.balance_of(KEY) == Decimal("100") - Decimal("1.25") - Decimal("0.64")


async def test_add_bulk_form_partial_success_matches_spec(
    panel: FakePanel, http: httpx.AsyncClient
) -> None:
    orders = [
        {"service": 999, "link": "l", "quantity": 100},
        {"service": 1, "link": "l", "quantity": 100},
        {"service": 1, "link": "l", "quantity": 10},
        "garbage",
    ]
    answer = await call(http, panel, action="add_bulk", orders=json.dumps(orders))
    assert answer == {
        "0": {"error": "Order 1: Service not found"},
        "1": {"order": 23501},
        "2": {"error": "Order 3: Quantity must be at least 100"},
        "3": {"error": "Order 4: Service not found"},
    }
    assert list(panel.orders) == [23501]


async def test_add_bulk_insufficient_places_nothing(
    panel: FakePanel, http: httpx.AsyncClient
) -> None:
    panel.set_balance(KEY, "10")
    orders = [{"service": 1, "link": "l", "quantity": 620}] * 2  # 7.75 each
    answer = await call(http, panel, action="add_bulk", orders=json.dumps(orders))
    assert answer == {"error": "Insufficient balance. Required: 15.500000, Available: 10.000000"}
    assert panel.orders == {}
    assert panel.balance_of(KEY) == Decimal("10")


async def test_add_bulk_limits_and_bad_input(panel: FakePanel, http: httpx.AsyncClient) -> None:
    item = {"service": 9, "link": "l", "quantity": 100}
    answer = await call(http, panel, action="add_bulk", orders=json.dumps([item] * 101))
    assert answer == {"error": "Maximum 100 orders allowed"}
    answer = await call(http, panel, action="add_bulk", orders=json.dumps([item] * 100))
    assert len(answer) == 100 and all("order" in v for v in answer.values())
    assert await call(http, panel, action="add_bulk", orders="[{not json") == {
        "error": "Incorrect request"
    }
    assert await call(http, panel, action="add_bulk") == {"error": "Incorrect request"}


async def test_panel_without_add_bulk(panel: FakePanel, http: httpx.AsyncClient) -> None:
    panel.supports_add_bulk = False
    orders = json.dumps([{"service": 1, "link": "l", "quantity": 100}])
    assert await call(http, panel, action="add_bulk", orders=orders) == {
        "error": "Incorrect request"
    }
    assert panel.orders == {}


# -- status --------------------------------------------------------------------------------------


async def test_status_single_uses_strings(panel: FakePanel, http: httpx.AsyncClient) -> None:
    order_id = panel.create_order(KEY, 1, "l", 500)
    panel.set_order(order_id, status="Partial", remains=157, start_count=3572, charge="0.27819")
    assert await call(http, panel, action="status", order=order_id) == {
        "charge": "0.27819",
        "start_count": "3572",
        "status": "Partial",
        "remains": "157",
        "currency": "USD",
    }


async def test_status_unknown_or_foreign_order(panel: FakePanel, http: httpx.AsyncClient) -> None:
    foreign = panel.create_order(OTHER, 1, "l", 100)
    for order in (foreign, 1, "abc"):
        assert await call(http, panel, action="status", order=order) == {
            "error": "Incorrect order ID"
        }
    assert (await call(http, panel, key=OTHER, action="status", order=foreign))["currency"] == "TRY"


async def test_status_multi_keyed_by_id(panel: FakePanel, http: httpx.AsyncClient) -> None:
    mine = panel.create_order(KEY, 1, "l", 100)
    foreign = panel.create_order(OTHER, 1, "l", 100)
    answer = await call(http, panel, action="status", orders=f"{mine}, 10,{foreign}")
    assert answer == {
        str(mine): {
            "charge": "1.25000",
            "start_count": "0",
            "status": "Pending",
            "remains": "100",
            "currency": "USD",
        },
        "10": {"error": "Incorrect order ID"},
        str(foreign): {"error": "Incorrect order ID"},
    }
    too_many = ",".join(str(i) for i in range(101))
    assert await call(http, panel, action="status", orders=too_many) == {
        "error": "Maximum 100 orders allowed"
    }


async def test_advance_walks_the_lifecycle(panel: FakePanel, http: httpx.AsyncClient) -> None:
    a = panel.create_order(KEY, 1, "l", 100)
    b = panel.create_order(KEY, 1, "l", 100)
    panel.advance(a)
    status = await call(http, panel, action="status", order=a)
    assert status["status"] == "In progress" and int(status["start_count"]) > 0
    assert panel.orders[b].status == "Pending"
    panel.advance()
    assert [panel.orders[a].status, panel.orders[b].status] == ["Completed", "In progress"]
    assert panel.orders[a].remains == 0
    panel.advance()
    panel.advance()
    assert panel.orders[a].status == panel.orders[b].status == "Completed"


def test_create_order_checks_its_inputs() -> None:
    fake = FakePanel()
    fake.add_key(KEY, "5")
    done = fake.create_order(KEY, 1, "l", 100, status="Completed")
    assert (fake.orders[done].remains, fake.balance_of(KEY)) == (0, Decimal("5"))
    assert fake.orders[done].start_count > 0
    with pytest.raises(KeyError):
        fake.create_order("ghost", 1, "l", 100)
    with pytest.raises(ValueError, match="no service"):
        fake.create_order(KEY, 12345, "l", 100)


# -- refill ----------------------------------------------------------------------------------


async def test_refill_single_and_rejections(panel: FakePanel, http: httpx.AsyncClient) -> None:
    done = panel.create_order(KEY, 1, "l", 100, status="Completed")
    partial = panel.create_order(KEY, 6, "l", 500, status="Partial")
    pending = panel.create_order(KEY, 1, "l", 100)
    no_refill = panel.create_order(KEY, 2, "l", 100, status="Completed")
    foreign = panel.create_order(OTHER, 1, "l", 100, status="Completed")
    assert await call(http, panel, action="refill", order=done) == {
        "refill": "1",
        "status": "completed",
    }
    assert await call(http, panel, action="refill", order=partial) == {
        "refill": "2",
        "status": "completed",
    }
    for order in (pending, no_refill, foreign, 424242, "x"):
        assert await call(http, panel, action="refill", order=order) == {
            "refill": None,
            "status": "rejected",
        }
    assert panel.refills[1].order_id == done and panel.refills[1].key == KEY


async def test_refill_rejected_while_one_is_pending(
    panel: FakePanel, http: httpx.AsyncClient
) -> None:
    done = panel.create_order(KEY, 1, "l", 100, status="Completed")
    assert await call(http, panel, action="refill", order=done) == {
        "refill": "1",
        "status": "completed",
    }
    rejected = {"refill": None, "status": "rejected"}
    assert await call(http, panel, action="refill", order=done) == rejected
    panel.set_refill(1, "Yolda")  # a panel's own wording for "still running"
    assert await call(http, panel, action="refill", order=done) == rejected
    panel.set_refill(1, "completed")
    assert await call(http, panel, action="refill", order=done) == {
        "refill": "2",
        "status": "completed",
    }
    assert len(panel.refills) == 2


async def test_refill_multi_in_input_order(panel: FakePanel, http: httpx.AsyncClient) -> None:
    done = panel.create_order(KEY, 1, "l", 100, status="Completed")
    pending = panel.create_order(KEY, 1, "l", 100)
    response = await http.get(
        root(panel) + "/api",
        params={"key": KEY, "action": "refill", "orders": f"{pending},{done},9"},
    )
    assert response.json() == [
        {"refill": None, "status": "rejected"},
        {"refill": "1", "status": "completed"},
        {"refill": None, "status": "rejected"},
    ]


async def test_refill_status_single(panel: FakePanel, http: httpx.AsyncClient) -> None:
    done = panel.create_order(KEY, 1, "l", 100, status="Completed")
    refill = (await call(http, panel, action="refill", order=done))["refill"]
    assert await call(http, panel, action="refill_status", refill=refill) == {
        "refill": refill,
        "status": "pending",
    }
    panel.set_refill(int(refill), "completed")
    assert await call(http, panel, action="refill_status", refill=refill) == {
        "refill": refill,
        "status": "completed",
    }
    for bad, error in (("99", "Refill not found"), ("x", "Invalid refill ID")):
        assert await call(http, panel, action="refill_status", refill=bad) == {"error": error}
    assert await call(http, panel, key=OTHER, action="refill_status", refill=refill) == {
        "error": "Refill not found"
    }


async def test_refill_status_multi_and_precedence(
    panel: FakePanel, http: httpx.AsyncClient
) -> None:
    for _ in range(3):
        done = panel.create_order(KEY, 1, "l", 100, status="Completed")
        await call(http, panel, action="refill", order=done)
    panel.set_refill(1, "completed")
    panel.set_refill(3, "rejected")
    answer = await call(http, panel, action="refill_status", refills="1,2,3,7", refill="2")
    assert answer == [
        {"refill": "1", "status": "completed"},
        {"refill": "2", "status": "pending"},
        {"refill": "3", "status": "rejected"},
        {"refill": "7", "error": "Refill not found"},
    ]


# -- cancel ----------------------------------------------------------------------------------


async def test_cancel_shapes_and_refund(panel: FakePanel, http: httpx.AsyncClient) -> None:
    placed = await call(http, panel, action="add", service=1, link="l", quantity=400)
    order_id = placed["order"]
    assert panel.balance_of(KEY) == Decimal("95")
    answer = await call(http, panel, action="cancel", orders=f"9,{order_id}")
    assert answer == [
        {"order": 9, "cancel": {"error": "Incorrect order ID"}},
        {"order": order_id, "cancel": 1},
    ]
    assert panel.orders[order_id].status == "Canceled"
    assert panel.balance_of(KEY) == Decimal("100")
    again = await call(http, panel, action="cancel", orders=str(order_id))
    assert again == [{"order": order_id, "cancel": {"error": "Order cannot be canceled"}}]
    assert panel.balance_of(KEY) == Decimal("100")


async def test_cancel_refunds_only_the_undelivered_part(
    panel: FakePanel, http: httpx.AsyncClient
) -> None:
    order_id = (await call(http, panel, action="add", service=1, link="l", quantity=400))["order"]
    panel.advance(order_id)
    panel.set_order(order_id, remains=100)
    assert await call(http, panel, action="cancel", orders=str(order_id)) == [
        {"order": order_id, "cancel": 1}
    ]
    assert panel.balance_of(KEY) == Decimal("96.25")
    assert panel.orders[order_id].charge == Decimal("3.75")


async def test_cancel_rejections(panel: FakePanel, http: httpx.AsyncClient) -> None:
    no_cancel = panel.create_order(KEY, 6, "l", 500)
    finished = panel.create_order(KEY, 1, "l", 100, status="Completed")
    foreign = panel.create_order(OTHER, 1, "l", 100)
    answer = await call(http, panel, action="cancel", orders=f"{no_cancel},{finished},{foreign}")
    assert answer == [
        {"order": no_cancel, "cancel": {"error": "Order cannot be canceled"}},
        {"order": finished, "cancel": {"error": "Order cannot be canceled"}},
        {"order": foreign, "cancel": {"error": "Incorrect order ID"}},
    ]
    assert panel.orders[foreign].status == "Pending"
    assert await call(http, panel, action="cancel") == {"error": "Incorrect request"}


# -- request log -----------------------------------------------------------------------------


async def test_count_clear_log_and_recorded_params(
    panel: FakePanel, http: httpx.AsyncClient
) -> None:
    await call(http, panel, action="balance")
    await call(http, panel, key=OTHER, action="balance")
    await call(http, panel, action="services")
    assert (panel.count(), panel.count("balance"), panel.count("add")) == (3, 2, 0)
    assert [r.params["key"] for r in panel.requests] == [KEY, OTHER, KEY]
    assert panel.requests[0].at <= panel.requests[1].at
    panel.clear_log()
    assert panel.count() == 0


async def test_wait_for_request_wakes_on_arrival(panel: FakePanel, http: httpx.AsyncClient) -> None:
    panel.inject(Fault.latency(2.0), action="balance")
    slow = asyncio.create_task(call(http, panel, action="balance"))
    await panel.wait_for_request("balance")
    assert not slow.done()  # counted on arrival, before the delay
    await panel.wait_for_request("balance", count=1)  # already satisfied: returns at once
    slow.cancel()
    with pytest.raises(TimeoutError, match="wanted 2"):
        await panel.wait_for_request("balance", count=2, timeout=0.05)


async def test_wait_for_request_any_action(panel: FakePanel, http: httpx.AsyncClient) -> None:
    waiter = asyncio.create_task(panel.wait_for_request(None, count=2))
    await call(http, panel, action="balance")
    assert not waiter.done()
    await call(http, panel, action="services")
    await asyncio.wait_for(waiter, 1)


# A shutdown timeout no passing test waits out.
LONGER_THAN_THE_TEST = 10 * WAIT_SECONDS


# -- faults ----------------------------------------------------------------------------------


async def test_base_latency_delays_every_request(panel: FakePanel, http: httpx.AsyncClient) -> None:
    panel.latency = 0.15
    started = time.monotonic()
    both = asyncio.gather(call(http, panel, action="balance"), call(http, panel, action="services"))
    await panel.wait_for_request(None, count=2)
    assert not both.done()  # both are in flight together: delays overlap, not queue up
    await both
    assert time.monotonic() - started >= 0.15


async def test_latency_fault_hits_next_matching_request_only(
    panel: FakePanel, http: httpx.AsyncClient
) -> None:
    panel.inject(Fault.latency(30.0), action="balance")
    slow = asyncio.create_task(call(http, panel, action="balance"))
    await panel.wait_for_request("balance")
    # Other actions, and the next balance (times=1 is used up), answer while the first waits.
    assert (await call(http, panel, action="services"))[0]["service"] == 1
    assert await call(http, panel, action="balance") == {"balance": "100.00", "currency": "USD"}
    assert not slow.done()
    slow.cancel()


async def test_http_500_and_html_200(panel: FakePanel, http: httpx.AsyncClient) -> None:
    panel.inject(Fault.http_500())
    panel.inject(Fault.html_200())
    response = await http.post(panel.url, data={"key": KEY, "action": "balance"})
    assert response.status_code == 500
    response = await http.post(panel.url, data={"key": KEY, "action": "balance"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<html>" in response.text
    with pytest.raises(json.JSONDecodeError):
        response.json()


async def test_malformed_json(panel: FakePanel, http: httpx.AsyncClient) -> None:
    panel.inject(Fault.malformed_json(), action="refill")
    response = await http.post(panel.url, data={"key": KEY, "action": "refill", "orders": "1"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert '"refill"1"' in response.text
    with pytest.raises(json.JSONDecodeError):
        response.json()


async def test_drop_connection_is_a_transport_error(
    panel: FakePanel, http: httpx.AsyncClient
) -> None:
    await call(http, panel, action="balance")  # a kept-alive connection gets dropped too
    panel.inject(Fault.drop_connection(), times=2)
    for _ in range(2):
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            await http.post(panel.url, data={"key": KEY, "action": "balance"})
    assert await call(http, panel, action="balance") == {"balance": "100.00", "currency": "USD"}


async def test_fault_until_cleared(panel: FakePanel, http: httpx.AsyncClient) -> None:
    panel.inject(Fault.http_500(), action="status", times=None)
    for _ in range(3):
        response = await http.get(panel.url, params={"key": KEY, "action": "status", "order": 1})
        assert response.status_code == 500
    panel.clear_faults()
    assert await call(http, panel, action="status", order=1) == {"error": "Incorrect order ID"}


async def test_numbers_not_strings(panel: FakePanel, http: httpx.AsyncClient) -> None:
    order_id = panel.create_order(KEY, 1, "l", 500)
    panel.set_order(order_id, status="Partial", remains=157, start_count=3572, charge="0.27819")
    panel.inject(Fault.numbers_not_strings(), times=None)
    services = await call(http, panel, action="services")
    assert services[0]["rate"] == 12.5 and isinstance(services[0]["rate"], float)
    assert (services[0]["service"], services[0]["min"], services[0]["max"]) == ("1", "100", "10000")
    assert (services[0]["refill"], services[0]["cancel"]) == (1, "1")
    assert (services[1]["refill"], services[1]["cancel"]) == (0, "1")
    status = await call(http, panel, action="status", order=order_id)
    assert status == {
        "charge": 0.27819,
        "start_count": 3572,
        "status": "Partial",
        "remains": 157,
        "currency": "USD",
    }
    assert await call(http, panel, action="balance") == {"balance": 100.0, "currency": "USD"}
    placed = await call(http, panel, action="add", service=1, link="l", quantity=100)
    assert placed == {"order": str(order_id + 1)}
    panel.set_order(order_id, status="Completed")
    assert await call(http, panel, action="refill", order=order_id) == {
        "refill": 1,
        "status": "completed",
    }
    assert await call(http, panel, action="cancel", orders=str(order_id + 1)) == [
        {"order": str(order_id + 1), "cancel": "1"}
    ]


async def test_unknown_fields(panel: FakePanel, http: httpx.AsyncClient) -> None:
    order_id = panel.create_order(KEY, 1, "l", 100)
    panel.inject(Fault.unknown_fields(), times=None)
    services = await call(http, panel, action="services")
    assert {"service", "rate", "x_panel_version", "meta"} <= set(services[0])
    multi = await call(http, panel, action="status", orders=f"{order_id},5")
    assert set(multi) == {str(order_id), "5"}  # id-keyed map stays an id-keyed map
    assert multi[str(order_id)]["status"] == "Pending"
    assert "x_panel_version" in multi[str(order_id)]
    balance = await call(http, panel, action="balance")
    assert balance["balance"] == "100.00" and "notice" in balance


@pytest.mark.parametrize(
    "fault",
    [Fault.http_500, Fault.html_200, Fault.malformed_json, Fault.drop_connection],
    ids=lambda f: f.__name__,
)
async def test_broken_write_before_or_after_the_action(
    panel: FakePanel, http: httpx.AsyncClient, fault: Any
) -> None:
    params = {"key": KEY, "action": "add", "service": 1, "link": "l", "quantity": 100}
    for after in (False, True):
        injected = fault(after=after)
        panel.inject(injected, action="add")
        try:
            response = await http.post(panel.url, data=params)
            with pytest.raises(json.JSONDecodeError):
                response.json()
        except (httpx.RemoteProtocolError, httpx.ReadError):
            assert injected.kind == "drop_connection"
        assert len(panel.orders) == (1 if after else 0)
    assert panel.balance_of(KEY) == Decimal("98.75")


async def test_latency_after_places_order_although_client_times_out(
    panel: FakePanel, http: httpx.AsyncClient
) -> None:
    panel.inject(Fault.latency(3.0, after=True), action="add")
    params = {"key": KEY, "action": "add", "service": 1, "link": "l", "quantity": 100}
    with pytest.raises(httpx.ReadTimeout):
        await http.post(panel.url, data=params, timeout=0.1)
    assert list(panel.orders) == [23501]


async def test_timeout_fault_and_stop_does_not_hang(http: httpx.AsyncClient) -> None:
    fake = FakePanel()
    fake.add_key(KEY)
    fake.shutdown_seconds = LONGER_THAN_THE_TEST
    await fake.start()
    fake.inject(Fault.timeout(), action="add")
    fake.inject(Fault.timeout(after=True), action="refill")
    add = {"key": KEY, "action": "add", "service": 1, "link": "l", "quantity": 100}
    hanging = asyncio.create_task(http.post(fake.url, data=add))
    with pytest.raises(httpx.ReadTimeout):
        await http.post(fake.url, data={**add, "action": "refill", "order": 1}, timeout=0.1)
    await fake.wait_for_request("add")
    assert not hanging.done()
    # Woken handlers finish at once; aiohttp's own fallback would outlast this wait.
    await asyncio.wait_for(fake.stop(), WAIT_SECONDS)
    with pytest.raises(httpx.TransportError):
        await hanging
    assert fake.orders == {}  # before-fault: the add never happened


# -- catalogs and the command line -----------------------------------------------------------


def test_make_services_for_benchmarks() -> None:
    services = FakePanel.make_services(5000)
    assert len(services) == 5000
    assert len({s["service"] for s in services}) == 5000
    assert 90 <= len({s["category"] for s in services}) <= 110
    parsed = [parse_service(s) for s in services]
    assert all(p.rate > 0 and p.min <= p.max for p in parsed)
    assert len({s["type"] for s in services}) >= 5
    assert FakePanel.make_services(300) == FakePanel.make_services(300)  # deterministic


async def test_big_catalog_served(http: httpx.AsyncClient) -> None:
    async with FakePanel(FakePanel.make_services(5000)) as fake:
        fake.add_key(KEY)
        assert len(await call(http, fake, action="services")) == 5000


async def test_command_line_startup_path(http: httpx.AsyncClient) -> None:
    args = parse_args(["--port", "0", "--balance", "12.34"])
    assert isinstance(args, argparse.Namespace) and args.key == DEMO_KEY
    ready: asyncio.Future[FakePanel] = asyncio.get_running_loop().create_future()
    stop = asyncio.Event()
    out = io.StringIO()
    server = asyncio.create_task(serve(args, stop=stop, on_ready=ready.set_result, out=out))
    fake = await asyncio.wait_for(ready, 5)
    assert fake.url in out.getvalue() and DEMO_KEY in out.getvalue()
    response = await http.get(fake.url, params={"key": DEMO_KEY, "action": "balance"})
    assert response.json() == {"balance": "12.34", "currency": "USD"}
    stop.set()
    await asyncio.wait_for(server, 5)
    with pytest.raises(RuntimeError):
        _ = fake.url


# -- slow and oversized answers ----------------------------------------------------------------


async def test_hang_sends_nothing_until_stop(http: httpx.AsyncClient) -> None:
    fake = FakePanel()
    fake.add_key(KEY)
    fake.shutdown_seconds = LONGER_THAN_THE_TEST
    await fake.start()
    fake.inject(Fault.hang(), action="balance")
    hanging = asyncio.create_task(http.post(fake.url, data={"key": KEY, "action": "balance"}))
    await fake.wait_for_request("balance")
    await asyncio.sleep(0.3)
    assert not hanging.done()  # not even headers: the client still waits for the status line
    await asyncio.wait_for(fake.stop(), WAIT_SECONDS)  # the hang is woken, not waited out
    with pytest.raises(httpx.TransportError):
        await hanging


async def test_hang_outlasts_the_timeout_fault() -> None:
    assert Fault.hang().seconds > Fault.timeout().seconds


async def test_trickle_sends_one_byte_per_interval(panel: FakePanel) -> None:
    panel.inject(Fault.trickle(0.05), action="balance")
    received: list[tuple[float, int]] = []  # (seconds since the request, bytes so far)
    body = b""
    started = time.monotonic()
    async with (
        httpx.AsyncClient(timeout=WAIT_SECONDS) as http,
        http.stream("POST", panel.url, data={"key": KEY, "action": "balance"}) as response,
    ):
        assert response.status_code == 200
        # Declared up front, so a size check on headers alone lets the trickle through.
        length = int(response.headers["content-length"])
        async for chunk in response.aiter_raw():
            body += chunk
            received.append((time.monotonic() - started, len(body)))
    assert json.loads(body) == {"balance": "100.00", "currency": "USD"}
    assert length == len(body)
    # Never ahead of one byte per interval: byte n leaves no sooner than n intervals after the
    # request. (Only lower bounds: a loaded machine's client reads late, bytes then bunched.)
    for seconds, count in received:
        assert seconds >= 0.05 * (count - 1) * 0.8, received


async def test_trickle_performs_a_write_and_a_leaving_client_does_not_break_the_fake(
    panel: FakePanel, http: httpx.AsyncClient
) -> None:
    panel.inject(Fault.trickle(0.2), action="add")
    params = {"key": KEY, "action": "add", "service": 1, "link": "l", "quantity": 100}
    # httpx's 0.5 s read timeout never fires (a byte comes every 0.2 s); only a wall clock ends it.
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(1.0):
            await http.post(panel.url, data=params, timeout=0.5)
    assert list(panel.orders) == [23501]  # the action happened before the slow answer
    assert (await call(http, panel, action="balance"))["balance"] == "98.75"


def test_trickle_and_oversized_validate_their_arguments() -> None:
    with pytest.raises(ValueError):
        Fault.trickle(0)
    with pytest.raises(ValueError):
        Fault.oversized(0)


@pytest.mark.parametrize("declare_length", [False, True], ids=["chunked", "content-length"])
async def test_oversized_answer_is_valid_json_of_the_given_size(
    panel: FakePanel, http: httpx.AsyncClient, declare_length: bool
) -> None:
    size = 3 * 1024 * 1024 + 7
    panel.inject(Fault.oversized(size, declare_length=declare_length), action="balance")
    response = await http.post(panel.url, data={"key": KEY, "action": "balance"})
    assert response.status_code == 200
    assert len(response.content) == size
    assert ("content-length" in response.headers) is declare_length
    if not declare_length:
        assert response.headers.get("transfer-encoding") == "chunked"
    assert response.json() == {"balance": "100.00", "currency": "USD"}


async def test_oversized_write_places_the_order_and_survives_a_client_hanging_up(
    panel: FakePanel,
) -> None:
    panel.inject(Fault.oversized(50 * 1024 * 1024), action="add")
    params = {"key": KEY, "action": "add", "service": 1, "link": "l", "quantity": 100}
    async with (
        httpx.AsyncClient(timeout=5.0) as http,
        http.stream("POST", panel.url, data=params) as response,
    ):
        received = 0
        async for chunk in response.aiter_raw():
            received += len(chunk)
            if received > 256 * 1024:
                break  # leave mid-answer, as a capped client does
    assert list(panel.orders) == [23501]
    async with httpx.AsyncClient(timeout=5.0) as http:
        assert (await call(http, panel, action="balance"))["balance"] == "98.75"


async def test_fakes_side_by_side_have_their_own_ids_currency_and_catalog(
    http: httpx.AsyncClient,
) -> None:
    """Several panels in one test (issue 14): each hands out its own order id range."""
    services = [dict(s, service=700) for s in default_services()[:1]]
    async with FakePanel(
        services, currency="EUR", first_order_id=900_001, first_refill_id=700
    ) as other:
        other.add_key(KEY, balance="5")
        assert await send(http, other.url, "form", {"key": KEY, "action": "balance"}) == {
            "balance": "5.00",
            "currency": "EUR",
        }
        listed = await send(http, other.url, "form", {"key": KEY, "action": "services"})
        assert [s["service"] for s in listed] == [700]
        placed = await send(
            http,
            other.url,
            "form",
            {
                "key": KEY,
                "action": "add",
                "service": 700,
                "link": "https://ig.com/y",
                "quantity": 200,
            },
        )
        assert placed == {"order": 900_001}
        other.set_order(900_001, status="Completed")
        refill = await send(
            http, other.url, "form", {"key": KEY, "action": "refill", "order": 900_001}
        )
        assert str(refill["refill"]) == "700"
