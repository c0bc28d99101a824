"""Typed, compact callback data: one frozen dataclass per button action.

Telegram limits callback_data to 64 bytes and hands it back verbatim, so anything may arrive: an
old keyboard from before a restart, or a forged payload. Each button's data is an instance of
one class of a feature module (`bot.callbacks.new_order.ConfirmOrder(batch=…)`), a frozen
dataclass with named, typed fields; `pack()` writes it as `action:field:field` and
`parse`/`unpack` read it back, or give `None` ("this button has expired") for data that does
not fit its class. Each class gives its own handler pattern (`ConfirmOrder.pattern()`), and
`callback_of(update)` reads a pressed button's data.

Each class names its action code (`class ConfirmOrder(CallbackData, action="ok")`); no two
classes of any features may claim the same code (the registry refuses it on first use, and
tests/runtime/test_callback_data.py checks it).

The data is the whole meaning of a button. PTB's `arbitrary_callback_data` is off (bot/app.py):
it would keep the real data in an in-memory cache and send only a key, and that cache is not
persisted here, so every button sent before a restart would stop working.

The wire format of an action never changes: buttons already sent stay in chats for ever. A
class's fields are its wire arguments in order; `bool` travels as 1/0.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar, dataclass_transform, overload

if TYPE_CHECKING:
    from telegram import Update

MAX_BYTES = 64


@dataclass_transform(frozen_default=True)
class CallbackData:
    """Base of every button's data. Each subclass becomes a frozen dataclass; a concrete one
    names its action code, the first segment of its data:

    class ConfirmOrder(CallbackData, action="ok"):
        batch: str
    """

    action: ClassVar[str]
    # Declared for type checkers: every subclass is a dataclass.
    __dataclass_fields__: ClassVar[dict[str, Any]]

    def __init_subclass__(cls, action: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataclass(frozen=True)(cls)
        if action is not None:
            cls.action = action

    def pack(self) -> str:
        """The button's callback_data; ValueError if it cannot be sent (over 64 bytes, ':')."""
        wire = [int(v) if isinstance(v, bool) else v for v in _values(self)]
        return encode(self.action, *wire)

    @classmethod
    def unpack(cls, data: object) -> Self | None:
        """`data` as this class (or a subclass of it), None for anything else."""
        found = parse(data)
        return found if isinstance(found, cls) else None

    @classmethod
    def pattern(cls) -> Callable[[object], bool]:
        """A CallbackQueryHandler pattern taking only well-formed data of this class."""
        return pattern_of(cls)


def _values(data: CallbackData) -> list[int | str | bool]:
    return [getattr(data, f.name) for f in fields(data)]


# --- the registry of every feature's classes -------------------------------------------------


def _concrete(base: type[CallbackData]) -> Iterator[type[CallbackData]]:
    for sub in base.__subclasses__():
        if "action" in vars(sub):
            yield sub
        yield from _concrete(sub)


def every_action() -> list[str]:
    """The action code of every class of every feature (a code two claim appears twice)."""
    return [cls.action for cls in _concrete(CallbackData)]


@functools.cache
def _classes() -> Mapping[str, type[CallbackData]]:
    """Every action code's class. Built on first use: importing `bot.callbacks` has loaded
    every feature module by then (bot/callbacks/__init__.py)."""
    found: dict[str, type[CallbackData]] = {}
    for cls in _concrete(CallbackData):
        if cls.action in found:
            raise TypeError(f"{cls.action!r} is claimed by {found[cls.action]} and {cls}")
        found[cls.action] = cls
    return MappingProxyType(found)


@functools.cache
def _field_types() -> Mapping[str, tuple[type, ...]]:
    """Each class's field types (bool as bool)."""
    return MappingProxyType(
        {
            action: tuple(typing.get_type_hints(cls)[f.name] for f in fields(cls))
            for action, cls in _classes().items()
        }
    )


@functools.cache
def _schema() -> Mapping[str, tuple[type, ...]]:
    """What travels on the wire for each action (bool as int)."""
    return MappingProxyType(
        {
            action: tuple(int if kind is bool else kind for kind in kinds)
            for action, kinds in _field_types().items()
        }
    )


