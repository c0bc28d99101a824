"""Scheduled and repeated orders (issue 24 part 2), end to end over both fakes.

"🕒 Later" turns the preview the user saw into a schedule; at its time the leader places it
exactly once after checking the key, the price (held and asked when higher) and the balance;
a run missed while the bot was down is placed at start-up within SCHEDULE_GRACE_SECONDS, asked
about beyond it; /scheduled lists and cancels. Time moves by the harness's TestClock and the
tick is run by the test (the job's own tick is set to an hour, so it never races the test).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest

from bot.jobs import jobs_of
from bot.services.schedules import Tick
from bot.storage.models import SubmitState
from tests.conftest import database_settings
from tests.e2e.steps import catalog_with, clock_of, data_of, drain, single_preview, tap, text_of
from tests.fakes.telegram_models import BotMessage
from tests.fakes.telegram_users import FakeUser
from tests.harness import Harness, TestClock, running_bot

KEY = "pk_schedule_0123456789abcdef"
KEY_B = "pk_schedule_b_0123456789abcdef"
UID = 8801
HOUR = 3600.0
DAY = 86400.0
PLACED = "Scheduled order placed"


@pytest.fixture
async def sbot(tmp_path: Path, database: Path | str) -> AsyncIterator[Harness]:
    """The bot on a TestClock; the scheduler's own tick hourly (the tests run it)."""
    settings = database_settings(database)
    async with running_bot(
        tmp_path, clock=TestClock(), schedule_check_seconds=60, **settings
    ) as harness:
        yield harness


async def tick(bot: Harness) -> Tick:
    """One look at the due runs, as the leader's job makes it, then the outbox drained."""
    assert bot.app is not None
    done = await jobs_of(bot.app).run_schedules()
    await drain(bot)
    return done


async def later(
    u: FakeUser, preview: BotMessage, when: str = "In 1 h", repeat: str = "Once", times: int = 0
) -> BotMessage:
    """🕒 Later on `preview`, a quick time (or a typed one), once or repeated: the confirmation."""
    await u.press("Later", message=preview)
    question = await u.reply()
    assert "When should I place this order" in text_of(question)
    if when[0] in "+0123456789":  # typed; otherwise a quick button
        await u.send(when)
        choice = await u.reply()
    else:
        await u.press(when, message=question)
        choice = await u.update()
    await u.press(repeat, message=choice)
    if times:
        counts = await u.update()
        await u.press(f"{times} times", message=counts)
    done = await u.update()
    assert "Scheduled:" in text_of(done), text_of(done)
    return done


async def scheduled_preview(bot: Harness, **later_args: object) -> tuple[FakeUser, BotMessage]:
    u = await bot.member(UID, key=KEY)
    preview = await single_preview(u)
    await later(u, preview, **later_args)  # type: ignore[arg-type]
    return u, preview


def adds(bot: Harness) -> int:
    return bot.panel.count("add")


async def test_placed_once_at_its_time_and_the_preview_is_spent(sbot: Harness) -> None:
    u, preview = await scheduled_preview(sbot)
    # The preview became the schedule: its Confirm and Later buttons are gone.
    await sbot.telegram.wait_until(lambda: preview.buttons() == [])
    clock_of(sbot).advance(HOUR - 120)
    assert (await tick(sbot)).placed == []
    assert adds(sbot) == 0

    clock_of(sbot).advance(120)
    first = await tick(sbot)
    assert len(first.placed) == 1 and 0 <= first.placed[0] < 60
    notice = await u.reply()
    assert PLACED in text_of(notice) and "https://instagram.com/a" in text_of(notice)
    assert adds(sbot) == 1
    [order] = sbot.panel.orders.values()
    assert (order.service, order.link, order.quantity) == (1, "https://instagram.com/a", 1000)
    # Later ticks, and the old preview's Confirm replayed, place nothing more.
    clock_of(sbot).advance(HOUR)
    assert (await tick(sbot)).placed == []
    assert adds(sbot) == 1
    await u.send("/scheduled")
    assert "No scheduled orders" in text_of(await u.reply())


async def test_typed_times_in_the_users_zone(sbot: Harness) -> None:
    u = await sbot.member(UID, key=KEY)
    preview = await single_preview(u)
    await u.press("Later", message=preview)
    await u.reply()
    await u.send("tomorrow-ish")
    assert "could not read that time" in text_of(await u.reply())
    await u.send("+30m")
    choice = await u.reply()
    assert "Place it once, or repeat it?" in text_of(choice)
    await u.press("Once", message=choice)
    await u.update()
    [waiting] = await sbot.deps.schedules.waiting(UID)
    assert waiting.next_at == pytest.approx(clock_of(sbot)() + 1800, abs=1)


async def test_survives_a_restart_and_is_placed_once(sbot: Harness) -> None:
    u, _ = await scheduled_preview(sbot)
    await sbot.restart()
    clock_of(sbot).advance(HOUR)
    await tick(sbot)
    await sbot.restart()  # a restart after the run places nothing more
    await tick(sbot)
    notices = [t for t in u.sent_texts() if PLACED in t]
    assert len(notices) == 1
    assert adds(sbot) == 1


