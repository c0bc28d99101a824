from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from pathlib import Path

import pytest

from bot.persistence import Data, SQLitePersistence
from bot.storage import KeyCipher, Storage

Reopen = Callable[[], Awaitable[SQLitePersistence[Data]]]


async def test_state_repo_round_trip(storage: Storage) -> None:
    await storage.state.put("k", "a", {"x": [1, "two", None, True, 1.5]})
    await storage.state.put("k", "b", 3)
    await storage.state.put("other", "a", "z")
    assert await storage.state.load("k") == {"a": {"x": [1, "two", None, True, 1.5]}, "b": 3}
    await storage.state.put("k", "b", 4)
    assert (await storage.state.load("k"))["b"] == 4
    assert await storage.state.delete("k", "a")
    assert not await storage.state.delete("k", "a")
    assert await storage.state.load("k") == {"b": 4}
    assert await storage.state.load("missing") == {}
    with pytest.raises(TypeError):
        await storage.state.put("k", "c", object())
    with pytest.raises(ValueError):
        await storage.state.put("k", "c", float("nan"))


@pytest.fixture
async def reopen(database: Path | str, cipher: KeyCipher) -> AsyncIterator[Reopen]:
    """Open a fresh Storage + persistence on the same file each call; all closed at the end."""
    opened: list[Storage] = []

    async def _open() -> SQLitePersistence[Data]:
        st = await Storage.open(database, cipher)
        opened.append(st)
        return SQLitePersistence(st.state)

    yield _open
    for st in opened:
        await st.close()


async def test_round_trip_across_reopen(reopen: Reopen) -> None:
    p: SQLitePersistence[Data] = await reopen()
    assert p.store_data.bot_data is False and p.store_data.callback_data is False
    assert p.store_data.user_data and p.store_data.chat_data
    assert p.update_interval <= 5

    await p.update_user_data(1, {"lang": "tr", "draft": {"qty": 100, "cost": Decimal("1.50")}})
    await p.update_user_data(2, {"step": ("link", 3)})
    await p.update_chat_data(-100, {"pinned": [1, 2]})
    await p.update_conversation("order", (1, 1), 2)
    await p.update_conversation("order", (5, "x"), "ASK_LINK")
    await p.update_conversation("order", (6, 6), 1)
    await p.update_conversation("order", (6, 6), None)  # conversation ended
    await p.update_conversation("settings", (1,), 0)
    await p.flush()

    q: SQLitePersistence[Data] = await reopen()
    users = await q.get_user_data()
    assert users == {
        1: {"lang": "tr", "draft": {"qty": 100, "cost": Decimal("1.50")}},
        2: {"step": ("link", 3)},
    }
    assert isinstance(users[1]["draft"]["cost"], Decimal)
    assert await q.get_chat_data() == {-100: {"pinned": [1, 2]}}
    assert await q.get_conversations("order") == {(1, 1): 2, (5, "x"): "ASK_LINK"}
    assert await q.get_conversations("settings") == {(1,): 0}
    assert await q.get_conversations("never") == {}
    assert await q.get_bot_data() == {}
    assert await q.get_callback_data() is None

    await q.drop_user_data(2)
    await q.drop_chat_data(-100)
    await q.update_user_data(1, {})  # emptied: row removed
    r: SQLitePersistence[Data] = await reopen()
    assert await r.get_user_data() == {}
    assert await r.get_chat_data() == {}


async def test_unserialisable_values_are_dropped_with_warning(
    reopen: Reopen,
    caplog: pytest.LogCaptureFixture,
) -> None:
    p: SQLitePersistence[Data] = await reopen()

    class Opaque:
        def __repr__(self) -> str:
            return "OPAQUE-SECRET-VALUE"

    data = {
        "ok": 1,
        "bad": Opaque(),
        "nested": {"keep": "y", "also_bad": {1, 2}, 5: "int key"},
        "items": [1, Opaque(), 3],
        "nan": float("inf"),
        "fake_tag": {"$decimal": "1"},
    }
    with caplog.at_level(logging.WARNING, logger="bot.persistence"):
        await p.update_user_data(1, data)
        await p.update_conversation("c", (1, 1), Opaque())
    assert "OPAQUE-SECRET-VALUE" not in caplog.text
    assert "user_data[1].bad" in caplog.text and "Opaque" in caplog.text
    assert "user_data[1].nested.also_bad" in caplog.text

    q: SQLitePersistence[Data] = await reopen()
    assert await q.get_user_data() == {1: {"ok": 1, "nested": {"keep": "y"}, "items": [1, 3]}}
    assert await q.get_conversations("c") == {}


async def test_unstorable_state_clears_the_old_one(reopen: Reopen) -> None:
    p: SQLitePersistence[Data] = await reopen()
    await p.update_conversation("c", (1, 1), 1)
    await p.update_conversation("c", (1, 1), object())
    assert await p.get_conversations("c") == {}


async def test_must_be_attached_before_use(storage: Storage) -> None:
    p = SQLitePersistence()
    with pytest.raises(RuntimeError, match="attach"):
        await p.get_user_data()
    p.attach(storage.state)
    await p.update_user_data(3, {"a": 1})
    assert await p.get_user_data() == {3: {"a": 1}}
