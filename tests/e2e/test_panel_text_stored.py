"""Panel text is text once stored too (issue 19 item 6): a hostile panel's `<`, `&` and
`<a href=…>` in its service name, category, currency, order status, refusal and refill status go
through placing, the database, and every screen that reads them back: "Order placed", a
schedule and its run, /orders and its buttons, an order's card, a push on completion, a digest
and its listing, a bulk result, and the Mini App's order list. Messages show the text as
written (escaped once: no markup, no link, no `&lt;`), buttons carry it as plain text, and the
Mini App's JSON carries it as it is (JSON-escaped, not HTML-escaped).

What the views read back from storage is a `PanelText` (bot/storage/models.py), as what they
read from the panel is: the same type keeps both escaped (tests/views/test_panel_text_type.py).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.jobs import jobs_of
from tests.e2e.steps import clock_of, confirm, csv_rows, drain, due_again, place, poll
from tests.e2e.test_panel_text import (
    CURRENCY,
    HOSTILE,
    KEY,
    Screen,
    assert_shown_as_written,
    hostile_services,
    screen,
)
from tests.e2e.test_scheduled_orders import HOUR, later, tick
from tests.fakes.telegram_models import BotMessage
from tests.fakes.telegram_users import FakeUser
from tests.harness import Harness, TestClock
from tests.miniapp import MiniApp
from tests.webapp_client import AppClient, serving

UID = 4952
NAME = f"Followers {HOSTILE}"


@pytest.fixture
async def app(tmp_path: Path, database: Path | str) -> AsyncIterator[MiniApp]:
    """The bot on a TestClock (schedules run when the test ticks), with its Mini App."""
    async with serving(tmp_path, database, clock=TestClock(), schedule_check_seconds=60) as app:
        yield app


@dataclass(frozen=True)
class Shown:
    """A message as the user saw it at one moment (it may be edited later), with its buttons."""

    screen: Screen
    labels: list[str]


def shown(message: BotMessage) -> Shown:
    return Shown(screen(message), [label for label, _ in message.buttons()])


def assert_labels_plain(labels: list[str]) -> None:
    """A button label is plain text: the panel's words as written, never escaped."""
    for label in labels:
        assert "&lt;" not in label and "&amp;" not in label and "&gt;" not in label, label


async def hostile_member(bot: Harness) -> FakeUser:
    bot.panel.set_services(hostile_services())
    u = await bot.member(UID, key=KEY)
    bot.panel.add_key(KEY, balance="100", currency=CURRENCY)
    return u


async def preview(u: FakeUser, link: str) -> BotMessage:
    """/order 1 for `link` (another each time: a second open order there would be warned of)."""
    for answer in ("/order 1", f"https://instagram.com/{link}", "1000"):
        await u.send(answer)
        message = await u.reply()
    return message


async def place_refuse_and_schedule(bot: Harness, u: FakeUser) -> tuple[list[Shown], int]:
    """An order placed, one the panel refuses in its own words, one scheduled and run (and
    the panel's id of that run)."""
    seen = [shown(await confirm(u, await preview(u, "placed")))]
    bot.panel.raw_answers["add"] = json.dumps({"error": HOSTILE})
    seen.append(shown(await confirm(u, await preview(u, "refused"))))
    del bot.panel.raw_answers["add"]
    seen.append(shown(await later(u, await preview(u, "scheduled"))))
    await u.send("/scheduled")
    seen.append(shown(await u.reply()))
    clock_of(bot).advance(HOUR)
    assert len((await tick(bot)).placed) == 1
    seen.append(shown(await u.reply()))  # "Scheduled order placed", from the stored schedule
    return seen, max(bot.panel.orders)


async def completion_and_digest(bot: Harness, u: FakeUser) -> list[Shown]:
    """A push when the first order completes (charged in the panel's currency), then a digest
    of two stored orders of the hostile service finishing in one poll, and its listing."""
    bot.panel.set_order(min(bot.panel.orders), status="Completed", remains=0, charge="1.25")
    await poll(bot)
    await drain(bot)
    seen = [shown(await u.reply())]
    for order in [await place(bot, UID, KEY, name=NAME) for _ in range(2)]:
        assert order.panel_order_id is not None
        bot.panel.set_order(order.panel_order_id, status="Partial", remains=10)
    await poll(bot)
    await drain(bot)
    digest = await u.reply()
    seen.append(shown(digest))
    await u.press("📋", message=digest)
    return [*seen, shown(await u.reply())]


