"""Which updates may pass a user's slow panel call (see `bot.processor` for what lanes mean).

Only updates that leave a dialog or only show something are listed; everything else (dialog
answers, Confirm, Refill, Cancel order…) keeps strict arrival order.
"""

from __future__ import annotations

from telegram import Update

from bot.callbacks.admin import UsersPage
from bot.callbacks.base import CallbackData, callback_of
from bot.callbacks.catalog import CategoriesPage, CategoryPage, SearchPage, ServiceCard
from bot.callbacks.dialog import CancelDialog
from bot.callbacks.menu import Menu
from bot.callbacks.order_history import OrderCard, OrdersPage
from bot.processor import Lane

# Change no dialog state: they may run beside the user's running panel call.
SIDE_COMMANDS = frozenset({"help", "start"})
# Leave or replace what the user was doing: a pending panel read of theirs is abandoned.
INTERRUPT_COMMANDS = frozenset({"cancel"})
# Menu entries and pure navigation (pages, cards, category lists), and the dialog's Cancel.
INTERRUPT_BUTTONS: tuple[type[CallbackData], ...] = (
    Menu,
    CancelDialog,
    UsersPage,
    CategoriesPage,
    CategoryPage,
    ServiceCard,
    SearchPage,
    OrdersPage,
    OrderCard,
)


def lane_of(update: object) -> Lane:
    if not isinstance(update, Update):
        return Lane.ORDINARY
    if update.callback_query is not None:
        pressed = callback_of(update)
        return Lane.INTERRUPT if isinstance(pressed, INTERRUPT_BUTTONS) else Lane.ORDINARY
    command = command_of(update)
    if command in SIDE_COMMANDS:
        return Lane.SIDE
    if command in INTERRUPT_COMMANDS:
        return Lane.INTERRUPT
    return Lane.ORDINARY


def command_of(update: Update) -> str | None:
    """The command a message starts with, as CommandHandler reads it ("/help@bot" → "help")."""
    message = update.message
    if message is None or not message.text or not message.entities:
        return None
    first = message.entities[0]
    if first.type != "bot_command" or first.offset != 0:
        return None
    return message.text[1 : first.length].split("@", 1)[0].lower()
