"""Inline mode: `@bot 23501` in any chat offers the user's own order as a card for a client."""

from __future__ import annotations

from typing import Any

from telegram import InlineQueryResultArticle, InputTextMessageContent, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, InlineQueryHandler

from bot.deps import BotContext
from bot.views.sharing import shared_card


async def answer_inline_query(update: Update, context: BotContext) -> None:
    query = update.inline_query
    if query is None:
        return
    t = context.t
    orders = await context.deps.sharing.find(context.user.id, query.query)
    results = []
    for order in orders:
        card = shared_card(t, order)
        content = InputTextMessageContent(
            card.text,
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
        results.append(
            InlineQueryResultArticle(
                id=card.result_id,
                title=card.title,
                description=card.description,
                input_message_content=content,
            )
        )
    # Personal and never cached: Telegram must not show one user's orders to another, nor a
    # status that has changed since.
    await query.answer(results, cache_time=0, is_personal=True)


async def answer_stranger(update: Update) -> None:
    """Nothing for someone without access, answered at once so their client stops waiting."""
    if update.inline_query is not None:
        await update.inline_query.answer([], cache_time=0, is_personal=True)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [InlineQueryHandler(answer_inline_query)]
