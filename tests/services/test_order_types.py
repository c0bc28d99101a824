from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bot.panel.models import Service
from bot.services.order_types import (
    LineCountError,
    OrderKind,
    OrderPlan,
    build_params,
    line_limits,
    order_cost,
    order_kind,
    order_quantity,
    plan_for,
    prompt_params,
    text_only,
    with_service,
)
from bot.services.validation import InputError

from ._data import svc


def plan(service: Service) -> OrderPlan:
    result = plan_for(service)
    assert result is not None
    return result


def answer(
    p: OrderPlan, answers: dict[str, str], skip: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """Run the dialog: ask `next_field` until done, parsing each typed answer.

    Optional questions without an answer are skipped, as the user would (e.g. no drip-feed).
    """
    skip = skip | {f.name for f in p.fields if f.optional and f.name not in answers}
    values: dict[str, Any] = {}
    while (spec := p.next_field(values, skip)) is not None:
        values[spec.name] = spec.parse(answers[spec.name], p.service, values)
    return values


# Each standard type: answers typed by the user → expected add_order kwargs and cost.
CASES: list[tuple[str, dict[str, str], dict[str, Any], Decimal | None]] = [
    (
        "Default",
        {"link": "instagram.com/x", "quantity": "1.000"},
        {"link": "https://instagram.com/x", "quantity": 1000},
        Decimal("12.5"),
    ),
    ("Package", {"link": "https://t.me/c"}, {"link": "https://t.me/c"}, Decimal("12.50")),
    (
        "Custom Comments",
        {"link": "https://instagram.com/p/1", "comments": "nice\n\n great \n:)"},
        {"link": "https://instagram.com/p/1", "comments": "nice\ngreat\n:)", "quantity": 3},
        Decimal("0.0375"),
    ),
    (
        "Custom Comments Package",
        {"link": "https://instagram.com/p/1", "comments": "a\nb"},
        {"link": "https://instagram.com/p/1", "comments": "a\nb"},
        Decimal("12.50"),
    ),
    (
        "Mentions",
        {"link": "https://instagram.com/p/1", "quantity": "100", "usernames": "@a\nb"},
        {"link": "https://instagram.com/p/1", "quantity": 100, "usernames": "a\nb"},
        Decimal("1.25"),
    ),
    (
        "Mentions with Hashtags",
        {
            "link": "https://instagram.com/p/1",
            "quantity": "100",
            "usernames": "a\nb",
            "hashtags": "#x\ny",
        },
        {
            "link": "https://instagram.com/p/1",
            "quantity": 100,
            "usernames": "a\nb",
            "hashtags": "#x\n#y",
        },
        Decimal("1.25"),
    ),
    (
        "Mentions Custom List",
        {"link": "https://instagram.com/p/1", "usernames": "@a\n@b\n@c\n@d"},
        {"link": "https://instagram.com/p/1", "usernames": "a\nb\nc\nd", "quantity": 4},
        Decimal("0.05"),
    ),
    (
        "Mentions Hashtag",
        {"link": "https://instagram.com/p/1", "quantity": "200", "hashtag": "#travel"},
        {"link": "https://instagram.com/p/1", "quantity": 200, "hashtag": "travel"},
        Decimal("2.5"),
    ),
    (
        "Mentions User Followers",
        {"link": "https://instagram.com/p/1", "quantity": "100", "username": "@star"},
        {"link": "https://instagram.com/p/1", "quantity": 100, "username": "star"},
        Decimal("1.25"),
    ),
    (
        "Mentions Media Likes",
        {"link": "https://instagram.com/p/1", "quantity": "100", "media": "instagram.com/p/2"},
        {
            "link": "https://instagram.com/p/1",
            "quantity": 100,
            "media": "https://instagram.com/p/2",
        },
        Decimal("1.25"),
    ),
    (
        "Comment Likes",
        {"link": "https://instagram.com/p/1", "quantity": "100", "username": "author"},
        {"link": "https://instagram.com/p/1", "quantity": 100, "username": "author"},
        Decimal("1.25"),
    ),
    (
        "Comment Replies",
        {
            "link": "https://instagram.com/p/1",
            "username": "@author",
            "comments": "thanks!\n\n agreed ",
        },
        {
            "link": "https://instagram.com/p/1",
            "username": "author",
            "comments": "thanks!\nagreed",
            "quantity": 2,
        },
        Decimal("0.025"),
    ),
    (
        "Poll",
        {"link": "https://t.me/c/5", "quantity": "100", "answer_number": "3"},
        {"link": "https://t.me/c/5", "quantity": 100, "answer_number": 3},
        Decimal("1.25"),
    ),
    (
        "Subscriptions",
        {
            "username": "@brand",
            "min": "100",
            "max": "150",
            "posts": "10",
            "old_posts": "2",
            "delay": "30",
            "expiry": "31/12/2099",
        },
        {
            "username": "brand",
            "min": 100,
            "max": 150,
            "posts": 10,
            "old_posts": 2,
            "delay": 30,
            "expiry": "31/12/2099",
        },
        None,
    ),
    (
        "Invites from Groups",
        {"link": "https://t.me/mygroup", "quantity": "100", "groups": "@g1\nhttps://t.me/g2"},
        {"link": "https://t.me/mygroup", "quantity": 100, "groups": "@g1\nhttps://t.me/g2"},
        Decimal("1.25"),
    ),
]


@pytest.mark.parametrize(("type_", "answers", "params", "cost"), CASES, ids=[c[0] for c in CASES])
def test_every_type_dialog_params_and_cost(
    type_: str, answers: dict[str, str], params: dict[str, Any], cost: Decimal | None
) -> None:
    service = svc(
        type=type_, rate="12.50", min=1 if "Custom" in type_ or "Replies" in type_ else 100
    )
    p = plan(service)
    assert [f.name for f in p.fields if f.name in answers] == list(answers)
    values = answer(p, answers)
    assert build_params(p, values) == params
    assert order_cost(service, values) == cost
    for spec in p.fields:
        assert spec.prompt_msgid.format(**prompt_params(service))


def test_all_kinds_have_a_case() -> None:
    assert {order_kind(c[0]) for c in CASES} == set(OrderKind)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("default", OrderKind.DEFAULT),
        ("DEFAULT", OrderKind.DEFAULT),
        ("", OrderKind.DEFAULT),
        ("custom_comments", OrderKind.CUSTOM_COMMENTS),
        ("Custom-Comments  Package", OrderKind.CUSTOM_COMMENTS_PACKAGE),
        ("MENTİONS WİTH HASHTAGS", OrderKind.MENTIONS_WITH_HASHTAGS),
        ("Comment Replies", OrderKind.COMMENT_REPLIES),
        ("comment_replies", OrderKind.COMMENT_REPLIES),
        ("Weird", None),
    ],
)
def test_order_kind_matching(text: str, kind: OrderKind | None) -> None:
    assert order_kind(text) is kind


