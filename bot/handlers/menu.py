"""Matching main-menu buttons by the name they carry."""

from __future__ import annotations

from collections.abc import Callable

from bot.callbacks import Action, decode


def menu_pattern(*names: str) -> Callable[[object], bool]:
    wanted = frozenset(names)

    def check(data: object) -> bool:
        decoded = decode(data)
        return decoded is not None and decoded.action is Action.MENU and decoded.text(0) in wanted

    return check
