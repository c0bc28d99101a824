"""How `add_orders` results become row outcomes: exactly one per row, never placed by guess."""

from __future__ import annotations

from decimal import Decimal

from bot.panel.models import Balance, BulkItemResult
from bot.services.bulk_lines import BulkPreview
from bot.services.bulk_orders import NO_ANSWER, BulkDraft, classify, new_batch
from bot.storage.models import Order, SubmitState


def row(order_id: int) -> Order:
    return Order(
        id=order_id,
        user_id=1,
        token=f"b:{order_id}",
        batch="b",
        line_no=order_id,
        panel_order_id=None,
        service_id=1,
        service_name_text="x",
        service_type="Default",
        link="https://x.com/a",
        quantity=100,
        runs=None,
        interval=None,
        extra={},
        cost=Decimal("1.25"),
        charge=None,
        currency_text="USD",
        status=None,
        raw_status_text=None,
        remains=None,
        start_count=None,
        submit_state=SubmitState.SUBMITTING,
        error_text=None,
        created_at=0.0,
        submitted_at=0.0,
        updated_at=0.0,
        polled_at=None,
        started_notified=False,
    )


def test_each_kind_of_result_maps_to_one_outcome() -> None:
    rows = [row(i) for i in (11, 12, 13, 14, 15)]
    results = [
        BulkItemResult(0, order_id=900),
        BulkItemResult(1, error="Order 2: Quantity must be at least 100"),
        BulkItemResult(2, error="connection lost", unknown=True),
        BulkItemResult(3, error="not sent: the panel was unreachable", not_sent=True),
        # index 4 missing: the client said nothing about it
    ]
    placed, failed, unknown = classify(rows, results)
    assert placed == [(11, 900)]
    assert failed == [
        (12, "Order 2: Quantity must be at least 100"),
        (14, "not sent: the panel was unreachable"),
    ]
    assert unknown == [(13, "connection lost"), (15, NO_ANSWER)]


def test_results_are_matched_by_index_not_position() -> None:
    rows = [row(1), row(2)]
    placed, failed, unknown = classify(
        rows, [BulkItemResult(1, order_id=7), BulkItemResult(0, order_id=6)]
    )
    assert placed == [(1, 6), (2, 7)] and failed == [] and unknown == []


def test_not_sent_without_text_still_says_not_sent() -> None:
    _, failed, _ = classify([row(1)], [BulkItemResult(0, not_sent=True)])
    assert failed == [(1, "not sent")]
    _, failed, _ = classify([row(1)], [BulkItemResult(0, error="boom", not_sent=True)])
    assert failed == [(1, "not sent: boom")]


def test_balance_after_and_short() -> None:
    preview = BulkPreview([], [], [], Decimal("21.01"))
    draft = BulkDraft(preview, "tok", Balance(Decimal("15"), "USD"))
    assert draft.balance_after == Decimal("-6.01") and draft.short and draft.currency == "USD"
    unknown = BulkDraft(preview, "tok", None)
    assert unknown.balance_after is None and not unknown.short and unknown.currency is None


def test_batch_tokens_fit_callback_data() -> None:
    tokens = {new_batch() for _ in range(200)}
    assert len(tokens) == 200
    assert all(":" not in t and len(f"bk:{t}") <= 64 for t in tokens)
