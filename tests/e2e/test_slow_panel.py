"""A hung, trickling or slow panel through the real Application: the user is never left alone.

Every test measures, on the fake Telegram's clock, how long the user waited for the first sign
of life (a sendChatAction "typing", < 2 s) and for the answer (≤ PANEL_TIMEOUT_SECONDS + 2 s).
The harness runs the bot with PANEL_TIMEOUT_SECONDS = 2.
"""

from __future__ import annotations

import time

from bot.callbacks.base import encode
from bot.callbacks.new_order import ConfirmOrder
from bot.storage.models import SubmitState
from tests.e2e.steps import dialog
from tests.fakes.panel import Fault
from tests.fakes.telegram_models import ApiCall, BotMessage
from tests.fakes.telegram_users import FakeUser
from tests.harness import Harness

KEY = "pk_slow_0123456789abcdef"
UID = 7301
SIGN_OF_LIFE = 2.0
AT_ONCE = 1.2  # "answered at once" (the issue asks for about a second)
SLACK = 2.0


def timeout_of(bot: Harness) -> float:
    return bot.settings.panel_timeout_seconds


def typing_since(bot: Harness, chat_id: int, since: float) -> list[ApiCall]:
    return [
        c
        for c in bot.telegram.calls_to("sendChatAction")
        if str(c.params.get("chat_id")) == str(chat_id)
        and c.params.get("action") == "typing"
        and c.at >= since
        and c.ok
    ]


async def first_typing(bot: Harness, u: FakeUser, since: float) -> float:
    """Seconds from `since` until the bot showed "typing" in the user's chat."""
    await bot.telegram.wait_until(lambda: bool(typing_since(bot, u.id, since)), timeout=5.0)
    return typing_since(bot, u.id, since)[0].at - since


async def answered_after(
    u: FakeUser, since: float, *, edit: bool = False
) -> tuple[BotMessage, float]:
    message = await (u.update(timeout=20.0) if edit else u.reply(timeout=20.0))
    return message, time.monotonic() - since


# --------------------------------------------------------------------------- deadline + signs


