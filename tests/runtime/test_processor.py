"""PerUserUpdateProcessor, driven the way `Application` drives it: one task per update, in
arrival order, each calling `process_update(update, coroutine)`."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest
from telegram import Update

from bot.processor import ANONYMOUS_KEY, PerUserUpdateProcessor, user_key
from tests.runtime.processor_steps import submit, text_update, until


@pytest.fixture
async def processor() -> Any:
    async with PerUserUpdateProcessor(max_concurrent=8) as p:
        yield p


async def test_same_user_runs_strictly_in_arrival_order_even_if_first_is_slow(
    processor: PerUserUpdateProcessor,
) -> None:
    log: list[str] = []
    gate = asyncio.Event()

    async def handler(n: int) -> None:
        log.append(f"start {n}")
        if n == 0:
            await gate.wait()
        log.append(f"end {n}")

    tasks = [submit(processor, text_update(7), handler(n)) for n in range(5)]
    await until(lambda: processor.waiting == 4, "four updates queued behind the first")
    assert log == ["start 0"]
    assert processor.active == 1

    gate.set()
    await asyncio.gather(*tasks)
    assert log == [f"{kind} {n}" for n in range(5) for kind in ("start", "end")]


async def test_different_users_run_concurrently(processor: PerUserUpdateProcessor) -> None:
    gate_a = asyncio.Event()
    a_started = asyncio.Event()

    async def slow_a() -> None:
        a_started.set()
        await gate_a.wait()

    async def quick_b() -> str:
        return "b"

    task_a = submit(processor, text_update(1), slow_a())
    await a_started.wait()
    task_b = submit(processor, text_update(2), quick_b())

    await asyncio.wait_for(task_b, timeout=30)  # generous: the subject is order, not speed
    assert not task_a.done()
    assert processor.active == 1

    gate_a.set()
    await task_a


async def test_global_bound_is_respected() -> None:
    bound = 3
    gates = [asyncio.Event() for _ in range(10)]
    running = 0
    peak = 0

    async def handler(i: int) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await gates[i].wait()
        running -= 1

    async with PerUserUpdateProcessor(max_concurrent=bound) as processor:
        tasks = [submit(processor, text_update(100 + i), handler(i)) for i in range(10)]
        await until(lambda: processor.waiting == 7, "seven updates waiting for a slot")
        assert processor.active == bound
        assert running == bound

        for gate in gates:
            gate.set()
        await asyncio.gather(*tasks)

    assert peak == bound
    assert processor.active == 0
    assert processor.waiting == 0


async def test_flooding_user_does_not_block_another_user() -> None:
    # Two slots only: if queued updates of the flooder held slots, user B could never run.
    gate = asyncio.Event()
    done_a: list[int] = []

    async def flood(n: int) -> None:
        if n == 0:
            await gate.wait()
        done_a.append(n)

    async def other() -> None:
        return None

    async with PerUserUpdateProcessor(max_concurrent=2) as processor:
        flood_tasks = [submit(processor, text_update(1), flood(n)) for n in range(500)]
        await until(lambda: processor.waiting == 499, "flood queued")
        task_b = submit(processor, text_update(2), other())

        await asyncio.wait_for(task_b, timeout=30)  # generous: the subject is order, not speed
        assert done_a == []
        assert processor.waiting == 499

        gate.set()
        await asyncio.gather(*flood_tasks)

    assert done_a == list(range(500))


async def test_locks_are_dropped_when_no_one_waits(processor: PerUserUpdateProcessor) -> None:
    gate = asyncio.Event()

    async def handler() -> None:
        await gate.wait()

    tasks = [submit(processor, text_update(user), handler()) for user in (1, 1, 2, 3)]
    await until(lambda: processor.active == 3, "three users running")
    assert processor.tracked_keys == 3

    gate.set()
    await asyncio.gather(*tasks)
    assert processor.tracked_keys == 0
    assert (processor.active, processor.waiting) == (0, 0)

    # Many distinct users one after another leave nothing behind either.
    async def noop() -> None:
        return None

    await asyncio.gather(*(submit(processor, text_update(u), noop()) for u in range(200)))
    assert processor.tracked_keys == 0


async def test_exception_does_not_break_the_users_queue(
    processor: PerUserUpdateProcessor,
) -> None:
    ran: list[int] = []

    async def boom() -> None:
        raise RuntimeError("handler failed")

    async def fine(n: int) -> None:
        ran.append(n)

    first = submit(processor, text_update(9), boom())
    rest = [submit(processor, text_update(9), fine(n)) for n in range(3)]

    with pytest.raises(RuntimeError, match="handler failed"):
        await first
    await asyncio.gather(*rest)
    assert ran == [0, 1, 2]
    assert processor.tracked_keys == 0


async def test_cancelled_waiting_update_is_closed_and_forgotten(
    processor: PerUserUpdateProcessor,
) -> None:
    gate = asyncio.Event()

    async def blocker() -> None:
        await gate.wait()

    async def never() -> None:
        raise AssertionError("a cancelled update must not run")

    running = submit(processor, text_update(4), blocker())
    queued_coro = never()
    queued = submit(processor, text_update(4), queued_coro)
    await until(lambda: processor.waiting == 1, "second update queued")

    queued.cancel()
    with pytest.raises(asyncio.CancelledError):
        await queued
    # Closed, so no "never awaited" warning.
    assert inspect.getcoroutinestate(queued_coro) == inspect.CORO_CLOSED
    assert processor.waiting == 0

    gate.set()
    await running
    assert processor.tracked_keys == 0


def test_user_key_falls_back_from_user_to_chat_to_anonymous() -> None:
    assert user_key(text_update(42)) == 42
    channel_post = Update.de_json(
        {
            "update_id": 1,
            "channel_post": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": -1007, "type": "channel"},
                "text": "x",
            },
        },
        bot=None,
    )
    assert user_key(channel_post) == -1007
    assert user_key(Update(update_id=5)) == ANONYMOUS_KEY
    assert user_key(object()) == ANONYMOUS_KEY


def test_base_bound_does_not_limit_and_bad_bound_is_rejected() -> None:
    processor = PerUserUpdateProcessor(max_concurrent=4)
    # Application only creates a task per update when this is > 1.
    assert processor.max_concurrent_updates > 1_000_000
    assert processor.max_concurrent == 4
    with pytest.raises(ValueError):
        PerUserUpdateProcessor(max_concurrent=0)
