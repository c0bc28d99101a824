"""Text helpers every view shares: HTML escaping and Telegram's message length.

Pure and free of Telegram imports, so views used by the services (bot/views/notices.py) keep the
service layer Telegram-free. `bot.handlers.ui` re-exports them for the code that sends.
"""

from __future__ import annotations

import html

MAX_TEXT = 4096


def esc(value: object) -> str:
    """Escape anything that came from a user or a panel before it goes into HTML."""
    return html.escape(str(value), quote=False)


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
