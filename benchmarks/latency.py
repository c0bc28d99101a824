"""Reply latency under load (benchmark 1): the real bot process, many users, a slow panel.

    python -m benchmarks latency [--quick] [--users N] [--runs N]

Every simulated user steps through /start, /balance and a complete /order (service id typed,
link, quantity, Confirm). The bot runs as `python -m bot` against the fake Telegram server, which
enforces Telegram's global limit (30 messages/s, excess answered with 429 + retry_after), and the
fake panel, which answers every call after 200 ms.

Latency of a step = when the bot's final answer to it reached the fake Telegram server minus when
the update became available to getUpdates, minus 200 ms for each panel call the step made (counted
per step from the fake panel's log: the user's own key, between the push and the answer). Both
timestamps come from the same monotonic clock in this process.

* sustained: users start at random offsets and think between steps so the bot's outgoing rate is
  about 25 messages/s; the same load runs against one-at-a-time processing (the same bot with
  MAX_CONCURRENT_UPDATES=1, which makes the per-user processor handle one update globally at a
  time, like python-telegram-bot's default) as the baseline, cut off after a time limit.
* burst: all users start the same script at the same instant with no think time; the wall time
  is compared with the floor Telegram's limit sets (replies sent / 30 per second).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import tempfile
import time
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks._common import (
    BotProcess,
    fmt_ms,
    median,
    percentile,
    seed_users,
    user_key,
)
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram, FakeUser
from tests.fakes.telegram_models import ApiCall, BotMessage

PANEL_LATENCY = 0.2
RATE_LIMIT = 30
TARGET_RATE = 25.0
FIRST_USER = 500_000
# Calls that put a message on a user's screen (the ones Telegram's flood limit counts).
ANSWER_METHODS = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup"})


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    text: str | None  # sent as a message; None: press `button` on the previous answer
    outputs: int  # bot outputs (new messages or edits) that complete the step
    button: str | None = None
    expect: str | None = None  # text the final answer must contain


SCRIPT: tuple[Step, ...] = (
    Step("start", "/start", 1),
    Step("balance", "/balance", 1),
    Step("order", "/order", 1, expect="Which service?"),
    Step("service", "1", 1, expect="Send the link"),
    Step("link", "https://instagram.com/p/bench_{uid}_{tag}", 1),
    Step("quantity", "100", 1, expect="Confirm"),
    Step("confirm", None, 2, button="Confirm", expect="Order placed"),
)
MESSAGES_PER_SCRIPT = sum(s.outputs for s in SCRIPT)


@dataclass(slots=True)
class StepRecord:
    user_id: int
    step: str
    pushed: float
    answered: bool = False
    ok: bool = False  # the final answer said what the step expects


@dataclass(slots=True)
class LoadResult:
    records: list[StepRecord] = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0


async def _wait_outputs(user: FakeUser, step: Step, deadline: float) -> BotMessage:
    message: BotMessage | None = None
    for _ in range(step.outputs):
        remaining = max(0.05, deadline - time.monotonic())
        # The last step's answers are edits of the preview; the others are new messages.
        message = await (user.update if step.button else user.reply)(timeout=remaining)
    assert message is not None
    return message


async def _user_script(
    user: FakeUser,
    tag: str,
    think: Callable[[], float],
    deadline: float,
    step_timeout: float,
    out: list[StepRecord],
) -> None:
    previous: BotMessage | None = None
    for step in SCRIPT:
        pause = think()
        if pause > 0:
            await asyncio.sleep(pause)  # think time: the load model, not a wait for an event
        if time.monotonic() >= deadline:
            return
        record = StepRecord(user.id, step.name, time.monotonic())
        out.append(record)
        if step.button is not None:
            await user.press(step.button, message=previous)
        else:
            assert step.text is not None
            await user.send(step.text.format(uid=user.id, tag=tag))
        try:
            previous = await _wait_outputs(user, step, min(deadline, record.pushed + step_timeout))
        except AssertionError:
            return  # unanswered: this user stops, the record stays unanswered
        record.answered = True
        text = previous.plain_text or previous.text or ""
        record.ok = (
            step.expect is None
            or step.expect in text
            or any(step.expect in label for label, _ in previous.buttons())
        )
        if not record.ok:
            return


async def drive(
    telegram: FakeTelegram,
    user_ids: Sequence[int],
    *,
    tag: str,
    think_mean: float,
    seed: int,
    cutoff: float,
    step_timeout: float = 60.0,
) -> LoadResult:
    """Run the script for every user; think_mean=0 is a burst (everyone at the same instant)."""
    rng = random.Random(seed)
    result = LoadResult()
    result.started = time.monotonic()
    deadline = result.started + cutoff
    tasks = []
    for user_id in user_ids:
        user = telegram.user(user_id, first_name=f"Bench {user_id}")
        think = _Think(rng, think_mean)
        tasks.append(
            asyncio.create_task(
                _user_script(user, tag, think, deadline, step_timeout, result.records)
            )
        )
    await asyncio.gather(*tasks)
    result.finished = time.monotonic()
    return result


class _Think:
    """Think time: uniform in [0.5, 1.5] x mean; the first pause spreads starts over one mean."""

    def __init__(self, rng: random.Random, mean: float) -> None:
        self._rng = rng
        self._mean = mean
        self._first = True

    def __call__(self) -> float:
        if self._mean <= 0:
            return 0.0  # a burst: everyone at the same instant
        if self._first:
            self._first = False
            return self._rng.uniform(0, self._mean)
        return self._rng.uniform(0.5, 1.5) * self._mean


def _chat_of(call: ApiCall) -> int | None:
    try:
        return int(str(call.params.get("chat_id")))
    except ValueError:
        return None


@dataclass(slots=True)
class StepTiming:
    step: str
    latency: float  # final answer - pushed - panel time
    raw: float  # final answer - pushed
    first: float  # first output - pushed (e.g. the "sending…" edit)
    panel_calls: int
    pushed: float = 0.0  # when the update became available to getUpdates
    outputs: int = 1  # messages and edits the bot sent for the step


def ideal_latencies(
    steps: Sequence[StepTiming], rate: int = RATE_LIMIT, *, pushes: Sequence[float] = ()
) -> list[float]:
    """What an ideal sender would reach on the same run: each step's outputs due when its update
    arrived plus its panel time, sent as early as Telegram's window (`rate` messages in any one
    second) allows, with zero processing time. Raw latencies (panel time included, like
    `StepTiming.raw`): without congestion the ideal is the panel time itself, so the ratio to
    it stays finite. Earlier-due messages go first, so no step waits for a later one.

    `pushes`: when notifications the same window must also carry become due (benchmark 1c).
    A due reply always goes before a push; a push goes whenever it can go before the next reply
    could, because a sender does not know a reply is coming. Once sent, a push holds its place
    for the whole second, as every message does (see `steady_pushes`)."""
    due = sorted(
        (s.pushed + PANEL_LATENCY * s.panel_calls, index)
        for index, s in enumerate(steps)
        for _ in range(s.outputs)
    )
    waiting = deque(sorted(pushes))
    sent: list[float] = []

    def free_from() -> float:
        return sent[-rate] + 1.0 if len(sent) >= rate else -math.inf

    last_of: dict[int, float] = {}
    for at, index in due:
        while waiting and max(waiting[0], free_from()) < max(at, free_from()):
            sent.append(max(waiting.popleft(), free_from()))
        when = max(at, free_from())
        sent.append(when)
        last_of[index] = max(last_of.get(index, when), when)
    return [last_of[i] - s.pushed for i, s in enumerate(steps) if i in last_of]


def steady_pushes(per_second: float, start: float, end: float) -> list[float]:
    """Pushes due evenly at `per_second` from `start` to `end`: the ideal sender's share of a
    push backlog while users are active (benchmark 1c).

    Why the ideal must carry them: 1c requires pushes at >= 12/s while 50 users get about 15
    replies/s, and the users' steps bunch up (every script ends with a Confirm, 2 answers after
    3 panel calls), so for a second or so replies alone come near the whole window. A push sent
    in the second before such a burst holds its place through it; replies-only, the ideal had
    all 30 places for the burst, a budget no sender meeting the push target has. The bot's own
    limiter, replayed with zero processing time (`python -m benchmarks limiter_replay`), is at
    1.16-1.24x the replies-only ideal on synthetic 1c loads and 1.33-1.43x on the steps of real
    1c runs, and at 0.94-1.04x this one; holding pushes back harder (reply headroom 4) gains a
    few percent and drops pushes below 12/s. The ideal sends exactly the target, evenly and
    never ahead of a due reply: fewer pushes than the bot sends, so the comparison still leans
    against the bot."""
    count = max(0, math.floor((end - start) * per_second))
    return [start + i / per_second for i in range(count)]


def timings(
    load: LoadResult, telegram: FakeTelegram, panel: FakePanel
) -> tuple[list[StepTiming], int]:
    """Per-step timings from the fakes' logs; also the number of steps never answered."""
    outputs: dict[int, list[float]] = defaultdict(list)
    for call in telegram.calls:
        if call.method in ANSWER_METHODS and call.status == 200:
            chat = _chat_of(call)
            if chat is not None:
                outputs[chat].append(call.at)
    panel_at: dict[str, list[float]] = defaultdict(list)
    for request in panel.requests:
        key = request.params.get("key")
        if isinstance(key, str):
            panel_at[key].append(request.at)

    by_user: dict[int, list[StepRecord]] = defaultdict(list)
    for record in load.records:
        by_user[record.user_id].append(record)
    found: list[StepTiming] = []
    unanswered = 0
    for user_id, records in by_user.items():
        records.sort(key=lambda r: r.pushed)
        times = sorted(outputs.get(user_id, []))
        calls = panel_at.get(user_key(user_id), [])
        for index, record in enumerate(records):
            if not record.answered:
                unanswered += 1
                continue
            until = records[index + 1].pushed if index + 1 < len(records) else float("inf")
            window = [t for t in times if record.pushed <= t < until]
            if not window:
                unanswered += 1
                continue
            final = window[-1]
            n_calls = sum(1 for t in calls if record.pushed <= t <= final)
            raw = final - record.pushed
            found.append(
                StepTiming(
                    record.step,
                    raw - PANEL_LATENCY * n_calls,
                    raw,
                    window[0] - record.pushed,
                    n_calls,
                    record.pushed,
                    len(window),
                )
            )
    return found, unanswered


