"""Long list answers, short validation errors and the delay buttons (issue 13 items 1 and 12).

One Telegram message holds 4,096 characters, so a list question (comments, usernames, hashtags,
groups) takes a .txt/.csv file or several messages with a running count and "✅ Done (N)"
(or /done); the count rule is checked at Done and what was collected stays when it fails.
A wrong answer gets the error and one reminder line, not the whole question again. The
Subscriptions delay is a grid of buttons.

Every test runs in English and in Turkish. The expected texts are the English message ids as
the bot's own catalog for that language renders them (with its number formats), so a string
that skipped translation or a number formatted for the wrong locale fails here.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.i18n import Translator
from bot.services.validation import MAX_LINE_LENGTH
from tests.e2e.steps import add_params, ask, labels
from tests.fakes.panel_catalog import default_services
from tests.fakes.telegram_models import BotMessage
from tests.fakes.telegram_users import FakeUser
from tests.harness import Harness

KEY = "pk_lists_0123456789abcdef"
UID = 4701
HEADER = "🛒"  # starts the question's header ("🛒 Ordering …", "🛒 Sipariş: …")
DELAYS = (0, 5, 10, 15, 20, 30, 40, 50, 60, 90, 120, 150, 180, 210, 240, 270, 300, 360, 420, 480,
          540, 600)  # fmt: skip


@pytest.fixture(params=["en", "tr"])
def lang(request: pytest.FixtureRequest) -> str:
    language: str = request.param
    return language


def translator(bot: Harness, lang: str) -> Translator:
    return bot.deps.catalogs.translator(lang)


def so_far(t: Translator, n: int, fewest: int = 5, most: int = 1000) -> str:
    return "📝 " + t.ngettext(
        "{n} line so far ({min}–{max} in all). Send more, or tap ✅ Done.",
        "{n} lines so far ({min}–{max} in all). Send more, or tap ✅ Done.",
        n,
        min=t.number(fewest),
        max=t.number(most),
    )


def running(t: Translator, lines: list[str], fewest: int = 5, most: int = 1000) -> str:
    """The reply to a message that joined the list: the count and the last three lines."""
    last = lines[-3:]
    first = len(lines) - len(last) + 1
    shown = "\n".join(f"{n}. {line}" for n, line in enumerate(last, start=first))
    return so_far(t, len(lines), fewest, most) + "\n" + t._("Last lines:") + "\n" + shown


async def whole_list_file(u: FakeUser, lines: list[str], name: str = "comments.txt") -> None:
    """The file the preview of a long list comes with: every line."""
    attached = await u.reply()
    assert attached.document is not None and attached.document.file_name == name
    assert attached.document.content.decode("utf-8") == "\n".join(lines)


def done_label(t: Translator, n: int) -> str:
    return t._("✅ Done ({n})", n=t.number(n))


async def comments_question(u: FakeUser, service: int = 3) -> str:
    await u.send(f"/order {service}")
    await u.reply()
    return await ask(u, "https://instagram.com/p/x")


async def confirm_in(t: Translator, u: FakeUser, preview: BotMessage) -> BotMessage:
    await u.press(t._("✅ Confirm"), message=preview)
    sending = await u.update()
    assert sending.message_id == preview.message_id
    return await u.update()


def comments_sent(bot: Harness) -> list[str]:
    [params] = add_params(bot)
    comments: str = params["comments"]
    return comments.split("\n")


async def test_a_500_comment_file_reaches_the_panel(bot: Harness, lang: str) -> None:
    t = translator(bot, lang)
    u = await bot.member(UID, key=KEY, balance="1000", language_code=lang)
    question = await comments_question(u)
    rule = t._(
        "Send the comments, one per line ({min}–{max_lines} lines).",
        min="5",
        max_lines=t.number(1000),
    )
    assert rule in question
    # The prompt says how a long list fits: several messages and Done, or a file.
    assert (
        t._(
            "📄 Send them in one or more messages, then tap ✅ Done; "
            "or send a .txt or .csv file, one per line."
        )
        in question
    )
    comments = [f"Harika paylaşım {i}, çok güzel 👏" for i in range(1, 501)]
    await u.send_document("yorumlar.txt", "\n".join(comments).encode("utf-8"))
    preview = await u.reply()
    text = preview.text or ""
    accepted = t.ngettext(
        "{n} line accepted from the file.", "{n} lines accepted from the file.", 500
    )
    assert "📄 " + accepted in text
    assert t._("Comments") + ": " + t.ngettext("{n} line", "{n} lines", 500) in text
    # The first lines, and the whole list as a file beside the preview.
    assert "  1. Harika paylaşım 1, çok güzel 👏\n  2. Harika" in text
    more = t.ngettext(
        "… and {n} more (the whole list is in the file below)",
        "… and {n} more (the whole list is in the file below)",
        497,
    )
    assert more in text
    await whole_list_file(u, comments)
    await confirm_in(t, u, preview)
    assert comments_sent(bot) == comments  # all 500, in order, commas and all
    [params] = add_params(bot)
    assert params["quantity"] == "500"


async def test_several_messages_then_done_with_running_counts(bot: Harness, lang: str) -> None:
    t = translator(bot, lang)
    u = await bot.member(UID, key=KEY, balance="1000", language_code=lang)
    await comments_question(u)

    await u.send("Süper 1\nSüper 2")
    first = await u.reply()
    assert first.text == running(t, ["Süper 1", "Süper 2"])
    assert done_label(t, 2) in labels(first) and t._("✖️ Cancel") in labels(first)
    await u.send("Harika, gerçekten\n\n  boşluklu  \nÜç")
    second = await u.reply()
    assert second.text == running(t, ["Süper 1", "Süper 2", "Harika, gerçekten", "boşluklu", "Üç"])
    assert done_label(t, 5) in labels(second)

    # The collected lines are the dialog's state: a restart keeps them.
    await bot.restart()
    await u.send("Altı\nYedi")
    third = await u.reply()
    expected = ["Süper 1", "Süper 2", "Harika, gerçekten", "boşluklu", "Üç", "Altı", "Yedi"]
    assert third.text == running(t, expected)
    assert HEADER not in "".join(m.text or "" for m in (first, second, third))
    assert bot.panel.count("add") == 0

    await u.press(done_label(t, 7), message=third)
    preview = await u.update()
    assert preview.message_id == third.message_id
    text = preview.text or ""
    assert "📝 " + t.ngettext("{n} line taken.", "{n} lines taken.", 7) in text
    assert t._("Comments") + ": " + t.ngettext("{n} line", "{n} lines", 7) in text
    await whole_list_file(u, expected)
    await confirm_in(t, u, preview)
    assert comments_sent(bot) == expected
    assert add_params(bot)[0]["quantity"] == "7"


async def test_a_wrong_file_type_is_refused_in_one_line(bot: Harness, lang: str) -> None:
    t = translator(bot, lang)
    u = await bot.member(UID, key=KEY, balance="1000", language_code=lang)
    await comments_question(u)
    await ask(u, "bir\niki\nüç")
    await u.send_document("yorumlar.pdf", b"%PDF-1.4\n", mime_type="application/pdf")
    reply = await u.reply()
    refusal = "⚠️ " + t._("Please send a .txt or .csv file, or type the lines.")
    assert reply.text == refusal + "\n" + so_far(t, 3)  # what was collected stays
    assert done_label(t, 3) in labels(reply)
    assert bot.telegram.count("getFile") == 0  # judged by its name: never downloaded

    # A file after typed lines joins them.
    await u.send_document("daha.csv", 'dört\r\n"beş, altı"\r\n'.encode("utf-8-sig"))
    joined = await u.reply()
    assert joined.text == running(t, ["bir", "iki", "üç", "dört", "beş, altı"])
    await u.send("/done")
    preview = await u.reply()
    assert t._("Comments") + ": " + t.ngettext("{n} line", "{n} lines", 5) in (preview.text or "")
    await whole_list_file(u, ["bir", "iki", "üç", "dört", "beş, altı"])
    await confirm_in(t, u, preview)
    assert comments_sent(bot) == ["bir", "iki", "üç", "dört", "beş, altı"]


async def test_too_few_lines_at_done_keeps_what_was_collected(bot: Harness, lang: str) -> None:
    t = translator(bot, lang)
    u = await bot.member(UID, key=KEY, balance="1000", language_code=lang)
    await comments_question(u)
    await ask(u, "a\nb\nc")
    await u.send("/done")
    reply = await u.reply()
    too_few = t.ngettext(
        "You sent {n} line; this service takes between {min} and {max}.",
        "You sent {n} lines; this service takes between {min} and {max}.",
        3,
        min=t.number(5),
        max=t.number(1000),
    )
    assert reply.text == "⚠️ " + too_few + "\n" + so_far(t, 3)
    assert done_label(t, 3) in labels(reply)
    assert bot.panel.count("add") == 0

    assert await ask(u, "d\ne") == running(t, ["a", "b", "c", "d", "e"])
    await u.press(done_label(t, 5), message=u.last())
    preview = await u.update()
    await whole_list_file(u, ["a", "b", "c", "d", "e"])
    await confirm_in(t, u, preview)
    assert comments_sent(bot) == ["a", "b", "c", "d", "e"]


async def test_a_message_past_the_most_lines_is_not_added(bot: Harness, lang: str) -> None:
    services = default_services()
    services.append(
        {
            "service": 61,
            "name": "Instagram Özel Yorum Mini",
            "type": "Custom Comments",
            "category": "Instagram",
            "rate": "50.00",
            "min": 2,
            "max": 10,
        }
    )
    bot.panel.set_services(services)
    t = translator(bot, lang)
    u = await bot.member(UID, key=KEY, balance="1000", language_code=lang)
    await comments_question(u, 61)
    eight = [f"y{i}" for i in range(1, 9)]
    assert await ask(u, "\n".join(eight)) == running(t, eight, 2, 10)
    reply = await ask(u, "1\n2\n3\n4\n5")
    too_many = t._(
        "With this message there would be {total} lines, but at most {max} can be taken. "
        "It was not added.",
        total=t.number(13),
        max=t.number(10),
    )
    assert reply == "⚠️ " + too_many + "\n" + so_far(t, 8, 2, 10)
    assert await ask(u, "y9") == running(t, [*eight, "y9"], 2, 10)
    await u.send("/done")
    preview = await u.reply()
    await whole_list_file(u, [*eight, "y9"])
    await confirm_in(t, u, preview)
    assert comments_sent(bot) == [*eight, "y9"]


async def test_a_validation_error_is_short(bot: Harness, lang: str) -> None:
    t = translator(bot, lang)
    u = await bot.member(UID, key=KEY, language_code=lang)
    await u.send("/order 1")
    link_q = await u.reply()
    await u.send("notalink")
    reply = await u.reply()
    text = reply.text or ""
    assert text.startswith("⚠️ ") and text.count("\n") == 1
    assert text.endswith("\n" + t._("Send a link, or ✖️ Cancel."))
    assert HEADER not in text  # the question is not sent again
    assert labels(reply) == labels(link_q)  # its keyboard is

    await u.send("https://instagram.com/foo")
    quantity_q = await u.reply()
    await u.send("10")
    reply = await u.reply()
    error = t._(
        "Quantity must be a whole number between {min} and {max}.",
        min=t.number(100),
        max=t.number(10_000),
    )
    assert reply.text == "⚠️ " + error + "\n" + t._("Send a number, or ✖️ Cancel.")
    assert labels(reply) == labels(quantity_q)  # ⏱ Drip-feed and ✖️ Cancel stay at hand

    # /done belongs to list questions only.
    not_a_list = t._("/done only finishes a list; this question takes one answer.")
    assert await ask(u, "/done") == "⚠️ " + not_a_list + "\n" + t._("Send a number, or ✖️ Cancel.")
    await u.send("1000")
    preview = (await u.reply()).text or ""
    assert t._("<b>Please check your order</b>") in preview


async def delay_question(t: Translator, u: FakeUser) -> BotMessage:
    await u.send("/order 5")
    await u.reply()
    await ask(u, "@some.user")
    await ask(u, "100")
    posts_q = await ask(u, "200")
    assert t._("How many new posts should be covered? Skip for no limit.") in posts_q
    # An optional question's reminder names Skip.
    assert await ask(u, "0") == (
        "⚠️ "
        + t._(
            "The number of posts must be a whole number between {min} and {max}.",
            min=t.number(1),
            max=t.number(10_000),
        )
        + "\n"
        + t._("Send a number, tap Skip, or ✖️ Cancel.")
    )
    await u.press(t._("Skip"), message=u.last(), exact=True)
    await u.update()
    await u.press(t._("Skip"), message=u.last(), exact=True)
    return await u.update()


async def test_delay_is_a_grid_of_buttons(bot: Harness, lang: str) -> None:
    t = translator(bot, lang)
    u = await bot.member(UID, key=KEY, language_code=lang)
    question = await delay_question(t, u)
    text = question.text or ""
    assert t._("Delay before delivery starts, in minutes: tap one below, or type it.") in text
    assert "540" not in text  # the values are buttons, not a list in the text
    wanted = [t._("{n} min", n=t.number(v)) for v in DELAYS]
    rows = question.button_rows()
    delay_rows = [[label for label, _ in row] for row in rows[: len(rows) - 1]]
    assert [label for row in delay_rows for label in row] == wanted
    assert all(len(row) <= 4 for row in delay_rows) and len(delay_rows) == 6
    assert len(question.buttons()) <= 100
    assert all(len(label) <= 32 for label in labels(question))
    assert labels(question)[-1] == t._("✖️ Cancel")

    # A typed value that is not offered: a short error, the buttons again, no list of 22.
    await u.send("7")
    reply = await u.reply()
    error = t._(
        "Delay must be one of the minutes on the buttons ({min}–{max}).",
        min=t.number(0),
        max=t.number(600),
    )
    reminder = t._("Tap one of the buttons or type the number, or ✖️ Cancel.")
    assert reply.text == "⚠️ " + error + "\n" + reminder
    assert labels(reply) == labels(question)

    await u.press(t._("{n} min", n=t.number(90)), message=reply, exact=True)
    expiry_q = await u.update()
    assert expiry_q.message_id == reply.message_id
    assert t._("Until which date (day/month/year)? Skip for no end date.") in (expiry_q.text or "")
    # The delay question's buttons are closed now: nothing changes.
    await u.press(t._("{n} min", n=t.number(600)), message=question, exact=True)
    await u.send("31/12/2999")
    preview = await u.reply()
    assert t._("Delay (minutes)") + ": 90" in (preview.text or "")
    await confirm_in(t, u, preview)
    [params] = add_params(bot)
    assert params["delay"] == "90"


async def test_a_typed_delay_is_taken_too(bot: Harness, lang: str) -> None:
    t = translator(bot, lang)
    u = await bot.member(UID, key=KEY, language_code=lang)
    await delay_question(t, u)
    expiry_q = await ask(u, "120")
    assert t._("Until which date (day/month/year)? Skip for no end date.") in expiry_q
    await u.press(t._("Skip"), message=u.last(), exact=True)
    preview = await u.update()
    await confirm_in(t, u, preview)
    params: dict[str, Any] = dict(add_params(bot)[0])
    assert params["delay"] == "120" and "expiry" not in params


async def test_see_undo_start_over_and_no_doubled_lines(bot: Harness, lang: str) -> None:
    """Issue 21 item 4: a corrected list does not double the lines sent before; what was
    collected can be seen, the last message taken back, the list started over; a message with
    a bad line says nothing of it was added, and which line was wrong."""
    t = translator(bot, lang)
    u = await bot.member(UID, key=KEY, balance="1000", language_code=lang)
    await comments_question(u)
    three = ["bir", "iki", "üç"]
    assert await ask(u, "\n".join(three)) == running(t, three)
    # The corrected list of 7 holds the 3: 7 lines, not 10 (nor 9).
    seven = [*three, "dört", "beş", "altı", "yedi"]
    head, rest = running(t, seven).split("\n", 1)
    skipped = t.ngettext(
        "{n} line was in the list already and was not added again.",
        "{n} lines were in the list already and were not added again.",
        3,
    )
    assert await ask(u, "\n".join(seven)) == head + "\n" + skipped + "\n" + rest
    # A bad line keeps the whole message out, and says which line it was.
    reply = await ask(u, "sekiz\n" + "x" * (MAX_LINE_LENGTH + 1))
    too_long = t._("Line {line} is too long (over {max} characters).", line=2, max=MAX_LINE_LENGTH)
    nothing = t._("Nothing from this message was added: send it again corrected.")
    assert reply == "⚠️ " + too_long + "\n" + nothing + "\n" + so_far(t, 7)

    await u.press(t._("📄 Show all"), message=u.last())
    shown = await u.reply()
    numbered = "\n".join(f"{n}. {line}" for n, line in enumerate(seven, start=1))
    assert shown.text == "📄 " + t._("The list so far:") + "\n" + numbered
    await u.press(t._("↩️ Remove the last message"), message=shown)
    removed = await u.reply()
    took_back = t.ngettext(
        "The last message ({n} line) was removed.", "The last message ({n} lines) was removed.", 4
    )
    assert removed.text == "↩️ " + took_back + "\n" + running(t, three)
    assert done_label(t, 3) in labels(removed)

    forty = [f"yorum {i}" for i in range(1, 41)]
    await ask(u, "\n".join(forty))
    await u.press(t._("📄 Show all"), message=u.last())
    listed = await u.reply()
    assert listed.document is not None and listed.document.file_name == "list.txt"
    assert listed.document.content.decode("utf-8") == "\n".join([*three, *forty])

    await u.press(t._("🗑 Start over"), message=listed)
    emptied = await u.reply()
    again = t._("Send the lines in one or more messages, or as a .txt or .csv file; or ✖️ Cancel.")
    assert emptied.text == "🗑 " + t._("The list is empty again.") + "\n" + again
    assert not any(label.startswith("✅") for label in labels(emptied))
    five = ["a", "b", "c", "d", "e"]
    await ask(u, "\n".join(five))
    await u.send("/done")
    preview = await u.reply()
    await whole_list_file(u, five)
    await confirm_in(t, u, preview)
    assert comments_sent(bot) == five
    assert bot.panel.count("add") == 1
