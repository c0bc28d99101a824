"""Pure parsers: every spec example, the quirks of real panels, and fuzzing."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.panel import parsing
from bot.panel.errors import (
    InsufficientBalance,
    InvalidApiKey,
    PanelError,
    PanelRejected,
    PanelUnavailable,
)
from bot.panel.models import RefillState, Status
from bot.panel.text import PanelText
from tests.fakes.panel_catalog import SPEC_SERVICE
from tests.fakes.panel_faults import HTML_ERROR_PAGE, MALFORMED_BODY

# --------------------------------------------------------------------------- statuses


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Pending", Status.PENDING),
        ("pending", Status.PENDING),
        ("In progress", Status.IN_PROGRESS),
        ("Inprogress", Status.IN_PROGRESS),
        ("in_progress", Status.IN_PROGRESS),
        ("IN PROGRESS", Status.IN_PROGRESS),
        ("Processing", Status.PROCESSING),
        ("Completed", Status.COMPLETED),
        ("Partial", Status.PARTIAL),
        ("Canceled", Status.CANCELED),
        ("Cancelled", Status.CANCELED),
        ("Refunded", Status.REFUNDED),
        ("Error", Status.ERROR),
        ("Fail", Status.ERROR),
        ("failed", Status.ERROR),
        ("Bekliyor", Status.UNKNOWN),
        ("", Status.UNKNOWN),
    ],
)
def test_status_words_map_case_insensitively(raw: str, expected: Status) -> None:
    result = parsing.parse_status({"status": raw})
    assert result.status is expected
    assert result.raw_status_text == raw


def test_single_status_spec_example() -> None:
    body = (
        b'{"charge": "0.27819", "start_count": "3572", "status": "Partial",'
        b' "remains": "157", "currency": "TRY"}'
    )
    result = parsing.parse_status(body)
    assert result.status is Status.PARTIAL
    assert result.charge == Decimal("0.27819")
    assert result.start_count == 3572
    assert result.remains == 157
    assert result.currency_text == "TRY"


def test_status_numbers_instead_of_strings_give_the_same_values() -> None:
    body = b'{"charge": 0.27819, "start_count": 3572, "status": "Partial", "remains": 157}'
    result = parsing.parse_status(body)
    assert result.charge == Decimal("0.27819")
    assert (result.start_count, result.remains, result.currency_text) == (3572, 157, None)


def test_status_without_status_field_is_unavailable() -> None:
    with pytest.raises(PanelUnavailable):
        parsing.parse_status({"charge": "1"})


def test_multi_status_spec_example_keeps_per_order_errors() -> None:
    data = {
        "1": {
            "charge": "0.27819",
            "start_count": "3572",
            "status": "Partial",
            "remains": "157",
            "currency": "TRY",
        },
        "10": {"error": "Incorrect order ID"},
    }
    result = parsing.parse_statuses(data, [1, 10, 11])
    assert list(result) == [1, 10, 11]
    first = result[1]
    assert not isinstance(first, PanelRejected)
    assert first.status is Status.PARTIAL
    assert isinstance(result[10], PanelRejected)
    assert result[10].message_text == "Incorrect order ID"
    # Absent from the answer: still present in the result, as a rejection.
    assert isinstance(result[11], PanelRejected)


def test_multi_status_top_level_error_raises() -> None:
    with pytest.raises(InvalidApiKey):
        parsing.parse_statuses({"error": "Invalid API key"}, [1])


def test_multi_status_with_non_id_keys_is_unavailable() -> None:
    with pytest.raises(PanelUnavailable):
        parsing.parse_statuses({"foo": {"status": "Pending"}}, [1, 2])


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "message",
    ["Invalid API key", "Incorrect API key", "API key is invalid", "Unauthorized", "invalid key"],
)
def test_invalid_key_texts(message: str) -> None:
    err = parsing.classify_error(message)
    assert type(err) is InvalidApiKey
    assert err.message_text == message


def test_insufficient_balance_amounts_are_decimals() -> None:
    err = parsing.classify_error("Insufficient balance. Required: 15.500000, Available: 10.000000")
    assert isinstance(err, InsufficientBalance)
    assert err.required == Decimal("15.500000")
    assert err.available == Decimal("10.000000")


def test_not_enough_funds_without_amounts() -> None:
    err = parsing.classify_error("Not enough funds on balance")
    assert isinstance(err, InsufficientBalance)
    assert err.required is None and err.available is None


@pytest.mark.parametrize("message", ["Incorrect order ID", "Service not found", "Refill not found"])
def test_other_errors_are_plain_rejections(message: str) -> None:
    assert type(parsing.classify_error(message)) is PanelRejected


def test_error_message_is_bounded_and_single_line() -> None:
    err = parsing.classify_error("bad\n\x00thing " + "x" * 5000)
    assert len(err.message_text) <= parsing.MAX_MESSAGE_LEN
    assert "\n" not in err.message_text and "\x00" not in err.message_text


@pytest.mark.parametrize(
    ("message", "unknown_action"),
    [
        ("Incorrect request", True),
        ("Invalid action", True),
        ("Unknown action", True),
        ("Insufficient balance. Required: 1, Available: 0", False),
        ("Service not found", False),
    ],
)
def test_unknown_action_detection(message: str, unknown_action: bool) -> None:
    assert parsing.is_unknown_action(parsing.classify_error(message)) is unknown_action


# --------------------------------------------------------------------------- bodies


@pytest.mark.parametrize(
    "body",
    [
        MALFORMED_BODY.encode(),
        HTML_ERROR_PAGE.encode(),
        b"",
        b"   ",
        b"NaN",
        b'{"balance": Infinity}',
    ],
)
def test_non_json_bodies_are_unavailable_and_not_echoed(body: bytes) -> None:
    with pytest.raises(PanelUnavailable) as info:
        parsing.parse_balance(body)
    assert "Sunucu" not in str(info.value)
    assert "refill" not in str(info.value)


def test_json_floats_decode_exactly() -> None:
    assert parsing.decode_json(b'{"x": 0.1}') == {"x": Decimal("0.1")}


# --------------------------------------------------------------------------- services


def test_services_spec_example() -> None:
    [service] = parsing.parse_services(json.dumps([SPEC_SERVICE]).encode())
    assert service.id == 1
    assert service.name_text == "Instagram Takipçi"
    assert service.rate == Decimal("12.50")
    assert (service.min, service.max, service.refill, service.cancel) == (100, 10000, True, True)
    assert service.dripfeed is None and service.description is None
    assert service.cost(1000) == Decimal("12.50")


@pytest.mark.parametrize("truthy", [True, 1, "1", "true", "yes", "True", "YES"])
def test_service_boolean_spellings_true(truthy: Any) -> None:
    [service] = parsing.parse_services([{**SPEC_SERVICE, "refill": truthy, "dripfeed": truthy}])
    assert service.refill is True and service.dripfeed is True


@pytest.mark.parametrize("falsy", [False, 0, "0", "false", "no", ""])
def test_service_boolean_spellings_false(falsy: Any) -> None:
    [service] = parsing.parse_services([{**SPEC_SERVICE, "cancel": falsy, "dripfeed": falsy}])
    assert service.cancel is False and service.dripfeed is False


def test_service_numbers_as_strings_or_numbers_and_unknown_fields() -> None:
    entry = {
        **SPEC_SERVICE,
        "service": "7",
        "rate": Decimal("0.9"),
        "min": "10",
        "max": 20.0,
        "average_time": "2 hours",
        "meta": {"x": [1, 2]},
        "description": "  Hızlı  ",
    }
    [service] = parsing.parse_services([entry])
    assert (service.id, service.rate, service.min, service.max) == (7, Decimal("0.9"), 10, 20)
    assert service.description_text == "Hızlı"
    [from_float] = parsing.parse_services([{**SPEC_SERVICE, "rate": 12.5}])
    assert from_float.rate == Decimal("12.5")


def test_malformed_service_entries_are_skipped_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    entries: list[Any] = [
        SPEC_SERVICE,
        "not an object",
        {**SPEC_SERVICE, "service": 2, "rate": "abc"},
        {**SPEC_SERVICE, "service": 3, "min": 500, "max": 100},
        {k: v for k, v in SPEC_SERVICE.items() if k != "rate"} | {"service": 4},
        {**SPEC_SERVICE, "service": 5, "rate": "1e999999"},
        {**SPEC_SERVICE, "service": 6, "name": None},
        {**SPEC_SERVICE, "service": 8, "rate": "3.00"},
    ]
    with caplog.at_level(logging.WARNING, logger="bot.panel.parsing"):
        services = parsing.parse_services(entries)
    assert [s.id for s in services] == [1, 8]
    messages = [r.getMessage() for r in caplog.records]
    # The first few are named one by one; a summary keeps a broken catalog from flooding logs.
    assert sum("skipping catalog entry" in m for m in messages) == 5
    assert "skipped 6 malformed catalog entries in total" in messages


@pytest.mark.parametrize("body", [{"services": []}, "x", 5, None])
def test_services_non_list_is_unavailable(body: Any) -> None:
    with pytest.raises(PanelUnavailable):
        parsing.parse_services(body)


def test_services_error_object_is_rejected() -> None:
    with pytest.raises(InvalidApiKey):
        parsing.parse_services({"error": "Incorrect API key"})


# --------------------------------------------------------------------------- orders


def test_add_answer_with_string_or_number_id() -> None:
    assert parsing.parse_order_id(b'{ "order": 23501 }') == 23501
    assert parsing.parse_order_id({"order": "23501"}) == 23501


@pytest.mark.parametrize("body", [{"order": None}, {"status": "ok"}, [], {"order": "abc"}])
def test_add_answer_without_id_is_unavailable(body: Any) -> None:
    with pytest.raises(PanelUnavailable):
        parsing.parse_order_id(body)


def test_add_insufficient_balance() -> None:
    body = b'{ "error": "Insufficient balance. Required: 15.500000, Available: 10.000000" }'
    with pytest.raises(InsufficientBalance) as info:
        parsing.parse_order_id(body)
    assert (info.value.required, info.value.available) == (Decimal("15.5"), Decimal("10"))


def test_bulk_partial_success_spec_example() -> None:
    data = {
        "0": {"error": "Order 1: Service not found"},
        "1": {"order": 23502},
        "2": {"error": "Order 3: Quantity must be at least 100"},
    }
    assert parsing.parse_bulk(data, 4) == [
        (None, "Order 1: Service not found"),
        (23502, None),
        (None, "Order 3: Quantity must be at least 100"),
        None,  # not mentioned: outcome unknown, the caller decides
    ]


def test_bulk_list_answer_and_unreadable_items() -> None:
    assert parsing.parse_bulk([{"order": "5"}, {"foo": 1}, 7], 3) == [(5, None), None, None]


def test_bulk_whole_error_raises() -> None:
    with pytest.raises(InsufficientBalance):
        parsing.parse_bulk({"error": "Insufficient balance. Required: 2, Available: 1"}, 2)


# --------------------------------------------------------------------------- refills


def test_refill_created_and_rejected() -> None:
    created = parsing.parse_refill(b'{ "refill": "23", "status": "completed" }', 12345)
    assert (created.order_id, created.refill_id, created.state) == (
        12345,
        23,
        RefillState.COMPLETED,
    )
    assert created.ok
    rejected = parsing.parse_refill({"refill": None, "status": "rejected"}, 7)
    assert (rejected.refill_id, rejected.state, rejected.ok) == (None, RefillState.REJECTED, False)


def test_refill_error_object_is_a_rejected_result_but_bad_key_raises() -> None:
    result = parsing.parse_refill({"error": "Order not found"}, 3)
    assert not result.ok and result.error == "Order not found"
    with pytest.raises(InvalidApiKey):
        parsing.parse_refill({"error": "Invalid API key"}, 3)


def test_multi_refill_pairs_by_position_and_accepts_success_spelling() -> None:
    data = [
        {"refill": "1", "status": "success"},
        {"refill": None, "status": "rejected"},
        {"refill": {"error": "Order not found"}},
    ]
    results = parsing.parse_refills(data, [12345, 12346, 12347])
    assert [r.order_id for r in results] == [12345, 12346, 12347]
    assert results[0].ok and results[0].refill_id == 1
    assert results[0].state is RefillState.COMPLETED
    assert not results[1].ok and results[1].state is RefillState.REJECTED
    assert not results[2].ok and results[2].error == "Order not found"


def test_multi_refill_short_answer_marks_missing_orders() -> None:
    results = parsing.parse_refills([{"refill": 9, "status": "completed"}], [1, 2])
    assert results[0].refill_id == 9
    assert results[1].refill_id is None and results[1].error


def test_multi_refill_spec_malformed_example_is_unavailable() -> None:
    with pytest.raises(PanelUnavailable):
        parsing.parse_refills(MALFORMED_BODY.encode(), [1, 2])


def test_refill_status_single_and_multi() -> None:
    single = parsing.parse_refill_status(b'{ "refill": "23", "status": "completed" }')
    assert (single.refill_id, single.state) == (23, RefillState.COMPLETED)
    multi = parsing.parse_refill_statuses(
        [{"refill": "2", "error": "Refill not found"}, {"refill": "1", "status": "pending"}],
        [1, 2, 3],
    )
    # Paired by the `refill` field, not by position.
    one = multi[1]
    assert not isinstance(one, PanelRejected) and one.state is RefillState.PENDING
    assert isinstance(multi[2], PanelRejected) and multi[2].message_text == "Refill not found"
    assert isinstance(multi[3], PanelRejected)


def test_refill_status_without_refill_field_pairs_by_position() -> None:
    multi = parsing.parse_refill_statuses([{"status": "completed"}, {"status": "rejected"}], [4, 5])
    assert [v.state for v in multi.values() if not isinstance(v, PanelRejected)] == [
        RefillState.COMPLETED,
        RefillState.REJECTED,
    ]


def test_refill_status_unauthorized_is_invalid_key() -> None:
    with pytest.raises(InvalidApiKey):
        parsing.parse_refill_status({"error": "Unauthorized"})


# --------------------------------------------------------------------------- cancel, balance


def test_cancel_spec_example_pairs_by_order_field() -> None:
    data = [{"order": 9, "cancel": {"error": "Incorrect order ID"}}, {"order": 2, "cancel": 1}]
    results = parsing.parse_cancel(data, [2, 9, 4])
    assert [(r.order_id, r.ok, r.error) for r in results] == [
        (2, True, None),
        (9, False, "Incorrect order ID"),
        (4, False, "panel gave no answer for this order"),
    ]


def test_balance_spec_example() -> None:
    balance = parsing.parse_balance(b'{ "balance": "100.84", "currency": "USD" }')
    assert (balance.amount, balance.currency_text) == (Decimal("100.84"), "USD")
    assert balance.currency == PanelText("USD")
    assert parsing.parse_balance({"balance": 100.84}).amount == Decimal("100.84")


# --------------------------------------------------------------------------- fuzzing

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(["1", "12.50", "1e999999", "-5", "Completed", "rejected", "error"]),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(
                [
                    *("error", "order", "refill", "status", "charge", "remains", "cancel"),
                    *("balance", "service", "name", "rate", "min", "max", "0", "1", "currency"),
                ]
            )
            | st.text(max_size=5),
            children,
            max_size=6,
        )
    ),
    max_leaves=30,
)

PARSERS: list[Callable[[Any], object]] = [
    parsing.parse_services,
    parsing.parse_order_id,
    lambda d: parsing.parse_bulk(d, 3),
    parsing.parse_status,
    lambda d: parsing.parse_statuses(d, [1, 2]),
    lambda d: parsing.parse_statuses(d, [1]),
    lambda d: parsing.parse_refill(d, 1),
    lambda d: parsing.parse_refills(d, [1, 2]),
    parsing.parse_refill_status,
    lambda d: parsing.parse_refill_statuses(d, [1, 2]),
    lambda d: parsing.parse_cancel(d, [1, 2]),
    parsing.parse_balance,
]


def _only_panel_errors(data: Any) -> None:
    for parse in PARSERS:
        with contextlib.suppress(PanelError):
            parse(data)


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_arbitrary_json_values_raise_only_panel_errors(data: Any) -> None:
    _only_panel_errors(data)
    _only_panel_errors(json.dumps(data).encode())


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_raise_only_panel_errors(body: bytes) -> None:
    _only_panel_errors(body)
