"""Progress and expected finish end to end (issue 24 item 4): the card and /status show how much
is delivered (quantity − remains) and when an open order should finish, from the user's own
completed orders of that service on that panel (3 or more), else the panel's `average_time`,
else nothing; the preview shows the expected duration. Times in the user's zone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.callbacks.order_history import OrderCard
from bot.storage.models import Order
from tests.conftest import database_settings
from tests.e2e.steps import (
    clock_of,
    confirm,
    due_again,
    orders_of,
    place,
    poll,
    preview_for,
    text_of,
)
from tests.fakes.telegram import BotMessage, FakeUser
from tests.harness import Harness, TestClock, running_bot

KEY = "pk_progress_0f1e2d3c4b5a69788796"
UID = 7801
ZONE = "Europe/Istanbul"
HOUR = 3600.0


@pytest.fixture
async def clocked(tmp_path: Path, database: Path | str) -> AsyncIterator[Harness]:
    """The bot with a test clock (time moves when the test says), on each engine."""
    async with running_bot(tmp_path, clock=TestClock(), **database_settings(database)) as bot:
        yield bot


async def member(bot: Harness) -> FakeUser:
    u = await bot.member(UID, key=KEY)
    await bot.deps.storage.users.set_time_zone(UID, ZONE)
    # No completion pushes between the replies the test reads.
    await bot.deps.storage.users.set_notifications(UID, False)
    return u


def when(bot: Harness, ts: float) -> str:
    """`ts` as the user reads it: in their zone."""
    return bot.deps.catalogs.translator("en").with_zone(ZONE).when(ts)


async def complete(bot: Harness, order: Order, after: float) -> None:
    """`after` seconds pass, the panel completes `order`, and the poller reads it."""
    clock_of(bot).advance(after)
    assert order.panel_order_id is not None
    bot.panel.set_order(order.panel_order_id, status="Completed", remains=0)
    await due_again(bot)
    await poll(bot)


async def card(u: FakeUser, order: Order, on: BotMessage) -> str:
    await u.press_data(OrderCard(order.id).pack(), on)
    return text_of(await u.update())


async def test_card_and_status_estimate_from_the_users_own_orders(clocked: Harness) -> None:
    bot = clocked
    u = await member(bot)
    # Three completed orders of service 1 on this panel took 1 h, 2 h and 4 h: median 2 h.
    for took in (HOUR, 2 * HOUR, 4 * HOUR):
        await complete(bot, await place(bot, UID, KEY, service=1), took)
    started = clock_of(bot)()
    order = await place(bot, UID, KEY, service=1, quantity=1000)
    assert order.panel_order_id is not None
    bot.panel.set_order(order.panel_order_id, status="In progress", remains=700)
    clock_of(bot).advance(600)
    await due_again(bot)
    await poll(bot)

    await u.send("/status")
    status = await u.reply()
    listed = text_of(status)
    assert "▰▰▰▱▱▱▱▱▱▱ 30%" in listed
    assert f"⏱ by {when(bot, started + 2 * HOUR)}" in listed
    assert f"({ZONE})" in listed

    text = await card(u, order, status)
    assert "Progress: ▰▰▰▱▱▱▱▱▱▱ 30% (300 of 1,000)" in text
    assert (
        f"⏱ Expected by {when(bot, started + 2 * HOUR)} "
        "(the median of your last 3 orders of this service)"
    ) in text

    # Past the estimate and still open: it says so.
    clock_of(bot).advance(3 * HOUR)
    await due_again(bot)
    await poll(bot)
    text = await card(u, order, status)
    assert f"⏱ Expected by {when(bot, started + 2 * HOUR)}: running late" in text

    # /status with the id shows the same.
    await u.send(f"/status {order.panel_order_id}")
    assert "▰▰▰▱▱▱▱▱▱▱ 30% · ⏱ was due" in text_of(await u.reply())


async def test_the_panels_average_time_without_own_history(clocked: Harness) -> None:
    bot = clocked
    u = await member(bot)
    # Service 6 has `average_time: 90` (minutes) on the fake panel; two own orders are too few.
    for _ in range(2):
        await complete(bot, await place(bot, UID, KEY, service=6, quantity=500), 10 * HOUR)
    preview = await preview_for(u, 6, "https://youtube.com/watch?v=eta", "1000")
    assert "⏱ Expected duration: about 1 h 30 min (the panel's average time)" in text_of(preview)
    placed_at = clock_of(bot)()
    result = await confirm(u, preview)
    assert "Order placed" in text_of(result)
    order = max(await orders_of(bot, UID), key=lambda o: o.id)

    text = await card(u, order, result)
    assert f"⏱ Expected by {when(bot, placed_at + 90 * 60)} (the panel's average time)" in text
    assert "Progress:" not in text  # the panel has not said what remains yet


async def test_no_estimate_without_history_or_average(clocked: Harness) -> None:
    bot = clocked
    u = await member(bot)
    # Service 1 has no average_time; one own completed order is not enough.
    await complete(bot, await place(bot, UID, KEY, service=1), HOUR)
    preview = await preview_for(u, 1, "https://instagram.com/p/noeta", "1000")
    assert "Expected" not in text_of(preview)
    result = await confirm(u, preview)
    order = max(await orders_of(bot, UID), key=lambda o: o.id)
    text = await card(u, order, result)
    assert "Expected" not in text
    await u.send("/status")
    assert "⏱" not in text_of(await u.reply())


async def test_a_completed_order_shows_full_progress_and_no_estimate(clocked: Harness) -> None:
    bot = clocked
    u = await member(bot)
    for took in (HOUR, HOUR, HOUR):
        await complete(bot, await place(bot, UID, KEY, service=1), took)
    done = max(await orders_of(bot, UID), key=lambda o: o.id)
    await u.send("/status")
    text = await card(u, done, await u.reply())
    assert "Progress: ▰▰▰▰▰▰▰▰▰▰ 100% (1,000 of 1,000)" in text
    assert "Expected" not in text
