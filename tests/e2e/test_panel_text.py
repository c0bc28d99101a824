"""Panel text is text (issue 19 item 6), end to end: a hostile panel sends `<`, `&` and
`<a href=…>` in every string it has (service names, categories, types, descriptions, average
times, currency, statuses, errors), and every screen shows them as written. The fake Telegram
parses HTML as strictly as Telegram (a stray `<` is a 400), so a leak is either a failed send or
markup the user did not see written."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tests.e2e.steps import KEY_B, confirm, drain, link_beta, place, poll
from tests.fakes.panel import FakePanel
from tests.fakes.telegram_models import BotMessage
from tests.fakes.telegram_users import FakeUser
from tests.harness import Harness

KEY = "pk_hostile_0123456789abcdef"
UID = 4951
# `zq` and `zz` stand inside tags: shown as text, each keeps its tag in front of it.
HOSTILE = '<i>zq</i> & <a href="https://evil.example/">zz</a> <'
CURRENCY = '<a href="https://evil.example/">USD</a>'


def hostile_services() -> list[dict[str, object]]:
    common = {"min": 10, "max": 10_000, "refill": True, "cancel": True}
    return [
        {
            "service": 1,
            "name": f"Followers {HOSTILE}",
            "type": "Default",
            "category": f"Cat {HOSTILE}",
            "rate": "1.25",
            "description": f"Desc {HOSTILE}",
            # Tags are dropped from an average time by design (bot/panel/durations.py): the
            # rest must still read as written.
            "average_time": "soon & <3 days",
            **common,
        },
        {
            "service": 2,
            "name": f"Odd type {HOSTILE}",
            "type": HOSTILE,
            "category": f"Cat {HOSTILE}",
            "rate": "2.5",
            **common,
        },
    ]


@dataclass(frozen=True)
class Screen:
    """What the user read at one moment (messages are edited in place later)."""

    text: str
    entities: list[dict[str, Any]]


def screen(message: BotMessage) -> Screen:
    return Screen(message.plain_text or "", [dict(e) for e in message.entities])


def assert_shown_as_written(seen: Screen) -> None:
    """Every hostile piece of `seen` reads as the panel wrote it, and no link came of it."""
    text = seen.text
    assert text.count("zq") == text.count("<i>zq</i>"), text
    assert text.count("zz") == text.count('evil.example/">zz</a>'), text
    assert text.count(">USD</a>") == text.count(CURRENCY), text
    for entity in seen.entities:
        assert "evil" not in str(entity.get("url", "")), (entity, text)


async def visit(u: FakeUser, *, command: str = "", press: str = "") -> Screen:
    if command:
        await u.send(command)
        return screen(await u.reply())
    await u.press(press)
    return screen(await u.update())


async def order_one(u: FakeUser, seen: list[Screen]) -> BotMessage:
    """/order 1 to its preview, every screen on the way kept in `seen`."""
    seen.append(await visit(u, command="/order 1"))
    for answer in ("https://instagram.com/p/x", "1000"):
        await u.send(answer)
        preview = await u.reply()
        seen.append(screen(preview))
    return preview


async def test_every_panel_string_on_every_screen_is_text(bot: Harness) -> None:
    bot.panel.set_services(hostile_services())
    u = await bot.member(UID, key=KEY)
    bot.panel.add_key(KEY, balance="100", currency=CURRENCY)
    seen = [
        await visit(u, command="/services"),
        await visit(u, press="Cat <i>zq"),  # the category's page
        await visit(u, press="Followers"),  # the service's card
        await visit(u, press="Order"),
        await visit(u, command="/order 2"),  # a type the bot cannot order, named
        await visit(u, command="/services type"),  # search
        await visit(u, command="/balance"),
        await visit(u, command="/panels"),
    ]
    # The panel refuses the order, in its own words.
    bot.panel.raw_answers["add"] = json.dumps({"error": HOSTILE})
    seen.append(screen(await confirm(u, await order_one(u, seen))))
    del bot.panel.raw_answers["add"]
    placed = await confirm(u, await order_one(u, seen))
    seen.append(screen(placed))
    [order_id] = list(bot.panel.orders)
    bot.panel.set_order(order_id, status=HOSTILE)
    seen += [
        await visit(u, command=f"/status {order_id}"),
        await visit(u, command="/orders"),
        await visit(u, press=f"#{order_id}"),  # the order's card
    ]
    for one in seen:
        assert_shown_as_written(one)
    assert sum("<i>zq</i>" in one.text for one in seen) >= 10
    assert any(CURRENCY in one.text for one in seen)
    assert any("soon & <3 days" in one.text for one in seen)
    assert bot.telegram.bad_requests() == []


async def test_bulk_refill_cancel_and_pushes_show_panel_text_as_text(bot: Harness) -> None:
    bot.panel.set_services(hostile_services())
    u = await bot.member(UID, key=KEY)
    bot.panel.add_key(KEY, balance="100", currency=CURRENCY)
    seen: list[Screen] = []
    # /bulk: a line the panel refuses in its own words, a line of a type the bot cannot order.
    await u.send("/bulk\n1 | https://instagram.com/a | 1000\n2 | https://instagram.com/b | 100")
    preview = await u.reply()
    seen.append(screen(preview))
    bot.panel.raw_answers["add_bulk"] = json.dumps([{"error": HOSTILE}])
    await u.press("Confirm", message=preview)
    seen.append(screen(await u.reply()))
    del bot.panel.raw_answers["add_bulk"]

    placed = await confirm(u, await order_one(u, seen))
    [order_id] = list(bot.panel.orders)
    bot.panel.set_order(order_id, status="Completed")
    await poll(bot)
    await drain(bot)
    pushed = await u.reply()
    assert pushed.message_id != placed.message_id
    seen.append(screen(pushed))

    seen.append(await visit(u, command=f"/refill {order_id}"))
    [refill_id] = list(bot.panel.refills)
    bot.panel.set_refill(refill_id, HOSTILE)
    seen.append(await visit(u, command=f"/refillstatus {refill_id}"))

    # The panel refuses a cancel in its own words.
    await confirm(u, await order_one(u, seen))
    pending = max(bot.panel.orders)
    refused = [{"order": pending, "cancel": {"error": HOSTILE}}]
    bot.panel.raw_answers["cancel"] = json.dumps(refused)
    seen += [await visit(u, command=f"/cancelorder {pending}"), await visit(u, press="Yes")]

    for one in seen:
        assert_shown_as_written(one)
    assert sum("<i>zq</i>" in one.text for one in seen) >= 6
    assert bot.telegram.bad_requests() == []


async def test_a_currency_with_a_stray_bracket_does_not_silence_balance(bot: Harness) -> None:
    """`<USD` was an unclosed tag to Telegram: a 400, and the user got no reply at all."""
    u = await bot.member(UID, key=KEY)
    bot.panel.add_key(KEY, balance="12.5", currency="<USD")
    await u.send("/balance")
    assert "12.50 <USD" in ((await u.reply()).plain_text or "")
    assert bot.telegram.bad_requests() == []


async def test_two_hostile_panels_search_compare_and_stats_show_text(
    two: Harness, beta: FakePanel
) -> None:
    """The screens that show several panels at once: a search over both, the comparison of a
    card with the other panel's offers (grouped by a currency that is markup), and /stats."""
    two.panel.set_services(hostile_services())
    beta.set_services(hostile_services())
    u = await two.member(UID, key=KEY)
    two.panel.add_key(KEY, balance="100", currency=CURRENCY)
    await link_beta(two, beta, u, balance="50")
    beta.add_key(KEY_B, balance="50", currency=f"{CURRENCY} &")
    seen = [await visit(u, command="/services Followers")]  # both panels' matches
    card = await visit(u, command="/services 1")
    seen.append(card)
    await u.press("⚖️")
    seen.append(screen(await u.reply()))  # the offers, grouped by currency
    seen.append(screen(await confirm(u, await order_one(u, seen))))
    await u.send("/stats")
    await u.reply(timeout=30)  # the chart (drawing takes seconds on a loaded machine)
    seen.append(screen(await u.reply(timeout=30)))  # the totals, by service name

    for one in seen:
        assert_shown_as_written(one)
    assert sum("<i>zq</i>" in one.text for one in seen) >= 5
    assert any(f"{CURRENCY} &" in one.text for one in seen)  # Beta's currency, in compare
    assert two.telegram.bad_requests() == []


