"""Why an order, a line or a request failed, in the user's words.

Reasons reach the views as plain text: stored on the order row (`orders.error`) or carried by a
refill or cancel result. They are of two kinds. Our own (a timeout, an unreadable answer, "not
sent", written by bot/panel and bot/services in English, for the logs too) are recognised here
by their fixed wording and translated; the technical detail (which API action, which exception)
is left to the logs. Everything else is the panel's own message: shown verbatim, since only the
panel knows what it means, and marked as the panel's ("Panel's answer: …") unless the sentence
around it already says the panel refused.

Old rows keep their stored English, so recognising the wording (rather than storing codes) also
translates the reasons of orders placed before this existed.
"""

from __future__ import annotations

import re
from typing import Final

from bot.i18n import N_, Translator
from bot.panel.text import PanelText, escaped

# "add: …", "add_bulk: …": the API action a client error names; the user knows what they did.
_ACTION: Final = re.compile(r"^(?:add|add_bulk|refill|cancel|status|refill_status|balance): ")
# The client's note that a write may have gone through.
_MAYBE_DONE: Final = re.compile(
    r";\s*(?:the panel may have performed it|it may have been performed|it may have been placed)$"
)
_NOT_SENT: Final = "not sent"

# Our fixed wordings (after the action prefix and the "may have" note are removed) → msgid.
_OURS: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (
        re.compile(r"^(?:could not connect to the panel|connection failed \(\w+\))$"),
        N_("could not reach the panel"),
    ),
    (
        re.compile(r"^the panel did not answer (?:in time|within [\d.]+s)$"),
        N_("the panel did not answer in time"),
    ),
    (re.compile(r"^the panel sent an answer too large$"), N_("the panel's answer was too large")),
    (
        re.compile(r"^(?:invalid API URL|unsupported API URL scheme)$"),
        N_("the panel's address (PANEL_API_URL) is not valid"),
    ),
    (
        re.compile(
            r"^(?:unreadable answer\b.*|panel answered with non-JSON\b.*|no readable answer"
            r" for this order|answer has no order id|unreadable entry|order id out of range"
            r"|unexpected answer shape|unreadable error)$"
        ),
        N_("the panel's answer could not be read"),
    ),
    (
        re.compile(r"^(?:no answer from the panel|panel gave no answer) for this order$"),
        N_("the panel said nothing about this order"),
    ),
    (re.compile(r"^refused by the panel$"), N_("refused by the panel")),
    (re.compile(r"^internal error: \w+$"), N_("an internal error in the bot")),
    (re.compile(r"^(?:unspecified error|rejected)$"), N_("no reason given")),
    (re.compile(r"^not covered by the balance$"), N_("not covered by your balance")),
    (
        re.compile(r"^the outcome of an earlier (?:chunk|order) is unknown$"),
        N_("an earlier part of the list got no clear answer"),
    ),
    (
        re.compile(r"^(?:the panel was unreachable|an earlier chunk failed)$"),
        N_("an earlier part of the list could not be sent"),
    ),
)
_HTTP: Final = re.compile(r"^HTTP (\d{3}) from the panel$")
_EARLIER_REFUSED: Final = re.compile(r"^an earlier chunk was refused \((.*)\)$")


def reason_text(
    t: Translator, raw: PanelText | str | None, *, attributed: bool = False
) -> PanelText:
    """`raw` in the user's words: text, not HTML (issue 19 item 6), since it may quote the
    panel. A `PanelText`: it enters a message through `esc` (or formatted, escaped), a plain
    text (a CSV cell, an inline result) reads `.plain`.

    `attributed`: the surrounding sentence already says the panel refused ("rejected by the
    panel: …"), so the panel's own message is not marked again.
    """
    plain = raw.plain if isinstance(raw, PanelText) else raw
    return PanelText(_reason_words(t, plain, attributed=attributed))


def _reason_words(t: Translator, raw: str | None, *, attributed: bool = False) -> str:
    """`reason_text` as plain text, for the reasons that quote one another."""
    text = (raw or "").strip()
    if not text:
        return ""
    if text == _NOT_SENT or text.startswith(f"{_NOT_SENT}:"):
        rest = text[len(_NOT_SENT) :].lstrip(": ")
        if not rest:
            return t._("not sent")
        return t._("not sent: {reason}", reason=_reason_words(t, rest, attributed=attributed))
    ours = our_reason(t, text)
    if ours is not None:
        return ours
    return text if attributed else panel_said(t, text)


def our_reason(t: Translator, raw: str) -> str | None:
    """One of our fixed wordings translated, None when `raw` is the panel's own text."""
    body = _ACTION.sub("", raw.strip())
    maybe_done = _MAYBE_DONE.search(body) is not None
    body = _MAYBE_DONE.sub("", body).strip()
    found = _match(t, body)
    if found is None:
        return None
    return t._("{reason}; it may have been done anyway", reason=found) if maybe_done else found


def _match(t: Translator, body: str) -> str | None:
    for pattern, msgid in _OURS:
        if pattern.match(body):
            return t._(msgid)
    if m := _HTTP.match(body):
        return t._("the panel answered with HTTP error {status}", status=escaped(m.group(1)))
    if m := _EARLIER_REFUSED.match(body):
        return t._(
            "an earlier part of the list was refused ({reason})",
            reason=_reason_words(t, m.group(1)),
        )
    return None


def panel_said(t: Translator, message: str) -> str:
    """The panel's own words, verbatim, marked as the panel's."""
    return t._("Panel's answer: {message}", message=message)
