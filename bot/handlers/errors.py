"""The error handler, and the one way panel failures become replies.

`reply_panel_error` words a missing key or a failing panel (`panel_error_text`) and shows it;
`@panel_errors` does that for a handler whose whole body is panel work. Handlers never catch
`NoKey`/`PanelError` to word them on their own.
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
from bot.i18n import Translator
from bot.panel import (
    AnswerTooLarge,
    InsufficientBalance,
    InvalidApiKey,
    OutcomeUnknown,
    PanelError,
    PanelRejected,
    PanelUnavailable,
)
from bot.services.keys import NoKey

log = logging.getLogger(__name__)

Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


def no_key_text(t: Translator) -> str:
    return t._("You have not linked a panel API key yet. Send /setkey to add one.")


def panel_error_text(t: Translator, exc: Exception) -> str:
    """One clear sentence for each way a panel call can fail; never internals."""
    if isinstance(exc, NoKey):
        return no_key_text(t)
    if isinstance(exc, InvalidApiKey):
        return t._("The panel does not accept your API key any more. Send /setkey to replace it.")
    if isinstance(exc, InsufficientBalance):
        if exc.required is not None and exc.available is not None:
            return t._(
                "Insufficient balance: this needs {required}, you have {available}.",
                required=t.decimal(exc.required),
                available=t.decimal(exc.available),
            )
        return t._("Insufficient balance on the panel.")
    if isinstance(exc, PanelRejected):
        return t._("The panel refused: {reason}", reason=ui.esc(exc.message))
    if isinstance(exc, OutcomeUnknown):
        return t._(
            "The panel did not confirm in time, so I cannot tell whether it went through. "
            "Please check on the panel before trying again."
        )
    if isinstance(exc, AnswerTooLarge):
        return t._(
            "The panel sent an answer too large to read, so I did not use it. "
            "Please try again later."
        )
    if isinstance(exc, PanelUnavailable | PanelError):
        return t._("The panel is not answering right now. Please try again in a minute.")
    return t._("Something went wrong. Please try again.")


async def reply_panel_error(
    update: Update, context: BotContext, exc: NoKey | PanelError, *, edit: bool = False
) -> None:
    """Tell the user why the panel work did not happen: in place of the message a button was
    pressed on (`edit`, for navigation) or as a new message. A pressed button must be answered
    by the caller, before or after: Telegram refuses a second answer."""
    say = ui.show if edit else ui.send
    await say(update, panel_error_text(context.t, exc))


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
        await ui.send(update, t._("Something went wrong. Please try again."))
    except TelegramError as exc:
        log.warning("could not tell the user about an error: %s", exc)
