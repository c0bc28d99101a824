"""The error handler, and the one way panel failures become replies (wording: bot/views/errors.py).

`reply_panel_error` shows why a missing key or a failing panel stopped the work;
`@panel_errors` does that for a handler whose whole body is panel work. Handlers never catch
`NoKey`/`PanelError` to word or show them their own way.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.error import Forbidden, NetworkError, RetryAfter, TelegramError

from bot.deps import BotContext
from bot.handlers import ui
from bot.panel.errors import InsufficientBalance, PanelError
from bot.services.accounts import NoKey
from bot.views.errors import database_busy, panel_error_text, something_wrong

log = logging.getLogger(__name__)

Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


async def reply_panel_error(
    update: Update, context: BotContext, exc: NoKey | PanelError, *, edit: bool = False
) -> None:
    """Tell the user why the panel work did not happen: in place of the message a button was
    pressed on (`edit`, for navigation) or as a new message. A pressed button must be answered
    by the caller, before or after: Telegram refuses a second answer."""
    say = ui.show if edit else ui.send
    currency = await account_currency(context) if isinstance(exc, InsufficientBalance) else None
    await say(update, panel_error_text(context.t, exc, currency))


async def account_currency(context: BotContext) -> str | None:
    """The account currency for quoting amounts (cached per user); None when unknown."""
    try:
        return await context.deps.currencies.currency(context.user.id)
    except NoKey:
        return None


def panel_errors(handler: Handler) -> Handler:
    """A `NoKey` or `PanelError` escaping `handler` stops the button's spinner and becomes a
    new message saying why, instead of reaching the error handler."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: BotContext) -> None:
        try:
            await handler(update, context)
        except (NoKey, PanelError) as exc:
            await ui.answer(update)
            await reply_panel_error(update, context, exc)

    return wrapper


def _database_refused(context: BotContext, error: BaseException) -> bool:
    """The handler stopped because the database did not take a write (busy, full disk)."""
    try:
        db = context.deps.storage.db
    except RuntimeError:
        return False
    return db.refuses(error)


async def on_error(update: object, context: BotContext) -> None:
    if context.error is not None:
        await report_error(update, context, context.error)


async def report_error(update: object, context: BotContext, error: BaseException) -> None:
    """Log `error` and tell the user in one plain line (nothing for Telegram's own trouble)."""
    refused = _database_refused(context, error)
    # Log first: whatever happens while telling the user, the cause is on record (redacted).
    if refused:
        # Expected while a backup or another process holds the database: no traceback.
        log.warning("the database did not take a write: %s", error)
    elif isinstance(error, Forbidden | NetworkError | RetryAfter):
        # Expected trouble on Telegram's side (down, overloaded, blocked by the user), after the
        # rate limiter's own repeats: one line says it all, a traceback would add nothing.
        log.warning(
            "Telegram: %s while handling an update: %s", type(error).__name__, error.message
        )
    else:
        log.error("error while handling an update", exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if isinstance(error, Forbidden | NetworkError | RetryAfter):
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
        await ui.send(update, database_busy(t) if refused else something_wrong(t))
    except TelegramError as exc:
        log.warning("could not tell the user about an error: %s", exc)
