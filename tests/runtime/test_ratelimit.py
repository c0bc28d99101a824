"""The sliding-window limiter against the fake Telegram server's own 30-per-second enforcement."""

from __future__ import annotations

import asyncio
import time

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
        # Exactly the fake's limit and no guard: a call counts until a window after its answer,
        # and the fake counted it before answering, whatever the delays on a busy machine.
        limiter = SlidingWindowRateLimiter(max_per_window=10, max_retries=0)
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
    assert limiter.describe() == "0 in window (0 in flight), pause 0.00 s, free"
    first = await limiter._acquire()
    await limiter._acquire()
    limiter._release(first)
    assert limiter.describe() == "2 in window (1 in flight), pause 0.00 s, free"


async def test_a_call_counts_until_one_window_after_its_answer() -> None:
    """Telegram counted the call at some moment before its answer came back: only a full window
    after the answer may the slot be reused, however long the call took."""
    now = [0.0]
    limiter = SlidingWindowRateLimiter(max_per_window=2, window=1.0, clock=lambda: now[0])
    slow = await limiter._acquire()
    fast = await limiter._acquire()
    now[0] = 0.05
    limiter._release(fast)  # answered at 0.05: free again from 1.05
    now[0] = 3.0
    limiter._release(slow)  # answered at 3.0 (a slow network): counted until 4.0
    third = asyncio.create_task(limiter._acquire())
    await asyncio.sleep(0)
    assert third.done()  # fast's slot expired long ago
    fourth = asyncio.create_task(limiter._acquire())
    for _ in range(3):
        await asyncio.sleep(0)
    assert not fourth.done()  # slow still counts, and third is in flight
    now[0] = 4.0
    await asyncio.wait_for(fourth, 2)
    assert fourth.result().started == 4.0


async def test_waiters_wake_when_an_in_flight_call_is_answered() -> None:
    limiter = SlidingWindowRateLimiter(max_per_window=1, window=0.01, clock=time.monotonic)
    only = await limiter._acquire()
    waiter = asyncio.create_task(limiter._acquire())
    await asyncio.sleep(0.02)
    assert not waiter.done()  # nothing finished: the window cannot tell when it may reuse it
    limiter._release(only)
    await asyncio.wait_for(waiter, 1)
