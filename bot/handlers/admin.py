"""Admin commands: /allow, /deny, /users, and the Approve / Reject buttons of access requests.

Only admins reach these handlers: `handlers(admin_ids)` puts `filters.User(admin_ids)` on the
commands and the same ids on the buttons; anyone else gets `not_for_you` or, for an Approve or
Reject button, the answer every unknown button gets.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Coroutine, Sequence
from re import Pattern
from typing import Any

from telegram import Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.callbacks.admin import DecideAccess, UsersPage
from bot.callbacks.base import callback_of
from bot.deps import BotContext
from bot.handlers import ui
from bot.handlers.dialog import AnyHandler
from bot.handlers.routing import on_press
from bot.keyboards import admin as admin_keyboards
from bot.keyboards import layout
from bot.storage.models import AccessState, RequestCopy
from bot.views.admin import (
    admin_name,
    admins_not_denied,
    admins_only,
    allowed_text,
    decided_text,
    denied_text,
    outcome_text,
    refusal,
    unknown_user,
    usage,
    users_text,
)

log = logging.getLogger(__name__)

USERS_PAGE_SIZE = 20
ADMIN_COMMANDS = ("allow", "deny", "users")


# Telegram user ids have at most 52 significant bits; anything longer is a typo, and past 63
# bits SQLite cannot even store it.
MAX_USER_ID = 2**53


async def _parse_target(update: Update, context: BotContext) -> int | None:
    args = context.args or []
    # isdigit() alone accepts "²" and other Unicode digits that int() refuses or reads oddly.
    text = args[0] if len(args) == 1 else ""
    target = int(text) if text.isascii() and text.isdigit() else 0
    if not 0 < target < MAX_USER_ID:
        await ui.send(update, usage(context.t, _command(update)))
        return None
    return target


def _command(update: Update) -> str:
    text = update.effective_message.text if update.effective_message else ""
    return (text or "/").split()[0].lstrip("/").split("@")[0]


async def allow(update: Update, context: BotContext) -> None:
    target = await _parse_target(update, context)
    if target is None:
        return
    before = await context.deps.access.allow(target, by=context.user.id)
    await ui.send(update, allowed_text(context.t, target))
    if before is AccessState.REQUESTED:
        await update_copies(context, target)
    if before is not AccessState.ALLOWED:  # the user hears each outcome once
        await _tell_outcome(context, target, allowed=True)


async def deny(update: Update, context: BotContext) -> None:
    target = await _parse_target(update, context)
    if target is None:
        return
    if context.deps.access.is_admin(target):
        await ui.send(update, admins_not_denied(context.t))
        return
    before = await context.deps.access.deny(target, by=context.user.id)
    if before is None:
        await ui.send(update, unknown_user(context.t, target))
        return
    await ui.send(update, denied_text(context.t, target))
    if before is AccessState.REQUESTED:
        # The user was promised an answer to the request; a revoked member is not told.
        await update_copies(context, target)
        await _tell_outcome(context, target, allowed=False)


async def decide(update: Update, context: BotContext) -> None:
    query = update.callback_query
    data = await ui.pressed_or_expired(update, context.t, DecideAccess)
    if data is None:
        return
    target, approve = data.user_id, data.approve
    decision = await context.deps.access.decide(target, allow=approve, by=context.user.id)
    t = context.t
    if decision is None:
        await ui.answer(update, unknown_user(t, target))
        return
    pressed = query.message if query is not None else None
    extra = [RequestCopy(context.user.id, pressed.message_id)] if pressed is not None else []
    if not decision.decided:
        # Someone decided first: say who, and show this admin the outcome instead of buttons.
        admin = await _admin_name(context, decision.user.access_decided_by)
        await ui.answer(update, refusal(t, decision.user, admin), alert=True)
        await update_copies(context, target, extra=extra)
        return
    await ui.answer(update)
    await update_copies(context, target, extra=extra)
    await _tell_outcome(context, target, allowed=approve)


async def _admin_name(context: BotContext, admin_id: int | None) -> str | None:
    """How admins see each other: @username, else first name, else the id (None: unknown)."""
    if admin_id is None:
        return None
    return admin_name(await context.deps.users.get(admin_id), admin_id)


async def update_copies(
    context: BotContext, user_id: int, *, extra: Sequence[RequestCopy] = ()
) -> None:
    """Every admin's copy of a decided request (and `extra`) shows the outcome, no buttons.

    Each copy is handed out once, so concurrent callers never edit the same message twice.
    """
    deps = context.deps
    user = await deps.users.get(user_id)
    if user is None or user.access is AccessState.REQUESTED:
        return
    copies = await deps.access.settle_copies(user_id, extra)
    if not copies:
        return
    admin = await _admin_name(context, user.access_decided_by)
    for copy in copies:
        reader = await deps.users.get(copy.admin_id)
        t = deps.catalogs.translator(
            reader.language if reader and reader.language else deps.settings.default_language
        )
        try:
            await context.bot.edit_message_text(
                decided_text(t, user, admin), chat_id=copy.admin_id, message_id=copy.message_id
            )
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                # Deleted by the admin, or too old to edit: the decision itself stands.
                log.info("could not update admin %s's copy of a request: %s", copy.admin_id, exc)
        except TelegramError as exc:
            log.info("could not update admin %s's copy of a request: %s", copy.admin_id, exc)


async def _tell_outcome(context: BotContext, user_id: int, *, allowed: bool) -> None:
    deps = context.deps
    user = await deps.users.get(user_id)
    lang = user.language if user and user.language else deps.settings.default_language
    t = deps.catalogs.translator(lang)
    try:
        await context.bot.send_message(
            user_id,
            outcome_text(t, allowed=allowed),
            reply_markup=admin_keyboards.start_button(t) if allowed else None,
        )
    except TelegramError as exc:
        # The user may never have opened a chat with the bot (allowed ahead of time).
        log.info("could not tell user %s about the access decision: %s", user_id, exc)


async def users(update: Update, context: BotContext) -> None:
    page = 0
    if update.callback_query is not None:
        pressed = callback_of(update, UsersPage)
        page = pressed.page if pressed is not None else 0
        await ui.answer(update)
    await _render_users(update, context, page)


async def _render_users(update: Update, context: BotContext, page: int) -> None:
    t = context.t
    listing = await context.deps.users.page(page, USERS_PAGE_SIZE)
    text = users_text(t, listing.total, listing.users, context.deps.access.admin_ids)
    nav = layout.pager(t, listing.page, listing.pages, UsersPage)
    await ui.show(update, text, layout.markup([nav]) if nav else None)


async def not_for_you(update: Update, context: BotContext) -> None:
    """An admin command (or a Users page button) from someone who is not an admin."""
    await ui.answer(update)
    await ui.send(update, admins_only(context.t))


class AdminButton(CallbackQueryHandler[BotContext, None]):
    """A button only the given users may press.

    Not `filters.User`: that reads the sender of the update's message, and the message under
    a button is the bot's own; the presser is `effective_user`.
    """

    __slots__ = ("admins",)

    def __init__(
        self,
        callback: Callable[[Update, BotContext], Coroutine[Any, Any, None]],
        *,
        pattern: str | Pattern[str] | type | Callable[[object], bool],
        admins: filters.User,
    ) -> None:
        super().__init__(callback, pattern=pattern)
        self.admins = admins

    def check_update(self, update: object) -> bool | object | None:
        if not isinstance(update, Update) or update.effective_user is None:
            return None
        if update.effective_user.id not in self.admins.user_ids:
            return None
        return super().check_update(update)


def handlers(admin_ids: Collection[int]) -> list[AnyHandler]:
    admins = filters.User(user_id=admin_ids)
    by_admin = filters.UpdateType.MESSAGES & admins
    return [
        CommandHandler("allow", allow, filters=by_admin),
        CommandHandler("deny", deny, filters=by_admin),
        CommandHandler("users", users, filters=by_admin),
        AdminButton(users, pattern=UsersPage.pattern(), admins=admins),
        AdminButton(decide, pattern=DecideAccess.pattern(), admins=admins),
        # Everyone else: a plain answer instead of the "I did not understand" fallback.
        CommandHandler(list(ADMIN_COMMANDS), not_for_you),
        on_press(not_for_you, UsersPage),
    ]
