"""Reasons in the user's words: ours translated (whatever API action or detail they carry), the
panel's verbatim and marked as the panel's. The inputs are the exact wordings bot/panel and
bot/services write (see bot/panel/client.py, bot/panel/parsing.py, bot/services/bulk_orders.py).
"""

from __future__ import annotations

import pytest

from bot.i18n import Translator
from bot.services.bulk_orders import NO_ANSWER, NOT_COVERED
from bot.views.reasons import reason_text

OURS = [
    ("add: the panel did not answer in time; the panel may have performed it",
     "the panel did not answer in time; it may have been done anyway"),
    ("add: the panel did not answer within 30s; the panel may have performed it",
     "the panel did not answer in time; it may have been done anyway"),
    ("refill: could not connect to the panel", "could not reach the panel"),
    ("add_bulk: connection failed (ReadError); the panel may have performed it",
     "could not reach the panel; it may have been done anyway"),
    ("cancel: HTTP 502 from the panel", "the panel answered with HTTP error 502"),
    ("add: the panel sent an answer too large", "the panel's answer was too large"),
    ("add: invalid API URL", "the panel's address (PANEL_API_URL) is not valid"),
    ("add: unreadable answer (add: answer has no order id); it may have been performed",
     "the panel's answer could not be read; it may have been done anyway"),
    ("add: unreadable answer (panel answered with non-JSON (text, 12 bytes)); "
     "it may have been performed",
     "the panel's answer could not be read; it may have been done anyway"),
    ("no readable answer for this order; it may have been placed",
     "the panel's answer could not be read; it may have been done anyway"),
    (NO_ANSWER, "the panel said nothing about this order; it may have been done anyway"),
    ("panel gave no answer for this order", "the panel said nothing about this order"),
    ("refused by the panel", "refused by the panel"),
    ("internal error: KeyError", "an internal error in the bot"),
    ("unspecified error", "no reason given"),
    ("unreadable error", "the panel's answer could not be read"),
    ("not sent: the outcome of an earlier chunk is unknown",
     "not sent: an earlier part of the list got no clear answer"),
    ("not sent: the panel was unreachable",
     "not sent: an earlier part of the list could not be sent"),
    ("not sent: an earlier chunk failed",
     "not sent: an earlier part of the list could not be sent"),
    (NOT_COVERED, "not sent: not covered by your balance"),
    ("not sent: an earlier chunk was refused (Not enough funds)",
     "not sent: an earlier part of the list was refused (Panel's answer: Not enough funds)"),
    ("not sent: Invalid API key", "not sent: Panel's answer: Invalid API key"),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "shown"), OURS)
def test_our_reasons_are_translated(en: Translator, tr: Translator, raw: str, shown: str) -> None:
    assert reason_text(en, raw).plain == shown
    turkish = reason_text(tr, raw).plain
    assert turkish != shown or shown == ""
    for word in ("panel did", "may have", "not sent", "could not", "answer"):
        assert word not in turkish, turkish


def test_the_panels_words_stay_verbatim_and_marked(en: Translator, tr: Translator) -> None:
    raw = "Order 2: Quantity must be at least 100"
    assert reason_text(en, raw).plain == f"Panel's answer: {raw}"
    assert reason_text(tr, raw).plain == f"Panelin yanıtı: {raw}"
    # Where the sentence already says the panel refused, its words come alone.
    assert reason_text(tr, raw, attributed=True).plain == raw
    assert reason_text(tr, "rejected", attributed=True).plain == "neden belirtilmedi"
    assert not reason_text(en, None) and not reason_text(en, "  ")
