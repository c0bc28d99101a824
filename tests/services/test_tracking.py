"""Order id parsing for /status, /refill, /refillstatus and /cancelorder; the refill/cancel rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.tracking import (
    Capabilities,
    OrderAction,
    SeveralPanels,
    parse_ids,
    settle_panels,
    status_allows,
)


def test_spaces_commas_and_hashes() -> None:
    parsed = parse_ids(" 12, 13 ,14\n#15;16 ")
    assert parsed.ids == [12, 13, 14, 15, 16]
    assert parsed.invalid == []


def test_duplicates_dropped_in_order_and_bad_tokens_collected() -> None:
    parsed = parse_ids("7 abc 3 7 -1 0 ٣ 99999999999999999999 3")
    assert parsed.ids == [7, 3]
    assert parsed.invalid == ["abc", "-1", "0", "٣", "99999999999999999999"]


def test_empty() -> None:
    parsed = parse_ids("  , ,")
    assert parsed.ids == [] and parsed.invalid == []


@given(
    st.lists(st.integers(min_value=1, max_value=2**63 - 1), max_size=30),
    st.sampled_from([" ", ",", ", "]),
)
def test_round_trip(ids: list[int], sep: str) -> None:
    parsed = parse_ids(sep.join(map(str, ids)))
    assert parsed.ids == list(dict.fromkeys(ids))
    assert parsed.invalid == []


@pytest.mark.parametrize(
    ("status", "refill", "cancel"),
    [
        (None, False, True),  # no status yet counts as Pending
        ("Pending", False, True),
        ("In progress", False, True),
        ("Processing", False, True),
        ("Completed", True, False),
        ("Partial", True, False),
        ("Canceled", False, False),
        ("Refunded", False, False),
        ("Something new", False, True),
    ],
)
def test_status_rule_for_refill_and_cancel(status: str | None, refill: bool, cancel: bool) -> None:
    assert status_allows(OrderAction.REFILL, status) is refill
    assert status_allows(OrderAction.CANCEL, status) is cancel


def test_capabilities_answer_per_action() -> None:
    caps = Capabilities(refill=True, cancel=None)
    assert caps.allows(OrderAction.REFILL) is True
    assert caps.allows(OrderAction.CANCEL) is None


def test_an_id_on_several_panels_is_settled_only_by_a_pin() -> None:
    held = {23501: [1, 2], 23502: [2]}
    # One holder: its panel; none: not settled here (the default panel is the caller's).
    assert settle_panels([23502, 9], held, {}) == {23502: 2}
    with pytest.raises(SeveralPanels) as raised:
        settle_panels([9, 23501, 23502], held, {})
    assert raised.value.slots == {23501: [1, 2]}
    assert settle_panels([23501, 23502], held, {23501: 2}) == {23501: 2, 23502: 2}
    # A pin to a panel that does not hold the id counts for nothing.
    with pytest.raises(SeveralPanels):
        settle_panels([23501], held, {23501: 3})
    assert settle_panels([23502], held, {23502: 1}) == {23502: 2}
    # An id no panel holds goes where it is pinned (a confirmation's own panel).
    assert settle_panels([9], held, {9: 3}) == {9: 3}