async def held_run(bot: Harness) -> tuple[FakeUser, BotMessage]:
    """A run due after the service's rate rose from 12.50 to 14.00: its question."""
    u, _ = await scheduled_preview(bot)
    bot.panel.set_services(catalog_with(1, rate="14.00"))
    clock_of(bot).advance(HOUR)
    await tick(bot)
    return u, await u.reply()


async def test_a_price_rise_holds_the_run_until_the_user_says(sbot: Harness) -> None:
    u, held = await held_run(sbot)
    assert "On hold" in text_of(held) and "$12.50" in text_of(held) and "$14.00" in text_of(held)
    assert adds(sbot) == 0
    await tick(sbot)  # a held run waits for its user: no second question, no order
    assert adds(sbot) == 0

    place = data_of(held, "Place now")
    await u.press("Place now", message=held)
    await sbot.telegram.wait_until(lambda: any(PLACED in t for t in u.sent_texts()))
    assert adds(sbot) == 1
    [row] = [o for o in await sbot.deps.storage.orders.all_for_user(UID)]
    assert row.cost == Decimal("14.00") and row.submit_state is SubmitState.PLACED
    # Its buttons went; the same data again (a second device, a replay) places nothing.
    await sbot.telegram.wait_until(lambda: held.buttons() == [])
    assert "no longer waiting" in await tap(u, place, held)
    await tick(sbot)
    assert adds(sbot) == 1


async def test_skip_a_held_run(sbot: Harness) -> None:
    u, held = await held_run(sbot)
    await u.press("Skip", message=held)
    await sbot.telegram.wait_until(
        lambda: any("Skipped: the scheduled order" in t for t in u.sent_texts())
    )
    assert adds(sbot) == 0
    assert await sbot.deps.schedules.waiting(UID) == []


async def test_missed_within_grace_is_placed_at_start_up(sbot: Harness) -> None:
    u, _ = await scheduled_preview(sbot)
    await sbot.stop()
    clock_of(sbot).advance(HOUR + 1800)  # down over its time, half the grace ago
    await sbot.start()
    # The job's first tick, at start-up, places it: nothing else runs a tick here.
    await sbot.telegram.wait_until(lambda: any(PLACED in t for t in u.sent_texts()))
    assert adds(sbot) == 1


async def test_missed_beyond_grace_asks_first(sbot: Harness) -> None:
    u, _ = await scheduled_preview(sbot)
    await sbot.stop()
    clock_of(sbot).advance(HOUR + 2 * HOUR)
    await sbot.start()
    await sbot.telegram.wait_until(
        lambda: any("while the bot was down" in t for t in u.sent_texts())
    )
    assert adds(sbot) == 0
    asked = next(m for m in u.bot_messages() if "while the bot was down" in (m.text or ""))
    await u.press("Place now", message=asked)
    await sbot.telegram.wait_until(lambda: any(PLACED in t for t in u.sent_texts()))
    assert adds(sbot) == 1


async def test_daily_three_times(sbot: Harness) -> None:
    u, _ = await scheduled_preview(sbot, when="Tomorrow 09:00", repeat="Daily", times=3)
    [schedule] = await sbot.deps.schedules.waiting(UID)
    clock_of(sbot).now = schedule.next_at
    for day in range(4):
        await tick(sbot)
        assert adds(sbot) == min(day + 1, 3)
        clock_of(sbot).advance(DAY)
    assert len([t for t in u.sent_texts() if PLACED in t]) == 3
    assert "Next run" in next(t for t in u.sent_texts() if PLACED in t)
    assert await sbot.deps.schedules.waiting(UID) == []


async def test_cancel_from_the_list(sbot: Harness) -> None:
    u, _ = await scheduled_preview(sbot)
    await u.send("/scheduled")
    listed = await u.reply()
    assert "Scheduled orders" in text_of(listed) and "https://instagram.com/a" in text_of(listed)
    await u.press("Cancel 1", message=listed)
    assert "No scheduled orders" in text_of(await u.update())
    clock_of(sbot).advance(HOUR)
    await tick(sbot)
    assert adds(sbot) == 0


async def test_a_changed_key_or_a_short_balance_places_nothing_and_says_so(
    sbot: Harness,
) -> None:
    u, _ = await scheduled_preview(sbot)
    sbot.panel.set_balance(KEY, "5")
    clock_of(sbot).advance(HOUR)
    await tick(sbot)
    assert "balance is $5.00" in text_of(await u.reply())
    assert adds(sbot) == 0

    preview = await single_preview(u, link="https://instagram.com/b")
    await later(u, preview)
    sbot.panel.add_key(KEY_B, balance="500")
    await sbot.deps.accounts.link(UID, KEY_B)
    clock_of(sbot).advance(HOUR)
    await tick(sbot)
    assert "Your panel key changed" in text_of(await u.reply())
    assert adds(sbot) == 0


async def test_adding_another_panel_keeps_it(sbot: Harness) -> None:
    """Its own panel's key decides, not the user's key version (which a new panel moves)."""
    u, _ = await scheduled_preview(sbot)
    clock_of(sbot).advance(60)
    await sbot.deps.storage.accounts.add(
        UID, "pk_schedule_beta_0123456789abcdef", label="Beta", url="https://beta.test/api/v2"
    )
    clock_of(sbot).advance(HOUR)
    await tick(sbot)
    assert PLACED in text_of(await u.reply())
    assert adds(sbot) == 1
