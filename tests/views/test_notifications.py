"""The outbox notifications: the text of each kind and the order card it links to."""

from __future__ import annotations

from decimal import Decimal

from bot.i18n import Translator
from bot.services.notifications.compose import Notification
from bot.storage.models import Refill
from bot.views.notifications import (
    key_notice,
    order_started,
    order_status,
    order_unknown,
    refill_status,
)

from ._data import NOON, order


def refill(**kw: object) -> Refill:
    values: dict[str, object] = {
        "id": 3,
        "user_id": 1,
        "panel_order_id": 5001,
        "order_id": 7,
        "refill_id": 88,
        "status": "pending",
        "raw_status_text": "Pending",
        "created_at": NOON,
        "updated_at": NOON,
        "polled_at": None,
        "last_notified_status": None,
    }
    values.update(kw)
    return Refill(**values)  # type: ignore[arg-type]


def test_key_notices_have_no_card(en: Translator, tr: Translator) -> None:
    rejected = key_notice(en, unreadable=False)
    assert rejected == Notification(
        "🔑 The panel no longer accepts your API key, so I stopped checking your orders. "
        "Send /setkey to link a new key."
    )
    assert "encryption key was changed" in key_notice(en, unreadable=True).text
    assert key_notice(tr, unreadable=False).text.startswith("🔑 Panel API anahtarınızı")


def test_final_statuses_with_the_order_and_its_charge(en: Translator, tr: Translator) -> None:
    done = order_status(en, order(charge=Decimal("11"), link="https://x/<a>"), "Completed")
    assert done == Notification(
        "✅ Order <b>#<code>5001</code></b> is completed.\n<b>Instagram Takipçi</b>\nhttps://x/&lt;a&gt;\n"
        "Charge: $11.00",
        7,
    )
    assert order_status(tr, order(), "Completed").text.startswith(
        "✅ Sipariş <b>#<code>5001</code></b> tamamlandı."
    )
    partial = order_status(en, order(remains=250), "Partial").text
    assert partial.startswith(
        "⚠️ Order <b>#<code>5001</code></b> was completed partially: 250 not delivered."
    )
    assert order_status(en, order(), "Partial").text.startswith(
        "⚠️ Order <b>#<code>5001</code></b> was completed partially.\n"
    )
    assert "was canceled" in order_status(en, order(), "Canceled").text
    assert "was refunded" in order_status(en, order(), "Refunded").text
    odd = order_status(en, order(panel_order_id=None), "<Odd>").text
    assert odd.startswith("Order <b>#L7</b>: &lt;Odd&gt;\n")


def test_started(en: Translator) -> None:
    assert order_started(en, order(start_count=1200, link=None)) == Notification(
        "▶️ Order <b>#<code>5001</code></b> has started.\nStart count: 1,200\n"
        "<b>Instagram Takipçi</b>",
        7,
    )


def test_unknown_one_or_a_bulk(en: Translator) -> None:
    one = order_unknown(en, order(service_name_text="A <b>"))
    assert one == Notification(
        "⚠️ Order for <b>A &lt;b&gt;</b> https://instagram.com/ayse may or may not have been "
        "placed — check the panel before ordering again.",
        7,
    )
    many = order_unknown(en, order(), 12)
    assert many.text.startswith("⚠️ 12 orders of a bulk order (the first: <b>Instagram")
    assert order_unknown(en, order(), "12") == order_unknown(en, order())


def test_refills(en: Translator, tr: Translator) -> None:
    done = refill_status(en, refill(), "completed")
    assert done == Notification(
        "♻️ Refill #<code>88</code> of order <b>#<code>5001</code></b> is completed.", 7
    )
    assert refill_status(tr, refill(), "completed").text == (
        "♻️ Sipariş <b>#<code>5001</code></b> için telafi #<code>88</code> tamamlandı."
    )
    rejected = refill_status(en, refill(refill_id=None, status="rejected"))
    assert rejected.text == "♻️ The panel rejected refill #3 of order <b>#<code>5001</code></b>."
    other = refill_status(en, refill(raw_status_text="In <queue>", order_id=None), "pending")
    assert other == Notification(
        "♻️ Refill #<code>88</code> of order <b>#<code>5001</code></b>: In &lt;queue&gt;", None
    )