def warm_up() -> None:
    """Build the codec's tables now (every class's type hints: ~12 ms of CPU), at start-up, not
    inside the first reply with a button (issue 19 item 5)."""
    _schema()


V = TypeVar("V")


class _Registry(Mapping[str, V]):
    """A read-only view of one of the registry's tables, read on first use."""

    def __init__(self, table: Callable[[], Mapping[str, V]]) -> None:
        self._table = table

    def __getitem__(self, action: str) -> V:
        return self._table()[action]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())


CLASSES: Mapping[str, type[CallbackData]] = _Registry(_classes)
SCHEMA: Mapping[str, tuple[type, ...]] = _Registry(_schema)

T = TypeVar("T", bound=CallbackData)


def parse(data: object) -> CallbackData | None:
    """Any button's data as its class; None for garbage, forged or outdated data."""
    decoded = decode(data)
    if decoded is None:
        return None
    kinds = _field_types()[decoded.action]
    # A forged bool other than 1 reads as "no", never as "yes".
    values = [
        value == 1 if kind is bool else value
        for value, kind in zip(decoded.args, kinds, strict=True)
    ]
    factory: Callable[..., CallbackData] = _classes()[decoded.action]
    return factory(*values)


@overload
def callback_of(update: Update) -> CallbackData | None: ...
@overload
def callback_of(update: Update, kind: type[T]) -> T | None: ...
def callback_of(update: Update, kind: type[CallbackData] = CallbackData) -> CallbackData | None:
    """The pressed button's data (of class `kind`), None for no button or data that does not fit."""
    query = update.callback_query
    found = parse(query.data if query is not None else None)
    return found if isinstance(found, kind) else None


# --- the wire codec underneath ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Callback:
    """Decoded data before it becomes its class: the action and its raw arguments."""

    action: str
    args: tuple[int | str, ...]

    def num(self, i: int) -> int:
        value = self.args[i]
        if not isinstance(value, int):
            raise TypeError(f"argument {i} of action {self.action!r} is not a number")
        return value

    def text(self, i: int) -> str:
        return str(self.args[i])


def encode(action: str, *args: int | str) -> str:
    types = _schema()[action]
    if len(args) != len(types):
        raise ValueError(f"action {action!r} takes {len(types)} arguments")
    parts = [action]
    for value, kind in zip(args, types, strict=True):
        text = str(value)
        if kind is str and (":" in text or not text):
            raise ValueError("string callback arguments must be non-empty and contain no ':'")
        if kind is int and not isinstance(value, int):
            raise ValueError("integer callback argument expected")
        parts.append(text)
    data = ":".join(parts)
    if len(data.encode()) > MAX_BYTES:
        raise ValueError("callback data over 64 bytes")
    return data


def decode(data: object) -> Callback | None:
    if not isinstance(data, str):
        return None
    try:
        size = len(data.encode())
    except UnicodeEncodeError:  # lone surrogates: no real button carries them
        return None
    if size > MAX_BYTES:
        return None
    head, *raw = data.split(":")
    cls = _classes().get(head)
    if cls is None:
        return None
    types = _schema()[cls.action]
    if len(raw) != len(types):
        return None
    args: list[int | str] = []
    for text, kind in zip(raw, types, strict=True):
        if kind is int:
            if not _is_int(text):
                return None
            args.append(int(text))
        else:
            if not text:
                return None
            args.append(text)
    return Callback(cls.action, tuple(args))


# SQLite integers are 64-bit: a forged number past them would fail in storage, not decode.
_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1


def _is_int(text: str) -> bool:
    body = text[1:] if text.startswith("-") else text
    return (
        body.isascii() and body.isdigit() and len(body) <= 19 and _INT_MIN <= int(text) <= _INT_MAX
    )


def pattern_of(*kinds: type[CallbackData]) -> Callable[[object], bool]:
    """A CallbackQueryHandler pattern taking only well-formed data of one of `kinds`."""

    def check(data: object) -> bool:
        return isinstance(parse(data), kinds)

    return check


def pattern(*actions: str) -> Callable[[object], bool]:
    """A pattern accepting well-formed data of these actions (the classes' `pattern()` is usual)."""
    wanted = frozenset(actions)

    def check(data: object) -> bool:
        decoded = decode(data)
        return decoded is not None and decoded.action in wanted

    return check
