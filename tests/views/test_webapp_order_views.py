"""The Mini App shows the chat's texts as plain text: our tags go, a panel's words stay words."""

from __future__ import annotations

from decimal import Decimal

from bot.i18n import Catalogs
from bot.webapp.order_views import money, plain


def test_plain_drops_our_tags_and_keeps_a_panels_markup_as_text() -> None:
    # A panel's "<b>NEW</b>" reaches a chat text escaped; the page must show it as it was sent.
    shown = plain("<b>Service:</b> #7 &lt;b&gt;NEW&lt;/b&gt; Likes &amp; more")
    assert shown == "Service: #7 <b>NEW</b> Likes & more"


def test_money_is_exact_text_and_the_users_words() -> None:
    t = Catalogs.load().translator("tr")
    assert money(t, Decimal("1234.5"), "TRY") == {
        "amount": "1234.5",
        "text": t.money(Decimal("1234.5"), "TRY"),
    }
    assert money(t, None, "TRY") is None
