"""Orders the panel placed but the database refused: every id, exactly."""

from __future__ import annotations

from bot.i18n import Translator
from bot.services.placements import Unsaved
from bot.views.text import MAX_TEXT
from bot.views.unsaved import IDS_PER_LINE, unsaved_texts


def test_nothing_placed_says_nothing(en: Translator) -> None:
    assert unsaved_texts(en, Unsaved((), journaled=True)) == []


def test_one_id(en: Translator, tr: Translator) -> None:
    [text] = unsaved_texts(en, Unsaved((9001,), journaled=True))
    assert text.startswith(
        "⚠️ Placed on the panel: #9001 — not saved here yet; do not order it again."
    )
    assert "kept in a journal" in text
    [turkish] = unsaved_texts(tr, Unsaved((9001,), journaled=True))
    assert "#9001" in turkish and turkish != text


def test_many_ids_ten_a_line_and_the_journal_failure_said(en: Translator) -> None:
    ids = tuple(range(100, 125))
    [text] = unsaved_texts(en, Unsaved(ids, journaled=False))
    lines = text.split("\n")
    assert lines[0].startswith("⚠️ 25 orders placed on the panel")
    assert lines[1] == ", ".join(f"#{i}" for i in ids[:IDS_PER_LINE])
    assert lines[3] == "#120, #121, #122, #123, #124"
    assert "journal could not be written" in lines[4]


def test_thousands_of_ids_split_over_messages_none_lost(en: Translator) -> None:
    ids = tuple(range(10_000_000, 10_003_000))
    texts = unsaved_texts(en, Unsaved(ids, journaled=True))
    assert len(texts) > 1 and all(len(t) <= MAX_TEXT for t in texts)
    shown = [int(w.strip("#,")) for t in texts for w in t.split() if w.startswith("#1")]
    assert shown == list(ids)