def summarize(
    load: LoadResult, telegram: FakeTelegram, panel: FakePanel, cutoff: float | None = None
) -> dict[str, Any]:
    steps, unanswered = timings(load, telegram, panel)
    latencies = [s.latency for s in steps]
    in_window = [
        c
        for c in telegram.calls
        if c.method in ANSWER_METHODS and load.started <= c.at <= load.finished
    ]
    sent = sum(1 for c in in_window if c.status == 200)
    wall = load.finished - load.started
    per_step: dict[str, dict[str, float]] = {}
    for name in (s.name for s in SCRIPT):
        mine = [s for s in steps if s.step == name]
        per_step[name] = {
            "p50_s": percentile([s.latency for s in mine], 0.5),
            "p99_s": percentile([s.latency for s in mine], 0.99),
            "first_output_p50_s": percentile([s.first for s in mine], 0.5),
            "panel_calls_mean": (sum(s.panel_calls for s in mine) / len(mine)) if mine else 0.0,
        }
    return {
        "steps_pushed": len(load.records),
        "steps_answered": len(steps),
        "steps_unanswered": unanswered,
        "wrong_answers": sum(1 for r in load.records if r.answered and not r.ok),
        "p50_s": percentile(latencies, 0.5),
        "p95_s": percentile(latencies, 0.95),
        "p99_s": percentile(latencies, 0.99),
        "max_s": max(latencies, default=float("nan")),
        "raw_p50_s": percentile([s.raw for s in steps], 0.5),
        "raw_p99_s": percentile([s.raw for s in steps], 0.99),
        # The ideal sender's on this very run (issue 22): Telegram's window alone may make a
        # fixed target unreachable; raw p99 / this says how far the bot is from the possible.
        "ideal_raw_p99_s": percentile(ideal_latencies(steps), 0.99),
        "first_output_p50_s": percentile([s.first for s in steps], 0.5),
        "first_output_p99_s": percentile([s.first for s in steps], 0.99),
        "replies_sent": sent,
        "telegram_429s": sum(1 for c in in_window if c.status == 429),
        "wall_s": wall,
        "rate_msg_s": sent / wall if wall > 0 else 0.0,
        "orders_placed": sum(1 for r in load.records if r.step == "confirm" and r.ok),
        "cutoff_s": cutoff,
        "per_step": per_step,
    }


