"""The error handler, and the user-facing wording of panel failures."""

from __future__ import annotations

import logging

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
