"""Bot core through the real Application: menus, access control, keys, languages, concurrency."""

from __future__ import annotations

from pathlib import Path

from bot.storage.models import AccessState
from tests.e2e.steps import screen
from tests.fakes.panel import Fault
from tests.harness import ADMIN_ID, PUBLISH_PROFILE, Harness, running_bot

KEY = "pk_live_4f9a8e7d6c5b4a39281706f5e4d3c2b1"


async def test_start_shows_menu_to_admin(bot: Harness) -> None:
    admin = bot.user(ADMIN_ID)
    await admin.send("/start")
    msg = await admin.reply()
    assert "Hi" in (msg.text or "")
    labels = [text for text, _ in msg.buttons()]
    for label in ("Services", "New order", "Bulk order", "My orders", "Balance", "Settings"):
        assert any(label in b for b in labels), labels
    assert "/setkey" in (msg.text or "")  # no key yet
    assert bot.telegram.bad_requests() == []


@PUBLISH_PROFILE
async def test_commands_published_per_language(bot: Harness) -> None:
    langs = {lang for (_scope, lang) in bot.telegram.commands}
    assert {"en", "tr"} <= langs
    en = {
        c["command"]: c["description"] for c in bot.telegram.commands[("all_private_chats", "en")]
    }
    tr = {
        c["command"]: c["description"] for c in bot.telegram.commands[("all_private_chats", "tr")]
    }
    assert "panels" in en and "balance" in en  # the ten most used; /help lists the rest
    assert en["balance"] != tr["balance"]
    assert "allow" not in en  # admin commands stay out of everyone's menu


async def test_help_lists_commands(bot: Harness) -> None:
    admin = bot.user(ADMIN_ID)
    await admin.send("/help")
    text = (await admin.reply()).text or ""
    for cmd in ("/setkey", "/balance", "/cancel", "/language", "/allow", "/users"):
        assert cmd in text


async def test_stranger_gets_one_polite_reply_a_minute_and_answers_to_help(bot: Harness) -> None:
    stranger = bot.user(5001)
    await stranger.send("/start")
    first = await stranger.reply()
    assert "private" in (first.text or "").lower()
    assert any("Request access" in t for t, _ in first.buttons())
    await stranger.send("/balance")  # within the minute: not answered again
    await stranger.send("/help")  # asks what to do: answered (issue 13 item 9)
    helped = await stranger.reply()
    assert "private" in (helped.text or "").lower()
    # A forged button from a stranger reaches no handler: only an alert comes back.
    qid = await stranger.press_data("m:balance", first)
    answer = await stranger.answer(qid)
    assert answer.params.get("show_alert") in (True, "true")
    assert len(stranger.bot_messages()) == 2
    assert bot.panel.count() == 0


async def test_admin_approval_round_trip(bot: Harness) -> None:
    admin = bot.user(ADMIN_ID)
    await admin.send("/start")
    await admin.reply()
    stranger = bot.user(5002, first_name="Ayşe")
    confirmation = await screen(stranger, "hello", "Request access")
    assert "sent to the admins" in (confirmation.text or "")
    request = await admin.reply()
    assert "5002" in (request.text or "") and "Ayşe" in (request.text or "")
    await admin.press("Approve", message=request)
    decided = await admin.update()
    assert "approved" in (decided.text or "")
    told = await stranger.reply()
    assert "access" in (told.text or "")
    user = await bot.deps.storage.users.get(5002)
    assert user is not None and user.access is AccessState.ALLOWED
    await stranger.send("/start")
    assert "Hi" in ((await stranger.reply()).text or "")


async def test_admin_reject(bot: Harness) -> None:
    admin = bot.user(ADMIN_ID)
    stranger = bot.user(5003)
    await screen(stranger, "/start", "Request access")
    request = await admin.reply()
    await admin.press("Reject", message=request)
    await admin.update()
    assert "declined" in ((await stranger.reply()).text or "")
    await stranger.send("/start")  # always answered (issue 21 item 17): the decision again
    assert "declined" in ((await stranger.reply()).text or "")
    await admin.send("/users")
    listing = (await admin.reply()).text or ""
    assert "5003" in listing and "denied" in listing
    assert len(stranger.bot_messages()) == 3  # the greeting, the outcome, the /start answer


