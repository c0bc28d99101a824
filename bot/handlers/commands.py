"""The command list shown in Telegram's menu and in /help, and the bot's profile texts."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot.i18n import N_, Translator

log = logging.getLogger(__name__)

# Telegram's limits: the short description shows on the profile and in shared links, the
# description in the empty chat before /start.
SHORT_DESCRIPTION_LIMIT = 120
DESCRIPTION_LIMIT = 512
COMMAND_DESCRIPTION_LIMIT = 256

SHORT_DESCRIPTION = N_(
    "Place and track orders on your SMM panel from Telegram: services, bulk orders, refills."
)
DESCRIPTION = N_(
    "I place and track orders on your SMM panel.\n\n"
    "• Browse and search the panel's services with their prices\n"
    "• Order one service, or many at once with /bulk\n"
    "• Follow order status, ask for refills and cancellations\n"
    "• Get a message when an order completes\n\n"
    "You need your panel's API key: tap Start, then link it with /setkey."
)


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    description: str  # message id, translated when shown
    admin: bool = False
    # In Telegram's command menu (a phone shows about ten); /help lists every command.
    in_menu: bool = False


COMMANDS: tuple[Command, ...] = (
    Command("start", N_("Main menu")),
    Command("services", N_("Browse services; /services <words> searches"), in_menu=True),
    Command("order", N_("Place an order"), in_menu=True),
    Command("bulk", N_("Place many orders at once"), in_menu=True),
    Command("status", N_("Order status: /status <id> [<id> …]"), in_menu=True),
    Command("orders", N_("Your order history"), in_menu=True),
    Command("scheduled", N_("Scheduled orders: what is waiting, with Cancel")),
    Command("refill", N_("Request a refill: /refill <id> [<id> …]")),
    Command("refillstatus", N_("Refill status: /refillstatus <id> [<id> …]")),
    Command("cancelorder", N_("Cancel orders: /cancelorder <id> [<id> …]")),
    Command("export", N_("Download your order history as CSV")),
    Command("stats", N_("Spending at a glance: a chart and totals"), in_menu=True),
    Command("prices", N_("Price changes of the services you watch, last 7 days")),
    Command("balance", N_("Your panel balance"), in_menu=True),
    Command("panels", N_("Your panels: add, rename, default, remove"), in_menu=True),
    Command("setkey", N_("Link your panel API key")),
    Command("deletekey", N_("Forget your panel API key")),
    Command(
        "settings", N_("Language, notifications, API key, time zone, quiet hours"), in_menu=True
    ),
    Command("language", N_("Choose the language")),
    Command("cancel", N_("Leave the current dialog and cancel open previews")),
    Command("done", N_("At a list question: the lines sent so far are the answer")),
    Command("help", N_("All commands"), in_menu=True),
    Command("allow", N_("Admin: allow a user: /allow <user_id>"), admin=True),
    Command("deny", N_("Admin: deny a user: /deny <user_id>"), admin=True),
    Command("users", N_("Admin: list users"), admin=True),
)


def available(registered: set[str]) -> tuple[Command, ...]:
    """Only commands some handler answers, so menus never advertise what is not there."""
    return tuple(c for c in COMMANDS if c.name in registered)


def menu(t: Translator, registered: set[str]) -> list[BotCommand]:
    """Telegram's command menu in `t`'s language: the ten most used commands (a longer menu
    scrolls on a phone); /help lists them all."""
    return [
        BotCommand(c.name, t._(c.description)[:COMMAND_DESCRIPTION_LIMIT])
        for c in available(registered)
        if c.in_menu and not c.admin
    ]


def short_description(t: Translator) -> str:
    return t._(SHORT_DESCRIPTION)[:SHORT_DESCRIPTION_LIMIT]


def description(t: Translator) -> str:
    return t._(DESCRIPTION)[:DESCRIPTION_LIMIT]


async def set_chat_menu(bot: Bot, chat_id: int, t: Translator, registered: set[str]) -> None:
    """The menu of one chat in its user's chosen language, over the one Telegram picks from
    the client's language. Best effort: a menu in the other language is only cosmetic."""
    try:
        await bot.set_my_commands(menu(t, registered), scope=BotCommandScopeChat(chat_id))
    except TelegramError as exc:
        log.warning("could not set the command menu of a chat: %s", exc)
