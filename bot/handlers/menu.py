"""Matching main-menu buttons by the name they carry."""

from __future__ import annotations

from collections.abc import Callable

from bot.callbacks.menu import Menu


def menu_pattern(*names: str) -> Callable[[object], bool]:
    wanted = frozenset(names)

    def check(data: object) -> bool:
        pressed = Menu.unpack(data)
        return pressed is not None and pressed.name in wanted

    return check
