"""What the gate says to groups and to users without access."""

from __future__ import annotations

from bot.i18n import Translator
from bot.services.access import Verdict


def private_only(t: Translator) -> str:
    return t._("I only work in private chats. Please message me directly.")


def no_access(t: Translator) -> str:
    """An alert for a button pressed by someone without access."""
    return t._("You do not have access to this bot.")


def stranger_reply(t: Translator, verdict: Verdict) -> str:
    """A stranger learns how to get in (with the Request access button); an applicant waits; a
    declined user hears the decision again (so /start is always answered)."""
    if verdict is Verdict.STRANGER:
        return t._("Hello! This bot is private. An admin has to let you in before you can use it.")
    if verdict is Verdict.DENIED:
        return t._("Sorry, an admin declined your access request.")
    return t._("Your access request is waiting for an admin.")


def request_sent(t: Translator) -> str:
    return t._("Thanks! Your request was sent to the admins. I will tell you the outcome.")


def already_requested(t: Translator) -> str:
    """A second tap on "Request access": the first one was recorded."""
    return t._("You already asked for access. Your request is waiting for an admin.")


def already_allowed(t: Translator) -> str:
    return t._("You already have access. Send /start to begin.")
