"""Notification benchmark: completions pushed through the real notifier and a real PTB Bot.

    python -m benchmarks.notifications [--count N] [--users N]

N orders over U users complete on the fake panel, one order per user per poll cycle (several
changes of one user in one cycle would be one digest push), so the cycles queue one notification
per order; then the notifier drains the outbox through python-telegram-bot (the bot's own
sliding-window rate limiter, as in production; pushes at push priority) against the fake
Telegram server, which enforces 30 messages/s with 429 + retry_after like Telegram. Reports the
delivery rate, the 429s received, and per-chat counts (none lost, none doubled). At ~30
messages/s the issue's 10,000 take about 6 minutes; the default of 3,000 keeps a run under 2
minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
from cryptography.fernet import Fernet
from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.ext import Defaults, ExtBot

from benchmarks.poller import populate
from bot.handlers.notifications import notification_markup, telegram_sender
from bot.i18n import Catalogs
from bot.ratelimit import CallOptions, SlidingWindowRateLimiter
from bot.services.notifications.notifier import Notifier
from bot.services.panel_clients import PanelClients
from bot.services.poller import StatusPoller, polling_clients
from bot.storage import KeyCipher, Storage
from bot.views import notifications as notification_wording
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram, ptb_request

RATE_LIMIT = 30


async def _measure(count: int, n_users: int, database: str | None = None) -> dict[str, Any]:
    """`database`: a PostgreSQL URL; None: a temporary SQLite file."""
    with tempfile.TemporaryDirectory() as tmp:
        target: Path | str = database if database is not None else Path(tmp) / "bench.sqlite3"
        storage = await Storage.open(target, KeyCipher([Fernet.generate_key()]))
        try:
            return await _run(storage, count, n_users)
        finally:
            await storage.close()


async def _run(storage: Storage, count: int, n_users: int) -> dict[str, Any]:
    async with FakePanel() as panel, FakeTelegram() as telegram, httpx.AsyncClient() as http:
        users = await populate(storage, panel, count, n_users)
        for user_id in users:
            telegram.user(user_id)
        poller = StatusPoller(
            storage, polling_clients(PanelClients(panel.url, http, 30.0)), interval=60.0
        )
        # Several changes of one user in one cycle are one digest push; to measure pushes, each
        # cycle completes one order per user (one push each), until every order completed.
        rounds: dict[int, list[int]] = {}
        for order in await _placed(storage, users):
            rounds.setdefault(order.user_id, []).append(order.panel_order_id or 0)
        cycle_seconds = 0.0
        for turn in range(max((len(ids) for ids in rounds.values()), default=0)):
            for ids in rounds.values():
                if turn < len(ids):
                    done = panel.orders[ids[turn]]
                    done.status, done.remains = "Completed", 0
            await storage.db.execute("UPDATE orders SET polled_at = NULL")
            cycle = await poller.run_cycle()
            assert cycle is not None
            cycle_seconds += cycle.seconds
        queued = await storage.outbox.pending_count()

        telegram.rate_limit = RATE_LIMIT
        bot: ExtBot[CallOptions] = ExtBot(
            telegram.token,
            base_url=telegram.base_url,
            base_file_url=telegram.base_file_url,
            request=ptb_request(),
            get_updates_request=ptb_request(),
            defaults=Defaults(parse_mode=ParseMode.HTML),
            rate_limiter=SlidingWindowRateLimiter(max_retries=5),
        )
        async with bot:
            notifier: Notifier[InlineKeyboardMarkup] = Notifier(
                storage,
                Catalogs.load(),
                telegram_sender(bot),
                notification_markup,
                wording=notification_wording,
                default_language="en",
            )
            started = time.perf_counter()
            while await storage.outbox.pending_count():
                report = await notifier.drain()
                if report is None or not report.sent:
                    await asyncio.sleep(0.2)  # everything left is deferred (429 beyond retries)
            wall = time.perf_counter() - started

        per_chat = Counter(
            int(call.params["chat_id"])
            for call in telegram.calls_to("sendMessage")
            if call.status == 200
        )
        expected = Counter(o.user_id for o in await _placed(storage, users))
        lost = sum(max(0, expected[u] - per_chat[u]) for u in users)
        doubled = sum(max(0, per_chat[u] - expected[u]) for u in users)
        delivered = sum(per_chat.values())
    return {
        "count": count,
        "users": n_users,
        "queued": queued,
        "poll_cycle_s": cycle_seconds,
        "delivered": delivered,
        "wall_s": wall,
        "rate_per_s": delivered / wall if wall else 0.0,
        "telegram_429s": telegram.count_429(),
        "lost": lost,
        "doubled": doubled,
        "rate_limit": RATE_LIMIT,
    }


async def _placed(storage: Storage, users: Sequence[int]) -> list[Any]:
    rows = []
    for user_id in users:
        rows += await storage.orders.all_for_user(user_id)
    return rows


def run(count: int = 3_000, n_users: int = 100) -> dict[str, Any]:
    """Run the benchmark and return its figures (times in seconds)."""
    return asyncio.run(_measure(count, n_users))


def run_postgres(count: int = 3_000, n_users: int = 100) -> dict[str, Any]:
    """The same on PostgreSQL (pgserver, the `test` extra, default durability)."""
    from benchmarks._pg import BenchPostgres

    async def go() -> dict[str, Any]:
        server = BenchPostgres()
        try:
            async with server.database() as url:
                return await _measure(count, n_users, url)
        finally:
            server.stop()

    return asyncio.run(go())


def format_table(result: dict[str, Any]) -> str:
    rows = [
        ("completions / users", f"{result['count']} / {result['users']}"),
        ("queued by the poll cycles", f"{result['queued']} in {result['poll_cycle_s']:.1f} s"),
        ("delivered", f"{result['delivered']}"),
        ("drain wall time", f"{result['wall_s']:.1f} s"),
        ("delivery rate", f"{result['rate_per_s']:.1f} msg/s (limit {result['rate_limit']})"),
        ("429s received", f"{result['telegram_429s']}"),
        ("lost / doubled", f"{result['lost']} / {result['doubled']}"),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value:>26}" for name, value in rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.notifications", description=__doc__)
    parser.add_argument("--count", type=int, default=3_000)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args(argv)
    runner = run_postgres if args.engine == "postgres" else run
    print(format_table(runner(args.count, args.users)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
