"""How a feature's typed buttons reach its handlers: `on_press(callback, Kind, …)`."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.callbacks.base import CallbackData, pattern_of
from bot.deps import BotContext
from bot.handlers.dialog import AnyHandler


def on_press(
    callback: Callable[[Update, BotContext], Coroutine[Any, Any, object]],
    *kinds: type[CallbackData],
) -> AnyHandler:
    """`callback` answers a press of a button of any of `kinds`; other data (an old or forged
    button) passes on to the next handler, in the end to "This button has expired"."""
    return CallbackQueryHandler(callback, pattern=pattern_of(*kinds))