async def test_allow_deny_commands_and_non_admin(bot: Harness) -> None:
    admin = bot.user(ADMIN_ID)
    await admin.send("/allow 6001")
    assert "6001" in ((await admin.reply()).text or "")
    member = bot.user(6001)
    assert "access" in ((await member.reply()).text or "")  # told of the decision
    await member.send("/start")
    assert "Hi" in ((await member.reply()).text or "")
    await member.send("/allow 6002")
    assert "admins" in ((await member.reply()).text or "")
    await admin.send("/deny 6001")
    assert "denied" in ((await admin.reply()).text or "")
    await admin.send("/allow abc")
    assert "Usage" in ((await admin.reply()).text or "")


async def test_users_is_paged(bot: Harness) -> None:
    for uid in range(7000, 7045):
        await bot.deps.access.allow(uid)
    admin = bot.user(ADMIN_ID)
    await admin.send("/users")
    page1 = await admin.reply()
    assert any("Next" in t for t, _ in page1.buttons())
    await admin.press("Next")
    page2 = await admin.update()
    assert page2.message_id == page1.message_id
    assert page2.text != "" and "7000" not in (page2.text or "")


async def test_setkey_deletes_message_and_never_echoes(bot: Harness) -> None:
    bot.panel.add_key(KEY, balance="123.45")
    admin = bot.user(ADMIN_ID)
    await admin.send("/setkey")
    prompt = await admin.reply()
    assert "API key" in (prompt.text or "")
    key_msg = await admin.send(KEY)
    done = await admin.reply()
    assert "saved" in (done.text or "")
    assert "123.45" in (done.text or "")
    assert key_msg.deleted
    assert await bot.deps.storage.accounts.get(ADMIN_ID) == KEY
    assert all(KEY not in t for t in admin.sent_texts())
    assert KEY not in bot.logs.text
    await admin.send("/balance")
    assert "123.45" in ((await admin.reply()).text or "")


async def test_setkey_wrong_key_then_right_one(bot: Harness) -> None:
    bot.panel.add_key(KEY)
    admin = bot.user(ADMIN_ID)
    await admin.send("/setkey")
    await admin.reply()
    wrong = await admin.send("wrong_key_0000000000")
    answer = await admin.reply()
    assert "did not accept" in (answer.text or "")
    assert wrong.deleted
    assert await bot.deps.storage.accounts.get(ADMIN_ID) is None
    await admin.send(KEY)
    assert "saved" in ((await admin.reply()).text or "")


async def test_setkey_sick_panel_does_not_save(bot: Harness) -> None:
    bot.panel.add_key(KEY)
    bot.panel.inject(Fault.http_500(), action="balance", times=None)
    admin = bot.user(ADMIN_ID)
    await admin.send("/setkey")
    await admin.reply()
    key_msg = await admin.send(KEY)
    answer = await admin.reply()
    assert "not saved" in (answer.text or "")
    assert key_msg.deleted
    assert await bot.deps.storage.accounts.get(ADMIN_ID) is None
    assert KEY not in bot.logs.text


async def test_cancel_leaves_dialog(bot: Harness) -> None:
    admin = bot.user(ADMIN_ID)
    await admin.send("/setkey")
    await admin.reply()
    await admin.send("/cancel")
    assert "Cancelled" in ((await admin.reply()).text or "")
    await admin.send("/cancel")
    assert "nothing to cancel" in ((await admin.reply()).text or "").lower()
    await admin.send("some text")
    assert "did not understand" in ((await admin.reply()).text or "")


async def test_balance_without_key_explains(bot: Harness) -> None:
    admin = bot.user(ADMIN_ID)
    await admin.send("/balance")
    assert "/setkey" in ((await admin.reply()).text or "")


async def test_deletekey(bot: Harness) -> None:
    admin = await bot.member(ADMIN_ID, key=KEY)
    await admin.send("/deletekey")
    assert "deleted" in ((await admin.reply()).text or "")
    assert await bot.deps.storage.accounts.get(ADMIN_ID) is None


