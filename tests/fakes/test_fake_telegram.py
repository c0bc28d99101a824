"""The fake Telegram server, proven against the real python-telegram-bot over real HTTP."""

from __future__ import annotations

import asyncio
import html
import ssl
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    CopyTextButton,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonCommands,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakes.telegram import TOKEN, FakeTelegram, ptb_request
from tests.fakes.telegram_html import parse_html

USER_ID = 1001
SSL = ssl.create_default_context()  # shared: building one per client costs ~0.1 s


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    """A bare PTB Bot (no Application) for method-level checks."""
    tg_bot = Bot(
        fake.token,
        base_url=fake.base_url,
        base_file_url=fake.base_file_url,
        request=ptb_request(),
        get_updates_request=ptb_request(),
    )
    async with tg_bot:
        yield tg_bot


def _keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Buy more", callback_data="buy:2"),
                InlineKeyboardButton("Buy", callback_data="buy:1"),
            ],
            [InlineKeyboardButton("Website", url="https://example.com")],
        ]
    )


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text(
        "<b>Welcome</b>, pick one", parse_mode="HTML", reply_markup=_keyboard()
    )


async def _on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("noted")
    await query.edit_message_text(f"You chose {query.data}")


async def _on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.document is not None
    file = await update.message.document.get_file()
    data = await file.download_as_bytearray()
    await update.message.reply_text(f"got {len(data)} bytes")


