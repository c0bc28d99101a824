"""The error handler: log the failure, tell the user in one line (wording: bot/views/errors.py)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError, RetryAfter, TelegramError

from bot.deps import BotContext
from bot.handlers import ui
from bot.views.errors import something_wrong

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    # Log first: whatever happens while telling the user, the cause is on record (redacted).
    if isinstance(context.error, Forbidden | NetworkError | RetryAfter):
        # Expected trouble on Telegram's side (down, overloaded, blocked by the user), after the
        # rate limiter's own repeats: one line says it all, a traceback would add nothing.
        log.warning(
            "Telegram: %s while handling an update: %s",
            type(context.error).__name__,
            context.error.message,
        )
    else:
        log.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if isinstance(context.error, Forbidden | NetworkError | RetryAfter):
        # Blocked, or Telegram unreachable: another message would fail the same way, and after a
        # lost connection the real reply may well have arrived.
        return
    try:
        t = context.t
    except RuntimeError:
        return
    try:
        # No callback answer here: the handler may have answered already, and a second answer
        # is refused by Telegram; the message below is what the user needs.
        await ui.send(update, something_wrong(t))
    except TelegramError as exc:
        log.warning("could not tell the user about an error: %s", exc)