async def test_a_digest_its_listing_and_a_low_balance_alert_show_panel_text_as_text(
    bot: Harness,
) -> None:
    """Pushes: two orders of a hostile service finishing in one poll (a digest, then its
    📋 listing and an order's card from it), and a low-balance alert quoting a currency that
    is markup."""
    bot.panel.set_services(hostile_services())
    u = await bot.member(UID, key=KEY)
    bot.panel.add_key(KEY, balance="100", currency=CURRENCY)
    name = f"Followers {HOSTILE}"
    orders = [await place(bot, UID, KEY, service=1, name=name) for _ in range(2)]
    first, second = (o.panel_order_id for o in orders)
    assert first is not None and second is not None
    bot.panel.set_order(first, status="Completed", remains=0)
    bot.panel.set_order(second, status="Partial", remains=10)
    await poll(bot)
    await drain(bot)
    digest = await u.reply()
    seen = [screen(digest)]
    await u.press("📋", message=digest)
    listing = await u.reply()
    seen.append(screen(listing))
    await u.press(f"#{second}", message=listing)
    seen.append(screen(await u.reply()))  # the order's card

    [account] = await bot.deps.accounts.accounts(UID)
    await bot.deps.storage.accounts.set_low_balance(UID, account.slot, Decimal("50"))
    bot.panel.set_balance(KEY, "20")
    seen.append(await visit(u, command="/balance"))
    await drain(bot)
    alert = screen(await u.reply())
    seen.append(alert)

    for one in seen:
        assert_shown_as_written(one)
    assert alert.text.count(CURRENCY) == 2, alert.text  # the balance's and the alert's, once each
    assert CURRENCY.upper() not in alert.text, alert.text
    assert sum("<i>zq</i>" in one.text for one in seen) >= 2
    assert bot.telegram.bad_requests() == []