async def test_language_switch_to_turkish(bot: Harness) -> None:
    admin = bot.user(ADMIN_ID)
    confirmation = await screen(admin, "/language", "Türkçe")
    assert "Türkçe" in (confirmation.text or "")
    await admin.send("/balance")
    text = (await admin.reply()).text or ""
    assert "/setkey" in text and "API" in text and "You have" not in text


async def test_telegram_language_code_is_used(bot: Harness) -> None:
    await bot.deps.access.allow(6100)
    user = bot.user(6100, language_code="tr-TR")
    await user.send("/balance")
    assert "You have" not in ((await user.reply()).text or "")


async def test_group_chat_told_once(bot: Harness) -> None:
    admin = bot.user(ADMIN_ID)
    group = bot.telegram.group(-100500)
    await group.send(admin, "/start")
    told = await group.reply()
    assert "private" in (told.text or "").lower()
    await group.send(admin, "/balance")
    await admin.send("/start")  # the same user's updates run in order: group message done first
    await admin.reply()
    assert len(group.bot_messages()) == 1


async def test_forged_callback_is_expired_not_a_crash(bot: Harness) -> None:
    admin = bot.user(ADMIN_ID)
    await admin.send("/start")
    menu = await admin.reply()
    for data in ("zz:1", "oc:notanumber", "m", "ad:1:1:1", "x" * 64):
        qid = await admin.press_data(data, menu)
        answer = await admin.answer(qid)
        assert "expired" in str(answer.params.get("text", ""))
    await admin.send("/start")
    assert "Hi" in ((await admin.reply()).text or "")
    assert "Traceback" not in bot.logs.text


async def test_user_b_not_blocked_by_user_a_slow_panel(bot: Harness) -> None:
    a = await bot.member(6201, key="key_user_a_111111111111")
    b = await bot.member(6202, key="key_user_b_222222222222")
    bot.panel.inject(Fault.latency(1.5), action="balance", times=1)
    await a.send("/balance")
    await bot.panel.wait_for_request("balance")  # A is now waiting on the slow panel
    await b.send("/start")
    b_reply = await b.reply()
    assert "Hi" in (b_reply.text or "")
    assert a.bot_messages() == []  # A still waits
    a_reply = await a.reply()
    assert "100" in (a_reply.text or "")


async def test_one_users_updates_stay_in_order(bot: Harness) -> None:
    # Ordinary updates (anything but /help, /start, /cancel, menu and navigation) wait for the
    # user's slow one; tests/e2e/test_slow_panel.py covers the ones that do not.
    u = await bot.member(6300, key="key_user_c_333333333333")
    bot.panel.inject(Fault.latency(0.3), action="balance", times=1)
    await u.send("/balance")
    await u.send("hello")
    first = await u.reply()
    second = await u.reply()
    assert "Balance" in (first.text or "")
    assert "did not understand" in (second.text or "")


async def test_restart_mid_dialog_continues(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        bot.panel.add_key(KEY)
        admin = bot.user(ADMIN_ID)
        await admin.send("/setkey")
        await admin.reply()
        await bot.restart()
        await admin.send(KEY)
        assert "saved" in ((await admin.reply()).text or "")
        assert await bot.deps.storage.accounts.get(ADMIN_ID) == KEY


async def test_open_mode_lets_anyone_in(tmp_path: Path) -> None:
    async with running_bot(tmp_path, access_mode="open") as bot:
        anyone = bot.user(8000)
        await anyone.send("/start")
        assert "Hi" in ((await anyone.reply()).text or "")


async def test_token_and_keys_never_logged(bot: Harness) -> None:
    admin = await bot.member(ADMIN_ID, key=KEY)
    bot.panel.inject(Fault.html_200(), action="balance", times=1)
    await admin.send("/balance")
    await admin.reply()
    await admin.send("/balance")
    await admin.reply()
    assert bot.telegram.token not in bot.logs.text
    assert KEY not in bot.logs.text
    assert all(KEY not in t and bot.telegram.token not in t for t in admin.sent_texts())
