"""Time zones and quiet hours (bot/handlers/zones.py)."""

from __future__ import annotations

from bot.callbacks.base import CallbackData


class ZoneMenu(CallbackData, action="zm"):
    pass


class SetZone(CallbackData, action="zs"):
    """A time zone button: an IANA name (they have no ':' and fit the 64 bytes)."""

    zone: str


class TypeZone(CallbackData, action="zt"):
    pass


class QuietMenu(CallbackData, action="hm"):
    pass


class SetQuiet(CallbackData, action="hs"):
    """Quiet hours from `start` to `end`, minutes after midnight; start == end: off."""

    start: int
    end: int


class TypeQuiet(CallbackData, action="ht"):
    pass
