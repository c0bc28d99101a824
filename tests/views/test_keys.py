"""/setkey, /deletekey and /balance."""

from __future__ import annotations

from decimal import Decimal

from bot.i18n import Translator
from bot.panel.models import Balance
from bot.views.keys import (
    balance_text,
    key_deleted,
    key_not_checked,
    key_question,
    key_refused,
    key_saved,
    not_a_key,
    not_text,
)


def test_question_and_what_went_wrong_above_it(en: Translator, tr: Translator) -> None:
    question = key_question(en)
    assert question.startswith("Send me your panel API key")
    assert key_question(en, "⚠️ No.") == "⚠️ No.\n\n" + question
    assert not_text(en) == ("⚠️ I need a text answer here. I deleted your message.\n\n" + question)
    assert not_text(tr).startswith("⚠️ Burada yazılı bir yanıt gerekiyor.")


def test_answers(en: Translator, tr: Translator) -> None:
    assert "does not look like an API key" in not_a_key(en)
    assert "did not accept this key" in key_refused(en)
    assert key_not_checked(en) == (
        "The panel is unreachable right now, so your key was not saved. Please try again later."
    )
    assert key_saved(en, Balance(Decimal("1234.5"), "USD")) == (
        "✅ Key saved. Your balance: $1,234.50"
    )
    assert key_saved(tr, Balance(Decimal("10"), "Kredi")) == (
        "✅ Anahtar kaydedildi. Bakiyeniz: 10,00 Kredi"
    )
    assert key_deleted(en, removed=True) == "Your API key was deleted."
    assert key_deleted(en, removed=False) == "There was no API key to delete."
    assert balance_text(tr, Balance(Decimal("5.5"), "TRY")) == "💰 Bakiye: <b>₺5,50</b>"
