"""What the gate says to groups and to users without access."""

from __future__ import annotations

from bot.i18n import Translator


def private_only(t: Translator) -> str:
    return t._("I only work in private chats. Please message me directly.")


def no_access(t: Translator) -> str:
    """An alert for a button pressed by someone without access."""
    return t._("You do not have access to this bot.")


def stranger_greeting(t: Translator) -> str:
    """Once, with the Request access button."""
    return t._("Hello! This bot is private. An admin has to let you in before you can use it.")


def request_waiting(t: Translator) -> str:
    return t._("Your access request is waiting for an admin.")


def request_sent(t: Translator) -> str:
    return t._("Thanks! Your request was sent to the admins. I will tell you the outcome.")
