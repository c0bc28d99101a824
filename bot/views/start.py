"""/start, /help, /cancel, /language, /settings and the replies outside any feature."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.i18n import Translator
from bot.views.previews import cancelled_text
from bot.views.text import esc


class HelpLine(Protocol):
    """What /help shows of a command (bot.handlers.commands.Command): views sit below handlers."""

    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...  # message id, translated here
    @property
    def admin(self) -> bool: ...


def welcome(t: Translator, first_name: str, *, has_key: bool) -> str:
    text = t._(
        "Hi {name}! I place and track orders on your SMM panel.\nChoose below or send /help.",
        name=esc(first_name),
    )
    if not has_key:
        text += "\n\n" + t._("First, link your panel API key with /setkey.")
    return text


def help_text(t: Translator, commands: Sequence[HelpLine], *, is_admin: bool) -> str:
    """Every command some handler answers, one line each; admin commands for admins only."""
    lines = [t._("<b>Commands</b>")]
    lines += [
        f"/{cmd.name} — {esc(t._(cmd.description))}"
        for cmd in commands
        if is_admin or not cmd.admin
    ]
    return "\n".join(lines)


def dialog_cancelled(t: Translator, previews: int = 0) -> str:
    """/cancel (or ✖️ Cancel) left a dialog; `previews` open previews were cancelled with it."""
    text = t._("Cancelled.")
    if previews:
        text += "\n" + cancelled_text(t, previews)
    return text


def nothing_to_cancel(t: Translator) -> str:
    return t._("There is nothing to cancel.")


def settings_text(t: Translator, *, has_key: bool, hint: str | None = None) -> str:
    """`hint`: a line under the key's (the time zone the user's language suggests)."""
    key = t._("API key: linked") if has_key else t._("API key: not linked")
    return t._("<b>Settings</b>") + "\n" + key + ("\n" + hint if hint else "")


def notifications_note(t: Translator, *, on: bool) -> str:
    return t._("Notifications on.") if on else t._("Notifications off.")


def choose_language(t: Translator) -> str:
    return t._("Choose your language:")


def language_set(t: Translator) -> str:
    """Said in the language just chosen (each catalog names its own language)."""
    return t._("Language set to English.")


def not_understood(t: Translator) -> str:
    return t._("I did not understand that. Choose from the menu or send /help.")
