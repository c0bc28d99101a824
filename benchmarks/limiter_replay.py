"""The rate limiter's own share of benchmark 1c's reply latency, apart from the machine's.

    python -m benchmarks limiter_replay [--users 50] [--rate 16.5] [--seed 1]

Benchmark 1c's wall-clock figures carry the bot's processing and, on a shared 2-core machine,
whatever the other processes leave it. This replays 1c's load in virtual time instead, with
zero processing time: the users of benchmark 1's script (the same think-time model, each step
answered after its panel calls), their answers through the bot's own
`SlidingWindowRateLimiter` (replies first), and beside them an outbox drain like the notifier's
(one push at a time, paced at `MAX_RATE`, a little work between two pushes). Each message holds
its place for `RTT` seconds before its answer arrives.

It prints the replies' p99 (raw: panel time included) against benchmark 1's ideal sender, which
sends replies alone, and against the ideal sender that also carries 12 pushes/s
(`latency.steady_pushes`), for the limiter as configured and for variants of its push rules, with
the push rate while users are active. No bot process, no sockets: the figures are the same on a
busy machine and an idle one.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import random
import selectors
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from benchmarks import backlog, latency
from benchmarks._common import percentile
from bot.ratelimit import Priority, SlidingWindowRateLimiter
from bot.services.notifications.notifier import MAX_RATE

# Benchmark 1's script: panel calls per step (measured: benchmark 1's per-step panel_calls_mean).
PANEL_CALLS = {"start": 0, "balance": 1, "order": 0, "service": 1, "link": 0, "quantity": 1}
CONFIRM_CALLS = 3
RTT = 0.005  # a message's place is taken this long before its answer comes back
PUSH_WORK = 0.010  # the drain's own work between two pushes (read, compose, mark sent)

VARIANTS: Mapping[str, Mapping[str, int]] = {
    "as configured": {},
    "reply headroom 0": {"reply_headroom": 0},
    "reply headroom 4": {"reply_headroom": 4},
    "no push reserve": {"push_reserve": 0},
    "30 per window (Telegram's own)": {"max_per_window": 30},
}


def synthetic_steps(users: int, rate: float, seed: int) -> list[latency.StepTiming]:
    """1c's steps: benchmark 1's think-time model, each step answered after its panel time."""
    rng = random.Random(seed)
    cycle = users * latency.MESSAGES_PER_SCRIPT / rate
    think_mean = cycle / len(latency.SCRIPT)
    steps = []
    for _ in range(users):
        at = rng.uniform(0, think_mean)
        for step in latency.SCRIPT:
            calls = PANEL_CALLS.get(step.name, CONFIRM_CALLS)
            steps.append(latency.StepTiming(step.name, 0, 0, 0, calls, at, step.outputs))
            at += latency.PANEL_LATENCY * calls + rng.uniform(0.5, 1.5) * think_mean
    return steps


class _Idle(selectors.BaseSelector):
    """No sockets: waiting for the next timer moves the virtual clock to it."""

    def __init__(self, loop: VirtualLoop) -> None:
        self._loop = loop
        self._map: dict[Any, selectors.SelectorKey] = {}

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        key = selectors.SelectorKey(fileobj, 0, events, data)
        self._map[fileobj] = key
        return key

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        return self._map.pop(fileobj)

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout:
            self._loop.now += timeout
        return []

    def get_map(self) -> Mapping[Any, selectors.SelectorKey]:
        return self._map


class VirtualLoop(asyncio.SelectorEventLoop):
    """An event loop whose clock jumps to the next timer: hours replay in seconds."""

    def __init__(self) -> None:
        self.now = 0.0
        super().__init__(_Idle(self))

    def time(self) -> float:
        return self.now


@dataclass(frozen=True, slots=True)
class Replay:
    latencies: list[float]  # raw, per step, like `latency.ideal_latencies`
    pushes: list[float]  # when each push got its place


def replay(
    steps: Sequence[latency.StepTiming],
    limiter: Callable[[Callable[[], float]], SlidingWindowRateLimiter],
    *,
    rtt: float = RTT,
    push_work: float = PUSH_WORK,
) -> Replay:
    """`steps` through `limiter(clock)`, with a push backlog draining beside them."""
    loop = VirtualLoop()
    try:
        return loop.run_until_complete(_replay(loop, steps, limiter(loop.time), rtt, push_work))
    finally:
        loop.close()


async def _replay(
    loop: VirtualLoop,
    steps: Sequence[latency.StepTiming],
    window: SlidingWindowRateLimiter,
    rtt: float,
    push_work: float,
) -> Replay:
    async def send(priority: Priority) -> float:
        slot = await window._acquire(priority)
        granted = loop.time()
        await asyncio.sleep(rtt)
        window._release(slot)
        return granted

    async def answer(step: latency.StepTiming) -> float:
        await asyncio.sleep(step.pushed + latency.PANEL_LATENCY * step.panel_calls)
        sent = await asyncio.gather(*(send(Priority.REPLY) for _ in range(step.outputs)))
        return max(sent) - step.pushed

    pushes: list[float] = []
    end = max(s.pushed for s in steps) + 2.0

    async def drain() -> None:
        gap, next_send = 1.0 / MAX_RATE, 0.0
        while loop.time() < end:
            await asyncio.sleep(max(push_work, next_send - loop.time()))
            next_send = loop.time() + gap
            pushes.append(await send(Priority.PUSH))

    drainer = asyncio.ensure_future(drain())
    latencies = await asyncio.gather(*(answer(s) for s in steps))
    await drainer
    await window.shutdown()
    return Replay(list(latencies), pushes)


def figures(steps: Sequence[latency.StepTiming], run: Replay) -> dict[str, float]:
    """p99 against both ideals; push rate over the steady part (10th-90th percentile of steps,
    as benchmark 1c counts it)."""
    pushed = sorted(s.pushed for s in steps)
    start, stop = pushed[len(pushed) // 10], pushed[len(pushed) * 9 // 10]
    ideal_alone = percentile(latency.ideal_latencies(steps), 0.99)
    # Over the same span as benchmark 1c gives its ideal: first step to last answer.
    end = max(s.pushed + lat for s, lat in zip(steps, run.latencies, strict=True))
    with_pushes = latency.steady_pushes(backlog.PUSH_TARGET_DURING, pushed[0], end)
    ideal_pushes = percentile(latency.ideal_latencies(steps, pushes=with_pushes), 0.99)
    p99 = percentile(run.latencies, 0.99)
    return {
        "p99_s": p99,
        "ideal_alone_s": ideal_alone,
        "ideal_pushes_s": ideal_pushes,
        "push_rate": sum(1 for t in run.pushes if start <= t <= stop) / (stop - start),
    }


def _limiter(options: Mapping[str, int], clock: Callable[[], float]) -> SlidingWindowRateLimiter:
    settings: dict[str, Any] = dict(options)
    return SlidingWindowRateLimiter(clock=clock, **settings)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks limiter_replay", description=__doc__
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rate", type=float, default=backlog.PLANNED_RATE)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    steps = synthetic_steps(args.users, args.rate, args.seed)
    print(
        f"{args.users} users, planned {args.rate:.1f} replies/s, seed {args.seed}; "
        "raw p99 in virtual time, zero processing"
    )
    print(f"{'limiter':<32}{'p99':>8}{'/ no pushes':>13}{'/ 12 pushes/s':>15}{'pushes/s':>10}")
    for name, options in VARIANTS.items():
        run = replay(steps, functools.partial(_limiter, options))
        f = figures(steps, run)
        print(
            f"{name:<32}{f['p99_s'] * 1000:>6.0f}ms{f['p99_s'] / f['ideal_alone_s']:>12.2f}x"
            f"{f['p99_s'] / f['ideal_pushes_s']:>14.2f}x{f['push_rate']:>10.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