async def _settle(telegram: FakeTelegram, seconds: float) -> None:
    # Lets the fake's 1 s rate window and the bot's limiter drain between phases.
    await asyncio.sleep(seconds)


async def one_run(
    n_users: int,
    *,
    run_index: int,
    baseline: bool,
    burst: bool,
    cutoff: float | None = None,
    database_url: str | None = None,
) -> dict[str, Any]:
    """One bot process: sustained load, then (unless baseline) a burst; with footprint figures.

    On SQLite, or on PostgreSQL at `database_url`."""
    settings = {"MAX_CONCURRENT_UPDATES": "1"} if baseline else {}
    user_ids = [FIRST_USER + i for i in range(n_users)]
    cycle = n_users * MESSAGES_PER_SCRIPT / TARGET_RATE
    think_mean = cycle / len(SCRIPT)
    planned = cycle + think_mean
    cutoff = cutoff if cutoff is not None else planned * 3 + 30
    with tempfile.TemporaryDirectory(prefix="smm-bench-") as tmp:
        async with FakeTelegram() as telegram, FakePanel() as panel:
            proc = BotProcess(
                telegram, panel, Path(tmp), settings=settings, database_url=database_url
            )
            await seed_users(proc.database, proc.encryption_key, panel, user_ids)
            async with proc:
                await _settle(telegram, 1.0)
                rss_idle = proc.rss_mib()
                telegram.rate_limit = RATE_LIMIT
                panel.latency = PANEL_LATENCY
                panel.clear_log()
                load = await drive(
                    telegram,
                    user_ids,
                    tag=f"s{run_index}",
                    think_mean=think_mean,
                    seed=run_index,
                    cutoff=cutoff,
                )
                sustained = summarize(load, telegram, panel, cutoff)
                sustained["planned_s"] = planned
                sustained["think_mean_s"] = think_mean
                result: dict[str, Any] = {
                    "users": n_users,
                    "startup_s": proc.startup_s,
                    "rss_idle_mib": rss_idle,
                    "sustained": sustained,
                }
                if burst:
                    await _settle(telegram, 2.0)
                    load = await drive(
                        telegram,
                        user_ids,
                        tag=f"b{run_index}",
                        think_mean=0.0,
                        seed=run_index,
                        cutoff=cutoff,
                    )
                    figures = summarize(load, telegram, panel, cutoff)
                    floor = figures["replies_sent"] / RATE_LIMIT
                    figures["floor_s"] = floor
                    figures["ratio_to_floor"] = figures["wall_s"] / floor if floor else 0.0
                    result["burst"] = figures
                result["rss_after_mib"] = proc.rss_mib()
    return result


