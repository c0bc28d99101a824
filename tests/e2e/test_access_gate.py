"""Strangers and applicants (issue 13 item 9): /start and /help always get an answer, an applicant
hears "waiting for an admin" at most once a minute, a double-tapped "Request access" is not a
refusal, and the approval comes with a button that starts.
"""

from __future__ import annotations

import dataclasses

import pytest

from tests.e2e.steps import plain_text_of
from tests.fakes.telegram import FakeUser
from tests.harness import ADMIN_ID, Harness

WORDS = {
    "en": {
        "greeting": "This bot is private",
        "request": "Request access",
        "thanks": "sent to the admins",
        "waiting": "Your access request is waiting for an admin.",
        "already": "You already asked for access",
        "no_access": "do not have access",
        "good_news": "Good news",
        "start": "Start",
        "welcome": "Hi Ayşe",
    },
    "tr": {
        "greeting": "Bu bot özeldir",
        "request": "Erişim iste",
        "thanks": "yöneticilere iletildi",
        "waiting": "Erişim isteğiniz bir yöneticinin onayını bekliyor.",
        "already": "Erişim zaten istediniz",
        "no_access": "erişiminiz yok",
        "good_news": "Müjde",
        "start": "Başla",
        "welcome": "Merhaba Ayşe",
    },
}
LANGUAGES = pytest.mark.parametrize("lang", ["en", "tr"])


class Clock:
    """The access service's wall clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def use_clock(bot: Harness) -> Clock:
    clock = Clock()
    bot.deps.access = dataclasses.replace(bot.deps.access, clock=clock)
    return clock


async def applicant(bot: Harness, user_id: int, lang: str) -> FakeUser:
    """A stranger who pressed "Request access" (and read the thanks)."""
    user = bot.user(user_id, language_code=lang, first_name="Ayşe")
    await user.send("/start")
    greeting = await user.reply()
    await user.press(WORDS[lang]["request"], message=greeting)
    assert WORDS[lang]["thanks"] in plain_text_of(await user.update())
    return user


@LANGUAGES
async def test_start_and_help_after_hello_are_answered(bot: Harness, lang: str) -> None:
    w = WORDS[lang]
    stranger = bot.user(5201, language_code=lang)
    await stranger.send("hello")
    first = await stranger.reply()
    assert w["greeting"] in plain_text_of(first)
    await stranger.send("/start")
    again = await stranger.reply()
    assert w["greeting"] in plain_text_of(again)
    assert any(w["request"] in label for label, _ in again.buttons())
    await stranger.send("are you there?")  # chatter within the minute: no echo
    await stranger.send("/help")
    helped = await stranger.reply()
    assert w["greeting"] in plain_text_of(helped)
    assert len(stranger.bot_messages()) == 3, stranger.describe_chat()
    assert bot.panel.count() == 0


@LANGUAGES
async def test_pending_user_hears_waiting_at_most_once_a_minute(bot: Harness, lang: str) -> None:
    w = WORDS[lang]
    clock = use_clock(bot)
    user = await applicant(bot, 5202, lang)
    await user.send("hello")
    assert plain_text_of(await user.reply()) == w["waiting"]
    clock.now += 30
    await user.send("hello?")  # within the minute: nothing
    await user.send("/start")  # asked: always answered
    assert plain_text_of(await user.reply()) == w["waiting"]
    clock.now += 30
    await user.send("still there?")  # 30 s after the /start answer: nothing
    clock.now += 31
    await user.send("anyone?")
    assert plain_text_of(await user.reply()) == w["waiting"]
    messages = [plain_text_of(m) for m in user.bot_messages()]
    assert messages.count(w["waiting"]) == 3, user.describe_chat()
    assert len(messages) == 4  # the greeting (now the thanks) and three answers

    # The time of the last answer is kept in the database: a restart does not reset it.
    await bot.restart()
    use_clock(bot).now = clock.now + 10
    await user.send("after the restart")
    await user.send("/help")
    assert plain_text_of(await user.reply()) == w["waiting"]
    assert len(user.bot_messages()) == 5, user.describe_chat()


@LANGUAGES
async def test_double_tapped_request_access_is_not_refused(bot: Harness, lang: str) -> None:
    w = WORDS[lang]
    admin = bot.user(ADMIN_ID)
    stranger = bot.user(5203, language_code=lang, first_name="Ayşe")
    await stranger.send("/start")
    greeting = await stranger.reply()
    first = await stranger.press(w["request"], message=greeting)
    second = await stranger.press(w["request"], message=greeting)  # before the bot's edit
    first_answer = await stranger.answer(first)
    second_answer = await stranger.answer(second)
    assert w["no_access"] not in str(first_answer.params.get("text"))
    second_text = str(second_answer.params.get("text"))
    assert w["already"] in second_text, second_answer.params
    assert w["no_access"] not in second_text
    assert second_answer.params.get("show_alert") not in (True, "true")
    assert w["thanks"] in plain_text_of(greeting)
    await admin.reply()  # exactly one request reached the admin
    await admin.send("/users")
    assert "5203" in plain_text_of(await admin.reply())
    requests = [m for m in admin.bot_messages() if "5203" in plain_text_of(m) and m.buttons()]
    assert len(requests) == 1, admin.describe_chat()


@LANGUAGES
async def test_approval_message_has_a_start_button(bot: Harness, lang: str) -> None:
    w = WORDS[lang]
    admin = bot.user(ADMIN_ID)
    user = await applicant(bot, 5204, lang)
    request = await admin.reply()
    await admin.press("Approve", message=request)
    good_news = await user.reply()
    assert w["good_news"] in plain_text_of(good_news)
    labels = [label for label, _ in good_news.buttons()]
    assert any(w["start"] in label for label in labels), labels
    await user.press(w["start"], message=good_news)
    welcome = await user.update()
    assert w["welcome"] in plain_text_of(welcome), user.describe_chat()
    assert welcome.buttons(), "the main menu"


@LANGUAGES
async def test_a_declined_user_is_answered_like_an_applicant(bot: Harness, lang: str) -> None:
    """Issue 21 item 17: /start and /help always get an answer, a declined user's too; other
    messages and commands at most once a minute."""
    declined = {
        "en": "Sorry, an admin declined your access request.",
        "tr": "Üzgünüz, bir yönetici erişim isteğinizi reddetti.",
    }[lang]
    clock = use_clock(bot)
    user = await applicant(bot, 5210, lang)
    await bot.deps.access.decide(5210, False, by=ADMIN_ID)
    await user.send("/start")
    assert plain_text_of(await user.reply()) == declined
    await user.send("/orders")  # a command within the minute of that answer: nothing
    await user.send("/help")
    assert plain_text_of(await user.reply()) == declined
    clock.now += 61
    await user.send("/orders")
    assert plain_text_of(await user.reply()) == declined
    texts = [plain_text_of(m) for m in user.bot_messages()]
    assert texts.count(declined) == 3, user.describe_chat()
    assert bot.panel.count() == 0


@LANGUAGES
async def test_a_pending_users_commands_hear_waiting_once_a_minute(bot: Harness, lang: str) -> None:
    clock = use_clock(bot)
    user = await applicant(bot, 5211, lang)
    await user.send("/orders")
    assert plain_text_of(await user.reply()) == WORDS[lang]["waiting"]
    await user.send("/balance")  # within the minute: nothing
    clock.now += 61
    await user.send("/services")
    assert plain_text_of(await user.reply()) == WORDS[lang]["waiting"]
    assert [plain_text_of(m) for m in user.bot_messages()].count(WORDS[lang]["waiting"]) == 2
