"""/setkey (a dialog), /deletekey and /balance."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.error import TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.callbacks.keys import DeleteKeyYes
from bot.deps import BotContext
from bot.handlers import ui
from bot.handlers.dialog import AnyHandler, DialogPart, SetKeyDialog, begin, end, instance_id
from bot.handlers.errors import reply_panel_error
from bot.handlers.menu import command_and_button, menu_pattern
from bot.handlers.previews import close_after_key_change
from bot.handlers.routing import on_press
from bot.keyboards import dialog as dialog_keyboards
from bot.keyboards import keys as keys_keyboards
from bot.keyboards import layout
from bot.keyboards import menu as menu_keyboards
from bot.panel.errors import InvalidApiKey, PanelError
from bot.services.accounts import NoKey
from bot.services.panels import totals
from bot.views.keys import (
    balance_text,
    delete_key_question,
    key_deleted,
    key_not_checked,
    key_question,
    key_refused,
    key_saved,
    not_a_key,
    not_text,
)
from bot.views.panels import balances_text

log = logging.getLogger(__name__)

WAIT_API_KEY = "setkey.key"


def _cancel(context: BotContext) -> InlineKeyboardMarkup:
    return dialog_keyboards.cancel_dialog(context.t, instance_id(context, SetKeyDialog))


def _command_length(message: Message) -> int:
    """Length of a leading /command (with any @botname), 0 when the text does not start with one."""
    for entity in message.entities:
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            return entity.length
    return 0


def carries_key(message: Message | None) -> bool:
    """`/setkey <anything>`: a key typed on one line with the command."""
    if message is None or not message.text:
        return False
    length = _command_length(message)
    command = message.text[:length].split("@")[0].lower()  # commands match in any case
    return command == "/setkey" and bool(message.text[length:].strip())


async def delete_key_message(message: Message) -> None:
    """Delete a message that may carry a key; a failure is logged, never raised."""
    try:
        await message.delete()
    except TelegramError as exc:
        log.warning("could not delete the message carrying a panel key: %s", exc)


def key_text(message: Message) -> str | None:
    """What may be the key: the text (after `/setkey` on one line), or a caption."""
    if message.text is not None:
        return message.text[_command_length(message) :]
    return message.caption


async def ask_key(update: Update, context: BotContext) -> str | int:
    if update.callback_query is None and carries_key(update.effective_message):
        # `/setkey <KEY>` on one line: the same path as a key sent after the prompt.
        return await receive_key(update, context)
    await ui.answer(update)
    begin(context, SetKeyDialog)
    panel = await default_panel_of_several(context)
    await ui.show(update, key_question(context.t, panel=panel), _cancel(context))
    return WAIT_API_KEY


async def default_panel_of_several(context: BotContext) -> str | None:
    """The default panel's name when the user has several (a key command acts on it), else
    None: with one panel there is nothing to tell apart."""
    accounts = await context.deps.accounts.accounts(context.user.id)
    if len(accounts) < 2:
        return None
    return next((a.label for a in accounts if a.is_default), None)


async def receive_key(update: Update, context: BotContext) -> str | int:
    message = update.effective_message
    if message is None:
        return WAIT_API_KEY
    # Delete first, whatever the validation says: the key must not stay in the chat. Anything
    # sent while the key is awaited may carry it: a caption, or a screenshot of the API page.
    await delete_key_message(message)
    t = context.t
    text = key_text(message)
    api_key = (text or "").strip()
    if text is None or not api_key or len(api_key) > 256 or any(c.isspace() for c in api_key):
        # A file, sticker or screenshot without a caption is deleted too: the question stays.
        await ui.send(update, not_text(t) if text is None else not_a_key(t), _cancel(context))
        return WAIT_API_KEY
    try:
        balance = await context.deps.accounts.link(context.user.id, api_key)
    except InvalidApiKey:
        await ui.send(update, key_refused(t), _cancel(context))
        return WAIT_API_KEY
    except PanelError:
        await ui.send(update, key_not_checked(t))
        return end(context)
    # DraftService priced with the old key (or none) must not be confirmed with this one.
    await close_after_key_change(context)
    panel = await default_panel_of_several(context)
    await ui.send(update, key_saved(t, balance, panel), menu_keyboards.main_menu(t))
    return end(context)


async def ask_delete_key(update: Update, context: BotContext) -> None:
    """🗑 Delete API key in Settings: asks first, it sits next to "Change API key"."""
    await ui.answer(update)
    t = context.t
    if not await context.deps.accounts.has_key(context.user.id):
        await ui.show(update, key_deleted(t, removed=False), menu_keyboards.main_menu(t))
        return
    panel = await default_panel_of_several(context)
    await ui.show(update, delete_key_question(t, panel), keys_keyboards.confirm_delete_key(t))


async def delete_key_command(update: Update, context: BotContext) -> None:
    """/deletekey: typed, so deliberate, and done at once with one panel; with several it asks
    first, naming the panel whose key would go."""
    if await default_panel_of_several(context) is not None:
        await ask_delete_key(update, context)
        return
    await delete_key(update, context)


async def delete_key(update: Update, context: BotContext) -> None:
    """/deletekey with one panel, and the question's "Yes, delete"."""
    await ui.answer(update)
    removed = await context.deps.accounts.unlink(context.user.id)
    if removed:
        await close_after_key_change(context)
    t = context.t
    await ui.show(update, key_deleted(t, removed=removed), menu_keyboards.main_menu(t))


async def balance(update: Update, context: BotContext) -> None:
    await ui.answer(update)
    t = context.t
    if len(await context.deps.accounts.accounts(context.user.id)) > 1:
        # Every panel, one line each, asked at once; then a total per currency.
        lines = await context.deps.panels.overview(context.user.id)
        text = balances_text(t, lines, totals(lines))
        await ui.show(update, text, layout.markup([menu_keyboards.back_to_menu(t)]))
        return
    try:
        bal = await context.deps.accounts.balance(context.user.id)
    except (NoKey, PanelError) as exc:
        await reply_panel_error(update, context, exc, edit=True)
        return
    await ui.show(update, balance_text(t, bal), layout.markup([menu_keyboards.back_to_menu(t)]))


def dialog_part() -> DialogPart:
    return DialogPart(
        entry_points=[
            *command_and_button("setkey", ask_key),
        ],
        # Every message but a command: a key may come as a caption or in a screenshot too.
        states={WAIT_API_KEY: [MessageHandler(~filters.COMMAND, receive_key)]},
    )


def handlers() -> list[AnyHandler]:
    return [
        CommandHandler("deletekey", delete_key_command),
        CallbackQueryHandler(ask_delete_key, pattern=menu_pattern("deletekey")),
        on_press(delete_key, DeleteKeyYes),
        *command_and_button("balance", balance),
    ]
