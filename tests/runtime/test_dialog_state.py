"""The open dialog's typed state (bot/handlers/dialog.py) and its JSON form in user_data.

PTB persistence keeps user_data as JSON (bot/persistence.py), so a state must come back from
its dict exactly, and a stored shape it cannot read (damaged, or from an older version) must
read as "no open dialog" rather than break the user's next message.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.handlers.dialog import (
    DRIPFEED_QUESTION,
    BulkDialog,
    DialogState,
    OrderDialog,
    SetKeyDialog,
    read_state,
)
from bot.panel.models import Service
from bot.persistence import decode as stored
from bot.persistence import encode as storing
from bot.services.order_types import plan_for


def through_persistence(state: DialogState) -> Any:
    """What user_data["dialog"] reads back as after a restart."""
    encoded = storing({"dialog": state.to_dict()}, "user_data[1]")
    return stored(json.loads(json.dumps(encoded)))["dialog"]


_ANSWER = st.one_of(
    st.integers(-(10**12), 10**12),
    st.text(max_size=30),
    st.lists(st.text(max_size=15), max_size=5),
)
_NAMES = st.sampled_from(["link", "quantity", "runs", "interval", "comments", "min", "max"])


@st.composite
def order_dialogs(draw: st.DrawFn) -> OrderDialog:
    ident = draw(st.text("abcXYZ019-_", min_size=1, max_size=8))
    service = draw(st.none() | st.integers(1, 10**9))
    if service is None:
        return OrderDialog(ident)
    dialog = OrderDialog(
        ident,
        service,
        draw(st.dictionaries(_NAMES, _ANSWER, max_size=5)),
        draw(st.lists(_NAMES, max_size=3)),
        draw(st.none() | _NAMES | st.just(DRIPFEED_QUESTION)),
        draw(st.booleans()),
    )
    # Lines of a list answer collected over several messages, before ✅ Done.
    dialog.collect(draw(_NAMES), draw(st.lists(st.text(max_size=20), max_size=4)))
    return dialog


@settings(max_examples=200, deadline=None)
@given(order_dialogs())
def test_order_dialog_json_round_trip(dialog: OrderDialog) -> None:
    data = dialog.to_dict()
    assert json.loads(json.dumps(data)) == data  # JSON-ready as it is
    assert read_state(data) == dialog
    assert read_state(through_persistence(dialog)) == dialog


def test_the_stored_dict_is_a_copy() -> None:
    dialog = OrderDialog("run1", 5, {"link": "https://x.y/z"}, ["runs"], "quantity")
    data = dialog.to_dict()
    dialog.values["quantity"] = 100
    dialog.skipped.append("posts")
    assert data["values"] == {"link": "https://x.y/z"} and data["skipped"] == ["runs"]


@pytest.mark.parametrize("kind", [SetKeyDialog, BulkDialog, OrderDialog])
def test_every_flow_round_trips_as_its_own_class(kind: type[DialogState]) -> None:
    state = kind("run1")
    assert state.to_dict() == {"flow": kind.flow, "id": "run1"}
    back = read_state(through_persistence(state))
    assert type(back) is kind and back == state


def test_a_dict_stored_before_the_typed_state_still_reads() -> None:
    # The shape order.py wrote into user_data["dialog"] before OrderDialog.
    old = {
        "flow": "order",
        "id": "run1",
        "service": 12,
        "values": {"link": "https://instagram.com/p/x", "quantity": 1000},
        "skipped": [],
        "field": "runs",
        "dripfeed": True,
    }
    assert read_state(old) == OrderDialog(
        "run1", 12, {"link": "https://instagram.com/p/x", "quantity": 1000}, [], "runs", True
    )
    without_dripfeed = {k: v for k, v in old.items() if k != "dripfeed"}
    dialog = read_state(without_dripfeed)
    assert isinstance(dialog, OrderDialog) and dialog.dripfeed is False
    asking = read_state({"flow": "order", "id": "run2"})
    assert asking == OrderDialog("run2")  # still at the service question
    at_dripfeed = read_state({**old, "field": "dripfeed?"})
    assert isinstance(at_dripfeed, OrderDialog) and at_dripfeed.question == DRIPFEED_QUESTION


@pytest.mark.parametrize(
    "data",
    [
        None,
        "order",
        ["order", "run1"],
        {},
        {"flow": "order"},
        {"flow": "order", "id": ""},
        {"flow": "order", "id": 5},
        {"flow": "nonsense", "id": "run1"},
        {"flow": "order", "id": "run1", "service": "12"},
        {"flow": "order", "id": "run1", "service": True},
        {"flow": "order", "id": "run1", "service": Decimal(12)},
        {"flow": "order", "id": "run1", "service": 12, "values": ["link"]},
        {"flow": "order", "id": "run1", "service": 12, "values": {1: "x"}},
        {"flow": "order", "id": "run1", "service": 12, "skipped": "runs"},
        {"flow": "order", "id": "run1", "service": 12, "skipped": [1]},
        {"flow": "order", "id": "run1", "service": 12, "question": 3},
    ],
    ids=repr,
)
def test_a_shape_that_does_not_read_back_is_no_dialog(data: Any) -> None:
    assert read_state(data) is None


def test_plan_owns_the_answers_that_rest_on_another() -> None:
    """What order.py's `_DEPENDENTS` map listed by hand now comes from the plan."""
    default = plan_for(_service("Default"))
    assert default is not None
    assert default.dependents("quantity") == ("runs", "interval")
    assert default.dependents("runs") == ("interval",)
    assert default.dependents("link") == () and default.dependents("interval") == ()
    subscriptions = plan_for(_service("Subscriptions"))
    assert subscriptions is not None
    assert subscriptions.dependents("min") == ("max",)
    assert subscriptions.dependents("max") == ()
    no_dripfeed = plan_for(_service("Default", dripfeed=False))
    assert no_dripfeed is not None and no_dripfeed.dependents("quantity") == ()


