"""Typed, compact callback data.

Telegram limits callback_data to 64 bytes and hands it back verbatim, so anything may arrive: an
old keyboard from before a restart, or a forged payload. Data is `action:arg:arg`; every action
declares the types of its arguments and anything that does not fit decodes to `None` ("this
button has expired").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

MAX_BYTES = 64


class Action(StrEnum):
    MENU = "m"  # main menu entry: (name)
    LANGUAGE = "lg"  # (code)
    ACCESS_REQUEST = "ar"  # ()
    ACCESS_DECIDE = "ad"  # (user_id, 1=approve / 0=reject)
    USERS_PAGE = "up"  # (page)
    DIALOG_CANCEL = "dc"  # (dialog instance) ✖️ Cancel of a dialog question
    NOTIFY_TOGGLE = "nt"  # ()
    # catalog
    CATEGORIES = "cc"  # (page)
    CATEGORY = "cs"  # (category index, page, catalog version)
    SERVICE = "sv"  # (service id, category index or -1, page)
    CATALOG_REFRESH = "cr"  # ()
    SEARCH_PAGE = "sp"  # (page)
    ORDER_SERVICE = "os"  # (service id)
    # ordering dialog
    # Question buttons carry their dialog instance and question (see bot/handlers/dialog.py)
    DRIPFEED = "df"  # (dialog instance, question, 1=yes / 0=no)
    ORDER_SKIP = "sk"  # (dialog instance, question) skip an optional order question
    NO_DRIPFEED = "nd"  # (local order id) a fresh preview of a refused order without drip-feed
    CONFIRM = "ok"  # (batch token)
    DISCARD = "no"  # (batch token)
    BULK_CONFIRM = "bk"  # (batch token)
    BULK_DISCARD = "bd"  # (batch token)
    BULK_CONFIRM_FIRST = "bf"  # (batch token, n) place only the first n lines
    BULK_AGAIN = "ba"  # (batch token) preview an expired or closed bulk list again
    # orders
    ORDER_CARD = "oc"  # (local order id)
    ORDERS_PAGE = "op"  # (filter, page)
    ORDER_REFRESH = "or"  # (local order id)
    ORDER_REFILL = "rf"  # (local order id)
    ORDER_CANCEL = "ca"  # (local order id)
    ORDER_CANCEL_YES = "cy"  # (local order id)
    REORDER = "ro"  # (local order id)
    STATUS_OF = "st"  # (panel order id)
    CANCEL_MANY = "cm"  # (confirmation token) /cancelorder: yes
    CANCEL_MANY_NO = "cn"  # (confirmation token) /cancelorder: no


_INT = int
_STR = str

SCHEMA: dict[Action, tuple[type, ...]] = {
    Action.MENU: (_STR,),
    Action.LANGUAGE: (_STR,),
    Action.ACCESS_REQUEST: (),
    Action.ACCESS_DECIDE: (_INT, _INT),
    Action.USERS_PAGE: (_INT,),
    Action.DIALOG_CANCEL: (_STR,),
    Action.NOTIFY_TOGGLE: (),
    Action.CATEGORIES: (_INT,),
    Action.CATEGORY: (_INT, _INT, _STR),
    Action.SERVICE: (_INT, _INT, _INT),
    Action.CATALOG_REFRESH: (),
    Action.SEARCH_PAGE: (_INT,),
    Action.ORDER_SERVICE: (_INT,),
    Action.DRIPFEED: (_STR, _STR, _INT),
    Action.ORDER_SKIP: (_STR, _STR),
    Action.NO_DRIPFEED: (_INT,),
    Action.CONFIRM: (_STR,),
    Action.DISCARD: (_STR,),
    Action.BULK_CONFIRM: (_STR,),
    Action.BULK_DISCARD: (_STR,),
    Action.BULK_CONFIRM_FIRST: (_STR, _INT),
    Action.BULK_AGAIN: (_STR,),
    Action.ORDER_CARD: (_INT,),
    Action.ORDERS_PAGE: (_STR, _INT),
    Action.ORDER_REFRESH: (_INT,),
    Action.ORDER_REFILL: (_INT,),
    Action.ORDER_CANCEL: (_INT,),
    Action.ORDER_CANCEL_YES: (_INT,),
    Action.REORDER: (_INT,),
    Action.STATUS_OF: (_INT,),
    Action.CANCEL_MANY: (_STR,),
    Action.CANCEL_MANY_NO: (_STR,),
}

_BY_VALUE = {a.value: a for a in Action}


@dataclass(frozen=True, slots=True)
class Callback:
    action: Action
    args: tuple[int | str, ...]

    def num(self, i: int) -> int:
        value = self.args[i]
        if not isinstance(value, int):
            raise TypeError(f"argument {i} of {self.action.name} is not a number")
        return value

    def text(self, i: int) -> str:
        return str(self.args[i])


def encode(action: Action, *args: int | str) -> str:
    types = SCHEMA[action]
    if len(args) != len(types):
        raise ValueError(f"{action.name} takes {len(types)} arguments")
    parts = [action.value]
    for value, kind in zip(args, types, strict=True):
        text = str(value)
        if kind is _STR and (":" in text or not text):
            raise ValueError("string callback arguments must be non-empty and contain no ':'")
        if kind is _INT and not isinstance(value, int):
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
    action = _BY_VALUE.get(head)
    if action is None:
        return None
    types = SCHEMA[action]
    if len(raw) != len(types):
        return None
    args: list[int | str] = []
    for text, kind in zip(raw, types, strict=True):
        if kind is _INT:
            if not _is_int(text):
                return None
            args.append(int(text))
        else:
            if not text:
                return None
            args.append(text)
    return Callback(action, tuple(args))


# SQLite integers are 64-bit: a forged number past them would fail in storage, not decode.
_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1


def _is_int(text: str) -> bool:
    body = text[1:] if text.startswith("-") else text
    return (
        body.isascii() and body.isdigit() and len(body) <= 19 and _INT_MIN <= int(text) <= _INT_MAX
    )


def pattern(*actions: Action) -> Callable[[object], bool]:
    """A CallbackQueryHandler pattern accepting only well-formed data of these actions."""
    wanted = frozenset(actions)

    def check(data: object) -> bool:
        decoded = decode(data)
        return decoded is not None and decoded.action in wanted

    return check
