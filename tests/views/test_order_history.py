"""/orders: the history list, the order card and the order wording /status shares."""

from __future__ import annotations

from decimal import Decimal

from bot.i18n import Translator
from bot.panel.models import OrderStatus, Status
from bot.panel.text import PanelText
from bot.services.tracking import (
    ActionResult,
    HistoryPage,
    OrderAction,
    RequestOutcome,
    RequestRefusal,
    StatusLine,
)
from bot.storage.models import OrderFilter, Refill, SubmitState
from bot.views.order_history import (
    CARD_REFILLS_SHOWN,
    ENTRY_NAME_MAX,
    action_line,
    cancel_question,
    card_text,
    entry_label,
    entry_line,
    refresh_note,
    render_history,
    status_label,
    status_line,
    stored_status_line,
)
from bot.views.text import BUTTON_MAX

from ._data import order


def test_status_label_translates_known_and_escapes_the_panels_own(
    en: Translator, tr: Translator
) -> None:
    assert status_label(en, "Pending") == "Pending"
    assert status_label(tr, "Completed") == "Tamamlandı"
    assert status_label(en, "Weird", PanelText("Weird <state>")) == "Weird &lt;state&gt;"
    assert status_label(en, None) == "unknown"


def test_status_line_with_details(en: Translator, tr: Translator) -> None:
    st = OrderStatus(
        Status.IN_PROGRESS, "In progress", Decimal("1.5"), 100, 250, currency_text="USD"
    )
    assert status_line(en, 5001, st) == (
        "🚀 #<code>5001</code> — <b>In progress</b>\n"
        "    start count 100 · remains 250 · charge $1.50"
    )
    assert status_line(en, 5001, None) == "#<code>5001</code> — not found"
    assert status_line(tr, 5001, OrderStatus(Status.PENDING, "Pending")) == (
        "⏳ #<code>5001</code> — <b>Beklemede</b>"
    )


def test_stored_status_line_uses_what_the_database_last_heard(en: Translator) -> None:
    line = stored_status_line(en, order(status="Partial", remains=40))
    assert line == "🟡 #<code>5001</code> — <b>Partial</b>\n    remains 40"
    odd = stored_status_line(en, order(status="Frozen", raw_status_text="Frozen"))
    assert odd == "❔ #<code>5001</code> — <b>Frozen</b>"


def test_action_lines(en: Translator) -> None:
    def line(kind: str, **kw: object) -> str:
        return action_line(en, ActionResult(5001, **kw), OrderAction(kind))  # type: ignore[arg-type]

    assert line("refill", outcome=RequestOutcome.REQUESTED, refill_id=77) == (
        "♻️ #<code>5001</code> — refill requested (refill #<code>77</code>)"
    )
    assert (
        line("cancel", outcome=RequestOutcome.REQUESTED)
        == "🛑 #<code>5001</code> — cancel requested"
    )
    assert line("cancel", outcome=RequestOutcome.REJECTED, error="<no>") == (
        "❌ #<code>5001</code> — rejected by the panel: &lt;no&gt;"
    )
    assert (
        line("cancel", outcome=RequestOutcome.REJECTED)
        == "❌ #<code>5001</code> — rejected by the panel"
    )
    assert "did not confirm" in line("refill", outcome=RequestOutcome.UNKNOWN)
    assert "not sent" in line("refill", outcome=RequestOutcome.NOT_SENT)
    refused = RequestOutcome.REFUSED
    assert line("refill", outcome=refused, refusal=RequestRefusal.NOT_FOUND) == (
        "#<code>5001</code> — not found"
    )
    assert "does not offer refills" in line(
        "refill", outcome=refused, refusal=RequestRefusal.NOT_SUPPORTED
    )
    assert "cannot be cancelled" in line(
        "cancel", outcome=refused, refusal=RequestRefusal.NOT_SUPPORTED
    )
    assert line("refill", outcome=refused, refusal=RequestRefusal.BAD_STATUS, status="Pending") == (
        "🚫 #<code>5001</code> — it is Pending; "
        "refills are possible once an order is Completed or Partial"
    )
    assert line(
        "cancel", outcome=refused, refusal=RequestRefusal.BAD_STATUS, status="Completed"
    ) == ("🚫 #<code>5001</code> — it is Completed and can no longer be cancelled")


def test_card(en: Translator, tr: Translator) -> None:
    card = card_text(en, order(runs=5, interval=30, start_count=10, link="https://x/<a>"))
    assert card.split("\n") == [
        "<b>Order #<code>5001</code></b>",
        "Service: Instagram Takipçi (#12)",
        "Link: https://x/&lt;a&gt;",
        "Quantity: 1,000",
        "Drip-feed: 5 runs every 30 min",
        "Status: ⏳ <b>Pending</b>",
        "Start count: 10",
        "Cost: $12.50",
        # One date style, the month in words; the zone named (the translator's: UTC by default)
        "Created: 1 May 2024, 12:00 (UTC)",
        "Updated: 1 May 2024, 12:00 (UTC)",
    ]
    noted = card_text(tr, order(charge=Decimal("11"), status="Completed"), "♻️ note")
    assert noted.startswith("♻️ note\n\n<b>Sipariş #<code>5001</code></b>")
    assert "Durum: ✅ <b>Tamamlandı</b>" in noted and "11,00" in noted
    unknown = card_text(en, order(panel_order_id=None, submit_state=SubmitState.UNKNOWN))
    assert unknown.startswith("<b>Order (not confirmed by the panel)</b>")
    assert "Check on the panel before ordering again." in unknown


