"""What a closed preview says (single and bulk orders share it)."""

from __future__ import annotations

from bot.i18n import Translator
from bot.views.previews import cancelled_text, closed_text, replaced_text


def test_expired_and_key_changed_say_nothing_was_ordered(en: Translator, tr: Translator) -> None:
    assert closed_text(en, expired=True) == "⌛ This preview has expired; nothing was ordered."
    assert closed_text(en, expired=False) == (
        "Your API key changed after this preview; nothing was ordered."
    )
    assert closed_text(tr, expired=True) == (
        "⌛ Bu önizlemenin süresi doldu; hiçbir şey sipariş edilmedi."
    )
    assert closed_text(tr, expired=False).startswith("API anahtarınız bu önizlemeden sonra")


def test_replaced(en: Translator, tr: Translator) -> None:
    assert replaced_text(en) == "This preview was replaced by a newer one; nothing was ordered."
    assert replaced_text(tr) != replaced_text(en)


def test_cancelled_counts_the_previews(en: Translator, tr: Translator) -> None:
    assert cancelled_text(en, 1) == "Preview cancelled, nothing was ordered."
    assert cancelled_text(en, 3) == "3 previews cancelled, nothing was ordered."
    assert cancelled_text(tr, 2) == "2 önizleme iptal edildi, hiçbir şey sipariş edilmedi."
