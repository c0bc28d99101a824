"""Panel failures, a missing key and old buttons, worded for the user."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.i18n import Translator
from bot.panel.errors import (
    AnswerTooLarge,
    InsufficientBalance,
    InvalidApiKey,
    OutcomeUnknown,
    PanelRejected,
    PanelUnavailable,
)
from bot.services.accounts import NoKey
from bot.views.errors import (
    button_expired,
    download_failed,
    no_key_text,
    panel_error_text,
    something_wrong,
    text_needed,
)


def test_each_panel_failure_has_its_own_sentence(en: Translator) -> None:
    texts = {
        panel_error_text(en, NoKey()),
        panel_error_text(en, InvalidApiKey("bad key")),
        panel_error_text(en, InsufficientBalance("low")),
        panel_error_text(en, PanelRejected("Incorrect service ID")),
        panel_error_text(en, OutcomeUnknown("timeout")),
        panel_error_text(en, AnswerTooLarge("big", 1024)),
        panel_error_text(en, PanelUnavailable("down")),
        panel_error_text(en, ValueError("internal detail")),
    }
    assert len(texts) == 8
    assert panel_error_text(en, NoKey()) == no_key_text(en)
    assert panel_error_text(en, ValueError("internal detail")) == something_wrong(en)
    assert not any("internal detail" in t for t in texts)


def test_the_panels_words_are_escaped(en: Translator, tr: Translator) -> None:
    exc = PanelRejected("<script>no</script>")
    assert panel_error_text(en, exc) == "The panel refused: &lt;script&gt;no&lt;/script&gt;"
    assert panel_error_text(tr, exc) == "Panel reddetti: &lt;script&gt;no&lt;/script&gt;"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Insufficient balance: this needs $12.50, you have $3.25."),
        ("tr", "Yetersiz bakiye: bunun için $12,50 gerekiyor, bakiyeniz $3,25."),
    ],
)
def test_insufficient_balance_shows_both_amounts(
    request: pytest.FixtureRequest, language: str, expected: str
) -> None:
    t: Translator = request.getfixturevalue(language)
    exc = InsufficientBalance("low", required=Decimal("12.5"), available=Decimal("3.25"))
    assert panel_error_text(t, exc, "USD") == expected


def test_short_replies_in_both_languages(en: Translator, tr: Translator) -> None:
    assert button_expired(en) == "This button has expired."
    assert button_expired(tr) == "Bu düğmenin süresi doldu."
    assert text_needed(en) == "⚠️ I need a text answer here."
    assert text_needed(tr) == "⚠️ Burada yazılı bir yanıt gerekiyor."
    assert no_key_text(tr).startswith("Henüz bir panel API anahtarı")
    assert "paste the lines" in download_failed(en)
    assert download_failed(tr) != download_failed(en)