def run(
    n_users: int = 200, runs: int = 3, baseline_runs: int = 1, burst: bool = True
) -> dict[str, Any]:
    """Figures in seconds (latencies) and MiB; medians over `runs` bot processes."""

    async def go() -> dict[str, Any]:
        ours = [
            await one_run(n_users, run_index=i, baseline=False, burst=burst) for i in range(runs)
        ]
        cycle = n_users * MESSAGES_PER_SCRIPT / TARGET_RATE
        # The baseline falls behind without bound; it gets a fixed budget, then the steps still
        # waiting are counted as unanswered.
        cutoff = cycle * 1.5 + 20
        base = [
            await one_run(n_users, run_index=i, baseline=True, burst=False, cutoff=cutoff)
            for i in range(baseline_runs)
        ]
        return {"users": n_users, "runs": runs, "ours": ours, "baseline": base}

    raw = asyncio.run(go())
    return {**raw, "summary": summarize_runs(raw)}


ENGINE_KEYS = ("p50_s", "p95_s", "p99_s", "rate_msg_s", "wrong_answers", "steps_unanswered")


def run_engines(n_users: int = 200, runs: int = 3) -> dict[str, Any]:
    """Sustained load on SQLite and on PostgreSQL (pgserver, default durability), side by side.

    The runs alternate between the engines, so a machine getting busier mid-way weighs on both.
    """
    from benchmarks._pg import BenchPostgres

    async def go() -> dict[str, list[dict[str, Any]]]:
        server = BenchPostgres()
        found: dict[str, list[dict[str, Any]]] = {"sqlite": [], "postgres": []}
        try:
            for i in range(runs):
                found["sqlite"].append(
                    await one_run(n_users, run_index=i, baseline=False, burst=False)
                )
                async with server.database() as url:
                    found["postgres"].append(
                        await one_run(
                            n_users, run_index=i, baseline=False, burst=False, database_url=url
                        )
                    )
        finally:
            server.stop()
        return found

    raw = asyncio.run(go())
    summary = {
        engine: {k: _med(items, "sustained", k) for k in ENGINE_KEYS}
        for engine, items in raw.items()
    }
    return {"users": n_users, "runs": runs, "engines": raw, "summary": summary}


