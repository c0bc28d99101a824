"""Sending and editing replies the same way everywhere: escaped, length-safe, idempotent."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.callbacks.base import CallbackData, callback_of
from bot.i18n import Translator
from bot.views.errors import button_expired

# The pure text helpers live with the views; re-exported for the code that sends.
from bot.views.text import MAX_TEXT as MAX_TEXT
from bot.views.text import clip as clip
from bot.views.text import esc as esc
from bot.views.text import split as split

log = logging.getLogger(__name__)


async def send(
    update: Update, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """A new message in the update's chat."""
    chat = update.effective_chat
    if chat is None:
        return None
    return await chat.send_message(clip(text), reply_markup=markup)


async def show(
    update: Update, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Edit the message a button was pressed on (navigation), or send a new message otherwise."""
    query = update.callback_query
    if query is not None and query.message is not None and isinstance(query.message, Message):
        try:
            edited = await query.edit_message_text(clip(text), reply_markup=markup)
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return query.message
            if "not found" in str(exc).lower() or "can't be edited" in str(exc).lower():
                return await send(update, text, markup)
            raise
        return edited if isinstance(edited, Message) else query.message
    return await send(update, text, markup)


async def answer(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Stop the button's spinner; never fails the handler."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer(text, show_alert=alert)
    except (BadRequest, Forbidden) as exc:
        # An old query id (older than ~15 min) cannot be answered; the edit still matters.
        log.debug("callback answer failed: %s", exc)
    except (NetworkError, RetryAfter) as exc:
        # Telegram in trouble (5xx, reset): the spinner stops by itself, and the handler's
        # real work (an order, a cancel) must not be cut short by it.
        log.warning("callback answer failed: %s: %s", type(exc).__name__, exc.message)


Pressed = TypeVar("Pressed", bound=CallbackData)


async def pressed_or_expired(update: Update, t: Translator, kind: type[Pressed]) -> Pressed | None:
    """The pressed `kind` button's data; None, once the press is answered "This button has
    expired", for data that does not fit (an old or forged button)."""
    pressed = callback_of(update, kind)
    if pressed is None:
        await answer(update, button_expired(t))
    return pressed


Found = TypeVar("Found")


async def pressed_and_found(
    update: Update,
    t: Translator,
    kind: type[Pressed],
    look_up: Callable[[Pressed], Awaitable[Found | None]],
) -> tuple[Pressed, Found] | None:
    """The pressed `kind` button's data and what `look_up` finds for it (an order, a panel
    account…); None, once the press is answered "This button has expired", for data that does
    not fit or a thing that is gone. The spinner of a found one is left to the caller."""
    pressed = callback_of(update, kind)
    found = None if pressed is None else await look_up(pressed)
    if pressed is None or found is None:
        await answer(update, button_expired(t))
        return None
    return pressed, found
