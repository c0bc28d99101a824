"""Order id parsing for /status, /refill, /refillstatus and /cancelorder."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.services.tracking import parse_ids


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
