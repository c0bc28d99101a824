"""The Mini App's order form reads the chat's plan (issue 23): same fields, same parsers."""

from __future__ import annotations

from decimal import Decimal

from bot.services.order_form import Dripfeed, FieldKind, check_answers, order_form

from ._data import svc


def test_kinds_bounds_and_picks_follow_the_plan() -> None:
    form = order_form(svc(type="Default", dripfeed=True))
    assert form is not None
    assert form.dripfeed is Dripfeed.ASKED
    kinds = {f.name: f.kind for f in form.fields}
    assert kinds == {
        "link": FieldKind.LINK,
        "quantity": FieldKind.QUANTITY,
        "runs": FieldKind.NUMBER,
        "interval": FieldKind.NUMBER,
    }
    interval = form.fields[3]
    assert interval.depends_on == "runs" and interval.picks == (15, 30, 60, 120)


def test_package_subscription_and_unknown_types() -> None:
    package = order_form(svc(type="Package", min=1, max=1))
    assert package is not None and [f.name for f in package.fields] == ["link"]
    assert package.dripfeed is Dripfeed.NONE
    subscription = order_form(svc(type="Subscriptions"))
    assert subscription is not None
    delay = next(f for f in subscription.fields if f.name == "delay")
    assert delay.kind is FieldKind.CHOICE and delay.picks
    assert order_form(svc(type="Something New")) is None


def test_check_uses_the_chat_parsers_and_prices_drip_feed() -> None:
    form = order_form(svc(dripfeed=False))
    assert form is not None and form.dripfeed is Dripfeed.NONE
    checked = check_answers(form, {"link": "instagram.com/x", "quantity": "2000"}, dripfeed=False)
    assert checked.ready and checked.cost == Decimal("25")
    assert checked.values["link"] == "https://instagram.com/x"  # normalised as in the chat
    offered = order_form(svc())
    assert offered is not None
    answers = {"link": "instagram.com/x", "quantity": "2000", "runs": "4", "interval": "30"}
    assert check_answers(offered, answers, dripfeed=True).cost == Decimal("100")
    # Runs typed while drip-feed is off count for nothing.
    assert check_answers(offered, answers, dripfeed=False).cost == Decimal("25")
    too_many = check_answers(offered, {**answers, "runs": "9"}, dripfeed=True)
    assert "runs" in too_many.errors and not too_many.ready  # 9 × 2,000 > max 10,000
