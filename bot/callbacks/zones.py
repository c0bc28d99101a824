"""Time zones and quiet hours (bot/handlers/zones.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.callbacks.base import Action, CallbackData


class ZoneAction(Action):
    """This feature's action codes: the first segment of its buttons' data."""

    ZONE_MENU = "zm"
    SET_ZONE = "zs"
    TYPE_ZONE = "zt"
    QUIET_MENU = "hm"
    SET_QUIET = "hs"
    TYPE_QUIET = "ht"


@dataclass(frozen=True)
class ZoneMenu(CallbackData, action=ZoneAction.ZONE_MENU):
    pass


@dataclass(frozen=True)
class SetZone(CallbackData, action=ZoneAction.SET_ZONE):
    """A time zone button: an IANA name (they have no ':' and fit the 64 bytes)."""

    zone: str


@dataclass(frozen=True)
class TypeZone(CallbackData, action=ZoneAction.TYPE_ZONE):
    pass


@dataclass(frozen=True)
class QuietMenu(CallbackData, action=ZoneAction.QUIET_MENU):
    pass


@dataclass(frozen=True)
class SetQuiet(CallbackData, action=ZoneAction.SET_QUIET):
    """Quiet hours from `start` to `end`, minutes after midnight; start == end: off."""

    start: int
    end: int


@dataclass(frozen=True)
class TypeQuiet(CallbackData, action=ZoneAction.TYPE_QUIET):
    pass
