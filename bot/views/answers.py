"""Short answers to an order question's answer: the one-line reminders under a validation error,
and the running count of a list answer sent in several messages (bot/handlers/list_answers.py).

A wrong answer gets the error and one line saying what to send, not the whole question again:
the question is still on the screen just above (issue 13, item 12).

Pure functions (data and a translator in, HTML text out).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import N_, Translator
from bot.services.order_types import FieldSpec
from bot.services.validation import MAX_LIST_LINES
from bot.views.text import cut, esc

# The running count shows this many of the last lines collected (📄 shows them all).
LAST_SHOWN = 3
# 📄 shows the whole list as text up to this many lines (and characters); a file beyond.
SHOWN_AS_TEXT = 30
SHOWN_AS_TEXT_CHARS = 3000
# A shown line is cut to this many characters.
LINE_SHOWN = 80

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


def numbered(lines: Sequence[str], first: int = 1) -> str:
    """Lines as "1. …", numbered from `first`, escaped and cut to fit a phone."""
    return "\n".join(
        f"{n}. {esc(cut(line, LINE_SHOWN))}" for n, line in enumerate(lines, start=first)
    )


def collected_text(
    t: Translator, lines: Sequence[str], limits: tuple[int, int], skipped: int = 0
) -> str:
    """After a message joined the list: the count, its last lines, and the lines of that
    message that were in the list already (not added again)."""
    shown = lines[-LAST_SHOWN:]
    parts = [so_far(t, len(lines), limits)]
    if skipped:
        parts.append(
            t.ngettext(
                "{n} line was in the list already and was not added again.",
                "{n} lines were in the list already and were not added again.",
                skipped,
            )
        )
    parts.append(t._("Last lines:") + "\n" + numbered(shown, len(lines) - len(shown) + 1))
    return "\n".join(parts)


def nothing_added(t: Translator) -> str:
    """Under the error of a message with a bad line: none of its lines joined the list."""
    return t._("Nothing from this message was added: send it again corrected.")


def removed_last(t: Translator, count: int) -> str:
    return "↩️ " + t.ngettext(
        "The last message ({n} line) was removed.",
        "The last message ({n} lines) was removed.",
        count,
    )


def started_over(t: Translator) -> str:
    return "🗑 " + t._("The list is empty again.")


def whole_list(t: Translator, lines: Sequence[str]) -> str:
    """📄 on a short list: every line, numbered."""
    return "📄 " + t._("The list so far:") + "\n" + numbered(lines)


def whole_list_caption(t: Translator, count: int) -> str:
    """📄 on a long list: the file's caption."""
    return "📄 " + t.ngettext("The list so far: {n} line.", "The list so far: {n} lines.", count)


def shown_as_text(lines: Sequence[str]) -> bool:
    return len(lines) <= SHOWN_AS_TEXT and sum(len(line) for line in lines) <= SHOWN_AS_TEXT_CHARS