async def test_the_panels_refusals_and_unreadable_answers_read_as_text(bot: Harness) -> None:
    """A panel's error text on every read a user starts (/services, /balance, /status), and a
    balance it sent that cannot be read, quoted back: all of it text."""
    bot.panel.set_services(hostile_services())
    u = await bot.member(UID, key=KEY)
    refused = json.dumps({"error": HOSTILE})
    bot.panel.raw_answers["services"] = refused  # before the catalog is first read and cached
    seen = [await visit(u, command="/services")]
    del bot.panel.raw_answers["services"]
    seen.append(screen(await confirm(u, await order_one(u, []))))
    [order_id] = list(bot.panel.orders)
    for action, command in (("balance", "/balance"), ("status", f"/status {order_id}")):
        bot.panel.raw_answers[action] = refused
        seen.append(await visit(u, command=command))
        del bot.panel.raw_answers[action]
    bot.panel.raw_answers["balance"] = json.dumps({"balance": HOSTILE, "currency": "USD"})
    seen.append(await visit(u, command="/balance"))  # a balance it cannot read, quoted

    for one in seen:
        assert_shown_as_written(one)
    refusals = [one.text for one in seen if one.text.startswith("The panel refused: <i>zq</i>")]
    assert len(refusals) == 3, [one.text for one in seen]
    assert "cannot read: <i>zq</i> & <a href=" in seen[-1].text, seen[-1].text
    assert bot.telegram.bad_requests() == []
