"""Wording every feature shares: panel failures, a missing key, old buttons, wrong input."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.i18n import Translator
from bot.panel import errors as panel_errors
from bot.services.accounts import NoKey
from bot.services.validation import InputError
from bot.views.reasons import reason_text
from bot.views.text import esc

# Parameters that name something (a service id, a line number) rather than count it: not grouped.
_IDENTIFIERS = frozenset({"id", "line"})


def input_error_message(t: Translator, err: InputError, *, escape: bool = False) -> str:
    """A validator's message in the user's language, its counts and limits formatted for the
    locale; `escape` quotes the user's own text in it for HTML."""
    params: dict[str, Any] = {}
    for key, value in err.params.items():
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            params[key] = value if key in _IDENTIFIERS else t.number(value)
        else:
            params[key] = esc(value) if escape and isinstance(value, str) else value
    count = err.params.get("n")
    if err.plural is not None and isinstance(count, int):
        return t.ngettext(err.msgid, err.plural, count, **params)
    return t._(err.msgid, **params)


def no_key_text(t: Translator) -> str:
    return t._("You have not linked a panel API key yet. Send /setkey to add one.")


def panel_error_text(t: Translator, exc: Exception, currency: str | None = None) -> str:
    """One clear sentence for each way a panel call can fail; never internals. `currency` is
    the account's, for the amounts a balance refusal quotes."""
    if isinstance(exc, NoKey):
        return no_key_text(t)
    if isinstance(exc, panel_errors.InvalidApiKey):
        return t._("The panel does not accept your API key any more. Send /setkey to replace it.")
    if isinstance(exc, panel_errors.InsufficientBalance):
        if exc.required is not None and exc.available is not None:
            return t._(
                "Insufficient balance: this needs {required}, you have {available}.",
                required=t.money(exc.required, currency),
                available=t.money(exc.available, currency),
            )
        return t._("Insufficient balance on the panel.")
    if isinstance(exc, panel_errors.PanelRejected):
        # The panel's words as they came; our stand-ins for a missing one are translated.
        reason = reason_text(t, exc.message, attributed=True)
        return t._("The panel refused: {reason}", reason=esc(reason))
    if isinstance(exc, panel_errors.OutcomeUnknown):
        return t._(
            "The panel did not confirm in time, so I cannot tell whether it went through. "
            "Please check on the panel before trying again."
        )
    if isinstance(exc, panel_errors.AnswerTooLarge):
        return t._(
            "The panel sent an answer too large to read, so I did not use it. "
            "Please try again later."
        )
    if isinstance(exc, panel_errors.UnreadableBalance):
        return t._("The panel sent a balance I cannot read: {value}", value=esc(exc.shown))
    if isinstance(exc, panel_errors.PanelUnavailable | panel_errors.PanelError):
        return t._("The panel is not answering right now. Please try again in a minute.")
    return something_wrong(t)


def something_wrong(t: Translator) -> str:
    return t._("Something went wrong. Please try again.")


def database_busy(t: Translator) -> str:
    """A write the database did not take in time (held by another process, a full disk)."""
    return "⏳ " + t._(
        "The bot cannot save anything right now, so this was not done. "
        "Please try again in a minute."
    )


def button_expired(t: Translator) -> str:
    """An old keyboard, someone else's order, or forged data: no more than that is said."""
    return t._("This button has expired.")


def text_needed(t: Translator) -> str:
    """A file, photo or sticker where a question wants typed text."""
    return "⚠️ " + t._("I need a text answer here.")


def download_failed(t: Translator) -> str:
    return t._("I could not download that file. Please send it again, or paste the lines.")
