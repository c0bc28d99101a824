"""Text helpers every view shares: HTML escaping and Telegram's message length.

Pure and free of Telegram imports, so views used by the services (bot/views/notifications.py)
keep the service layer Telegram-free. `bot.handlers.ui` re-exports them for the code that sends.
"""

from __future__ import annotations

import re

from bot.panel.text import Html, escaped

MAX_TEXT = 4096
# Inline buttons a phone shows whole: about 30–35 characters fit a row, so a label longer than
# this loses its end (often the price or the status).
BUTTON_MAX = 32
ELLIPSIS = "…"

_SPACES = re.compile(r"\s+")


def esc(value: object) -> Html:
    """Escape anything that came from a user or a panel before it goes into HTML."""
    return escaped(value)


def code(value: object) -> Html:
    """An id the user may copy with one tap (Telegram copies a <code> span when tapped)."""
    return Html(f"<code>{esc(value)}</code>")


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """Keep a message under Telegram's limit, cutting at a line break when one is near."""
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit - 2)
    if cut < limit // 2:
        cut = limit - 2
    return text[:cut] + "\n…"


def split(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split a long text into messages at line breaks."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            if current:
                chunks.append(current)
            current = clip(line, limit)
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks or [""]


def with_notice(notice: str | None, text: str) -> str:
    """`notice` (what happened to the last answer) above `text`, a blank line between."""
    return text if notice is None else notice + "\n\n" + text


def cut(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, ending in "…" when it had to be cut."""
    if len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    return text[: limit - 1].rstrip() + ELLIPSIS


def fit_label(head: str, name: str, tail: str = "", limit: int = BUTTON_MAX) -> str:
    """A button label `head + name + tail` of at most `limit` characters.

    `head` and `tail` are the essential parts (a price, an id, a status icon) and stay whole;
    the name gets what room is left, cut with "…" (and goes entirely when none is left).
    Line breaks and runs of spaces in the name fold to one space: a label is one line.
    """
    name = _SPACES.sub(" ", name).strip()
    room = limit - len(head) - len(tail)
    if room >= 2 and name:
        return cut(head + cut(name, room) + tail, limit)
    return cut(_SPACES.sub(" ", head + tail).strip(), limit)
