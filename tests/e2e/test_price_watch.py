"""Issue 24 part 1, the price and availability watch, end to end on both engines: the fake panel
changes a watched service's price or limits or stops listing it, the watch's cycle (as the job
runs it) reads the catalog, and the digest goes through the outbox and the notifier to the fake
Telegram. Time moves by the harness's TestClock: no sleeps.

Expected wording comes from the bot's own catalogs (`tr(...)`), English literals pin the
source texts; counts of panel calls and messages are asserted literally.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest

from bot.jobs import DRAIN_JOB, jobs_of
from bot.services.pricewatch import WatchReport
from bot.storage.models import OrderDraft
from tests.conftest import database_settings
from tests.e2e.steps import clock_of, drain, labels, place_many, text_of
from tests.fakes.panel import FakePanel
from tests.fakes.telegram_users import FakeUser
from tests.harness import Harness, TestClock, running_bot

KEY = "pk_pricewatch_0123456789abcdef"
KEY_BETA = "pk_pricewatch_beta_0123456789abcdef"
UID = 2401
OTHER = 2402
HOUR = 3600.0


@pytest.fixture
async def watched(tmp_path: Path, database: Path | str) -> AsyncIterator[Harness]:
    """The bot with a TestClock (storage, caches and the watch age by it) on either engine."""
    overrides = database_settings(database)
    async with running_bot(tmp_path, clock=TestClock(), **overrides) as harness:
        yield harness


def beta_draft() -> OrderDraft:
    return OrderDraft(1, "Instagram Takipçi", "Default", "https://x.y/z", 100, Decimal("1.25"))


async def watch(bot: Harness) -> WatchReport:
    """One cycle of the watch as its job runs it, then every push it queued delivered."""
    assert bot.app is not None
    report = await jobs_of(bot.app).watch_prices()
    await bot.deps.prices.settle()
    await drain(bot)
    return report


async def ordered(bot: Harness, user_id: int = UID, key: str = KEY) -> FakeUser:
    """A member who ordered service 1 (Instagram Takipçi, 12.50) and has seen the catalog once
    (the watch's first look stores what it saw, and says nothing)."""
    u = await bot.member(user_id, key=key)
    await place_many(bot, user_id, key)
    first = await watch(bot)
    assert first.changes == 0 and first.pushes == 0
    return u


async def an_hour_later(bot: Harness) -> tuple[WatchReport, int]:
    """The next cycle, an hour on; with the `services` calls the panel saw meanwhile."""
    clock_of(bot).advance(HOUR)
    calls = bot.panel.count("services")
    report = await watch(bot)
    return report, bot.panel.count("services") - calls


def pushes(u: FakeUser) -> list[str]:
    """The price pushes about service 1: each line starts with its change's icon (a card or
    the /prices list does not)."""
    icons = ("📈", "📉", "🚫", "✅", "↕️")
    return [text for text in u.sent_texts() if "#1 " in text and text.startswith(icons)]


async def test_a_rise_over_the_threshold_pushes_one_digest(watched: Harness) -> None:
    bot = watched
    u = await ordered(bot)
    bot.panel.change_service(1, rate="14.00")
    report, calls = await an_hour_later(bot)
    assert (report.keys, report.calls, report.changes, report.pushes) == (1, 1, 1, 1)
    assert calls == 1
    [push] = pushes(u)
    assert "📈 #1 Instagram Takipçi 12.50 → 14.00 (+12%)" in push
    # Told once: the next cycle finds nothing new.
    again, _ = await an_hour_later(bot)
    assert (again.calls, again.changes, again.pushes) == (1, 0, 0)
    assert len(pushes(u)) == 1


async def test_a_change_under_the_threshold_says_nothing_until_it_adds_up(
    watched: Harness,
) -> None:
    bot = watched
    u = await ordered(bot)
    bot.panel.change_service(1, rate="13.00")  # +4%: under the default 5%
    clock_of(bot).advance(HOUR)
    report = await watch(bot)
    assert (report.changes, report.pushes) == (0, 0)
    assert pushes(u) == []
    bot.panel.change_service(1, rate="13.20")  # +1.5% on 13.00, but +5.6% on what was told
    clock_of(bot).advance(HOUR)
    await watch(bot)
    [push] = pushes(u)
    assert "#1 Instagram Takipçi 12.50 → 13.20 (+6%)" in push


async def test_a_service_gone_and_back_is_told_each_time(watched: Harness) -> None:
    bot = watched
    u = await ordered(bot)
    raw = bot.panel.drop_service(1)
    clock_of(bot).advance(HOUR)
    await watch(bot)
    [gone] = pushes(u)
    assert "🚫 #1 Instagram Takipçi: no longer listed" in gone
    bot.panel.restore_service({**raw, "rate": "11.00"})
    clock_of(bot).advance(HOUR)
    await watch(bot)
    back = pushes(u)[1]
    assert "✅ #1 Instagram Takipçi: listed again at 11.00" in back


async def test_an_empty_catalog_is_not_every_service_gone(watched: Harness) -> None:
    bot = watched
    u = await ordered(bot)
    bot.panel.set_services([])
    report, calls = await an_hour_later(bot)
    assert (calls, report.changes, report.pushes) == (1, 0, 0)
    assert pushes(u) == []


async def test_min_and_max_changes_are_told_whatever_the_threshold(watched: Harness) -> None:
    bot = watched
    u = await ordered(bot)
    bot.panel.change_service(1, min=50, max=20000)
    clock_of(bot).advance(HOUR)
    await watch(bot)
    [push] = pushes(u)
    assert "#1 Instagram Takipçi: min 100 → 50" in push
    assert "#1 Instagram Takipçi: max 10000 → 20000" in push


async def test_one_call_per_panel_key_and_period_serves_every_user_on_it(
    watched: Harness,
) -> None:
    bot = watched
    first = await ordered(bot, UID)
    second = await ordered(bot, OTHER)  # the same panel and key
    bot.panel.change_service(1, rate="20.00")
    report, calls = await an_hour_later(bot)
    assert (report.keys, report.accounts, report.calls, report.pushes) == (1, 2, 1, 2)
    assert calls == 1
    assert len(pushes(first)) == len(pushes(second)) == 1


async def test_a_catalog_read_for_a_user_is_checked_and_spares_the_cycle_its_call(
    watched: Harness,
) -> None:
    bot = watched
    u = await ordered(bot)
    bot.panel.change_service(1, rate="14.00")
    # Older than the catalog cache's TTL: /services reads the catalog again for the user.
    clock_of(bot).advance(bot.settings.services_cache_seconds + 1)
    calls = bot.panel.count("services")
    await u.send("/services")
    await u.reply()
    assert bot.panel.count("services") == calls + 1
    await bot.deps.prices.settle()
    await drain(bot)
    [push] = pushes(u)
    assert "12.50 → 14.00 (+12%)" in push
    # Within the period, the cycle uses that catalog: no call of its own, and nothing new.
    report = await watch(bot)
    assert (report.calls, report.pushes) == (0, 0)
    assert bot.panel.count("services") == calls + 1


async def test_panel_strings_are_escaped_in_the_push(watched: Harness) -> None:
    bot = watched
    u = await ordered(bot)
    bot.panel.change_service(1, name="<b>Takipçi</b> & co", rate="20.00")
    clock_of(bot).advance(HOUR)
    await watch(bot)
    [push] = pushes(u)
    assert "&lt;b&gt;Takipçi&lt;/b&gt; &amp; co" in push
    assert text_of(u.last()) == push


# --- the buttons, /prices and Settings ---------------------------------------------------------


async def test_the_digest_buttons_open_the_services_cards(watched: Harness) -> None:
    bot = watched
    u = await ordered(bot)
    bot.panel.change_service(1, rate="14.00")
    await an_hour_later(bot)
    push = u.last()
    assert labels(push) == ["#1"]
    await u.press("#1", message=push)
    card = await u.reply()
    assert "Instagram Takipçi" in text_of(card)
    assert "🔕 Mute price alerts" in labels(card)


async def test_mute_on_the_card_stops_the_pushes_and_prices_still_lists_them(
    watched: Harness,
) -> None:
    bot = watched
    u = await ordered(bot)
    await u.send("/services 1")
    card = await u.reply()
    await u.press("🔕 Mute price alerts", message=card)
    card = await u.update()
    assert "🔔 Unmute price alerts" in labels(card)
    bot.panel.change_service(1, rate="14.00")
    report, _ = await an_hour_later(bot)
    assert (report.changes, report.pushes) == (1, 0)
    assert pushes(u) == []
    await u.send("/prices")
    listed = text_of(await u.reply())
    assert "Price changes, last 7 days" in listed
    assert "#1 Instagram Takipçi 12.50 → 14.00 (+12%)" in listed
    # 🔔 again: the next change is pushed.
    await u.press("🔔 Unmute price alerts", message=card)
    assert "🔕 Mute price alerts" in labels(await u.update())
    bot.panel.change_service(1, rate="16.00")
    await an_hour_later(bot)
    [push] = pushes(u)
    assert "14.00 → 16.00 (+14%)" in push


async def test_prices_lists_the_last_seven_days_only(watched: Harness) -> None:
    bot = watched
    u = await ordered(bot)
    bot.panel.change_service(1, rate="10.00")
    await an_hour_later(bot)
    await u.send("/prices")
    assert "📉 #1 Instagram Takipçi 12.50 → 10.00 (−20%)" in text_of(await u.reply())
    clock_of(bot).advance(8 * 24 * HOUR)
    await u.send("/prices")
    assert "No price changes in the last 7 days." in text_of(await u.reply())


async def test_the_threshold_is_set_in_settings(watched: Harness) -> None:
    bot = watched
    u = await ordered(bot)
    await u.send("/settings")
    settings = await u.reply()
    await u.press("📈 Price alerts: 5%", message=settings)
    menu = await u.update()
    assert "✅ 5%" in labels(menu)
    await u.press("2%", message=menu)
    shown = await u.update()
    assert "Price alerts at 2% or more." in text_of(shown)
    assert "📈 Price alerts: 2%" in labels(shown)
    bot.panel.change_service(1, rate="13.00")  # +4%: told at 2%
    await an_hour_later(bot)
    [push] = pushes(u)
    assert "12.50 → 13.00 (+4%)" in push


async def test_the_push_in_turkish(tmp_path: Path) -> None:
    async with running_bot(tmp_path, clock=TestClock()) as bot:
        u = await bot.member(UID, key=KEY, language_code="tr")
        await u.send("/start")
        await u.reply()
        await place_many(bot, UID, KEY)
        await watch(bot)
        bot.panel.drop_service(1)
        await an_hour_later(bot)
        t = bot.deps.catalogs.translator("tr")
        expected = t._("{service}: no longer listed", service="🚫 #1 Instagram Takipçi")
        assert expected != "🚫 #1 Instagram Takipçi: no longer listed"
        assert expected in pushes(u)[0]


async def test_one_digest_per_panel_each_naming_its_panel(tmp_path: Path) -> None:
    overrides = {"allow_custom_panels": True, "allow_private_panels": True}
    async with (
        FakePanel() as beta,
        running_bot(tmp_path, clock=TestClock(), **overrides) as bot,
    ):
        u = await bot.member(UID, key=KEY)
        beta.add_key(KEY_BETA)
        slot, _ = await bot.deps.accounts.add_panel(
            UID, KEY_BETA, label="b&<eta>", url=beta.url, custom=True
        )
        await place_many(bot, UID, KEY)
        orders = bot.deps.storage.orders
        [row] = await orders.create_drafts(UID, "beta", [beta_draft()], panel_slot=slot)
        assert (await orders.claim("beta", UID)).won
        await orders.mark_placed_many([(row.id, beta.create_order(KEY_BETA, 1, "x", 100))])
        await watch(bot)
        bot.panel.change_service(1, rate="14.00")
        beta.change_service(1, rate="10.00")
        report, calls = await an_hour_later(bot)
        assert (report.keys, calls, report.pushes) == (2, 1, 2)
        assert beta.count("services") == 2
        texts = pushes(u)
        assert len(texts) == 2
        # Several panels: each line names its panel (the user's label, escaped).
        beta_line = "📉 <b>b&amp;&lt;eta&gt;</b>: #1 Instagram Takipçi 12.50 → 10.00 (−20%)"
        assert sum(beta_line in t for t in texts) == 1
        assert sum("12.50 → 14.00 (+12%)" in t and "b&amp;" not in t for t in texts) == 1


async def test_a_queued_digest_survives_a_restart_and_is_sent_once(watched: Harness) -> None:
    bot = watched
    u = await ordered(bot)
    assert bot.app is not None and bot.app.job_queue is not None
    for job in bot.app.job_queue.get_jobs_by_name(DRAIN_JOB):
        job.enabled = False  # the push stays queued until the restart
    bot.panel.change_service(1, rate="14.00")
    clock_of(bot).advance(HOUR)
    report = await bot.deps.prices.run_cycle()
    assert report.pushes == 1
    assert pushes(u) == []
    await bot.restart()
    await drain(bot)
    await drain(bot)
    [push] = pushes(u)
    assert "12.50 → 14.00 (+12%)" in push
