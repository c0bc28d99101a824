"""Runs before every handler: private chats only, known user, language, access control."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.callbacks.base import callback_of
from bot.callbacks.gate import RequestAccess
from bot.deps import BotContext
from bot.handlers import ui
from bot.handlers.admin import update_copies
from bot.handlers.errors import report_error
from bot.handlers.keys import carries_key, delete_key_message
from bot.handlers.lanes import command_of
from bot.handlers.sharing import answer_stranger
from bot.keyboards import gate as gate_keyboards
from bot.services.access import Verdict
from bot.views.admin import access_request
from bot.views.gate import (
    already_allowed,
    already_requested,
    no_access,
    private_only,
    request_sent,
    stranger_reply,
)
from bot.zones import effective_zone

log = logging.getLogger(__name__)


async def gate(update: object, context: BotContext) -> None:
    if not isinstance(update, Update):
        raise ApplicationHandlerStop
    tg_user = update.effective_user
    chat = update.effective_chat
    if tg_user is None or tg_user.is_bot:
        raise ApplicationHandlerStop
    if chat is not None and chat.type != ChatType.PRIVATE:
        await _delete_key(update)
        await _refuse_group(update, context)
        raise ApplicationHandlerStop

    deps = context.deps
    # First contact adopts Telegram's language once; /language changes it later.
    first = deps.catalogs.pick(None, tg_user.language_code, deps.settings.default_language)
    try:
        user = await deps.users.arrive(
            tg_user.id, username=tg_user.username, first_name=tg_user.first_name, language=first
        )
    except Exception as exc:
        # No handler may run without the user's row (a held database, a full disk): say so
        # once and stop here.
        await ui.answer(update)
        await report_error(update, context, exc)
        raise ApplicationHandlerStop from None
    context.user = user
    language = deps.catalogs.pick(
        user.language, tg_user.language_code, deps.settings.default_language
    )
    zone = effective_zone(user.time_zone, deps.settings.timezone, language)
    context.t = deps.catalogs.translator(language).with_zone(zone)

    verdict = deps.access.verdict(user)
    if verdict is Verdict.ALLOWED:
        return
    await _delete_key(update)
    await _refuse_stranger(update, context, verdict)
    raise ApplicationHandlerStop


async def _delete_key(update: Update) -> None:
    # No /setkey handler runs for a refused update, but a key typed after the command must not
    # stay in the chat either.
    if carries_key(update.effective_message):
        assert update.effective_message is not None
        await delete_key_message(update.effective_message)


async def _refuse_group(update: Update, context: BotContext) -> None:
    chat_data = context.chat_data
    if update.callback_query is not None:
        await ui.answer(update)
    if chat_data is None or chat_data.get("told_private_only"):
        return
    chat_data["told_private_only"] = True
    t = context.deps.catalogs.translator(context.deps.settings.default_language)
    try:
        await ui.send(update, private_only(t))
    except TelegramError as exc:
        log.info("could not tell a group that the bot is private-only: %s", exc)


# Commands that always get an answer from someone without access: they ask what to do.
ASKING_COMMANDS = frozenset({"start", "help"})


async def _refuse_stranger(update: Update, context: BotContext, verdict: Verdict) -> None:
    t = context.t
    if update.callback_query is not None:
        await _refuse_button(update, context, verdict)
        return
    if update.inline_query is not None:
        await answer_stranger(update)
        return
    if update.message is None:
        return
    state = context.state
    asked = command_of(update) in ASKING_COMMANDS
    if not context.deps.access.reply_due(state.replied_at, asked=asked):
        return
    state.replied_at = context.deps.access.clock()
    if verdict is Verdict.STRANGER:
        await ui.send(update, stranger_reply(t, verdict), gate_keyboards.access_request(t))
    else:
        await ui.send(update, stranger_reply(t, verdict))


async def _refuse_button(update: Update, context: BotContext, verdict: Verdict) -> None:
    t = context.t
    asks = callback_of(update, RequestAccess) is not None
    if verdict is Verdict.STRANGER and asks:
        await request_access(update, context)
    elif verdict is Verdict.PENDING:
        # A second tap on "Request access" (a double tap, a slow client) is not a refusal.
        text = already_requested(t) if asks else stranger_reply(t, verdict)
        await ui.answer(update, text, alert=not asks)
    else:
        await ui.answer(update, no_access(t), alert=True)


async def request_access(update: Update, context: BotContext) -> None:
    deps = context.deps
    t = context.t
    user = context.user
    if not await deps.access.request(user):
        # Reached with access (allowed between two taps, or open mode): nothing to ask for.
        verdict = deps.access.verdict(user)
        text = already_allowed(t) if verdict is Verdict.ALLOWED else already_requested(t)
        await ui.answer(update, text)
        return
    # Pending now: the next message gets "waiting for an admin", however recent the greeting.
    context.state.replied_at = None
    await ui.answer(update)
    await ui.show(update, request_sent(t))
    tg_user = update.effective_user
    name = tg_user.full_name if tg_user else user.first_name or ""
    for admin_id in sorted(deps.access.admin_ids):
        admin = await deps.users.get(admin_id)
        at = deps.catalogs.translator(
            admin.language if admin and admin.language else deps.settings.default_language
        )
        try:
            sent = await context.bot.send_message(
                admin_id,
                access_request(at, user.id, name, user.username),
                reply_markup=gate_keyboards.access_decision(at, user.id),
            )
        except TelegramError as exc:
            log.warning("could not deliver an access request to admin %s: %s", admin_id, exc)
            continue
        # Remembered so that a decision updates every admin's copy, not just the decider's.
        await deps.access.record_copy(user.id, admin_id, sent.message_id)
    # An admin may have decided while the later copies were still being sent.
    await update_copies(context, user.id)
