"""The sliding-window limiter against the fake Telegram server's own 30-per-second enforcement."""

from __future__ import annotations

import asyncio

from telegram import Bot

from bot.ratelimit import SlidingWindowRateLimiter
from tests.fakes.telegram import FakeTelegram, ptb_request


def _bot(fake: FakeTelegram, limiter: SlidingWindowRateLimiter) -> Bot:
    from telegram.ext import ExtBot

    return ExtBot(
        fake.token,
        base_url=fake.base_url,
        base_file_url=fake.base_file_url,
        request=ptb_request(),
        get_updates_request=ptb_request(),
        rate_limiter=limiter,
    )


async def test_a_burst_never_draws_a_429_and_nothing_is_lost() -> None:
    async with FakeTelegram() as fake:
        fake.rate_limit = 10  # the fake answers the 11th message in any second with 429
        users = [fake.user(100 + i) for i in range(5)]
        # The fake stamps a call when its handler runs, on the same event loop: a busy machine
        # delays some calls more than others, so the window gets a wider guard than in production.
        limiter = SlidingWindowRateLimiter(max_per_window=9, guard=0.4, max_retries=0)
        async with _bot(fake, limiter) as bot:
            await asyncio.gather(
                *(bot.send_message(u.id, f"hello {n}") for n in range(5) for u in users)
            )
        assert fake.count_429() == 0
        for u in users:
            assert sorted(m.text or "" for m in u.bot_messages()) == [
                f"hello {n}" for n in range(5)
            ]


async def test_same_burst_without_the_window_is_refused() -> None:
    """The control: the fake really enforces the limit, so the test above can fail."""
    async with FakeTelegram() as fake:
        fake.rate_limit = 10
        users = [fake.user(100 + i) for i in range(5)]
        limiter = SlidingWindowRateLimiter(max_per_window=1000, max_retries=0)
        async with _bot(fake, limiter) as bot:
            results = await asyncio.gather(
                *(bot.send_message(u.id, "x") for _ in range(5) for u in users),
                return_exceptions=True,
            )
        assert fake.count_429() > 0
        assert any(isinstance(r, Exception) for r in results)


async def test_a_429_is_waited_out_and_delivered_once() -> None:
    async with FakeTelegram() as fake:
        user = fake.user(7)
        fake.inject("sendMessage", error_code=429, retry_after=1, chat_id=7)
        async with _bot(fake, SlidingWindowRateLimiter(max_retries=2)) as bot:
            await bot.send_message(7, "after the wait")
        assert fake.count_429() == 1
        assert [m.text for m in user.bot_messages()] == ["after the wait"]


async def test_calls_that_show_nothing_are_not_counted() -> None:
    async with FakeTelegram() as fake:
        fake.rate_limit = 1
        fake.user(8)
        async with _bot(fake, SlidingWindowRateLimiter(max_per_window=1, max_retries=0)) as bot:
            await bot.send_message(8, "one")
            # getMe/answer-like calls pass straight through even while the window is full.
            await asyncio.wait_for(bot.get_me(), timeout=0.5)
        assert fake.count_429() == 0


async def test_describe_reports_the_window_for_diagnostics() -> None:
    now = [100.0]
    limiter = SlidingWindowRateLimiter(max_per_window=3, clock=lambda: now[0])
    assert limiter.describe() == "0 in window, oldest 0.00 s ago, pause 0.00 s, free"
    await limiter._acquire()
    now[0] += 0.25
    await limiter._acquire()
    assert limiter.describe() == "2 in window, oldest 0.25 s ago, pause 0.00 s, free"