def test_card_lists_refills_and_the_pending_one(en: Translator) -> None:
    def refill(refill_id: int | None, status: str) -> Refill:
        return Refill(refill_id or 0, 1, 5001, 7, refill_id, status, None, 0.0, 0.0, None, None)

    history = [refill(1, "completed"), refill(None, "rejected"), refill(2, "pending")]
    card = card_text(en, order(status="Completed"), refills=history).split("\n")
    start = card.index("Refills:")
    assert card[start + 1].startswith("  Refill #<code>1</code> — ✅ completed · requested ")
    assert card[start + 2].startswith("  Refill request — ❌ rejected · ")
    assert card[start + 3].startswith("  Refill #<code>2</code> — ⏳ pending · requested ")
    assert card[start + 4] == (
        "⏳ Refill #<code>2</code> is pending: another refill can be requested once it is done."
    )
    assert card[start + 5].startswith("Created: ")
    many = [refill(i, "completed") for i in range(1, CARD_REFILLS_SHOWN + 3)]
    card = card_text(en, order(status="Completed"), refills=many).split("\n")
    start = card.index("Refills:")
    assert card[start + 1] == "  … 2 earlier refill requests"
    assert card[start + 2].startswith("  Refill #<code>3</code> — ")
    assert not any("is pending" in line for line in card)
    assert "Refills:" not in card_text(en, order())


def test_entry_label_puts_status_id_and_quantity_first_and_fits_a_phone(
    en: Translator, tr: Translator
) -> None:
    assert entry_label(en, order()) == "⏳ #5001 · 1,000 · Instagram Tak…"
    assert entry_label(tr, order()) == "⏳ #5001 · 1.000 · Instagram Tak…"
    long = entry_label(
        en,
        order(service_name_text="n" * 50, panel_order_id=None, status=None, raw_status_text=None),
    )
    assert long == "❔ #— · 1,000 · " + "n" * 16 + "…"
    assert len(long) == BUTTON_MAX
    package = entry_label(en, order(quantity=None, service_name_text="Paket\n 1000"))
    assert package == "⏳ #5001 · Paket 1000"


def test_entry_line_has_the_whole_name_and_the_status_in_words(
    en: Translator, tr: Translator
) -> None:
    name = "Instagram Takipçi [Gerçek] <Garantili> " + "x" * 40
    assert entry_line(en, order(service_name_text=name)) == (
        "⏳ <b>#<code>5001</code></b> · Pending · 1,000 · "
        "Instagram Takipçi [Gerçek] &lt;Garantili&gt; " + "x" * 40
    )
    assert entry_line(tr, order(status="Completed")) == (
        "✅ <b>#<code>5001</code></b> · Tamamlandı · 1.000 · Instagram Takipçi"
    )
    assert len(entry_line(en, order(service_name_text="n" * 5000))) < ENTRY_NAME_MAX + 50


def test_history_page(en: Translator, tr: Translator) -> None:
    empty = render_history(en, HistoryPage([], OrderFilter.OPEN, 0, 1, 0))
    assert empty.text == "📋 <b>Your orders</b> (open)\n\nNo orders here yet."
    page = HistoryPage([order(), order(id=8, panel_order_id=5002)], OrderFilter.ALL, 0, 2, 9)
    screen = render_history(tr, page)
    assert screen.text.startswith("📋 <b>")
    assert "(tümü)" in screen.text and "9" in screen.text
    first_buttons = [row[0].text for row in screen.markup.inline_keyboard[:2]]
    assert first_buttons == [
        "⏳ #5001 · 1.000 · Instagram Tak…",
        "⏳ #5002 · 1.000 · Instagram Tak…",
    ]
    # The buttons' statuses are icons; the text has them in words, with the full names.
    assert "⏳ <b>#<code>5001</code></b> · Beklemede · 1.000 · Instagram Takipçi" in screen.text


def test_refresh_note_and_cancel_question(en: Translator) -> None:
    assert "no id for this order" in refresh_note(en, None)
    assert "does not know" in refresh_note(en, StatusLine(5001, None))
    found = StatusLine(5001, OrderStatus(Status.PENDING, "Pending"))
    assert refresh_note(en, found) == "Updated."
    assert cancel_question(en, order(link=None, service_name_text="A & B")) == (
        "Cancel order #<code>5001</code>?\nA &amp; B · —"
    )
