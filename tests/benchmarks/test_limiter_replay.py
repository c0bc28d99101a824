"""The limiter replay (benchmarks/limiter_replay.py): 1c's load in virtual time."""

from __future__ import annotations

import itertools
from collections import Counter

from benchmarks import latency
from benchmarks.limiter_replay import RTT, figures, replay, synthetic_steps
from bot.ratelimit import SlidingWindowRateLimiter
from bot.services.notifications.notifier import MAX_RATE


def test_synthetic_steps_follow_benchmark_1s_script() -> None:
    steps = synthetic_steps(users=5, rate=16.5, seed=1)
    assert Counter(s.step for s in steps) == {s.name: 5 for s in latency.SCRIPT}
    assert sum(s.outputs for s in steps) == 5 * latency.MESSAGES_PER_SCRIPT
    confirm = [s for s in steps if s.step == "confirm"]
    assert {(s.panel_calls, s.outputs) for s in confirm} == {(3, 2)}
    # Each user's steps in order: a step starts after the previous one's panel time.
    for first, second in itertools.pairwise(steps[0:7]):
        assert second.pushed >= first.pushed + latency.PANEL_LATENCY * first.panel_calls


def test_a_lone_reply_behind_a_backlog_waits_at_most_one_push_gap() -> None:
    # Users quiet: pushes fill the window; a reply then takes the next place that frees up.
    step = latency.StepTiming("balance", 0, 0, 0, 1, pushed=5.0, outputs=1)
    run = replay([step], lambda clock: SlidingWindowRateLimiter(clock=clock))
    (raw,) = run.latencies
    assert latency.PANEL_LATENCY <= raw <= latency.PANEL_LATENCY + 1 / MAX_RATE + RTT
    # The drain ran at its own pace meanwhile, 29 places a window at most.
    second = [t for t in run.pushes if 3.0 <= t < 4.0]
    assert 20 <= len(second) <= 29


def test_figures_compare_with_both_ideals() -> None:
    steps = synthetic_steps(users=10, rate=16.5, seed=2)
    run = replay(steps, lambda clock: SlidingWindowRateLimiter(clock=clock))
    found = figures(steps, run)
    assert found["ideal_alone_s"] <= found["ideal_pushes_s"]
    assert found["p99_s"] >= found["ideal_alone_s"]
    assert found["push_rate"] > 0
