"""The command list shown in Telegram's menu and in /help, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import N_


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    description: str  # message id, translated when shown
    admin: bool = False


COMMANDS: tuple[Command, ...] = (
    Command("start", N_("Main menu")),
    Command("services", N_("Browse services; /services <words> searches")),
    Command("order", N_("Place an order")),
    Command("bulk", N_("Place many orders at once")),
    Command("status", N_("Order status: /status <id> [<id> …]")),
    Command("orders", N_("Your order history")),
    Command("refill", N_("Request a refill: /refill <id> [<id> …]")),
    Command("refillstatus", N_("Refill status: /refillstatus <id> [<id> …]")),
    Command("cancelorder", N_("Cancel orders: /cancelorder <id> [<id> …]")),
    Command("export", N_("Download your order history as CSV")),
    Command("balance", N_("Your panel balance")),
    Command("setkey", N_("Link your panel API key")),
    Command("deletekey", N_("Forget your panel API key")),
    Command("settings", N_("Language, notifications, API key")),
    Command("language", N_("Choose the language")),
    Command("cancel", N_("Leave the current dialog and cancel open previews")),
    Command("help", N_("All commands")),
    Command("allow", N_("Admin: allow a user: /allow <user_id>"), admin=True),
    Command("deny", N_("Admin: deny a user: /deny <user_id>"), admin=True),
    Command("users", N_("Admin: list users"), admin=True),
)


def available(registered: set[str]) -> tuple[Command, ...]:
    """Only commands some handler answers, so menus never advertise what is not there."""
    return tuple(c for c in COMMANDS if c.name in registered)
