"""python-telegram-bot persistence in our database (`ptb_state` via `StateRepo`), on either engine.

Stores conversation states, user_data and chat_data; bot_data and callback_data are not kept.
The database is opened after the `Application` is built, so the `StateRepo` can be given to
the constructor or later with `attach()` — it must be attached before `Application.initialize()`
loads the data (use before that raises `RuntimeError`). Writes go straight
to the database (each is committed), so `flush()` has nothing left to do; PTB still batches them
every `update_interval` seconds and once more on shutdown, before `post_shutdown` — close the
database there, not earlier.

user_data is one `UserState` per user (bot/user_state.py) when the persistence is given
`USER_STATE`: it stores the state's `to_json()` and loads it back with `from_json`. Without
a codec user_data are plain dicts. Only JSON-friendly data belongs in them. `Decimal` and
`tuple` values are kept (tagged); anything else that JSON cannot hold is dropped with a warning
naming where it was, never its value.

Why not PTB's `PicklePersistence`: it rewrites one whole pickle file on every change (or only
at shutdown, losing everything a crash catches unsaved), so its cost grows with the number of
users; it would be a second file beside the database, to back up and restore in step with it;
unpickling runs code named in the file, and ties the data to class paths that a refactor
renames. Here each user's data is one row, written and committed on its own, as readable
JSON in the same database as the orders it refers to.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final, Generic, TypeVar, overload

from telegram.ext import BasePersistence, PersistenceInput

from bot.storage.state import StateRepo
from bot.user_state import UserState

log = logging.getLogger(__name__)

Data = dict[Any, Any]
# Same shapes as PTB's private `telegram.ext._utils.types` aliases.
ConversationKey = tuple[int | str, ...]
ConversationDict = MutableMapping[ConversationKey, object]
CDCData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]

UD = TypeVar("UD")


@dataclass(frozen=True, slots=True)
class UserDataCodec(Generic[UD]):
    """How one user's data becomes a JSON-ready dict and back."""

    dump: Callable[[UD], Data]
    load: Callable[[Data], UD]


DICTS: UserDataCodec[Data] = UserDataCodec(dict, dict)
USER_STATE: UserDataCodec[UserState] = UserDataCodec(UserState.to_json, UserState.from_json)

USER_DATA = "user_data"
CHAT_DATA = "chat_data"
_CONVERSATION_PREFIX = "conversation:"

_DECIMAL_TAG: Final = "$decimal"
_TUPLE_TAG: Final = "$tuple"
_TAGS: Final = frozenset({_DECIMAL_TAG, _TUPLE_TAG})


class _Drop:
    """Marker for a value that cannot be stored."""


_DROP: Final = _Drop()