def format_engines(result: dict[str, Any]) -> str:
    s = result["summary"]
    lines = [
        f"{result['users']} users, sustained; medians of {result['runs']} run(s) per engine",
        f"{'':<16}{'SQLite':>12}{'PostgreSQL':>14}",
    ]
    for label, key in (("p50", "p50_s"), ("p95", "p95_s"), ("p99", "p99_s")):
        lines.append(f"  {label:<14}{fmt_ms(s['sqlite'][key]):>12}{fmt_ms(s['postgres'][key]):>14}")
    lines.append(
        f"  {'rate':<14}{s['sqlite']['rate_msg_s']:>8.1f}/s{s['postgres']['rate_msg_s']:>10.1f}/s"
    )
    lines.append(
        f"  {'wrong/unanswered':<14}"
        f"{s['sqlite']['wrong_answers']:>6.0f}/{s['sqlite']['steps_unanswered']:<5.0f}"
        f"{s['postgres']['wrong_answers']:>8.0f}/{s['postgres']['steps_unanswered']:<5.0f}"
    )
    p50 = s["postgres"]["p50_s"] / s["sqlite"]["p50_s"] if s["sqlite"]["p50_s"] else float("nan")
    lines.append(f"  PostgreSQL p50 / SQLite p50 = {p50:.2f}")
    return "\n".join(lines)


def _med(runs: list[dict[str, Any]], *path: str) -> float:
    values = []
    for item in runs:
        value: Any = item
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, int | float):
            values.append(float(value))
    return median(values)


def summarize_runs(raw: dict[str, Any]) -> dict[str, Any]:
    ours, base = raw["ours"], raw["baseline"]
    keys = (
        "p50_s",
        "p95_s",
        "p99_s",
        "max_s",
        "first_output_p50_s",
        "rate_msg_s",
        "telegram_429s",
        "steps_unanswered",
        "steps_answered",
        "steps_pushed",
        "wall_s",
        "wrong_answers",
        "orders_placed",
        # For the row against an ideal sender (benchmarks/suite.py): without them the summary
        # had no raw p99 and 1a's ratio always read "n/a".
        "raw_p99_s",
        "ideal_raw_p99_s",
    )
    summary: dict[str, Any] = {
        "sustained": {k: _med(ours, "sustained", k) for k in keys},
        "baseline": {k: _med(base, "sustained", k) for k in keys},
        "startup_s": _med(ours + base, "startup_s"),
        "rss_idle_mib": _med(ours + base, "rss_idle_mib"),
        "rss_after_mib": _med(ours, "rss_after_mib"),
    }
    if base:
        summary["baseline"]["cutoff_s"] = base[0]["sustained"]["cutoff_s"]
    if any("burst" in r for r in ours):
        summary["burst"] = {
            k: _med(ours, "burst", k)
            for k in (
                "wall_s",
                "floor_s",
                "ratio_to_floor",
                "replies_sent",
                "telegram_429s",
                "steps_unanswered",
                "wrong_answers",
                "p50_s",
                "p99_s",
            )
        }
    return summary


def format_table(result: dict[str, Any]) -> str:
    s = result["summary"]
    ours, base = s["sustained"], s["baseline"]
    lines = [
        f"{result['users']} users, panel {PANEL_LATENCY * 1000:.0f} ms/call, "
        f"Telegram limit {RATE_LIMIT}/s; medians of {result['runs']} run(s)",
        f"{'sustained':<26}{'per-user (ours)':>18}{'one-at-a-time':>18}",
    ]
    for label, key in (("p50", "p50_s"), ("p95", "p95_s"), ("p99", "p99_s"), ("max", "max_s")):
        lines.append(f"  {label:<24}{fmt_ms(ours[key]):>18}{fmt_ms(base[key]):>18}")
    for label, key, fmt in (
        ("outgoing rate", "rate_msg_s", "{:.1f} msg/s"),
        ("steps answered/pushed", "", ""),
        ("429s", "telegram_429s", "{:.0f}"),
    ):
        if not key:
            a = f"{ours['steps_answered']:.0f}/{ours['steps_pushed']:.0f}"
            b = f"{base['steps_answered']:.0f}/{base['steps_pushed']:.0f}"
        else:
            a, b = fmt.format(ours[key]), fmt.format(base[key])
        lines.append(f"  {label:<24}{a:>18}{b:>18}")
    if "burst" in s:
        b = s["burst"]
        lines.append(
            f"burst: {b['wall_s']:.1f} s for {b['replies_sent']:.0f} replies, floor "
            f"{b['floor_s']:.1f} s, ratio {b['ratio_to_floor']:.2f}, 429s "
            f"{b['telegram_429s']:.0f}, unanswered {b['steps_unanswered']:.0f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks latency", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="50 users, 1 run")
    parser.add_argument("--users", type=int, default=None)
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args(argv)
    users = args.users or (50 if args.quick else 200)
    runs = args.runs or (1 if args.quick else 3)
    result = run(users, runs, baseline_runs=0 if args.no_baseline else 1)
    print(format_table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
