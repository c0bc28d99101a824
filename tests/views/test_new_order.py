"""/order: questions, the preview in named blocks, the result and answers to old previews."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.i18n import N_, Translator
from bot.panel.errors import OutcomeUnknown, PanelRejected
from bot.panel.models import Balance, Service
from bot.services.link_guard import OpenOnLink, Sameness
from bot.services.order_types import plan_for
from bot.services.ordering import OrderOutcome, Preview, Repriced, SubmitResult
from bot.services.validation import InputError, ServiceGone
from bot.storage.models import SubmitState
from bot.views.new_order import (
    already_text,
    dripfeed_question,
    dripfeed_refused,
    error_text,
    file_accepted,
    lines_of,
    no_such_service,
    pick_service,
    question,
    render_preview,
    render_repriced,
    render_result,
)
from tests.services._data import svc

from ._data import order

USD = Balance(Decimal("100"), "USD")


def preview(
    service: Service | None = None,
    params: dict[str, Any] | None = None,
    *,
    cost: Decimal | None = Decimal("12.50"),
    balance: Balance | None = USD,
    duplicate: OpenOnLink | None = None,
) -> Preview:
    service = service or svc(12, name="Takipçi <hızlı>")
    plan = plan_for(service)
    assert plan is not None
    values = {"link": "https://instagram.com/a", "quantity": 1000} if params is None else params
    return Preview(order(), service, plan, values, cost, balance, duplicate)


def test_the_preview_in_blocks(en: Translator) -> None:
    assert render_preview(en, preview()).split("\n") == [
        "<b>Please check your order</b>",
        "",
        "Service: #12 Takipçi &lt;hızlı&gt;",
        "Link: https://instagram.com/a",
        "Quantity: 1,000",
        "Cost: <b>$12.50</b>",
        "Balance: $100.00 → $87.50 after this order",
    ]


def test_drip_feed_shows_per_run_and_total(en: Translator, tr: Translator) -> None:
    params = {"link": "l", "quantity": 500, "runs": 4, "interval": 30}
    lines = render_preview(en, preview(params=params, cost=Decimal("25"))).split("\n")
    assert lines[4:6] == [
        "Quantity per run: 500",
        "Drip-feed: 4 runs, every 30 min — 2,000 in total",
    ]
    turkish = render_preview(tr, preview(params=params, cost=Decimal("25")))
    assert "Sefer başına miktar: 500" in turkish
    assert "Damla besleme: 4 sefer, 30 dk arayla — toplam 2.000" in turkish


def test_type_specific_answers_lists_as_line_counts(en: Translator, tr: Translator) -> None:
    service = svc(3, type="Custom Comments")
    params = {"link": "l", "comments": "nice\n\ngreat\n<wow>", "media": "https://m/<1>"}
    text = render_preview(en, preview(service, params))
    assert "Comments: 3 lines" in text and "Media link: https://m/&lt;1&gt;" in text
    assert "Yorumlar: 3 satır" in render_preview(tr, preview(service, params))
    assert lines_of("a\n \nb") == 2


def test_cost_per_post_balance_unknown_short_and_duplicates(en: Translator) -> None:
    per_post = render_preview(en, preview(svc(9, type="Subscriptions", rate="2"), {}, cost=None))
    assert "Cost: charged per new post ($2.00 per 1000)" in per_post
    assert "Balance: $100.00" in per_post.split("\n")
    unknown = render_preview(en, preview(balance=None))
    assert unknown.endswith("Balance: unknown (the panel did not answer)")
    short = render_preview(en, preview(cost=Decimal("150")))
    assert short.split("\n")[-2:] == [
        "",
        "⚠️ Your balance is short by $50.00. You can still confirm, "
        "but the panel will probably refuse the order.",
    ]
    hint = (
        "Many panels refuse or lose a second order for a link that has one open. ✅ Confirm "
        "will not place this; tap ⚠️ <b>Order anyway</b> if you mean it."
    )
    same = OpenOnLink(order(panel_order_id=4242), Sameness.SERVICE)
    open_one = render_preview(en, preview(duplicate=same))
    assert open_one.endswith(
        "\n\n⚠️ You already have an open order for this link on this service: "
        "#<code>4242</code>.\n" + hint
    )
    kind = OpenOnLink(order(panel_order_id=7, service_id=2), Sameness.KIND, svc(2, name="<L>"))
    assert "on a similar service: #<code>7</code> (#2 &lt;L&gt;)." in render_preview(
        en, preview(duplicate=kind)
    )
    unconfirmed = OpenOnLink(order(panel_order_id=None), Sameness.SERVICE)
    assert "already on its way, or its outcome is unknown" in render_preview(
        en, preview(duplicate=unconfirmed)
    )


def test_repriced(en: Translator) -> None:
    old = order(cost=Decimal("10"))
    fresh = preview(cost=Decimal("12.50"))
    text = render_repriced(en, Repriced(old, Decimal("10"), fresh))
    assert text.startswith(
        "⚠️ The panel changed this service after your preview, so nothing was ordered.\n"
        "Cost: $10.00 → <b>$12.50</b>\n\n<b>Please check your order</b>"
    )
    per_post = preview(svc(9, type="Subscriptions", rate="3"), {}, cost=None)
    rate = render_repriced(en, Repriced(order(cost=Decimal(0)), Decimal("2"), per_post))
    assert "Rate per 1000: $2.00 → <b>$3.00</b>" in rate
    gone = ServiceGone(N_("Service {id} is no longer offered by the panel."), id="<12>")
    assert render_repriced(en, Repriced(old, None, None, gone)).split("\n")[1] == (
        "⚠️ Service &lt;12&gt; is no longer offered by the panel."
    )


def test_questions(en: Translator, tr: Translator) -> None:
    service = svc(12, name="A&B", min=10, max=500)
    plan = plan_for(service)
    assert plan is not None
    quantity = plan.field("quantity")
    assert question(en, service, quantity, dripfeed=False) == (
        "🛒 Ordering <b>#12 A&amp;B</b>\n\nHow many? Send a number from 10 to 500."
    )
    assert "Drip-feed is on" in question(en, service, quantity, dripfeed=True)
    comments = plan_for(svc(3, type="Custom Comments"))
    assert comments is not None
    comments_q = question(en, svc(3), comments.field("comments"), dripfeed=False)
    # The service takes up to 10,000 lines, the bot one list of at most 1,000: never promised.
    assert "one per line (100–1,000 lines)." in comments_q
    assert comments_q.endswith(
        "\n📄 Send them in one or more messages, then tap ✅ Done; "
        "or send a .txt or .csv file, one per line."
    )
    assert dripfeed_question(en, service).endswith("Use drip-feed?")
    assert pick_service(en).startswith("Which service?")
    assert pick_service(en, no_such_service(en, 99)).startswith(
        "⚠️ There is no service with ID 99.\n\nWhich service?"
    )
    assert file_accepted(tr, 3) != file_accepted(en, 3)
    assert file_accepted(en, 1) == "📄 1 line accepted from the file."


def test_error_text_escapes_the_quoted_input(en: Translator) -> None:
    err = InputError(N_("That is not a link: {value}"), value="<script>")
    assert error_text(en, err) == "⚠️ That is not a link: &lt;script&gt;"


def test_already(en: Translator) -> None:
    assert "expired" in already_text(en, None)
    assert already_text(en, order()) == "Already submitted (order #5001)."
    assert "right now" in already_text(en, order(submit_state=SubmitState.SUBMITTING))
    assert "never confirmed" in already_text(en, order(submit_state=SubmitState.UNKNOWN))
    assert "not placed" in already_text(en, order(submit_state=SubmitState.FAILED))


def test_result(en: Translator, tr: Translator) -> None:
    placed = SubmitResult(OrderOutcome.PLACED, order(link="https://x/<a>"), 5001)
    assert render_result(en, placed, Balance(Decimal("87.5"), "USD")).split("\n") == [
        "✅ Order placed: #<code>5001</code>",
        "Service: #12 Instagram Takipçi",
        "Link: https://x/&lt;a&gt;",
        "Charge: $12.50",
        "Balance now: $87.50",
    ]
    subscription = SubmitResult(OrderOutcome.PLACED, order(service_type="Subscriptions"), 5001)
    assert "Charge: per new post" in render_result(en, subscription)
    assert render_result(tr, placed).startswith("✅ Sipariş verildi: #<code>5001</code>")
    unknown = render_result(en, SubmitResult(OrderOutcome.UNKNOWN, order()))
    assert unknown.startswith("⚠️ The panel did not answer in time")
    failed = SubmitResult(OrderOutcome.FAILED, order(), error=PanelRejected("Not enough <funds>"))
    assert render_result(en, failed) == (
        "❌ The order was not placed.\nThe panel refused: Not enough &lt;funds&gt;"
    )
    assert render_result(en, SubmitResult(OrderOutcome.FAILED, order())).endswith(
        "Something went wrong. Please try again."
    )
    assert "check on the panel" in render_result(
        en, SubmitResult(OrderOutcome.FAILED, order(), error=OutcomeUnknown("t"))
    )


def test_a_drip_feed_refusal_offers_the_order_without_it(en: Translator) -> None:
    refused = SubmitResult(
        OrderOutcome.FAILED, order(runs=4, interval=30), error=PanelRejected("Drip-feed disabled")
    )
    assert dripfeed_refused(refused)
    assert render_result(en, refused).endswith(
        "\n\nThis panel does not take drip-feed for this service. "
        "You can order it without drip-feed: everything in one delivery."
    )
    other = SubmitResult(OrderOutcome.FAILED, order(runs=4), error=PanelRejected("Link invalid"))
    no_runs = SubmitResult(OrderOutcome.FAILED, order(), error=PanelRejected("Drip-feed disabled"))
    assert not dripfeed_refused(other) and not dripfeed_refused(no_runs)
    # Any other refusal reads as it is, without the drip-feed paragraph.
    assert render_result(en, other) == (
        "❌ The order was not placed.\nThe panel refused: Link invalid"
    )