def encode(value: Any, where: str) -> Any:
    """JSON-ready copy of `value`, or `_DROP` (after a warning) if it cannot be stored."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return _dropped(where, value)
    if isinstance(value, Decimal):
        return {_DECIMAL_TAG: str(value)}
    if isinstance(value, list | tuple):
        items = []
        for i, item in enumerate(value):
            enc = encode(item, f"{where}[{i}]")
            if enc is not _DROP:
                items.append(enc)
        return {_TUPLE_TAG: items} if isinstance(value, tuple) else items
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                log.warning(
                    "Not persisting %s: key of type %s is not a string", where, type(key).__name__
                )
                continue
            enc = encode(item, f"{where}.{key}")
            if enc is not _DROP:
                out[key] = enc
        if len(out) == 1 and next(iter(out)) in _TAGS:
            # Would read back as a tagged Decimal/tuple.
            return _dropped(where, value)
        return out
    return _dropped(where, value)


def _dropped(where: str, value: Any) -> _Drop:
    log.warning("Not persisting %s: %s is not JSON-serialisable", where, type(value).__name__)
    return _DROP


def decode(value: Any) -> Any:
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1:
            ((key, inner),) = value.items()
            if key == _DECIMAL_TAG:
                return Decimal(inner)
            if key == _TUPLE_TAG:
                return tuple(decode(v) for v in inner)
        return {k: decode(v) for k, v in value.items()}
    return value


class SQLitePersistence(BasePersistence[UD, Data, Data]):
    """Persistence for conversations, user_data and chat_data, backed by `StateRepo`."""

    __slots__ = ("_repo", "_user_data")

    @overload
    def __init__(
        self: SQLitePersistence[Data],
        state: StateRepo | None = None,
        *,
        update_interval: float = 1.0,
    ) -> None: ...
    @overload
    def __init__(
        self,
        state: StateRepo | None = None,
        *,
        update_interval: float = 1.0,
        user_data: UserDataCodec[UD],
    ) -> None: ...
    def __init__(
        self,
        state: StateRepo | None = None,
        *,
        update_interval: float = 1.0,
        user_data: UserDataCodec[Any] = DICTS,
    ) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, callback_data=False),
            update_interval=update_interval,
        )
        self._repo = state
        self._user_data: UserDataCodec[UD] = user_data

    def attach(self, state: StateRepo) -> None:
        """Use `state` from now on (the database is opened after the Application is built)."""
        self._repo = state

    @property
    def _state(self) -> StateRepo:
        if self._repo is None:
            raise RuntimeError("SQLitePersistence used before attach(StateRepo)")
        return self._repo

    # --- user_data / chat_data --------------------------------------------------------------

    async def get_user_data(self) -> dict[int, UD]:
        stored = await self._load_ids(USER_DATA)
        load = self._user_data.load
        return {
            ident: load(data if isinstance(data, dict) else {}) for ident, data in stored.items()
        }

    async def get_chat_data(self) -> dict[int, Data]:
        return await self._load_ids(CHAT_DATA)

    async def update_user_data(self, user_id: int, data: UD) -> None:
        await self._store_id(USER_DATA, user_id, self._user_data.dump(data))

    async def update_chat_data(self, chat_id: int, data: Data) -> None:
        await self._store_id(CHAT_DATA, chat_id, data)

    async def drop_user_data(self, user_id: int) -> None:
        await self._state.delete(USER_DATA, str(user_id))

    async def drop_chat_data(self, chat_id: int) -> None:
        await self._state.delete(CHAT_DATA, str(chat_id))

    async def refresh_user_data(self, user_id: int, user_data: UD) -> None:
        """Nothing to do: this process is the only writer."""

    async def refresh_chat_data(self, chat_id: int, chat_data: Data) -> None:
        """Nothing to do: this process is the only writer."""

    async def _load_ids(self, kind: str) -> dict[int, Data]:
        stored = await self._state.load(kind)
        return {int(key): decode(value) for key, value in stored.items()}

    async def _store_id(self, kind: str, ident: int, data: Data) -> None:
        encoded = encode(data, f"{kind}[{ident}]")
        if encoded is _DROP or not encoded:
            # Nothing worth keeping; an empty row would only grow the table.
            await self._state.delete(kind, str(ident))
            return
        await self._state.put(kind, str(ident), encoded)

    # --- conversations ----------------------------------------------------------------------

    async def get_conversations(self, name: str) -> ConversationDict:
        stored = await self._state.load(_CONVERSATION_PREFIX + name)
        return {_conversation_key(key): decode(state) for key, state in stored.items()}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        kind = _CONVERSATION_PREFIX + name
        text_key = json.dumps(list(key))
        encoded = None if new_state is None else encode(new_state, f"conversation {name!r} state")
        if encoded is None or encoded is _DROP:
            # A state we cannot store ends the conversation after a restart rather than
            # resuming it in an older state.
            await self._state.delete(kind, text_key)
            return
        await self._state.put(kind, text_key, encoded)

    # --- not stored -------------------------------------------------------------------------

    async def get_bot_data(self) -> Data:
        return {}

    async def update_bot_data(self, data: Data) -> None:
        """bot_data is not persisted."""

    async def refresh_bot_data(self, bot_data: Data) -> None:
        """bot_data is not persisted."""

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        """callback_data is not persisted."""

    async def flush(self) -> None:
        """Every update is already committed when its call returns."""


def _conversation_key(text: str) -> ConversationKey:
    return tuple(json.loads(text))