def test_unknown_type_has_no_plan_and_no_cost() -> None:
    service = svc(type="Comment Translations")
    assert plan_for(service) is None
    assert order_cost(service, {"quantity": 100}) is None


def test_dripfeed_unless_panel_says_false() -> None:
    # No flag (the seed's panel lists none, yet its `add` takes runs and interval): offered.
    for flag in (None, True):
        assert [f.name for f in plan(svc(dripfeed=flag)).fields] == [
            "link",
            "quantity",
            "runs",
            "interval",
        ]
    assert not plan(svc(dripfeed=False)).dripfeed
    assert not plan(svc(type="Package", dripfeed=True)).dripfeed
    assert not plan(svc(type="Poll")).dripfeed


def test_flagless_dripfeed_cost_counts_every_run() -> None:
    service = svc(dripfeed=None, rate="12.50")
    values = answer(
        plan(service), {"link": "x.com/a", "quantity": "1000", "runs": "3", "interval": "60"}
    )
    assert order_cost(service, values) == Decimal("37.5")  # 12.50 × 1000 / 1000 × 3


def test_dripfeed_dialog_with_runs() -> None:
    service = svc(dripfeed=True, rate="2", min=100, max=10_000)
    p = plan(service)
    values = answer(p, {"link": "x.com/a", "quantity": "500", "runs": "5", "interval": "30"})
    assert build_params(p, values) == {
        "link": "https://x.com/a",
        "quantity": 500,
        "runs": 5,
        "interval": 30,
    }
    assert order_cost(service, values) == Decimal(5)  # 2 × 500 / 1000 × 5


def test_dripfeed_skipped_runs_skips_interval() -> None:
    service = svc(dripfeed=True)
    p = plan(service)
    values = answer(p, {"link": "x.com/a", "quantity": "500"}, skip=frozenset({"runs"}))
    assert "interval" not in values
    assert build_params(p, values) == {"link": "https://x.com/a", "quantity": 500}
    assert order_cost(service, values) == Decimal("6.25")