def _service(type_: str, *, dripfeed: bool | None = None) -> Service:
    return Service(
        id=1,
        name_text="S",
        type=type_,
        category_text="C",
        rate=Decimal("1.5"),
        min=10,
        max=1000,
        dripfeed=dripfeed,
    )


def test_collected_lines_belong_to_their_question() -> None:
    dialog = OrderDialog("run1", 3, {"link": "https://x.y/z"}, [], "comments")
    dialog.collect("comments", ["nice", "great"])
    back = read_state(through_persistence(dialog))
    assert isinstance(back, OrderDialog)
    assert back.lines_for("comments") == ["nice", "great"]
    assert back.lines_for("usernames") == []  # lines of another question are not these
    back.collect("comments", [])
    assert "collected" not in back.to_dict()


@pytest.mark.parametrize(
    "collected",
    [
        "nice",
        {"question": 5, "lines": ["a"]},
        {"question": "comments", "lines": "a\nb"},
        {"lines": ["a"]},
    ],
)
def test_a_damaged_collection_is_dropped_and_the_answers_kept(collected: object) -> None:
    data = OrderDialog("run1", 3, {"link": "https://x.y/z"}, [], "comments").to_dict()
    data["collected"] = collected
    back = read_state(data)
    assert isinstance(back, OrderDialog)
    assert back.values == {"link": "https://x.y/z"} and back.lines_for("comments") == []


def test_collected_lines_that_are_not_text_are_left_out() -> None:
    data = OrderDialog("run1", 3, {}, [], "comments").to_dict()
    data["collected"] = {"question": "comments", "lines": ["a", 5, None, "b"]}
    back = read_state(data)
    assert isinstance(back, OrderDialog) and back.lines_for("comments") == ["a", "b"]


def test_the_size_of_each_collected_message_is_kept() -> None:
    """↩️ Remove the last message needs each message's share of the list (issue 21 item 4)."""
    dialog = OrderDialog("run1", 3, {}, [], "comments")
    dialog.collect("comments", ["a", "b", "c"], [2, 1])
    back = read_state(through_persistence(dialog))
    assert isinstance(back, OrderDialog) and back.parts_for("comments") == [2, 1]
    assert back.parts_for("usernames") == []
    data = dialog.to_dict()
    del data["collected"]["parts"]  # kept before the sizes were
    old = read_state(data)
    assert isinstance(old, OrderDialog) and old.parts_for("comments") == [3]
    data["collected"]["parts"] = [5, 1]  # not adding up: one message
    odd = read_state(data)
    assert isinstance(odd, OrderDialog) and odd.parts_for("comments") == [3]
