"""Short answers to an order question's answer: the one-line reminders under a validation error,
and the running count of a list answer sent in several messages (bot/handlers/list_answers.py).

A wrong answer gets the error and one line saying what to send, not the whole question again:
the question is still on the screen just above (issue 13, item 12).

Pure functions (data and a translator in, HTML text out).
"""

from __future__ import annotations

from bot.i18n import N_, Translator
from bot.services.order_types import FieldSpec
from bot.services.validation import MAX_LIST_LINES

# What kind of answer each field takes, for its reminder; a field not listed gets `_OTHER`.
_KINDS: dict[str, str] = {
    "link": "link",
    "media": "link",
    "quantity": "number",
    "runs": "number",
    "interval": "number",
    "answer_number": "number",
    "min": "number",
    "max": "number",
    "posts": "number",
    "old_posts": "number",
    "username": "username",
    "hashtag": "hashtag",
    "expiry": "date",
}
# (required, optional) reminders per kind; None: that kind has no own line for it.
_REMINDERS: dict[str, tuple[str | None, str | None]] = {
    "link": (N_("Send a link, or ✖️ Cancel."), None),
    "number": (
        N_("Send a number, or ✖️ Cancel."),
        N_("Send a number, tap Skip, or ✖️ Cancel."),
    ),
    "username": (N_("Send a username, or ✖️ Cancel."), None),
    "hashtag": (N_("Send a hashtag, or ✖️ Cancel."), None),
    "date": (None, N_("Send a date (day/month/year), tap Skip, or ✖️ Cancel.")),
    "choice": (N_("Tap one of the buttons or type the number, or ✖️ Cancel."), None),
}
_OTHER = (N_("Send your answer, or ✖️ Cancel."), N_("Send your answer, tap Skip, or ✖️ Cancel."))


def reminder(t: Translator, spec: FieldSpec, collected: int, limits: tuple[int, int] | None) -> str:
    """One line: what the open question takes (`collected`, `limits`: of a list question)."""
    if spec.multiline:
        if collected:
            return so_far(t, collected, limits or (1, MAX_LIST_LINES))
        return t._(
            "Send the lines in one or more messages, or as a .txt or .csv file; or ✖️ Cancel."
        )
    kind = "choice" if spec.choices else _KINDS.get(spec.name, "")
    required, optional = _REMINDERS.get(kind, _OTHER)
    fallback_required, fallback_optional = _OTHER
    if spec.optional:
        return t._(optional or fallback_optional)
    return t._(required or fallback_required)


def with_reminder(notice: str, reminder_line: str) -> str:
    """A validation error and the reminder under it, as one short message."""
    return notice + "\n" + reminder_line


def so_far(t: Translator, count: int, limits: tuple[int, int]) -> str:
    """The running count of a list answer, with how many lines it takes in all."""
    fewest, most = limits
    if fewest > 1:
        return "📝 " + t.ngettext(
            "{n} line so far ({min}–{max} in all). Send more, or tap ✅ Done.",
            "{n} lines so far ({min}–{max} in all). Send more, or tap ✅ Done.",
            count,
            min=t.number(fewest),
            max=t.number(most),
        )
    return "📝 " + t.ngettext(
        "{n} line so far (up to {max}). Send more, or tap ✅ Done.",
        "{n} lines so far (up to {max}). Send more, or tap ✅ Done.",
        count,
        max=t.number(most),
    )


def too_many(t: Translator, total: int, most: int) -> str:
    """A message that would take the list past what it may hold: it was not added."""
    return "⚠️ " + t._(
        "With this message there would be {total} lines, but at most {max} can be taken. "
        "It was not added.",
        total=t.number(total),
        max=t.number(most),
    )


def lines_taken(t: Translator, count: int) -> str:
    """✅ Done took the collected lines: shown above the next question."""
    return "📝 " + t.ngettext("{n} line taken.", "{n} lines taken.", count)


def not_a_list(t: Translator) -> str:
    """/done at a question that takes a single answer."""
    return "⚠️ " + t._("/done only finishes a list; this question takes one answer.")
