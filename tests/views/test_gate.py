"""What the gate says to groups and to users without access."""

from __future__ import annotations

from bot.i18n import Translator
from bot.services.access import Verdict
from bot.views.gate import no_access, private_only, request_sent, stranger_reply


def test_strangers_learn_how_to_get_in_applicants_wait(en: Translator, tr: Translator) -> None:
    assert stranger_reply(en, Verdict.STRANGER).startswith("Hello! This bot is private.")
    assert stranger_reply(en, Verdict.PENDING) == "Your access request is waiting for an admin."
    assert stranger_reply(tr, Verdict.STRANGER).startswith("Merhaba! Bu bot özeldir.")
    assert stranger_reply(tr, Verdict.PENDING) == (
        "Erişim isteğiniz bir yöneticinin onayını bekliyor."
    )


def test_other_replies(en: Translator, tr: Translator) -> None:
    assert private_only(tr) == "Yalnızca özel sohbetlerde çalışırım. Lütfen bana doğrudan yazın."
    assert no_access(en) == "You do not have access to this bot."
    assert request_sent(en).startswith("Thanks! Your request was sent")