async def test_hung_balance_shows_typing_then_answers_within_the_deadline(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    t_fast = time.monotonic()
    await u.send("/balance")  # a fast answer earns no chat action: it costs Telegram budget
    await u.reply()
    assert typing_since(bot, u.id, t_fast) == []
    bot.panel.clear_log()
    bot.panel.inject(Fault.hang(), action="balance", times=None)
    t0 = time.monotonic()
    await u.send("/balance")
    assert await first_typing(bot, u, t0) < SIGN_OF_LIFE
    reply, waited = await answered_after(u, t0)
    assert "not answering" in (reply.text or "")
    assert waited <= timeout_of(bot) + SLACK
    assert bot.panel.count("balance") == 1  # no time was left for a retry


async def test_trickling_balance_is_cut_at_the_deadline(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    # One byte a second: httpx's per-read timeout (2 s) never fires; the answer takes ~40 s.
    bot.panel.inject(Fault.trickle(1.0), action="balance", times=None)
    t0 = time.monotonic()
    await u.send("/balance")
    assert await first_typing(bot, u, t0) < SIGN_OF_LIFE
    reply, waited = await answered_after(u, t0)
    assert "not answering" in (reply.text or "")
    assert waited <= timeout_of(bot) + SLACK


async def test_slow_but_working_panel_shows_typing_before_the_answer(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    bot.panel.inject(Fault.latency(1.8), action="balance")
    t0 = time.monotonic()
    await u.send("/balance")
    assert await first_typing(bot, u, t0) < SIGN_OF_LIFE
    reply, waited = await answered_after(u, t0)
    assert "Balance" in (reply.text or "") and "100" in (reply.text or "")
    assert waited <= timeout_of(bot) + SLACK


async def test_hung_order_preview_shows_typing_and_arrives_in_time(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await dialog(u, 1, "https://instagram.com/a")
    bot.panel.inject(Fault.hang(), action="balance", times=None)
    t0 = time.monotonic()
    await u.send("1000")
    assert await first_typing(bot, u, t0) < SIGN_OF_LIFE
    preview, waited = await answered_after(u, t0)
    assert "Confirm" in " ".join(t for t, _ in preview.buttons())
    assert "unknown" in (preview.text or "")  # shown without the balance
    assert waited <= timeout_of(bot) + SLACK


# --------------------------------------------------------------------------- not held


async def test_help_and_start_answered_at_once_while_balance_hangs(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    bot.panel.inject(Fault.hang(), action="balance", times=None)
    t0 = time.monotonic()
    await u.send("/balance")
    await bot.panel.wait_for_request("balance")
    t_help = time.monotonic()
    await u.send("/help")
    help_reply = await u.reply(timeout=5.0)
    assert time.monotonic() - t_help < AT_ONCE
    assert "/setkey" in (help_reply.text or "")
    t_start = time.monotonic()
    await u.send("/start")
    start_reply = await u.reply(timeout=5.0)
    assert time.monotonic() - t_start < AT_ONCE
    assert "Hi" in (start_reply.text or "")
    # /help and /start leave the read alone: the balance's own answer still comes, in time.
    late, waited = await answered_after(u, t0)
    assert "not answering" in (late.text or "")
    assert waited <= timeout_of(bot) + SLACK


async def test_cancel_answered_at_once_and_ends_the_pending_read(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    bot.panel.inject(Fault.hang(), action="balance", times=None)
    await u.send("/balance")
    await bot.panel.wait_for_request("balance")
    t_cancel = time.monotonic()
    await u.send("/cancel")
    reply = await u.reply(timeout=5.0)
    assert time.monotonic() - t_cancel < AT_ONCE
    assert "nothing to cancel" in (reply.text or "")
    # The abandoned /balance says nothing more, not even after its deadline.
    await u.send("hello")
    assert "did not understand" in ((await u.reply(timeout=5.0)).text or "")
    assert time.monotonic() - t_cancel < 1.5  # "hello" did not queue behind the hung read
    assert not any("not answering" in t for t in u.sent_texts())
    assert "Traceback" not in bot.logs.text


async def test_cancel_leaves_a_dialog_whose_step_waits_on_the_panel(bot: Harness) -> None:
    await bot.deps.access.allow(UID)
    u = bot.user(UID)
    bot.panel.add_key(KEY)
    await u.send("/setkey")
    await u.reply()
    bot.panel.inject(Fault.hang(), action="balance", times=None)
    t0 = time.monotonic()
    await u.send(KEY)  # the dialog checks the key with a balance call, which hangs
    await bot.panel.wait_for_request("balance")
    await u.send("/cancel")
    cancelled = await u.reply(timeout=5.0)
    assert time.monotonic() - t0 < 1.5
    assert "Cancelled" in (cancelled.text or "")
    # The abandoned step never returned, so the dialog is over and the key was not stored.
    await u.send("another text")
    assert "did not understand" in ((await u.reply(timeout=5.0)).text or "")
    assert await bot.deps.storage.accounts.get(UID) is None


async def test_menu_button_answered_at_once_while_a_read_hangs(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await u.send("/start")
    menu = await u.reply()
    bot.panel.inject(Fault.hang(), action="status", times=None)
    await u.send("/status 23501")
    await bot.panel.wait_for_request("status")
    t0 = time.monotonic()
    qid = await u.press("Settings", message=menu)
    await u.answer(qid, timeout=5.0)
    settings = await u.update(timeout=5.0)
    assert time.monotonic() - t0 < AT_ONCE
    assert "Settings" in (settings.text or "")


async def test_cancel_answered_at_once_while_a_menu_buttons_read_hangs(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await u.send("/start")
    menu = await u.reply()
    bot.panel.clear_log()
    bot.panel.inject(Fault.hang(), action="balance", times=None)
    t0 = time.monotonic()
    await u.press("Balance", message=menu)
    await bot.panel.wait_for_request("balance")
    assert await first_typing(bot, u, t0) < SIGN_OF_LIFE
    t_cancel = time.monotonic()
    await u.send("/cancel")
    reply = await u.reply(timeout=5.0)
    assert time.monotonic() - t_cancel < AT_ONCE
    assert "nothing to cancel" in (reply.text or "")


async def test_confirm_in_flight_is_never_abandoned_and_help_still_answers(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    preview = await dialog(u, 1, "https://instagram.com/a", "1000")
    # The panel places the order, then never answers.
    bot.panel.inject(Fault.hang(after=True), action="add")
    t0 = time.monotonic()
    await u.press("Confirm", message=preview)
    await bot.panel.wait_for_request("add")
    t_help = time.monotonic()
    await u.send("/help")
    assert "/setkey" in ((await u.reply(timeout=5.0)).text or "")
    await u.send("/cancel")  # beside a write: answered, and the write goes on
    assert "nothing to cancel" in ((await u.reply(timeout=5.0)).text or "")
    assert time.monotonic() - t_help < 1.5
    await bot.telegram.wait_until(
        lambda: "cannot tell whether" in (preview.text or ""),
        timeout=timeout_of(bot) + SLACK,
    )
    assert time.monotonic() - t0 <= timeout_of(bot) + SLACK
    # The user saw the bot at work meanwhile.
    assert typing_since(bot, u.id, t0)[0].at - t0 < SIGN_OF_LIFE
    assert bot.panel.count("add") == 1 and len(bot.panel.orders) == 1
    rows = await bot.deps.storage.db.fetchall("SELECT id FROM orders WHERE user_id = ?", (UID,))
    [row] = [await bot.deps.storage.orders.get(r[0]) for r in rows]
    assert row is not None and row.submit_state is SubmitState.UNKNOWN
    # The claim still decides: a replayed Confirm sends nothing.
    qid = await u.press_data(encode(ConfirmOrder.action, row.batch), preview)
    await u.answer(qid)
    assert bot.panel.count("add") == 1
