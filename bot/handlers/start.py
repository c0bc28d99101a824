"""/start, /help, /cancel, /language, /settings and the main menu."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ConversationHandler

from bot import keyboards
from bot.callbacks import SetLanguage, callback_of
from bot.deps import BotContext
from bot.handlers import ui
from bot.handlers.commands import available, set_chat_menu
from bot.handlers.dialog import end
from bot.handlers.previews import cancel_previews


async def start(update: Update, context: BotContext) -> None:
    t = context.t
    name = ui.esc(update.effective_user.first_name if update.effective_user else "")
    text = t._(
        "Hi {name}! I place and track orders on your SMM panel.\nChoose below or send /help.",
        name=name,
    )
    if not await context.deps.keys.has_key(context.user.id):
        text += "\n\n" + t._("First, link your panel API key with /setkey.")
    await ui.show(update, text, keyboards.main_menu(t))


async def help_command(update: Update, context: BotContext) -> None:
    t = context.t
    registered: set[str] = context.bot_data.get("commands", set())
    lines = [t._("<b>Commands</b>")]
    is_admin = context.deps.access.is_admin(context.user.id)
    for cmd in available(registered):
        if cmd.admin and not is_admin:
            continue
        lines.append(f"/{cmd.name} — {ui.esc(t._(cmd.description))}")
    await ui.send(update, "\n".join(lines))


async def cancel_dialog(update: Update, context: BotContext) -> int:
    """Fallback of every dialog: leaves it, always; /cancel also cancels open previews."""
    await ui.answer(update)
    end(context)
    text = context.t._("Cancelled.")
    if update.callback_query is None:
        cancelled = await cancel_previews(context)
        if cancelled:
            text += "\n" + _previews_cancelled(context, cancelled)
    await ui.show(update, text, keyboards.main_menu(context.t))
    return ConversationHandler.END


async def cancel_idle(update: Update, context: BotContext) -> None:
    """/cancel outside a dialog: cancels the open previews (their Confirm stops working)."""
    await ui.answer(update)
    cancelled = await cancel_previews(context) if update.callback_query is None else 0
    if cancelled:
        await ui.send(
            update, _previews_cancelled(context, cancelled), keyboards.main_menu(context.t)
        )
        return
    await ui.send(update, context.t._("There is nothing to cancel."))


def _previews_cancelled(context: BotContext, n: int) -> str:
    return context.t.ngettext(
        "Preview cancelled, nothing was ordered.",
        "{n} previews cancelled, nothing was ordered.",
        n,
    )


async def language_menu(update: Update, context: BotContext) -> None:
    await ui.answer(update)
    await ui.show(
        update, context.t._("Choose your language:"), keyboards.languages(context.t.language)
    )


async def set_language(update: Update, context: BotContext) -> None:
    pressed = callback_of(update, SetLanguage)
    deps = context.deps
    if pressed is None or pressed.code not in deps.catalogs.languages:
        await ui.answer(update, context.t._("This button has expired."))
        return
    lang = pressed.code
    await deps.storage.users.set_language(context.user.id, lang)
    context.t = deps.catalogs.translator(lang)
    await ui.answer(update)
    if update.effective_chat is not None:
        # Before the confirmation, so the menu has changed by the time the user reads it.
        registered: set[str] = context.bot_data.get("commands", set())
        await set_chat_menu(context.bot, update.effective_chat.id, context.t, registered)
    await ui.show(update, context.t._("Language set to English."), keyboards.main_menu(context.t))


async def settings_menu(update: Update, context: BotContext) -> None:
    await ui.answer(update)
    await _render_settings(update, context)


async def _render_settings(update: Update, context: BotContext) -> None:
    t = context.t
    user = context.user
    has_key = await context.deps.keys.has_key(user.id)
    text = (
        t._("<b>Settings</b>")
        + "\n"
        + (t._("API key: linked") if has_key else t._("API key: not linked"))
    )
    await ui.show(
        update,
        text,
        keyboards.settings_menu(t, has_key=has_key, notifications=user.notifications),
    )


async def toggle_notifications(update: Update, context: BotContext) -> None:
    user = context.user
    await context.deps.storage.users.set_notifications(user.id, not user.notifications)
    refreshed = await context.deps.storage.users.get(user.id)
    if refreshed is not None:
        context.user = refreshed
    t = context.t
    await ui.answer(
        update,
        t._("Notifications on.") if context.user.notifications else t._("Notifications off."),
    )
    await _render_settings(update, context)


async def unknown_callback(update: Update, context: BotContext) -> None:
    """Any button no handler took: an old keyboard or forged data."""
    await ui.answer(update, context.t._("This button has expired."), alert=False)


async def unknown_text(update: Update, context: BotContext) -> None:
    await ui.send(
        update,
        context.t._("I did not understand that. Choose from the menu or send /help."),
        keyboards.main_menu(context.t),
    )
