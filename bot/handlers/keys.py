"""/setkey (a dialog), /deletekey and /balance."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import keyboards
from bot.deps import BotContext
from bot.handlers import ui
from bot.handlers.dialog import AnyHandler, DialogPart
from bot.handlers.errors import no_key_text, panel_error_text
from bot.handlers.menu import menu_pattern
from bot.handlers.previews import close_after_key_change
from bot.panel import InvalidApiKey, PanelError
from bot.services.keys import NoKey

log = logging.getLogger(__name__)

WAIT_KEY = "setkey.key"


async def ask_key(update: Update, context: BotContext) -> str:
    await ui.answer(update)
    await ui.show(
        update,
        context.t._(
            "Send me your panel API key (you find it on the panel's API page).\n"
            "I delete your message right away and store the key encrypted."
        ),
        keyboards.cancel_dialog(context.t),
    )
    return WAIT_KEY


async def receive_key(update: Update, context: BotContext) -> str | int:
    message = update.effective_message
    if message is None or not message.text:
        return WAIT_KEY
    api_key = message.text.strip()
    # Delete first, whatever the validation says: the key must not stay in the chat.
    try:
        await message.delete()
    except TelegramError as exc:
        log.warning("could not delete the message carrying a panel key: %s", exc)
    t = context.t
    if not api_key or len(api_key) > 256 or any(c.isspace() for c in api_key):
        await ui.send(
            update,
            t._("That does not look like an API key. Send the key only, or /cancel."),
            keyboards.cancel_dialog(t),
        )
        return WAIT_KEY
    try:
        balance = await context.deps.keys.link(context.user.id, api_key)
    except InvalidApiKey:
        await ui.send(
            update,
            t._("The panel did not accept this key. Check it and send it again, or /cancel."),
            keyboards.cancel_dialog(t),
        )
        return WAIT_KEY
    except PanelError:
        await ui.send(
            update,
            t._(
                "The panel is unreachable right now, so your key was not saved. "
                "Please try again later."
            ),
        )
        return ConversationHandler.END
    # Previews priced with the old key (or none) must not be confirmed with this one.
    await close_after_key_change(context)
    await ui.send(
        update,
        t._(
            "✅ Key saved. Your balance: {balance}",
            balance=t.money(balance.amount, balance.currency),
        ),
        keyboards.main_menu(t),
    )
    return ConversationHandler.END


async def delete_key(update: Update, context: BotContext) -> None:
    await ui.answer(update)
    removed = await context.deps.keys.unlink(context.user.id)
    if removed:
        await close_after_key_change(context)
    t = context.t
    await ui.show(
        update,
        t._("Your API key was deleted.") if removed else t._("There was no API key to delete."),
        keyboards.main_menu(t),
    )


async def balance(update: Update, context: BotContext) -> None:
    await ui.answer(update)
    t = context.t
    try:
        bal = await context.deps.keys.balance(context.user.id)
    except NoKey:
        await ui.show(update, no_key_text(t))
        return
    except PanelError as exc:
        await ui.show(update, panel_error_text(t, exc))
        return
    await ui.show(
        update,
        t._("💰 Balance: <b>{balance}</b>", balance=t.money(bal.amount, bal.currency)),
        keyboards.markup([keyboards.back_to_menu(t)]),
    )


def dialog_part() -> DialogPart:
    return DialogPart(
        entry_points=[
            CommandHandler("setkey", ask_key),
            CallbackQueryHandler(ask_key, pattern=menu_pattern("setkey")),
        ],
        states={WAIT_KEY: [MessageHandler(filters.TEXT & ~filters.COMMAND, receive_key)]},
    )


def handlers() -> list[AnyHandler]:
    return [
        CommandHandler("deletekey", delete_key),
        CallbackQueryHandler(delete_key, pattern=menu_pattern("deletekey")),
        CommandHandler("balance", balance),
        CallbackQueryHandler(balance, pattern=menu_pattern("balance")),
    ]