async def orders_and_cards(bot: Harness, u: FakeUser, run: int) -> list[Shown]:
    """/orders (its buttons name the service), the card of the scheduled run whose status is
    the panel's own hostile word, and the first order's card with a refill the panel answered
    in its own words."""
    first = min(bot.panel.orders)
    await u.send(f"/refill {first}")
    await u.reply()
    [refill_id] = list(bot.panel.refills)
    bot.panel.set_refill(refill_id, HOSTILE)
    bot.panel.set_order(run, status=HOSTILE)
    await due_again(bot)
    await poll(bot)
    await drain(bot)
    await u.send("/orders")
    listing = await u.reply()
    seen = [shown(listing)]
    await u.press(f"#{run}", message=listing)
    seen.append(shown(await u.update()))
    await u.press("« Back", message=listing)
    await u.update()
    await u.press(f"#{first}", message=listing)
    return [*seen, shown(await u.update())]


async def bulk_result(bot: Harness, u: FakeUser) -> Shown:
    """A bulk order whose one line the panel refuses in its own words: the stored reason."""
    await u.send("/bulk\n1 | https://instagram.com/bulk | 1000")
    bulk = await u.reply()
    bot.panel.raw_answers["add_bulk"] = json.dumps([{"error": HOSTILE}])
    await u.press("Confirm", message=bulk)
    result = shown(await u.reply())
    del bot.panel.raw_answers["add_bulk"]
    return result


async def test_stored_panel_text_reads_as_written_on_every_screen(app: MiniApp) -> None:
    bot = app.harness
    u = await hostile_member(bot)
    seen, run = await place_refuse_and_schedule(bot, u)
    seen += await completion_and_digest(bot, u)
    seen += await orders_and_cards(bot, u, run)
    seen.append(await bulk_result(bot, u))

    for one in seen:
        assert_shown_as_written(one.screen)
        assert_labels_plain(one.labels)
    texts = [one.screen.text for one in seen]
    # All but the refusals, the digest's count and the bulk result name the service.
    assert sum(NAME in text for text in texts) == 9, texts
    assert sum(CURRENCY in text for text in texts) == 7, texts  # costs, charges, a balance
    assert f"Status: ❔ {HOSTILE}" in texts[-3], texts[-3]  # the run's card
    assert f"Refill #1 — {HOSTILE}" in texts[-2], texts[-2]  # the first order's card
    assert f"The panel refused: {HOSTILE}" in texts[1]  # placing, refused
    assert f"Panel's answer: {HOSTILE}" in texts[-1]  # the bulk result, from the stored rows
    listing = seen[-4].labels
    assert sum(NAME[:12] in label for label in listing) == 4, listing  # as written, cut
    assert bot.telegram.bad_requests() == []

    # The Mini App's list of the same stored orders: the panel's words as written.
    rows = (await AppClient(app, UID).orders(filter="all"))["orders"]
    assert {row["service"] for row in rows} == {NAME}, rows
    assert HOSTILE in {row["status"] for row in rows}, rows
    assert "&lt;" not in json.dumps(rows) and "&amp;" not in json.dumps(rows)


async def watch_prices(bot: Harness) -> None:
    """One cycle of the price watch as its job runs it, its pushes delivered."""
    assert bot.app is not None
    await jobs_of(bot.app).watch_prices()
    await bot.deps.prices.settle()
    await drain(bot)


async def test_stored_panel_text_in_price_pushes_the_export_and_an_unreadable_id(
    app: MiniApp,
) -> None:
    """The price watch's stored name (its push and /prices), /export's cells (plain text: the
    panel's words as written, never escaped), and an order whose id the panel sent as markup."""
    bot = app.harness
    u = await hostile_member(bot)
    await confirm(u, await preview(u, "watched"))
    clock_of(bot).advance(HOUR)
    await watch_prices(bot)  # the first look stores the name it saw
    bot.panel.set_order(min(bot.panel.orders), status=HOSTILE)
    await due_again(bot)
    await poll(bot)
    bot.panel.change_service(1, rate="2.50")
    clock_of(bot).advance(HOUR)
    await watch_prices(bot)
    seen = [shown(await u.reply())]  # the price push
    await u.send("/prices")
    seen.append(shown(await u.reply()))
    bot.panel.raw_answers["add"] = json.dumps({"order": HOSTILE})
    seen.append(shown(await confirm(u, await preview(u, "unreadable"))))
    del bot.panel.raw_answers["add"]
    await u.send("/orders")
    seen.append(shown(await u.reply()))

    for one in seen:
        assert_shown_as_written(one.screen)
        assert_labels_plain(one.labels)
    cut = '#1 Followers <i>zq</i> & <a href="https://evil.exa…'  # cut as written, then escaped
    assert cut in seen[0].screen.text and cut in seen[1].screen.text, seen[:2]
    assert HOSTILE not in seen[2].screen.text  # the unreadable id is not quoted
    assert sum(NAME[:12] in label for label in seen[3].labels) == 2, seen[3].labels
    await u.send("/export")
    rows = csv_rows(await u.reply())
    assert {row["Service"] for row in rows} == {NAME}, rows
    assert HOSTILE in {row["Status"] for row in rows}, rows
    assert CURRENCY in {row["Currency"] for row in rows}, rows
    assert bot.telegram.bad_requests() == []
