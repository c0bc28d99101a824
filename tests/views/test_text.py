"""The text helpers every view shares."""

from __future__ import annotations

import subprocess
import sys

from bot.views.text import MAX_TEXT, clip, esc, split, with_notice


def test_esc_escapes_html_but_not_quotes() -> None:
    assert esc("<b>&\"'") == "&lt;b&gt;&amp;\"'"
    assert esc(12) == "12"


def test_clip_cuts_at_a_line_break_near_the_limit() -> None:
    text = "a" * 50 + "\n" + "b" * 50
    assert clip(text, 80) == "a" * 50 + "\n…"
    assert clip("short", 80) == "short"
    # No line break in the second half: a hard cut.
    assert clip("c" * 100, 40) == "c" * 38 + "\n…"


def test_split_keeps_every_line_and_each_chunk_under_the_limit() -> None:
    lines = [f"line {i}" for i in range(2000)]
    chunks = split("\n".join(lines))
    assert len(chunks) > 1
    assert all(len(c) <= MAX_TEXT for c in chunks)
    assert "\n".join(chunks).split("\n") == lines
    assert split("") == [""]


def test_with_notice_puts_the_notice_above() -> None:
    assert with_notice(None, "Question?") == "Question?"
    assert with_notice("⚠️ Wrong.", "Question?") == "⚠️ Wrong.\n\nQuestion?"


def test_text_helpers_and_notices_do_not_import_telegram() -> None:
    """The notifier (a service) renders through bot.views.notifications: no Telegram below it."""
    code = (
        "import sys; import bot.views.text, bot.views.notifications; "
        "assert not any(m == 'telegram' or m.startswith('telegram.') for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
