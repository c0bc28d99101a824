"""The claim takes no more rows than the preview offered (issue 19 item 3), on both engines."""

from __future__ import annotations

from bot.storage import Storage, SubmitState
from bot.storage.models import DraftKind

from .test_drafts import USER, line, st, states

__all__ = ["st"]  # the fixture, used by name


async def test_claim_refuses_more_rows_than_offered(st: Storage) -> None:
    await st.orders.create_drafts(
        USER, "b", [line(1), line(2), line(3)], kind=DraftKind.BULK, offered=2
    )
    draft = await st.drafts.get("b", USER)
    assert draft is not None and draft.offered == 2
    claim = await st.orders.claim("b", USER, kind=DraftKind.BULK)
    assert not claim.won and await states(st, "b") == [SubmitState.DRAFT] * 3
    # "Confirm the first 2": the later line is voided first, then the claim takes the two.
    assert await st.orders.void_drafts_after("b", USER, 2, "not sent") == 1
    claim = await st.orders.claim("b", USER, kind=DraftKind.BULK)
    assert claim.won
    assert await states(st, "b") == [SubmitState.SUBMITTING] * 2 + [SubmitState.FAILED]


async def test_offer_of_every_line_is_no_limit(st: Storage) -> None:
    await st.orders.create_drafts(USER, "all", [line(1), line(2)], kind=DraftKind.BULK)
    draft = await st.drafts.get("all", USER)
    assert draft is not None and draft.offered is None and not draft.cancelled
    assert (await st.orders.claim("all", USER)).won


async def test_a_cancelled_preview_keeps_its_promise_row_until_the_purge(st: Storage) -> None:
    await st.orders.create_drafts(USER, "c", [line()])
    assert await st.orders.discard_draft("c", USER) == 1
    gone = await st.drafts.get("c", USER)
    assert gone is not None and gone.cancelled and gone.lines == 1
    assert await st.orders.get_batch("c") == []
    assert not (await st.orders.claim("c", USER)).won
    await st.drafts.purge(grace=-1)
    assert await st.drafts.get("c", USER) is None
