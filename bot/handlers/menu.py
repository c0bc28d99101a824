"""Matching main-menu buttons by the name they carry."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.callbacks.menu import Menu
from bot.deps import BotContext
from bot.handlers.dialog import AnyHandler


def menu_pattern(*names: str) -> Callable[[object], bool]:
    wanted = frozenset(names)

    def check(data: object) -> bool:
        pressed = Menu.unpack(data)
        return pressed is not None and pressed.name in wanted

    return check


def command_and_button(
    name: str, callback: Callable[[Update, BotContext], Coroutine[Any, Any, object]]
) -> list[AnyHandler]:
    """/`name` and the main menu's button of the same name: one way in, answered alike."""
    return [
        CommandHandler(name, callback),
        CallbackQueryHandler(callback, pattern=menu_pattern(name)),
    ]
