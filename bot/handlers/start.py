"""/start, /help, /cancel, /language, /settings and the main menu."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ConversationHandler

from bot.callbacks.base import callback_of
from bot.callbacks.start import SetLanguage
from bot.deps import BotContext
from bot.handlers import ui
from bot.handlers.commands import available, set_chat_menu
from bot.handlers.dialog import end
from bot.handlers.previews import cancel_previews
from bot.keyboards import menu as menu_keyboards
from bot.keyboards import start as start_keyboards
from bot.keyboards.webapp import with_open_catalog
from bot.views.errors import button_expired
from bot.views.previews import cancelled_text
from bot.views.start import (
    choose_language,
    dialog_cancelled,
    help_text,
    language_set,
    not_understood,
    nothing_to_cancel,
    notifications_note,
    settings_text,
    welcome,
)
from bot.views.zones import quiet_label, zone_hint
from bot.zones import effective_zone, suggested_zone


async def start(update: Update, context: BotContext) -> None:
    await ui.answer(update)  # "« Menu" is a button too: stop its spinner
    t = context.t
    name = update.effective_user.first_name if update.effective_user else ""
    has_key = await context.deps.accounts.has_key(context.user.id)
    menu = with_open_catalog(t, menu_keyboards.main_menu(t), context.deps.settings.webapp_url)
    await ui.show(update, welcome(t, name, has_key=has_key), menu)


async def help_command(update: Update, context: BotContext) -> None:
    registered: set[str] = context.bot_data.get("commands", set())
    is_admin = context.deps.access.is_admin(context.user.id)
    await ui.send(update, help_text(context.t, available(registered), is_admin=is_admin))


async def cancel_dialog(update: Update, context: BotContext) -> int:
    """Fallback of every dialog: leaves it, always; /cancel also cancels open previews."""
    await ui.answer(update)
    end(context)
    cancelled = await cancel_previews(context) if update.callback_query is None else 0
    await ui.show(
        update, dialog_cancelled(context.t, cancelled), menu_keyboards.main_menu(context.t)
    )
    return ConversationHandler.END


async def cancel_idle(update: Update, context: BotContext) -> None:
    """/cancel outside a dialog: cancels the open previews (their Confirm stops working)."""
    await ui.answer(update)
    cancelled = await cancel_previews(context) if update.callback_query is None else 0
    if cancelled:
        await ui.send(
            update, cancelled_text(context.t, cancelled), menu_keyboards.main_menu(context.t)
        )
        return
    await ui.send(update, nothing_to_cancel(context.t))


async def language_menu(update: Update, context: BotContext) -> None:
    await ui.answer(update)
    await ui.show(
        update, choose_language(context.t), start_keyboards.languages(context.t, context.t.language)
    )


async def set_language(update: Update, context: BotContext) -> None:
    pressed = callback_of(update, SetLanguage)
    deps = context.deps
    if pressed is None or pressed.code not in deps.catalogs.languages:
        await ui.answer(update, button_expired(context.t))
        return
    lang = pressed.code
    await deps.users.set_language(context.user.id, lang)
    # A user who never picked a zone follows the language's (Türkçe: Istanbul's time).
    zone = effective_zone(context.user.time_zone, deps.settings.timezone, lang)
    context.t = deps.catalogs.translator(lang).with_zone(zone)
    await ui.answer(update)
    if update.effective_chat is not None:
        # Before the confirmation, so the menu has changed by the time the user reads it.
        registered: set[str] = context.bot_data.get("commands", set())
        await set_chat_menu(context.bot, update.effective_chat.id, context.t, registered)
    await ui.show(update, language_set(context.t), menu_keyboards.main_menu(context.t))


async def settings_menu(update: Update, context: BotContext) -> None:
    await ui.answer(update)
    await _render_settings(update, context)


async def _render_settings(update: Update, context: BotContext) -> None:
    await render_settings(update, context)


async def render_settings(
    update: Update, context: BotContext, note: str | None = None, *, new: bool = False
) -> None:
    """The Settings screen (`note` on top); `new`: as a new message (after a typed answer)."""
    t = context.t
    user = context.user
    has_key = await context.deps.accounts.has_key(user.id)
    markup = start_keyboards.settings_menu(
        t,
        has_key=has_key,
        notifications=user.notifications,
        zone=t.zone,
        quiet=quiet_label(user.quiet_from, user.quiet_to),
        price_alerts=t.decimal(await context.deps.prices.threshold(user.id)),
    )
    tg_user = update.effective_user
    suggested = suggested_zone(tg_user.language_code if tg_user else None)
    hint = (
        zone_hint(t, suggested)
        if user.time_zone is None and suggested is not None and suggested != t.zone
        else None
    )
    text = settings_text(t, has_key=has_key, hint=hint)
    if note:
        text = f"{note}\n\n{text}"
    await (ui.send if new else ui.show)(update, text, markup)


async def toggle_notifications(update: Update, context: BotContext) -> None:
    context.user = await context.deps.users.toggle_notifications(context.user)
    await ui.answer(update, notifications_note(context.t, on=context.user.notifications))
    await _render_settings(update, context)


async def unknown_callback(update: Update, context: BotContext) -> None:
    """Any button no handler took: an old keyboard or forged data."""
    await ui.answer(update, button_expired(context.t), alert=False)


async def unknown_text(update: Update, context: BotContext) -> None:
    await ui.send(update, not_understood(context.t), menu_keyboards.main_menu(context.t))
