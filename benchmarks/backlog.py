"""Replies while a push backlog drains (benchmark 1c): replies first, pushes get the rest.

    python -m benchmarks backlog [--users N] [--pushes N] [--rate R] [--after S]

The bot runs as `python -m bot` against the fake Telegram server (30 messages/s, excess answered
with 429) and the fake panel (200 ms per call). Before it starts, its outbox holds `pushes`
order notifications (completed orders of 100 other users). Then `users` users run the latency
script of benchmark 1 (/start, /balance, a whole /order) with think times chosen so that the
bot's replies come at about 15 messages/s (`rate` is the planned rate of the think-time model),
while the outbox drains. Reply latency is measured
as in benchmark 1 (panel time subtracted). Replies/s and pushes/s are counted from the fake's log
over the steady part of the load (from the 10th to the 90th percentile of the users' steps), and
pushes/s again for `after` seconds once users stopped. The same load without the backlog is the
reference.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks import latency
from benchmarks._common import BotProcess, fmt_ms, percentile, seed_users
from benchmarks.poller import populate
from bot.storage import KeyCipher, OutboxKind, Storage
from bot.storage.outbox import OutboxMessage
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram

FIRST_USER = 700_000
FIRST_RECIPIENT = 800_000
RECIPIENTS = 100
# The think-time model ignores the time steps take (panel calls, the replies themselves), so the
# steady rate comes out about 10 % below the planned one: 16.5 planned gives about 15 replies/s.
PLANNED_RATE = 16.5
# Pushes per second the bot must keep up while users are active, and after they left.
PUSH_TARGET_DURING = 12.0
PUSH_TARGET_AFTER = 25.0


async def _queue_backlog(db_path: Path, key: str, panel: FakePanel, pushes: int) -> list[int]:
    """`pushes` completed orders of RECIPIENTS users, one queued notification each."""
    storage = await Storage.open(db_path, KeyCipher([key.encode()]))
    try:
        recipients = await populate(storage, panel, pushes, RECIPIENTS, FIRST_RECIPIENT)
        messages = []
        for user_id in recipients:
            for order in await storage.orders.all_for_user(user_id):
                payload = {"order_id": order.id, "status": "Completed"}
                messages.append(OutboxMessage(user_id, OutboxKind.ORDER_STATUS, payload))
        await storage.outbox.enqueue_many(messages)
    finally:
        await storage.close()
    return recipients


def _sent_to(telegram: FakeTelegram, chats: set[int], start: float, end: float) -> int:
    """Messages (new or edited) that reached `chats` between `start` and `end`."""
    count = 0
    for call in telegram.calls:
        if call.method not in latency.ANSWER_METHODS or call.status != 200:
            continue
        if not start <= call.at <= end:
            continue
        chat = str(call.params.get("chat_id"))
        if chat.isdigit() and int(chat) in chats:
            count += 1
    return count


def _ideal_with_pushes(
    figures: dict[str, Any], load: latency.LoadResult, telegram: FakeTelegram, panel: FakePanel
) -> None:
    """The ideal sender's p99 when it also carries the push target while users are active
    (`latency.steady_pushes` says why); the replies-only one is kept beside it."""
    steps, _ = latency.timings(load, telegram, panel)
    if not steps:
        return
    start = min(s.pushed for s in steps)
    end = max(s.pushed + s.raw for s in steps)
    pushes = latency.steady_pushes(PUSH_TARGET_DURING, start, end)
    figures["ideal_replies_only_raw_p99_s"] = figures["ideal_raw_p99_s"]
    figures["ideal_raw_p99_s"] = percentile(latency.ideal_latencies(steps, pushes=pushes), 0.99)
    figures["ideal_pushes_per_s"] = PUSH_TARGET_DURING


async def one_run(n_users: int, pushes: int, rate: float, after: float, tag: str) -> dict[str, Any]:
    user_ids = [FIRST_USER + i for i in range(n_users)]
    # Think time for `rate` bot messages per second over all users (as benchmark 1 does).
    cycle = n_users * latency.MESSAGES_PER_SCRIPT / rate
    think_mean = cycle / len(latency.SCRIPT)
    cutoff = cycle * 3 + 30
    with tempfile.TemporaryDirectory(prefix="smm-bench-") as tmp:
        async with FakeTelegram() as telegram, FakePanel() as panel:
            proc = BotProcess(telegram, panel, Path(tmp))
            await seed_users(proc.db_path, proc.encryption_key, panel, user_ids)
            recipients: set[int] = set()
            if pushes:
                recipients = set(
                    await _queue_backlog(proc.db_path, proc.encryption_key, panel, pushes)
                )
                for user_id in recipients:
                    telegram.user(user_id)
            telegram.rate_limit = latency.RATE_LIMIT
            async with proc:
                panel.latency = latency.PANEL_LATENCY
                panel.clear_log()
                load = await latency.drive(
                    telegram, user_ids, tag=tag, think_mean=think_mean, seed=1, cutoff=cutoff
                )
                figures = latency.summarize(load, telegram, panel, cutoff)
                if pushes:
                    _ideal_with_pushes(figures, load, telegram, panel)
                # Rates over the steady part of the load: users start spread over one think
                # time and finish unevenly, so the whole window would understate them.
                pushed = sorted(r.pushed for r in load.records)
                start = pushed[len(pushed) // 10]
                stop = pushed[len(pushed) * 9 // 10]
                steady = max(stop - start, 1e-9)
                replies = _sent_to(telegram, set(user_ids), start, stop)
                figures["steady_s"] = steady
                figures["reply_rate_msg_s"] = replies / steady
                if pushes:
                    await asyncio.sleep(after)  # pushes alone, users gone
                    end = load.finished + after
                    during = _sent_to(telegram, recipients, start, stop)
                    alone = _sent_to(telegram, recipients, load.finished, end)
                    figures["pushes_during"] = during
                    figures["push_rate_during"] = during / steady
                    figures["pushes_after"] = alone
                    figures["push_rate_after"] = alone / after
                    figures["all_429s"] = telegram.count_429()
    return figures


def run(
    n_users: int = 50, pushes: int = 5_000, rate: float = PLANNED_RATE, after: float = 20.0
) -> dict[str, Any]:
    """With and without the backlog; times in seconds, rates in messages/s."""

    async def go() -> dict[str, Any]:
        return {
            "users": n_users,
            "pushes": pushes,
            "target_rate": rate,
            "after_s": after,
            "backlog": await one_run(n_users, pushes, rate, after, "q"),
            "reference": await one_run(n_users, 0, rate, after, "r"),
        }

    return asyncio.run(go())


def _ratio(figures: dict[str, Any], ideal: str) -> str:
    if not figures.get(ideal):
        return "—"
    return f"{figures['raw_p99_s'] / figures[ideal]:.2f}x"


def format_table(result: dict[str, Any]) -> str:
    b, r = result["backlog"], result["reference"]
    return "\n".join(
        [
            f"{result['users']} users (planned {result['target_rate']:.1f} replies/s), "
            f"{result['pushes']:,} pushes queued",
            f"{'':<34}{'with backlog':>16}{'no backlog':>16}",
            f"{'reply latency p50':<34}{fmt_ms(b['p50_s']):>16}{fmt_ms(r['p50_s']):>16}",
            f"{'reply latency p99':<34}{fmt_ms(b['p99_s']):>16}{fmt_ms(r['p99_s']):>16}",
            f"{f'raw p99 / ideal p99 ({PUSH_TARGET_DURING:.0f} pushes/s)':<34}"
            f"{_ratio(b, 'ideal_raw_p99_s'):>16}{'—':>16}",
            f"{'raw p99 / ideal p99 (no pushes)':<34}"
            f"{_ratio(b, 'ideal_replies_only_raw_p99_s'):>16}{_ratio(r, 'ideal_raw_p99_s'):>16}",
            f"{'replies/s (bot -> users)':<34}{b['reply_rate_msg_s']:>16.1f}"
            f"{r['reply_rate_msg_s']:>16.1f}",
            f"{'steps answered / pushed':<34}"
            f"{b['steps_answered']:>11}/{b['steps_pushed']:<4}"
            f"{r['steps_answered']:>11}/{r['steps_pushed']:<4}",
            f"{'pushes/s while users active':<34}{b['push_rate_during']:>16.1f}{'—':>16}",
            f"{'pushes/s after (' + str(int(result['after_s'])) + ' s)':<34}"
            f"{b['push_rate_after']:>16.1f}{'—':>16}",
            f"{'429s (whole run)':<34}{b['all_429s']:>16}{r['telegram_429s']:>16}",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks backlog", description=__doc__)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--pushes", type=int, default=5_000)
    parser.add_argument(
        "--rate", type=float, default=PLANNED_RATE, help="planned replies/s (think-time model)"
    )
    parser.add_argument("--after", type=float, default=20.0)
    args = parser.parse_args(argv)
    print(format_table(run(args.users, args.pushes, args.rate, args.after)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
