"""Sending and editing replies the same way everywhere: escaped, length-safe, idempotent."""

from __future__ import annotations

import html
import logging

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

log = logging.getLogger(__name__)

MAX_TEXT = 4096


def esc(value: object) -> str:
    """Escape anything that came from a user or a panel before it goes into HTML."""
    return html.escape(str(value), quote=False)


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """Keep a message under Telegram's limit, cutting at a line break when one is near."""
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit - 2)
    if cut < limit // 2:
        cut = limit - 2
    return text[:cut] + "\n…"


def split(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split a long text into messages at line breaks."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            if current:
                chunks.append(current)
            current = clip(line, limit)
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks or [""]


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