async def _on_sticker(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.sticker is not None
    assert update.message.text is None and update.message.document is None
    await update.message.reply_text(f"sticker {update.message.sticker.emoji}")


async def _on_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.photo
    size = update.message.photo[-1]
    await update.message.reply_text(
        f"photo {size.width}x{size.height} caption={update.message.caption}"
    )


@pytest.fixture
async def app(fake: FakeTelegram) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    application = (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .request(ptb_request())
        .get_updates_request(ptb_request())
        .build()
    )
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(CallbackQueryHandler(_on_button))
    application.add_handler(MessageHandler(filters.Document.ALL, _on_document))
    application.add_handler(MessageHandler(filters.Sticker.ALL, _on_sticker))
    application.add_handler(MessageHandler(filters.PHOTO, _on_photo))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()


# --------------------------------------------------------------------------- with the real app


async def test_start_command_gets_html_reply_with_keyboard(
    fake: FakeTelegram, app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    user = fake.user(USER_ID, first_name="Ayşe", language_code="tr")

    sent = await user.send("/start")
    reply = await user.reply()

    assert fake.count("getMe") >= 1
    assert sent.entities == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert reply.from_bot and reply.chat_id == USER_ID
    assert reply.text == "<b>Welcome</b>, pick one"
    assert reply.parse_mode == "HTML"
    assert reply.plain_text == "Welcome, pick one"
    assert reply.entities == [{"type": "bold", "offset": 0, "length": 7}]
    assert reply.button_rows() == [
        [("Buy more", "buy:2"), ("Buy", "buy:1")],
        [("Website", "https://example.com")],
    ]
    assert user.last() is reply
    assert fake.bad_requests() == []


async def test_command_addressed_to_bot_username_is_a_command(
    fake: FakeTelegram, app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    user = fake.user(USER_ID)
    sent = await user.send("/start@smm_test_bot")
    reply = await user.reply()
    assert sent.entities == [{"type": "bot_command", "offset": 0, "length": 19}]
    assert reply.plain_text == "Welcome, pick one"


async def test_press_answers_query_and_edits_in_place(
    fake: FakeTelegram, app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    user = fake.user(USER_ID)
    await user.send("/start")
    menu = await user.reply()

    query_id = await user.press("buy")  # exact "Buy" wins over substring "Buy more"
    edited = await user.update()
    answer = await user.answer(query_id)

    assert edited is menu
    assert edited.edit_count == 1
    assert edited.text == "You chose buy:1"
    assert edited.reply_markup is None  # an edit without reply_markup drops the keyboard
    assert answer.ok and answer.params["text"] == "noted"
    assert len(fake.messages(USER_ID)) == 2  # the user's /start and the one bot message
    assert fake.bad_requests() == []


async def test_press_reports_available_buttons_when_nothing_matches(
    fake: FakeTelegram, app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    user = fake.user(USER_ID)
    await user.send("/start")
    await user.reply()

    with pytest.raises(AssertionError, match=r"Buy more.*Website"):
        await user.press("Cancel")
    with pytest.raises(AssertionError, match="URL"):
        await user.press("website")
    with pytest.raises(AssertionError, match="no button matches"):
        await user.press("Bu", exact=True)


async def test_user_document_round_trip_through_get_file(
    fake: FakeTelegram, app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    user = fake.user(USER_ID)
    content = b"https://example.com/p/1 1000\n" * 50

    await user.send_document("links.txt", content, caption="bulk")
    reply = await user.reply()

    assert reply.text == f"got {len(content)} bytes"
    assert fake.count("getFile") == 1
    assert len(fake.downloads) == 1 and fake.downloads[0].endswith(".txt")


async def test_user_sticker_reaches_ptb_as_a_sticker(
    fake: FakeTelegram, app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    user = fake.user(USER_ID)
    sent = await user.send_sticker("🔥")
    reply = await user.reply()
    assert reply.text == "sticker 🔥"
    assert "[sticker]" in sent.describe()


async def test_user_photo_with_caption_reaches_the_bot(
    fake: FakeTelegram, app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    user = fake.user(USER_ID)

    sent = await user.send_photo(b"\xff\xd8 not really a jpeg", caption="look at this")
    reply = await user.reply()

    assert reply.text == "photo 800x600 caption=look at this"
    assert sent.photo is not None and sent.text is None
    assert "[photo] look at this" in sent.describe()


async def test_reply_cursor_does_not_miss_a_message_that_arrived_early(
    fake: FakeTelegram, app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    user = fake.user(USER_ID)
    await user.send("/start")
    await fake.wait_until(lambda: len(user.bot_messages()) == 1)

    first = await user.reply()  # already there before reply() was awaited
    assert first.plain_text == "Welcome, pick one"

    with pytest.raises(AssertionError, match="Welcome"):
        await user.reply(timeout=0.05)  # nothing new: the timeout describes the chat


async def test_concurrent_users_each_get_their_own_reply(
    fake: FakeTelegram, app: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    users = [fake.user(2000 + i) for i in range(4)]

    async def converse(index: int) -> str:
        user = users[index]
        await user.send("/start")
        await user.reply()
        await user.press("Buy more")
        edited = await user.update()
        assert edited.chat_id == user.id
        return edited.text or ""

    results = await asyncio.gather(*(converse(i) for i in range(4)))

    assert results == ["You chose buy:2"] * 4
    assert fake.count("answerCallbackQuery") == 4
    assert fake.bad_requests() == []


# --------------------------------------------------------------------------- bot methods


async def test_get_me_is_a_valid_user(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot and me.username == "smm_test_bot" and me.id == 1234567
    assert me.can_join_groups is True


async def test_bot_send_document_multipart_keeps_name_and_bytes(
    fake: FakeTelegram, bot: Bot
) -> None:
    fake.user(USER_ID)
    payload = b"id;status\n1;Completed\n" * 100

    sent = await bot.send_document(
        USER_ID, document=payload, filename="orders.csv", caption="<b>Export</b>", parse_mode="HTML"
    )
    assert sent.document is not None
    again = await bot.send_document(USER_ID, document=sent.document.file_id)
    downloaded = await (await bot.get_file(sent.document.file_id)).download_as_bytearray()

    stored = fake.messages(USER_ID)[0]
    assert stored.document is not None
    assert stored.document.file_name == "orders.csv"
    assert stored.document.content == payload
    assert stored.caption == "<b>Export</b>" and sent.caption == "Export"
    assert sent.document.file_name == "orders.csv" and sent.document.file_size == len(payload)
    assert again.document is not None and again.document.file_id == sent.document.file_id
    assert bytes(downloaded) == payload
    assert fake.calls_to("sendDocument")[0].files["document"][1] == payload
    assert fake.bad_requests() == []


async def test_identical_edit_is_message_not_modified(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(USER_ID)
    message = await bot.send_message(
        USER_ID, "<i>hi</i>", parse_mode="HTML", reply_markup=_keyboard()
    )

    await bot.edit_message_text(
        "<i>hi</i> there", USER_ID, message.message_id, parse_mode="HTML", reply_markup=_keyboard()
    )
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text(
            "<em>hi</em> there",  # same rendering as <i>: Telegram compares content, not markup
            USER_ID,
            message.message_id,
            parse_mode="HTML",
            reply_markup=_keyboard(),
        )
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_reply_markup(USER_ID, message.message_id, reply_markup=_keyboard())

    stored = fake.messages(USER_ID)[0]
    assert stored.edit_count == 1
    assert [c.description for c in fake.bad_requests()] == [
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message"
    ] * 2


@pytest.mark.filterwarnings("ignore:Please use 'Bot.sendMessage'")
@pytest.mark.parametrize(
    ("kwargs", "description"),
    [
        ({"text": "x" * 4097}, "Bad Request: message is too long"),
        ({"text": ""}, "Bad Request: message text is empty"),
        (
            {
                "text": "x",
                "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "é" * 33}]]},
            },
            "Bad Request: BUTTON_DATA_INVALID",
        ),
        (
            {
                "text": "x",
                "reply_markup": {
                    "inline_keyboard": [
                        [{"text": "a", "callback_data": str(i)}] for i in range(101)
                    ]
                },
            },
            "Bad Request: reply markup is too long",
        ),
        (
            {
                "text": "x",
                "reply_markup": {
                    "inline_keyboard": [[{"text": "a", "copy_text": {"text": "x" * 257}}]]
                },
            },
            "Bad Request: BUTTON_COPY_TEXT_INVALID",
        ),
        (
            {
                "text": "x",
                "reply_markup": {"inline_keyboard": [[{"text": "a", "copy_text": {"text": ""}}]]},
            },
            "Bad Request: BUTTON_COPY_TEXT_INVALID",
        ),
        (
            {
                "text": "x",
                "reply_markup": {
                    "inline_keyboard": [
                        [{"text": "a", "callback_data": "d", "copy_text": {"text": "link"}}]
                    ]
                },
            },
            "exactly one action",
        ),
        ({"text": "<b>bold", "parse_mode": "HTML"}, "Can't find end tag"),
        ({"text": "<blink>x</blink>", "parse_mode": "HTML"}, 'Unsupported start tag "blink"'),
        ({"text": "1 < 2", "parse_mode": "HTML"}, "can't parse entities"),
        ({"text": "Tom & Jerry", "parse_mode": "HTML"}, "Character entity expected"),
        ({"text": "<b>x</i>", "parse_mode": "HTML"}, "Unmatched end tag"),
    ],
)
async def test_telegram_validation_answers_400(
    fake: FakeTelegram, bot: Bot, kwargs: dict[str, Any], description: str
) -> None:
    fake.user(USER_ID)
    with pytest.raises(BadRequest):
        await bot.do_api_request("sendMessage", api_kwargs={"chat_id": USER_ID, **kwargs})
    [bad] = fake.bad_requests()
    assert bad.status == 400 and description in (bad.description or "")
    assert fake.messages(USER_ID) == []


async def test_a_copy_text_button_of_256_characters_is_kept(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(USER_ID)
    link = "https://x.test/" + "a" * (256 - len("https://x.test/"))
    button = InlineKeyboardButton("📋 Copy link", copy_text=CopyTextButton(link))
    await bot.send_message(USER_ID, "x", reply_markup=InlineKeyboardMarkup([[button]]))
    [stored] = fake.messages(USER_ID)
    assert stored.buttons() == [("📋 Copy link", link)]
    assert fake.bad_requests() == []


async def test_limits_are_inclusive_and_escaped_html_is_fine(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(USER_ID)
    name = "Tom & Jerry <3 \"quoted\" 'single'"
    await bot.send_message(USER_ID, "x" * 4096)
    await bot.send_message(
        USER_ID,
        f'<b>{html.escape(name)}</b> <a href="https://x.test/?a=1&amp;b=2">link</a>',
        parse_mode="HTML",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="é" * 32)]]),
    )
    stored = fake.messages(USER_ID)[1]
    assert stored.plain_text == f"{name} link"
    assert stored.entities[1] == {
        "type": "text_link",
        "offset": len(name) + 1,
        "length": 4,
        "url": "https://x.test/?a=1&b=2",
    }
    assert fake.bad_requests() == []


async def test_edit_and_delete_unknown_messages(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(USER_ID)
    message = await bot.send_message(USER_ID, "bye")

    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", USER_ID, 999)
    assert await bot.delete_message(USER_ID, message.message_id) is True
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(USER_ID, message.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", USER_ID, message.message_id)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(424242, "nobody here")

    assert fake.messages(USER_ID)[0].deleted
    assert len(fake.bad_requests()) == 4


async def test_callback_query_can_be_answered_once(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(USER_ID)
    message = await bot.send_message(USER_ID, "menu", reply_markup=_keyboard())
    query_id = await user.press_data("forged:data", fake.messages(USER_ID)[0])

    assert await bot.answer_callback_query(query_id) is True
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query_id)
    assert (await user.answer(query_id)).ok
    assert message.message_id == 1


# --------------------------------------------------------------------------- faults


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_injected_403_and_429_become_ptb_exceptions(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(USER_ID)
    fake.user(USER_ID + 1)
    fake.inject("sendMessage", error_code=403, chat_id=USER_ID, times=None)
    fake.inject("sendMessage", error_code=429, retry_after=7, chat_id=USER_ID + 1)

    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER_ID, "hi")
    with pytest.raises(Forbidden):
        await bot.send_message(USER_ID, "hi again")
    with pytest.raises(RetryAfter, match="7 seconds"):
        await bot.send_message(USER_ID + 1, "hi")
    await bot.send_message(USER_ID + 1, "hi")  # times=1 is used up
    fake.clear_faults()
    await bot.send_message(USER_ID, "unblocked")

    [throttled] = [c for c in fake.calls if c.status == 429]
    assert throttled.response["parameters"] == {"retry_after": 7}
    assert throttled.description == "Too Many Requests: retry after 7"
    assert fake.count_429() == 1
    assert fake.bad_requests() == []  # injected failures are not the bot's fault
    assert [m.text for m in fake.messages(USER_ID)] == ["unblocked"]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_rate_limit_answers_429_over_the_window(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(USER_ID)
    now = [100.0]
    fake.clock = lambda: now[0]
    fake.rate_limit = 3

    for i in range(3):
        await bot.send_message(USER_ID, f"m{i}")
    with pytest.raises(RetryAfter):
        await bot.send_message(USER_ID, "over")
    await bot.send_chat_action(USER_ID, "typing")  # not a message: not limited
    now[0] += 1.0
    await bot.send_message(USER_ID, "next window")

    assert fake.count_429() == 1
    assert fake.calls_to("sendMessage")[3].response["parameters"] == {"retry_after": 1}
    assert len(fake.messages(USER_ID)) == 4


async def test_reset_connection_once(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(USER_ID)
    fake.reset_connection_once("sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(USER_ID, "lost")
    assert fake.messages(USER_ID) == []

    fake.reset_connection_once("sendMessage", after_processing=True)
    with pytest.raises(NetworkError):
        await bot.send_message(USER_ID, "delivered, answer lost")
    await bot.send_message(USER_ID, "fine")

    assert [m.text for m in fake.messages(USER_ID)] == ["delivered, answer lost", "fine"]
    assert [c.status for c in fake.calls_to("sendMessage")] == [0, 0, 200]
    assert fake.bad_requests() == []


async def test_wrong_token_is_401_and_unknown_method_is_404(fake: FakeTelegram, bot: Bot) -> None:
    stranger = Bot("987654321:WRONG", base_url=fake.base_url, request=ptb_request())
    with pytest.raises(InvalidToken):
        await stranger.get_me()
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": 1})

    statuses = [(c.method, c.status) for c in fake.bad_requests()]
    assert statuses == [("getMe", 401), ("sendTelepathy", 404)]
    assert all("WRONG" not in str(c.response) for c in fake.calls)


# --------------------------------------------------------------------------- polling


async def _raw_get_updates(fake: FakeTelegram, **params: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=10, verify=SSL) as client:
        response = await client.post(f"{fake.base_url}{TOKEN}/getUpdates", data=params)
        result: dict[str, Any] = response.json()
        return result


async def test_long_poll_returns_as_soon_as_an_update_is_pushed(fake: FakeTelegram) -> None:
    poll = asyncio.create_task(_raw_get_updates(fake, timeout=30))
    await fake.wait_until(lambda: fake.polls_in_flight == 1)

    update_id = fake.push_update({"message": {"message_id": 5, "date": 0, "text": "x"}})
    body = await asyncio.wait_for(poll, 2)

    assert body["ok"] and [u["update_id"] for u in body["result"]] == [update_id]
    assert fake.pending_updates == 1  # not confirmed until a later offset
    second = fake.push_update({"message": {"message_id": 6, "date": 0, "text": "y"}})
    limited = await _raw_get_updates(fake, offset=update_id + 1, limit=1)
    assert [u["update_id"] for u in limited["result"]] == [second]
    assert fake.pending_updates == 1
    confirmed = await _raw_get_updates(fake, offset=second + 1, timeout=0)
    assert confirmed["result"] == [] and fake.pending_updates == 0


async def test_stop_releases_a_poll_in_flight() -> None:
    fake = FakeTelegram()
    await fake.start()
    poll = asyncio.create_task(_raw_get_updates(fake, timeout=30))
    await fake.wait_until(lambda: fake.polls_in_flight == 1)

    await asyncio.wait_for(fake.stop(), 2)
    body = await asyncio.wait_for(poll, 2)

    assert body == {"ok": True, "result": []}


async def test_webhook_blocks_polling_until_deleted(fake: FakeTelegram, bot: Bot) -> None:
    await bot.set_webhook("https://example.com/hook")
    assert (await bot.get_webhook_info()).url == "https://example.com/hook"
    with pytest.raises(Conflict):
        await bot.get_updates(timeout=0)
    await bot.delete_webhook()
    assert await bot.get_updates(timeout=0) == ()
    assert [c.status for c in fake.bad_requests()] == [409]


async def test_allowed_updates_filter_drops_other_kinds(fake: FakeTelegram, bot: Bot) -> None:
    fake.push_update({"callback_query": {"id": "1"}})
    kept = fake.push_update({"message": {"message_id": 1, "date": 0}})
    body = await _raw_get_updates(fake, allowed_updates='["message"]')
    assert [u["update_id"] for u in body["result"]] == [kept]


# --------------------------------------------------------------------------- settings


async def test_commands_are_stored_per_scope_and_language(fake: FakeTelegram, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("balance", "Balance")])
    await bot.set_my_commands(
        [BotCommand("start", "Başla")],
        scope=BotCommandScopeAllPrivateChats(),
        language_code="tr",
    )
    await bot.set_chat_menu_button(menu_button=MenuButtonCommands())

    turkish = await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats(), language_code="tr")
    assert [(c.command, c.description) for c in turkish] == [("start", "Başla")]
    assert fake.commands[("default", None)][1] == {"command": "balance", "description": "Balance"}
    assert set(fake.commands) == {("default", None), ("all_private_chats", "tr")}
    assert fake.menu_buttons[None] == {"type": "commands"}

    await bot.delete_my_commands()
    assert set(fake.commands) == {("all_private_chats", "tr")}
    with pytest.raises(BadRequest):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])


async def test_chat_scoped_commands_win_in_the_clients_menu(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(USER_ID)
    await bot.set_my_commands([BotCommand("start", "Start")])
    assert fake.menu_for(USER_ID, "en") == [{"command": "start", "description": "Start"}]
    await bot.set_my_commands(
        [BotCommand("start", "Main menu")], scope=BotCommandScopeAllPrivateChats()
    )
    await bot.set_my_commands(
        [BotCommand("start", "Ana menü")],
        scope=BotCommandScopeAllPrivateChats(),
        language_code="tr",
    )
    assert fake.menu_for(USER_ID, "tr-TR")[0]["description"] == "Ana menü"
    assert fake.menu_for(USER_ID, "de")[0]["description"] == "Main menu"

    # A chat's own list beats the language lists, whatever the client's language.
    await bot.set_my_commands([BotCommand("start", "Başla")], scope=BotCommandScopeChat(USER_ID))
    assert ("chat:1001", None) in fake.commands
    assert fake.menu_for(USER_ID, "en")[0]["description"] == "Başla"
    mine = await bot.get_my_commands(scope=BotCommandScopeChat(USER_ID))
    assert [c.description for c in mine] == ["Başla"]
    assert await bot.get_my_commands(scope=BotCommandScopeChat(USER_ID), language_code="en") == ()
    assert fake.menu_for(2002, "en")[0]["description"] == "Main menu"  # other chats unchanged

    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.set_my_commands([BotCommand("start", "x")], scope=BotCommandScopeChat(999))
    with pytest.raises(BadRequest, match=r"(?i)language code"):
        await bot.set_my_commands([BotCommand("start", "x")], language_code="english")


async def test_descriptions_are_stored_per_language(fake: FakeTelegram, bot: Bot) -> None:
    await bot.set_my_description("Places orders.")
    await bot.set_my_description("Sipariş verir.", language_code="tr")
    await bot.set_my_short_description("Orders", language_code="en")
    assert fake.descriptions == {None: "Places orders.", "tr": "Sipariş verir."}
    assert fake.short_descriptions == {"en": "Orders"}
    assert (await bot.get_my_description(language_code="tr")).description == "Sipariş verir."
    assert (await bot.get_my_description()).description == "Places orders."
    assert (await bot.get_my_description(language_code="de")).description == ""
    short = await bot.get_my_short_description(language_code="en")
    assert short.short_description == "Orders"

    # Telegram's limits: 512 and 120 characters; an empty text removes that language's.
    await bot.set_my_description("x" * 512)
    with pytest.raises(BadRequest, match="too long"):
        await bot.set_my_description("x" * 513)
    with pytest.raises(BadRequest, match="too long"):
        await bot.set_my_short_description("x" * 121)
    await bot.set_my_description("", language_code="tr")
    assert fake.descriptions == {None: "x" * 512}


async def test_group_messages_and_cursor(fake: FakeTelegram, bot: Bot) -> None:
    group = fake.group(-100500, "Resellers")
    alice = fake.user(USER_ID, first_name="Alice")
    await group.send(alice, "/start@smm_test_bot")
    await bot.send_message(-100500, "hello group")

    reply = await group.reply()
    assert reply.text == "hello group"
    [update] = await bot.get_updates(timeout=0)
    assert update.message is not None and update.message.from_user is not None
    assert update.message.chat.type == "group" and update.message.from_user.first_name == "Alice"
    assert update.message.text == "/start@smm_test_bot"


def test_html_entities_use_utf16_offsets() -> None:
    plain, entities = parse_html('😀 <b>a</b><pre><code class="language-py">x</code></pre>')
    assert plain == "😀 ax"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 1},
        {"type": "pre", "offset": 4, "length": 1, "language": "py"},
    ]


async def test_group_press_update_cursor_and_wait_until_timeout(
    fake: FakeTelegram, bot: Bot
) -> None:
    group = fake.group(-100600)
    bob = fake.user(USER_ID + 7, first_name="Bob")
    menu = await bot.send_message(-100600, "vote", reply_markup=_keyboard())
    assert (await group.update()).message_id == menu.message_id  # update() sees new messages too

    query_id = await group.press(bob, "buy more")
    with pytest.raises(AssertionError, match="no button matches"):
        await group.press(bob, "nothing here")
    await bot.edit_message_reply_markup(-100600, menu.message_id, reply_markup=None)
    edited = await group.update()
    assert edited.reply_markup is None and edited.edit_count == 1

    updates = await bot.get_updates(timeout=0)
    assert updates[-1].callback_query is not None
    assert updates[-1].callback_query.id == query_id
    assert updates[-1].callback_query.data == "buy:2"
    assert updates[-1].callback_query.from_user.first_name == "Bob"
    with pytest.raises(BadRequest, match="Wrong parameter action"):
        await bot.send_chat_action(-100600, "dancing")
    with pytest.raises(AssertionError, match="condition not met"):
        await fake.wait_until(lambda: fake.count("sendPhoto") > 0, timeout=0.05)


def _png(width: int, height: int) -> bytes:
    """A PNG header as far as the fake reads it (signature and IHDR)."""
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x08\x02\x00\x00\x00"
    return b"\x89PNG\r\n\x1a\n" + len(ihdr).to_bytes(4, "big") + b"IHDR" + ihdr + b"\x00" * 8


async def test_bot_send_photo_checks_the_image_as_telegram_does(
    fake: FakeTelegram, bot: Bot
) -> None:
    fake.user(USER_ID)
    sent = await bot.send_photo(USER_ID, photo=_png(800, 320), caption="chart")
    assert sent.photo and sent.caption == "chart"
    stored = fake.messages(USER_ID)[0]
    assert stored.photo is not None and stored.photo.content == _png(800, 320)
    for bad, error in (
        (b"not an image", "IMAGE_PROCESS_FAILED"),
        (_png(9000, 2000), "PHOTO_INVALID_DIMENSIONS"),  # width + height over 10000
        (_png(2100, 100), "PHOTO_INVALID_DIMENSIONS"),  # ratio over 20
    ):
        with pytest.raises(BadRequest, match=f"(?i){error}"):
            await bot.send_photo(USER_ID, photo=bad)
