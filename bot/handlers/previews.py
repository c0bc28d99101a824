"""Keeping preview messages honest: a closed preview loses its Confirm keyboard.

The services decide which previews close (a key change, /cancel, the open-preview cap); these
helpers only take the buttons off the messages that showed them. A message that cannot be
edited any more (deleted, too old) is left as it is: its Confirm is refused anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Message
from telegram.error import TelegramError

from bot.deps import BotContext
from bot.storage.models import DraftMessage

log = logging.getLogger(__name__)


async def strip_keyboards(context: BotContext, messages: Sequence[DraftMessage]) -> None:
    for ref in messages:
        if not ref.message_id:
            continue
        try:
            await context.bot.edit_message_reply_markup(
                chat_id=ref.chat_id, message_id=ref.message_id, reply_markup=None
            )
        except TelegramError as exc:
            log.info("could not remove a closed preview's buttons: %s", exc)


async def shown(context: BotContext, batch: str | None, message: Message | None) -> None:
    """A preview's message is on screen: remember it, and close previews over the cap."""
    if batch is None or message is None:
        return
    closed = await context.deps.drafts.shown(
        batch, context.user.id, message.chat_id, message.message_id
    )
    await strip_keyboards(context, closed)


async def close_after_key_change(context: BotContext) -> None:
    """/setkey or /deletekey: previews priced with the old key can no longer be confirmed."""
    await strip_keyboards(context, await context.deps.drafts.key_changed(context.user.id))


async def cancel_previews(context: BotContext) -> int:
    """/cancel: delete the user's open previews; how many there were."""
    cancelled = await context.deps.drafts.cancel(context.user.id)
    await strip_keyboards(context, cancelled)
    return len(cancelled)
