"""/stats: spending at a glance, as a chart and in words."""

from __future__ import annotations

import asyncio

from telegram import InputFile, Update
from telegram.constants import ChatAction

from bot.deps import BotContext
from bot.handlers import ui
from bot.handlers.dialog import AnyHandler
from bot.handlers.menu import command_and_button
from bot.views.spend_chart import spend_chart
from bot.views.stats import chart_caption, no_spending, stats_text
from bot.zones import zone_info


async def stats(update: Update, context: BotContext) -> None:
    t = context.t
    chat = update.effective_chat
    await ui.answer(update)  # 📈 Stats in the main menu
    if chat is None:
        return
    # Days are the user's days: their own zone, else TIMEZONE (the translator carries it).
    report = await context.deps.stats.report(context.user.id, zone_info(t.zone))
    if not report.spent_anything and not report.statuses:
        await ui.send(update, no_spending(t))
        return
    if report.spent_anything:
        # A sign of life while the chart is drawn: matplotlib's first import takes a moment.
        await chat.send_chat_action(ChatAction.UPLOAD_PHOTO)
        # In a thread: drawing is CPU work, and other users' updates must not wait for it.
        chart = await asyncio.to_thread(spend_chart, t, report)
        await chat.send_photo(
            InputFile(chart.png, filename="spending.png"), caption=chart_caption(t, report)
        )
    await ui.send(update, stats_text(t, report))


def handlers() -> list[AnyHandler]:
    return [
        *command_and_button("stats", stats),
    ]
