"""The short answers to an order answer: reminders under errors, a list's running count."""

from __future__ import annotations

from bot.i18n import Translator
from bot.services.order_types import line_limits, plan_for
from bot.views.answers import lines_taken, reminder, so_far, too_many
from tests.services._data import svc


def test_each_question_has_a_one_line_reminder(en: Translator, tr: Translator) -> None:
    default = plan_for(svc(1, min=10, max=500))
    subscription = plan_for(svc(5, type="Subscriptions"))
    assert default is not None and subscription is not None
    expected = {
        default.field("link"): "Send a link, or ✖️ Cancel.",
        default.field("quantity"): "Send a number, or ✖️ Cancel.",
        default.field("runs"): "Send a number, tap Skip, or ✖️ Cancel.",
        subscription.field("username"): "Send a username, or ✖️ Cancel.",
        subscription.field("delay"): "Tap one of the buttons or type the number, or ✖️ Cancel.",
        subscription.field("expiry"): "Send a date (day/month/year), tap Skip, or ✖️ Cancel.",
    }
    for spec, line in expected.items():
        assert reminder(en, spec, 0, None) == line
        assert "\n" not in reminder(tr, spec, 0, None)


def test_a_list_reminder_is_its_count_once_lines_are_in(en: Translator, tr: Translator) -> None:
    plan = plan_for(svc(3, type="Custom Comments", min=5, max=50_000))
    assert plan is not None
    comments = plan.field("comments")
    limits = line_limits(plan, comments)
    assert limits == (5, 1000)  # one answer holds at most 1,000 lines
    assert reminder(en, comments, 0, limits) == (
        "Send the lines in one or more messages, or as a .txt or .csv file; or ✖️ Cancel."
    )
    assert reminder(en, comments, 1, limits) == (
        "📝 1 line so far (5–1,000 in all). Send more, or tap ✅ Done."
    )
    assert "1.000" in reminder(tr, comments, 12, limits)


def test_a_list_without_a_count_rule_says_how_many_it_holds(en: Translator) -> None:
    plan = plan_for(svc(4, type="Mentions With Hashtags"))
    assert plan is not None
    assert line_limits(plan, plan.field("hashtags")) == (1, 1000)
    assert line_limits(plan, plan.field("quantity")) is None
    assert so_far(en, 3, (1, 1000)) == "📝 3 lines so far (up to 1,000). Send more, or tap ✅ Done."


def test_counts_read_as_numbers_of_the_language(en: Translator, tr: Translator) -> None:
    assert lines_taken(en, 1) == "📝 1 line taken."
    assert lines_taken(en, 1200) == "📝 1,200 lines taken."
    assert too_many(en, 1200, 1000) == (
        "⚠️ With this message there would be 1,200 lines, but at most 1,000 can be taken. "
        "It was not added."
    )
    assert "1.200" in too_many(tr, 1200, 1000)
