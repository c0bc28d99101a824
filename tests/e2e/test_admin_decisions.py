"""Access requests with several admins: one decision, every admin's copy updated, one outcome.

Also the admin commands' bad input (/allow ², an id past 64 bits): the usage line, not a crash.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage.models import AccessState
from tests.e2e.steps import data_of, plain_text_of, screen
from tests.fakes.telegram import FakeUser
from tests.fakes.telegram_models import BotMessage
from tests.harness import Harness, running_bot

ALICE = 1000
BOB = 1001
REQUESTER = 5100


@pytest.fixture
async def two_admins(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_bot(tmp_path, admin_ids=f"{ALICE},{BOB}") as harness:
        yield harness


async def admins_say_hello(bot: Harness) -> tuple[FakeUser, FakeUser]:
    alice = bot.user(ALICE, first_name="Alice", username="alice_admin")
    bob = bot.user(BOB, first_name="Bob", username="bob_admin")
    for admin in (alice, bob):
        await admin.send("/start")
        await admin.reply()
    return alice, bob


async def request_access(bot: Harness) -> tuple[FakeUser, BotMessage, BotMessage]:
    """The requester asks; returns them and the request as Alice and Bob received it."""
    requester = bot.user(REQUESTER, first_name="Ayşe")
    await screen(requester, "/start", "Request access")
    alice, bob = bot.users[ALICE], bot.users[BOB]
    return requester, await alice.reply(), await bob.reply()


async def settle(bot: Harness) -> None:
    await bot.telegram.wait_until(lambda: bot.telegram.pending_updates == 0)
    await asyncio.sleep(0.3)  # a wrong second outcome would be sent by now


def outcomes(requester: FakeUser) -> list[str]:
    return [t for t in requester.sent_texts() if "Good news" in t or "declined" in t]


async def test_second_admin_cannot_undo_the_first(two_admins: Harness) -> None:
    bot = two_admins
    alice, bob = await admins_say_hello(bot)
    requester, alice_copy, bob_copy = await request_access(bot)
    bob_reject = data_of(bob_copy, "Reject")

    await alice.press("Approve", message=alice_copy)
    assert "approved" in plain_text_of(await alice.update())
    assert "Good news" in plain_text_of(await requester.reply())

    # Bob's copy was updated: who decided, and no buttons left to press.
    await bot.telegram.wait_until(lambda: bob_copy.edit_count > 0)
    assert "approved by @alice_admin" in plain_text_of(bob_copy)
    assert bob_copy.buttons() == []
    assert "approved by @alice_admin" in plain_text_of(alice_copy)
    assert alice_copy.buttons() == []

    # Bob's Reject from before the update (a slow client, a replay) is refused with who decided.
    qid = await bob.press_data(bob_reject, bob_copy)
    answer = await bob.answer(qid)
    assert "already approved by @alice_admin" in str(answer.params.get("text"))
    await settle(bot)

    user = await bot.deps.storage.users.get(REQUESTER)
    assert user is not None and user.access is AccessState.ALLOWED
    assert outcomes(requester) == ["Good news: an admin gave you access. Send /start to begin."], (
        requester.describe_chat()
    )
    await requester.send("/start")
    assert "Hi" in plain_text_of(await requester.reply())


async def test_simultaneous_decisions_have_one_winner(two_admins: Harness) -> None:
    bot = two_admins
    alice, bob = await admins_say_hello(bot)
    requester, alice_copy, bob_copy = await request_access(bot)

    # Both tap at once: different users' updates are handled concurrently.
    await alice.press("Approve", message=alice_copy)
    await bob.press("Reject", message=bob_copy)
    await bot.telegram.wait_until(lambda: bot.telegram.count("answerCallbackQuery") >= 2)
    await settle(bot)

    user = await bot.deps.storage.users.get(REQUESTER)
    assert user is not None
    assert len(outcomes(requester)) == 1, requester.describe_chat()
    winner = "approved by @" if user.access is AccessState.ALLOWED else "rejected by @"
    assert user.access in (AccessState.ALLOWED, AccessState.DENIED)
    for copy in (alice_copy, bob_copy):
        assert winner in plain_text_of(copy), copy.describe()
        assert copy.buttons() == []
    assert bot.telegram.bad_requests() == []


async def test_allow_command_decides_the_open_request(two_admins: Harness) -> None:
    bot = two_admins
    alice, bob = await admins_say_hello(bot)
    requester, alice_copy, bob_copy = await request_access(bot)
    bob_reject = data_of(bob_copy, "Reject")

    await alice.send(f"/allow {REQUESTER}")
    assert str(REQUESTER) in plain_text_of(await alice.reply())
    await bot.telegram.wait_until(lambda: alice_copy.edit_count > 0 and bob_copy.edit_count > 0)
    for copy in (alice_copy, bob_copy):
        assert "approved by @alice_admin" in plain_text_of(copy)
        assert copy.buttons() == []

    qid = await bob.press_data(bob_reject, bob_copy)
    assert "already approved" in str((await bob.answer(qid)).params.get("text"))
    # A repeated /allow changes nothing, so the user is not told a second time.
    await alice.send(f"/allow {REQUESTER}")
    await alice.reply()
    await settle(bot)
    assert len(outcomes(requester)) == 1, requester.describe_chat()
    user = await bot.deps.storage.users.get(REQUESTER)
    assert user is not None and user.access is AccessState.ALLOWED


async def test_reject_then_approve_button_is_refused(two_admins: Harness) -> None:
    bot = two_admins
    alice, bob = await admins_say_hello(bot)
    requester, alice_copy, bob_copy = await request_access(bot)
    bob_approve = data_of(bob_copy, "Approve")

    await alice.press("Reject", message=alice_copy)
    await alice.update()
    assert "declined" in plain_text_of(await requester.reply())
    qid = await bob.press_data(bob_approve, bob_copy)
    assert "already rejected by @alice_admin" in str((await bob.answer(qid)).params.get("text"))
    await settle(bot)
    user = await bot.deps.storage.users.get(REQUESTER)
    assert user is not None and user.access is AccessState.DENIED
    assert len(outcomes(requester)) == 1, requester.describe_chat()


async def test_deny_command_decides_the_open_request(two_admins: Harness) -> None:
    bot = two_admins
    alice, bob = await admins_say_hello(bot)
    requester, alice_copy, bob_copy = await request_access(bot)
    alice_approve = data_of(alice_copy, "Approve")

    await bob.send(f"/deny {REQUESTER}")
    assert "denied" in plain_text_of(await bob.reply())
    assert "declined" in plain_text_of(await requester.reply())  # the request was answered
    await bot.telegram.wait_until(lambda: alice_copy.edit_count > 0 and bob_copy.edit_count > 0)
    for copy in (alice_copy, bob_copy):
        assert "rejected by @bob_admin" in plain_text_of(copy)
        assert copy.buttons() == []
    qid = await alice.press_data(alice_approve, alice_copy)
    assert "already rejected by @bob_admin" in str((await alice.answer(qid)).params.get("text"))
    await settle(bot)
    assert len(outcomes(requester)) == 1, requester.describe_chat()


@pytest.mark.parametrize("command", ["allow", "deny"])
@pytest.mark.parametrize(
    "argument",
    ["²", "٣", "99999999999999999999999", "9223372036854775808", "-5", "1 2", ""],
)
async def test_bad_ids_get_the_usage_line(bot: Harness, command: str, argument: str) -> None:
    admin = bot.user(1000)
    await admin.send(f"/{command} {argument}".strip())
    reply = plain_text_of(await admin.reply())
    assert reply == f"Usage: /{command} USER_ID", reply
    assert "Something went wrong" not in reply
    assert "Traceback" not in bot.logs.text


async def test_forged_buttons_with_ids_past_64_bits_are_expired(bot: Harness) -> None:
    admin = bot.user(1000)
    await admin.send("/start")
    menu = await admin.reply()
    for data in ("ad:9999999999999999999:1", "oc:9999999999999999999", "st:9223372036854775808",
                 "ro:-9999999999999999999"):  # fmt: skip
        qid = await admin.press_data(data, menu)
        assert "expired" in str((await admin.answer(qid)).params.get("text")), data
    await bot.telegram.wait_until(lambda: bot.telegram.pending_updates == 0)
    assert not any("Something went wrong" in t for t in admin.sent_texts())
    assert "Traceback" not in bot.logs.text


async def test_members_reach_no_admin_command_or_button(two_admins: Harness) -> None:
    bot = two_admins
    await admins_say_hello(bot)
    requester, _, _ = await request_access(bot)
    member_id = 5200
    await bot.deps.access.allow(member_id)
    member = bot.user(member_id)
    await member.send("/start")
    menu = await member.reply()
    for command in ("/users", "/allow 5201", f"/deny {REQUESTER}"):
        await member.send(command)
        assert (await member.reply()).text == "This command is for admins.", command
    # A forged Approve is an unknown button for a member, and decides nothing.
    qid = await member.press_data(f"ad:{REQUESTER}:1", menu)
    assert "expired" in str((await member.answer(qid)).params.get("text"))
    qid = await member.press_data("up:1", menu)
    await member.answer(qid)
    assert (await member.reply()).text == "This command is for admins."
    await settle(bot)
    stored = await bot.deps.users.get(REQUESTER)
    assert stored is not None and stored.access is AccessState.REQUESTED
    assert await bot.deps.users.get(5201) is None
    # The greeting (edited to "request sent"), and no outcome.
    assert [m.text for m in requester.bot_messages()] == [
        "Thanks! Your request was sent to the admins. I will tell you the outcome."
    ]
