"""Scheduled orders' rows (issue 24): made from an open preview only, each run claimed once."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal

import pytest

from bot.storage import OrderDraft, Storage, SubmitState
from bot.storage.models import DraftKind, DraftState, LinkCheck
from bot.storage.schedules import Every, ScheduleState, When

from .conftest import FakeClock
from .test_drafts import line

USER = 30
KEY = "pk_schedules_0123456789abcdef"


def draft() -> OrderDraft:
    return replace(line(), link="https://t.me/x")


@pytest.fixture
async def st(storage: Storage) -> Storage:
    await storage.users.touch(USER, username=None, first_name=None)
    await storage.accounts.set(USER, KEY)
    return storage


async def preview(st: Storage, batch: str = "b1") -> None:
    await st.orders.create_drafts(
        USER, batch, [draft()], kind=DraftKind.SINGLE, rate=Decimal("1.25"), ttl=600
    )


async def test_a_schedule_copies_the_preview_and_closes_it(st: Storage, clock: FakeClock) -> None:
    await preview(st)
    when = When(clock() + 3600, Every.DAILY, 3, "Europe/Istanbul")
    made = await st.schedules.create("b1", USER, when)
    assert made is not None
    assert made.order.link == "https://t.me/x" and made.order.cost == Decimal("1.25")
    assert made.rate == Decimal("1.25") and made.times == 3 and made.next_at == when.first_at
    closed = await st.drafts.get("b1", USER)
    assert closed is not None and closed.state is DraftState.REPLACED
    # Its Confirm can no longer claim it, and it cannot be scheduled twice.
    assert not (await st.orders.claim("b1", USER)).won
    assert await st.schedules.create("b1", USER, when) is None
    assert [s.id for s in await st.schedules.open_for_user(USER)] == [made.id]


async def test_an_expired_or_rekeyed_preview_is_not_scheduled(
    st: Storage, clock: FakeClock
) -> None:
    await preview(st, "old")
    clock.advance(601)
    assert await st.schedules.create("old", USER, When(clock() + 3600)) is None
    await preview(st, "rekeyed")
    await st.accounts.set(USER, KEY)
    assert await st.schedules.create("rekeyed", USER, When(clock() + 3600)) is None


async def test_a_link_check_keeps_a_page_with_an_open_order_from_being_scheduled(
    st: Storage, clock: FakeClock
) -> None:
    # 🕒 Later's time picked after another preview of the page was confirmed: checked in the
    # schedule's write, as a Confirm's claim is; the preview stays open (it warns instead).
    await preview(st, "confirmed")
    await preview(st, "later")
    assert (await st.orders.claim("confirmed", USER)).won
    check = LinkCheck(1, "https://www.t.me/x/", lambda open_orders: not open_orders)
    assert await st.schedules.create("later", USER, When(clock() + 60), check) is None
    still = await st.drafts.get("later", USER)
    assert still is not None and still.state is DraftState.OPEN
    # Another panel account's open order is not this page's.
    elsewhere = LinkCheck(2, "https://t.me/x", lambda open_orders: not open_orders)
    assert await st.schedules.create("later", USER, When(clock() + 60), elsewhere) is not None


async def test_each_run_is_claimed_once_even_by_concurrent_callers(
    st: Storage, clock: FakeClock
) -> None:
    await preview(st)
    made = await st.schedules.create("b1", USER, When(clock() + 60, Every.DAILY, 2))
    assert made is not None
    waiting = (ScheduleState.WAITING,)
    claims = await asyncio.gather(
        *(
            st.schedules.claim_run(made, made.order, made.next_at + 86400, states=waiting)
            for _ in range(5)
        )
    )
    won = [o for o in claims if o is not None]
    assert len(won) == 1
    assert won[0].submit_state is SubmitState.SUBMITTING and won[0].token == f"sch{made.id}.0"
    after = await st.schedules.get(made.id)
    assert after is not None and after.done == 1 and after.next_at == made.next_at + 86400
    assert after.last_order == won[0].id
    # The same (stale) run again claims nothing; the last run finishes the schedule.
    assert await st.schedules.claim_run(made, made.order, None, states=waiting) is None
    last = await st.schedules.claim_run(after, after.order, None, states=waiting)
    assert last is not None
    final = await st.schedules.get(made.id)
    assert final is not None and final.state is ScheduleState.FINISHED
    assert await st.schedules.open_for_user(USER) == []


async def test_a_changed_key_claims_nothing(st: Storage, clock: FakeClock) -> None:
    await preview(st)
    made = await st.schedules.create("b1", USER, When(clock() + 60))
    assert made is not None and made.key_added is not None
    clock.advance(1)
    await st.accounts.set(USER, KEY)  # its own panel's key replaced
    states = (ScheduleState.WAITING,)
    assert await st.schedules.claim_run(made, made.order, None, states=states) is None


async def test_another_panel_changing_does_not_stop_it(st: Storage, clock: FakeClock) -> None:
    await preview(st)
    made = await st.schedules.create("b1", USER, When(clock() + 60))
    assert made is not None
    clock.advance(1)
    # The user's key version moves (their open previews close), this panel's key does not.
    await st.accounts.add(
        USER, "pk_other_panel_0123456789abcdef", label="B", url="https://b.test/api/v2"
    )
    states = (ScheduleState.WAITING,)
    assert await st.schedules.claim_run(made, made.order, None, states=states) is not None


async def test_a_removed_panel_claims_nothing(st: Storage, clock: FakeClock) -> None:
    await preview(st)
    made = await st.schedules.create("b1", USER, When(clock() + 60))
    assert made is not None
    assert await st.accounts.delete(USER)
    states = (ScheduleState.WAITING,)
    assert await st.schedules.claim_run(made, made.order, None, states=states) is None


async def test_cancel_ends_only_an_open_schedule_of_its_user(st: Storage, clock: FakeClock) -> None:
    await preview(st)
    made = await st.schedules.create("b1", USER, When(clock() + 60))
    assert made is not None
    assert not await st.schedules.cancel(made.id, USER + 1)
    assert await st.schedules.cancel(made.id, USER)
    assert not await st.schedules.cancel(made.id, USER)
    states = (ScheduleState.WAITING,)
    assert await st.schedules.claim_run(made, made.order, None, states=states) is None
