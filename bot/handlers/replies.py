"""Replies that must arrive: the result of an action that spent or moved money reaches the user,
even through a 5xx storm.

The rate limiter already repeats a failed send or edit for about ten seconds. When Telegram is
down for longer, the result of an order, a bulk order, a refill or a cancel is queued as a
notification (bot/services/notifications/replies.py) instead of being lost: the drain delivers it
once Telegram answers again. Other replies (menus,
help) are not worth that: the user simply asks again.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.error import NetworkError, RetryAfter, TelegramError

from bot.deps import BotContext
from bot.handlers import ui

log = logging.getLogger(__name__)


def _telegram_down(exc: TelegramError) -> bool:
    # Network errors include timeouts and 5xx answers; a 429 left after the limiter's waits too.
    # A timeout may hide a message that did arrive: queueing it may show it twice, which is
    # better than never.
    return isinstance(exc, NetworkError | RetryAfter)


async def deliver(
    update: Update,
    context: BotContext,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    edit: bool,
    order_id: int | None = None,
) -> bool:
    """Show a result now (edit the pressed message when `edit`, else a new message), or queue
    it in the outbox when Telegram is not taking messages. True when shown now."""
    try:
        if edit:
            try:
                await ui.show(update, text, markup)
            except TelegramError as exc:
                if _telegram_down(exc):
                    raise
                # The old message cannot carry it (deleted, too old): a new message can.
                log.warning("could not edit a result into place (%s); sending it", exc.message)
                await ui.send(update, text, markup)
        else:
            await ui.send(update, text, markup)
    except TelegramError as exc:
        if not _telegram_down(exc):
            raise
        await context.deps.replies.queue(context.user.id, text, order_id=order_id)
        log.warning(
            "Telegram did not take a result for user %s (%s: %s); queued in the outbox",
            context.user.id,
            type(exc).__name__,
            exc.message,
        )
        return False
    return True


async def announce(update: Update, text: str, *, answer: bool = True) -> None:
    """Answer the pressed button and show `text` ("⏳ Sending…") before a panel write;
    `answer=False` for a later line of progress (a button is answered once: Telegram refuses
    a second answer).

    Cosmetic: the claim in the database already stops a second tap, and the write must go on
    whatever Telegram does, so a failure here is one WARNING line.
    """
    if answer:
        await ui.answer(update)  # never raises for Telegram's trouble
    try:
        await ui.show(update, text)
    except TelegramError as exc:
        log.warning("could not show a progress line (%s: %s)", type(exc).__name__, exc.message)
