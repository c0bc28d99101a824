"""Favourite services and the services a user ordered last (migration 0004)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.storage import OrderDraft, Starred, Storage

from .conftest import FakeClock

USER = 20
OTHER = 21


def draft(service_id: int) -> OrderDraft:
    return OrderDraft(
        service_id=service_id,
        service_name_text=f"Service {service_id}",
        service_type="Default",
        link="https://t.me/x",
        quantity=100,
        cost=Decimal("1.25"),
        currency_text="USD",
    )


@pytest.fixture
async def st(storage: Storage) -> Storage:
    for user in (USER, OTHER):
        await storage.users.touch(user, username=None, first_name=None)
    return storage


async def test_star_list_and_unstar(st: Storage, clock: FakeClock) -> None:
    repo = st.favourites
    assert await repo.ids(USER) == []
    assert await repo.add(USER, 7, limit=10) is Starred.ADDED
    clock.advance(1)
    assert await repo.add(USER, 3, limit=10) is Starred.ADDED
    assert await repo.add(USER, 7, limit=10) is Starred.ADDED  # a double tap: still one row
    assert await repo.ids(USER) == [3, 7]  # the latest starred first
    assert await repo.contains(USER, 7) and not await repo.contains(OTHER, 7)
    assert await repo.remove(USER, 7) is True
    assert await repo.remove(USER, 7) is False
    assert await repo.ids(USER) == [3]


async def test_a_full_list_refuses_unless_gone_favourites_make_room(st: Storage) -> None:
    repo = st.favourites
    for sid in range(1, 4):
        await repo.add(USER, sid, limit=3)
    assert await repo.add(USER, 9, limit=3) is Starred.FULL
    assert await repo.add(USER, 9, limit=3, make_room=[42]) is Starred.FULL  # not a favourite
    assert sorted(await repo.ids(USER)) == [1, 2, 3]
    assert await repo.add(USER, 9, limit=3, make_room=[2]) is Starred.ADDED
    assert sorted(await repo.ids(USER)) == [1, 3, 9]
    # Room is only made when the list is full.
    await repo.remove(USER, 9)
    assert await repo.add(USER, 9, limit=3, make_room=[1]) is Starred.ADDED
    assert sorted(await repo.ids(USER)) == [1, 3, 9]


async def test_favourites_go_with_their_user(st: Storage) -> None:
    await st.favourites.add(USER, 5, limit=10)
    await st.db.execute("DELETE FROM users WHERE id = ?", (USER,))
    assert await st.favourites.ids(USER) == []


async def test_recent_services_are_confirmed_orders_newest_first_each_once(
    st: Storage, clock: FakeClock
) -> None:
    orders = st.orders

    async def confirmed(user: int, batch: str, *services: int) -> None:
        await orders.create_drafts(user, batch, [draft(s) for s in services])
        clock.advance(1)
        assert (await orders.claim(batch, user)).won

    await confirmed(USER, "b1", 1)
    await confirmed(USER, "b2", 2)
    await confirmed(USER, "b3", 3, 4)  # a bulk order: both count
    await confirmed(USER, "b4", 1)  # #1 again: now the latest
    await orders.create_drafts(USER, "b5", [draft(9)])  # a preview nobody confirmed
    await confirmed(OTHER, "b6", 8)
    recent = await st.favourites.recent_services(USER, 5)
    assert recent[0] == 1 and set(recent) == {1, 2, 3, 4}
    assert recent == [1, 3, 4, 2]
    assert await st.favourites.recent_services(USER, 2) == [1, 3]
    assert await st.favourites.recent_services(OTHER, 5) == [8]
