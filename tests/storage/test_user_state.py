"""The typed per-user state (bot/user_state.py) through the real persistence: what a user had
before a restart is there after it, on either engine, and rows written with the loose
user_data keys of older versions load into it."""

from __future__ import annotations

from pathlib import Path

from bot.persistence import DICTS, USER_STATE, SQLitePersistence
from bot.services.catalog_options import CatalogOptions, Sort
from bot.storage import KeyCipher, Storage
from bot.user_state import UserState

EVERY_FIELD = UserState(
    dialog={"kind": "order", "id": "Ab-_9xYz", "step": "link"},
    waiting={"tok1": {"command": "status", "ids": [5], "invalid": [], "pinned": [], "asked": 5}},
    cancel_confirm={"c0nf": [[23501, 2]]},
    bulk_rejects={"batch1": [[3, "bad line", "Not a number", {}]]},
    catalog_search="instagram likes",
    catalog_options=CatalogOptions(Sort.PRICE_UP, True, False),
    catalog_panel=2,
    orders_view=("open", 3),
    orders_panel=2,
    replied_at=1234.5,
)


async def _stored_and_reopened(
    database: Path | str, cipher: KeyCipher, user_id: int, data: object, *, typed: bool
) -> dict[int, UserState]:
    """`data` stored for `user_id` (as a UserState, or as the plain dict older versions kept),
    then read back by a fresh Storage and a typed persistence: a restart."""
    first = await Storage.open(database, cipher)
    try:
        if typed:
            assert isinstance(data, UserState)
            await SQLitePersistence(first.state, user_data=USER_STATE).update_user_data(
                user_id, data
            )
        else:
            assert isinstance(data, dict)
            await SQLitePersistence(first.state, user_data=DICTS).update_user_data(user_id, data)
    finally:
        await first.close()
    second = await Storage.open(database, cipher)
    try:
        return await SQLitePersistence(second.state, user_data=USER_STATE).get_user_data()
    finally:
        await second.close()


async def test_every_field_survives_a_restart(database: Path | str, cipher: KeyCipher) -> None:
    loaded = await _stored_and_reopened(database, cipher, 7, EVERY_FIELD, typed=True)
    assert loaded == {7: EVERY_FIELD}


async def test_an_empty_state_stores_no_row(database: Path | str, cipher: KeyCipher) -> None:
    assert await _stored_and_reopened(database, cipher, 7, UserState(), typed=True) == {}


async def test_a_row_with_the_old_loose_keys_loads_typed(
    database: Path | str, cipher: KeyCipher
) -> None:
    old_row = {
        "dialog": {"kind": "order", "id": "Ab-_9xYz", "step": "link"},
        "which_panel": {"tok1": {"command": "status"}},
        "cancel_confirm": {"c0nf": [[23501, 2]]},
        "bulk_rejects": {"batch1": [[3, "bad line", "Not a number", {}]]},
        "catalog_search": "instagram likes",
        "catalog_view": {"sort": "asc", "refill": True, "cancel": False},
        "catalog_panel": 2,
        "orders_view": ["open", 3],
        "orders_panel": 2,
        "access.replied_at": 1234.5,
    }
    loaded = await _stored_and_reopened(database, cipher, 7, old_row, typed=False)
    state = loaded[7]
    assert state.to_json() == old_row
    assert state.catalog_options == CatalogOptions(Sort.PRICE_UP, True, False)
    assert state.orders_view == ("open", 3)
    assert state.replied_at == 1234.5


async def test_values_of_the_wrong_shape_are_unset(database: Path | str, cipher: KeyCipher) -> None:
    damaged = {
        "dialog": "not a dict",
        "catalog_search": 5,
        "catalog_panel": True,
        "orders_view": ["open"],
        "access.replied_at": "soon",
        "unknown_key": 1,
    }
    loaded = await _stored_and_reopened(database, cipher, 7, damaged, typed=False)
    assert loaded == {7: UserState()}