def test_dripfeed_runs_checks_total_against_max() -> None:
    service = svc(dripfeed=True, min=100, max=1000)
    p = plan(service)
    with pytest.raises(InputError) as info:
        p.field("runs").parse("11", service, {"quantity": 100})
    assert info.value.params["total"] == 1100


def test_interval_required_once_runs_given() -> None:
    p = plan(svc(dripfeed=True))
    with pytest.raises(InputError):
        build_params(p, {"link": "https://x.com", "quantity": 100, "runs": 3})


def test_missing_required_value_is_input_error() -> None:
    p = plan(svc())
    with pytest.raises(InputError) as info:
        build_params(p, {"link": "https://x.com"})
    assert info.value.params == {"field": "quantity"}
    with pytest.raises(InputError):
        order_cost(svc(), {"link": "https://x.com"})


def test_counted_types_check_line_count_against_limits() -> None:
    service = svc(type="Custom Comments", min=2, max=3)
    spec = plan(service).field("comments")
    assert spec.parse("a\nb", service, {}) == ["a", "b"]
    for text in ("a", "a\nb\nc\nd"):
        with pytest.raises(InputError) as info:
            spec.parse(text, service, {})
        assert info.value.msgid.format(**info.value.params)
    custom_list = svc(type="Mentions Custom List", min=2, max=3)
    with pytest.raises(InputError):
        plan(custom_list).field("usernames").parse("@only", custom_list, {})


def test_subscription_max_must_not_be_below_min() -> None:
    service = svc(type="Subscriptions", min=10, max=1000)
    spec = plan(service).field("max")
    assert spec.parse("50", service, {"min": 50}) == 50
    with pytest.raises(InputError) as info:
        spec.parse("40", service, {"min": 50})
    assert info.value.params["min"] == 50


def test_subscription_optional_fields_can_be_skipped() -> None:
    service = svc(type="Subscriptions", min=10, max=1000)
    p = plan(service)
    values = answer(
        p,
        {"username": "brand", "min": "10", "max": "20", "delay": "0"},
        skip=frozenset({"posts", "old_posts", "expiry"}),
    )
    assert build_params(p, values) == {"username": "brand", "min": 10, "max": 20, "delay": 0}
    assert order_cost(service, values) is None
    assert order_quantity(p, values) is None


def test_order_quantity_counts_lines_even_from_joined_text() -> None:
    p = plan(svc(type="Custom Comments", min=1))
    assert order_quantity(p, {"comments": "a\n\nb\nc"}) == 3
    assert order_quantity(p, {"comments": ["a", "b"]}) == 2


def test_field_lookup_unknown_name() -> None:
    with pytest.raises(KeyError):
        plan(svc()).field("nope")


def test_parser_adapters_pass_what_each_parser_takes() -> None:
    seen: list[tuple[object, ...]] = []

    def by_text(text: str) -> str:
        seen.append((text,))
        return text.upper()

    def by_service(text: str, service: Service) -> int:
        seen.append((text, service.id))
        return service.max

    service = svc(7, max=50)
    assert text_only(by_text)("abc", service, {"quantity": 1}) == "ABC"
    assert with_service(by_service)("x", service, {}) == 50
    assert seen == [("abc",), ("x", 7)]


# --- list answers in several messages ---------------------------------------------------------


def test_a_part_of_a_counted_list_is_checked_line_by_line_not_counted() -> None:
    service = svc(3, type="Custom Comments", min=5, max=10)
    plan = plan_for(service)
    assert plan is not None
    comments = plan.field("comments")
    assert comments.check_part("  nice \n\ngreat", service, {}) == ["nice", "great"]
    with pytest.raises(InputError) as info:
        comments.check_part("ok\n" + "x" * 501, service, {})
    assert info.value.params["line"] == 2  # a bad line still refuses the message
    with pytest.raises(LineCountError) as count:
        comments.parse("nice\ngreat", service, {})  # the whole list is still counted
    assert count.value.lines == ["nice", "great"]


def test_a_part_of_a_usernames_list_is_normalised_like_the_whole() -> None:
    service = svc(4, type="Mentions Custom List", min=5, max=10)
    plan = plan_for(service)
    assert plan is not None
    usernames = plan.field("usernames")
    assert usernames.check_part("@alice\nbob", service, {}) == ["alice", "bob"]
    with pytest.raises(InputError):
        usernames.check_part("alice\nnot a name", service, {})
    assert line_limits(plan, usernames) == (5, 10)
    assert line_limits(plan, plan.field("link")) is None
