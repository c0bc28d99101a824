"""Admin commands: /allow, /deny, /users, and the Approve / Reject buttons of access requests."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot import keyboards
from bot.callbacks import Action, decode
from bot.deps import BotContext
from bot.handlers import ui
from bot.i18n import Translator
from bot.storage.models import AccessState, User

log = logging.getLogger(__name__)

USERS_PAGE_SIZE = 20


def _is_admin(context: BotContext) -> bool:
    return context.deps.access.is_admin(context.user.id)


async def _parse_target(update: Update, context: BotContext) -> int | None:
    args = context.args or []
    if len(args) != 1 or not args[0].isdigit():
        await ui.send(update, context.t._("Usage: /{command} USER_ID", command=_command(update)))
        return None
    return int(args[0])


def _command(update: Update) -> str:
    text = update.effective_message.text if update.effective_message else ""
    return (text or "/").split()[0].lstrip("/").split("@")[0]


async def allow(update: Update, context: BotContext) -> None:
    if not _is_admin(context):
        await ui.send(update, context.t._("This command is for admins."))
        return
    target = await _parse_target(update, context)
    if target is None:
        return
    await context.deps.access.allow(target)
    await ui.send(update, context.t._("User {id} may use the bot now.", id=target))
    await _tell_outcome(context, target, allowed=True)


async def deny(update: Update, context: BotContext) -> None:
    if not _is_admin(context):
        await ui.send(update, context.t._("This command is for admins."))
        return
    target = await _parse_target(update, context)
    if target is None:
        return
    if context.deps.access.is_admin(target):
        await ui.send(update, context.t._("Admins cannot be denied."))
        return
    user = await context.deps.access.decide(target, allow=False)
    if user is None:
        await ui.send(update, context.t._("I do not know user {id}.", id=target))
        return
    await ui.send(update, context.t._("User {id} is denied now.", id=target))


async def decide(update: Update, context: BotContext) -> None:
    query = update.callback_query
    decoded = decode(query.data if query else None)
    if decoded is None or not _is_admin(context):
        await ui.answer(update, context.t._("This button has expired."))
        return
    target, approve = decoded.num(0), decoded.num(1) == 1
    user = await context.deps.access.decide(target, allow=approve)
    t = context.t
    if user is None:
        await ui.answer(update, t._("I do not know user {id}.", id=target))
        return
    await ui.answer(update)
    who = ui.esc(user.first_name or str(user.id))
    text = (
        t._("✅ {name} (id {id}) was approved.", name=who, id=target)
        if approve
        else t._("❌ {name} (id {id}) was rejected.", name=who, id=target)
    )
    await ui.show(update, text)
    await _tell_outcome(context, target, allowed=approve)


async def _tell_outcome(context: BotContext, user_id: int, *, allowed: bool) -> None:
    deps = context.deps
    user = await deps.storage.users.get(user_id)
    lang = user.language if user and user.language else deps.settings.default_language
    t = deps.catalogs.translator(lang)
    text = (
        t._("Good news: an admin gave you access. Send /start to begin.")
        if allowed
        else t._("Sorry, an admin declined your access request.")
    )
    try:
        await context.bot.send_message(user_id, text)
    except TelegramError as exc:
        # The user may never have opened a chat with the bot (allowed ahead of time).
        log.info("could not tell user %s about the access decision: %s", user_id, exc)


async def users(update: Update, context: BotContext) -> None:
    if not _is_admin(context):
        await ui.send(update, context.t._("This command is for admins."))
        return
    page = 0
    query = update.callback_query
    if query is not None:
        decoded = decode(query.data)
        page = decoded.num(0) if decoded is not None else 0
        await ui.answer(update)
    await _render_users(update, context, page)


async def _render_users(update: Update, context: BotContext, page: int) -> None:
    t = context.t
    repo = context.deps.storage.users
    total = await repo.count()
    pages = max(1, -(-total // USERS_PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    rows = await repo.list(page * USERS_PAGE_SIZE, USERS_PAGE_SIZE)
    lines = [t._("<b>Users</b> ({count})", count=total)]
    lines += [_user_line(t, context, u) for u in rows]
    nav = keyboards.pager(t, page, pages, Action.USERS_PAGE)
    await ui.show(update, "\n".join(lines), keyboards.markup([nav]) if nav else None)


def _user_line(t: Translator, context: BotContext, user: User) -> str:
    if context.deps.access.is_admin(user.id):
        state = t._("admin")
    else:
        state = {
            AccessState.ALLOWED: t._("allowed"),
            AccessState.REQUESTED: t._("requested"),
            AccessState.DENIED: t._("denied"),
        }.get(user.access, t._("no access"))
    name = ui.esc(user.first_name or "")
    handle = f" @{ui.esc(user.username)}" if user.username else ""
    blocked = " " + t._("(blocked the bot)") if user.blocked_bot else ""
    return f"<code>{user.id}</code> {name}{handle} — {state}{blocked}"
