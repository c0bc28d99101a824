"""Soak run: random users doing random things while the panel and Telegram misbehave.

    python -m benchmarks.soak --minutes 10        (or: python -m benchmarks soak --minutes 10)

The bot runs as `python -m bot` (restarted once with SIGTERM before the final drain) against the
fake Telegram (30 messages/s global limit) and the fake panel on 127.0.0.1, both in this process
with the random users. The RSS samples are the bot process's own. The end checks read the bot's
SQLite database through a connection of their own and count the records of the bot's log.
`--in-process` runs `build_application` in this process instead (like tests/harness.py): its RSS
includes the fakes, but a stalled outbox is diagnosed from inside (benchmarks/soak_bot.py).

At the end the invariants are checked and printed; the exit code is 1 when one fails:
no order placed twice, every confirmed order recorded, outbox drained, RSS flat, no unexpected
ERROR log lines. Not part of CI (tests/benchmarks/test_soak_smoke.py runs a few seconds of it).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import secrets
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from cryptography.fernet import Fernet

from benchmarks._common import seed_users, user_key
from benchmarks.soak_bot import (
    InProcessBot,
    LogCounter,
    ProcessBot,
    SoakBot,
    bot_settings,
)
from bot.callbacks.base import encode
from bot.callbacks.bulk import ConfirmBulk
from bot.callbacks.new_order import ConfirmOrder
from bot.callbacks.order_history import CancelOrderYes, RefillOrder, StatusOf
from bot.panel.models import Status
from bot.storage.db import Database
from bot.storage.engines import open_database
from tests.fakes.panel import FakePanel, Fault
from tests.fakes.telegram import FakeTelegram, FakeUser
from tests.fakes.telegram_models import BotMessage

FIRST_USER = 50_000
REPLY_TIMEOUT = 8.0
# The final drain may take as long as Telegram's limit needs for the backlog; it fails when
# nothing moved (no order seen finished, no message delivered) for this long.
DRAIN_STALL_SECONDS = 30.0
ORDER_STEP_TICKS = 12
KEEP_MESSAGES = 12  # per chat, when trimming the fake's history
# Services without extra dialog questions (Default type, no drip-feed): link + quantity only.
ORDER_SERVICES = ((1, 100, 2000), (9, 100, 5000), (6, 500, 3000))
WRITE_ACTIONS = ("add", "add_bulk", "refill", "cancel")
READ_ACTIONS = ("services", "balance", "status", "refill_status")
TERMINAL = tuple(s.value for s in Status if s.is_terminal)
# Errors the bot may log when an injected Telegram fault cut its reply: survived, not a bug.
TELEGRAM_FAULT_ERRORS = frozenset({"NetworkError", "TimedOut", "RetryAfter"})


@dataclass(slots=True)
class SoakConfig:
    seconds: float = 600.0
    users: int = 30
    seed: int | None = None
    poll_seconds: float = 2.0
    # Sustainable: replies (~1.5 per action) plus the notices of the orders placed stay under
    # Telegram's 30/s, so the outbox does not grow without bound and RSS sees a level workload.
    max_actions_per_second: float = 10.0
    rss_every: float = 30.0
    reply_timeout: float = REPLY_TIMEOUT
    panel_fault_every: tuple[float, float] = (0.5, 3.0)
    telegram_fault_every: tuple[float, float] = (4.0, 12.0)
    workdir: Path | None = None
    # The bot in this process instead of `python -m bot`: RSS then includes the fakes, but a
    # stall can be diagnosed from inside and allocations traced.
    in_process: bool = False
    tracemalloc: bool = False  # diagnose RSS growth (in-process only): top allocation growth
    # A floor on what the run must have exercised, whatever the machine's speed: after
    # `seconds`, users go on until this many actions and confirms (and at least one injected
    # panel and Telegram fault, and one order request to the panel) are done, for at most
    # `max_seconds` in all. A short smoke run on a loaded machine otherwise proves little.
    min_actions: int = 0
    min_confirms: int = 0
    max_seconds: float = 0.0  # 0: `seconds`, no extension


@dataclass(slots=True)
class Stats:
    actions: Counter[str] = field(default_factory=Counter)
    no_reply: Counter[str] = field(default_factory=Counter)
    ui_misses: int = 0
    confirms: int = 0
    double_taps: int = 0
    forged: int = 0
    panel_faults: Counter[str] = field(default_factory=Counter)
    telegram_faults: Counter[str] = field(default_factory=Counter)
    advanced: int = 0
    open_on_panel: int = 0
    max_open_on_panel: int = 0
    # Folded in from the fakes' logs before they are trimmed.
    panel_requests: Counter[str] = field(default_factory=Counter)
    telegram_calls: Counter[str] = field(default_factory=Counter)
    telegram_429: int = 0
    telegram_bad: list[str] = field(default_factory=list)
    telegram_bad_count: int = 0
    rss_kb: list[tuple[float, int]] = field(default_factory=list)
    run_max_backlog: int = 0  # outbox pending, sampled every second while users are active
    drain_max_backlog: int = 0


@dataclass(slots=True)
class Check:
    name: str
    ok: bool | None  # None: not judged (e.g. run too short for an RSS trend)
    detail: str


@dataclass(slots=True)
class SoakReport:
    elapsed: float
    stats: Stats
    logs: LogCounter
    checks: list[Check]
    figures: dict[str, Any]

    @property
    def ok(self) -> bool:
        return all(c.ok is not False for c in self.checks)


def slope_mb_per_min(samples: Sequence[tuple[float, int]]) -> float:
    """Least-squares slope of RSS over time."""
    if len(samples) < 2:
        return 0.0
    xs = [t / 60 for t, _ in samples]
    ys = [kb / 1024 for _, kb in samples]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return 0.0 if den == 0 else sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den


class Soak:
    def __init__(self, config: SoakConfig, telegram: FakeTelegram, panel: FakePanel) -> None:
        self.config = config
        self.telegram = telegram
        self.panel = panel
        self.rng = random.Random(config.seed)
        self.stats = Stats()
        self.keys: dict[int, str] = {}
        self.bot: SoakBot | None = None
        self.db: Database | None = None  # the soak's own connection to the bot's database
        self.stopping = asyncio.Event()
        self._next_action_at = 0.0
        self._link_seq = 0
        self.stale: list[tuple[Any, ...]] = []
        self.base_snapshot: tracemalloc.Snapshot | None = None
        self.growth: list[str] = []

    # -- pacing and small helpers ------------------------------------------------------------

    async def pace(self) -> None:
        """Global bound on how many user actions start per second."""
        now = time.monotonic()
        at = max(now, self._next_action_at)
        self._next_action_at = at + 1.0 / self.config.max_actions_per_second
        if at > now:
            await asyncio.sleep(at - now)

    async def think(self, low: float = 0.2, high: float = 1.5) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stopping.wait(), self.rng.uniform(low, high))

    def link(self, uid: int, service: int) -> str:
        self._link_seq += 1
        host = {1: "instagram.com", 6: "youtube.com/watch?v=", 9: "t.me"}.get(service, "x.com")
        sep = "" if host.endswith("=") else "/"
        return f"https://{host}{sep}soak{uid}x{self._link_seq}"

    async def wait(self, step: Awaitable[BotMessage], action: str) -> BotMessage | None:
        try:
            return await step
        except AssertionError:
            self.stats.no_reply[action] += 1
            return None

    async def press(self, u: FakeUser, label: str, message: BotMessage | None) -> bool:
        try:
            await u.press(label, message=message)
        except AssertionError:
            self.stats.ui_misses += 1
            return False
        return True

    def own_panel_ids(self, uid: int) -> list[int]:
        key = self.keys[uid]
        return [o.id for o in self.panel.orders.values() if o.key == key]

    @staticmethod
    def button_data(message: BotMessage, part: str) -> str | None:
        for text, data in message.buttons():
            if part in text and isinstance(data, str):
                return data
        return None

    # -- user actions --------------------------------------------------------------------------

    async def act_start(self, u: FakeUser) -> None:
        await u.send("/start")
        await self.wait(u.reply(self.config.reply_timeout), "start")

    async def act_balance(self, u: FakeUser) -> None:
        await u.send("/balance")
        await self.wait(u.reply(self.config.reply_timeout), "balance")

    async def act_browse(self, u: FakeUser) -> None:
        await u.send("/services")
        msg = await self.wait(u.reply(self.config.reply_timeout), "services")
        for part in ("(", "#"):  # a category, then a service in it
            if msg is None:
                return
            labels = [t for t, _ in msg.buttons() if part in t]
            if not labels:
                return
            await self.think(0.1, 0.6)
            if not await self.press(u, self.rng.choice(labels), msg):
                return
            msg = await self.wait(u.update(self.config.reply_timeout), "services")

    async def act_order(self, u: FakeUser) -> None:
        service, low, high = self.rng.choice(ORDER_SERVICES)
        await u.send(f"/order {service}")
        if await self.wait(u.reply(self.config.reply_timeout), "order") is None:
            return
        await self.think(0.1, 0.8)
        await u.send(self.link(u.id, service))
        if await self.wait(u.reply(self.config.reply_timeout), "order") is None:
            return
        await self.think(0.1, 0.8)
        await u.send(str(self.rng.randrange(low, high, 10)))
        preview = await self.wait(u.reply(self.config.reply_timeout), "order")
        if preview is None:
            return
        await self.confirm(u, preview, "order")

    async def act_bulk(self, u: FakeUser) -> None:
        lines = []
        for _ in range(self.rng.randint(2, 4)):
            service, low, high = self.rng.choice(ORDER_SERVICES)
            qty = self.rng.randrange(low, high, 10)
            lines.append(f"{service} | {self.link(u.id, service)} | {qty}")
        await u.send("/bulk\n" + "\n".join(lines))
        preview = await self.wait(u.reply(self.config.reply_timeout), "bulk")
        if preview is None:
            return
        await self.confirm(u, preview, "bulk")

    async def confirm(self, u: FakeUser, preview: BotMessage, action: str) -> None:
        data = self.button_data(preview, "Confirm")
        if data is None:
            self.stats.ui_misses += 1
            return
        await self.think(0.1, 1.0)
        if self.rng.random() < 0.1:
            await self.press(u, "Cancel", preview)
            await self.wait(u.update(self.config.reply_timeout), action)
            return
        self.stats.confirms += 1
        await u.press_data(data, preview)
        if self.rng.random() < 0.25:
            # A double tap: the second press must not place anything again.
            self.stats.double_taps += 1
            await u.press_data(data, preview)
        await self.wait(u.update(self.config.reply_timeout), action)

    async def act_status(self, u: FakeUser) -> None:
        ids = self.own_panel_ids(u.id)
        picked = self.rng.sample(ids, min(len(ids), self.rng.randint(0, 3)))
        await u.send(" ".join(["/status", *map(str, picked)]))
        await self.wait(u.reply(self.config.reply_timeout), "status")

    async def act_orders(self, u: FakeUser) -> None:
        await u.send("/orders")
        listing = await self.wait(u.reply(self.config.reply_timeout), "orders")
        if listing is None:
            return
        cards = [t for t, _ in listing.buttons() if t.startswith("#")]
        if not cards:
            return
        await self.think(0.1, 0.6)
        if not await self.press(u, self.rng.choice(cards), listing):
            return
        card = await self.wait(u.update(self.config.reply_timeout), "orders")
        if card is None:
            return
        choice = self.rng.choice(("Refresh", "Refill", "Back", "Cancel order"))
        if self.button_data(card, choice) is None:
            return
        await self.think(0.1, 0.6)
        if await self.press(u, choice, card):
            await self.wait(u.update(self.config.reply_timeout), "orders")

    async def act_refill(self, u: FakeUser) -> None:
        ids = self.own_panel_ids(u.id) or [999_999]
        await u.send(f"/refill {self.rng.choice(ids)}")
        await self.wait(u.reply(self.config.reply_timeout), "refill")

    async def act_cancel(self, u: FakeUser) -> None:
        ids = self.own_panel_ids(u.id) or [999_999]
        await u.send(f"/cancelorder {self.rng.choice(ids)}")
        question = await self.wait(u.reply(self.config.reply_timeout), "cancelorder")
        if question is None or self.button_data(question, "Yes") is None:
            return
        await self.think(0.1, 0.6)
        label = "Yes" if self.rng.random() < 0.7 else "No"
        if await self.press(u, label, question):
            await self.wait(u.update(self.config.reply_timeout), "cancelorder")

    async def act_forged(self, u: FakeUser) -> None:
        """Stale, foreign or garbage callback data; the bot must shrug it off."""
        mine = [m for m in u.bot_messages() if not m.deleted]
        if not mine:
            await self.act_start(u)
            return
        anchor = self.rng.choice(mine[-5:])
        other = self.rng.choice(list(self.keys))
        foreign = self.own_panel_ids(other) or [1]
        data = self.rng.choice(
            (
                encode(ConfirmOrder.action, secrets.token_urlsafe(8)),
                encode(ConfirmBulk.action, secrets.token_urlsafe(8)),
                encode(CancelOrderYes.action, self.rng.randint(1, 50_000)),
                encode(RefillOrder.action, self.rng.randint(1, 50_000)),
                encode(StatusOf.action, self.rng.choice(foreign)),
                "zz:" + secrets.token_hex(6),
                "\x00garbage",
            )
        )
        self.stats.forged += 1
        await u.press_data(data, anchor)

    def trim_chat(self, u: FakeUser) -> None:
        """Forget old messages of this chat (only between the user's own scenarios)."""
        chat = self.telegram._chats[u.chat_id]
        if len(chat.messages) <= KEEP_MESSAGES:
            return
        kept = chat.messages[-KEEP_MESSAGES:]
        chat.messages = kept
        chat.by_id = {m.message_id: m for m in kept}
        chat.events = []
        u._cursor = 0

    async def user_loop(self, u: FakeUser) -> None:
        actions: list[tuple[Callable[[FakeUser], Awaitable[None]], int]] = [
            (self.act_start, 3),
            (self.act_balance, 6),
            (self.act_browse, 6),
            (self.act_order, 12),
            (self.act_bulk, 5),
            (self.act_status, 6),
            (self.act_orders, 6),
            (self.act_refill, 3),
            (self.act_cancel, 3),
            (self.act_forged, 3),
        ]
        funcs, weights = zip(*actions, strict=True)
        while not self.stopping.is_set():
            await self.pace()
            if self.stopping.is_set():
                break
            act = self.rng.choices(funcs, weights)[0]
            self.stats.actions[act.__name__.removeprefix("act_")] += 1
            await act(u)
            self.trim_chat(u)
            await self.think()

    def exercised(self) -> bool:
        """Whether the run has done what the config's floor asks (see SoakConfig.min_actions)."""
        config, stats = self.config, self.stats
        if not config.min_actions and not config.min_confirms:
            return True
        self.fold_fake_logs()
        orders_sent = stats.panel_requests["add"] + stats.panel_requests["add_bulk"]
        return (
            sum(stats.actions.values()) >= config.min_actions
            and stats.confirms >= config.min_confirms
            and orders_sent > 0
            and sum(stats.panel_faults.values()) > 0
            and sum(stats.telegram_faults.values()) > 0
        )

    async def run_length(self, started: float) -> None:
        """Wait out `seconds`, then until the floor is reached or `max_seconds` have passed."""
        config = self.config
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self.stopping.wait()), config.seconds)
        limit = started + max(config.max_seconds, config.seconds)
        while not self.stopping.is_set() and not self.exercised() and time.monotonic() < limit:
            await self.think(0.2, 0.2)

    # -- the world around the users --------------------------------------------------------------

    async def panel_faults(self) -> None:
        low, high = self.config.panel_fault_every
        while not self.stopping.is_set():
            await self.think(low, high)
            if self.stopping.is_set():
                break
            action = self.rng.choice(WRITE_ACTIONS + READ_ACTIONS)
            after = action in WRITE_ACTIONS and self.rng.random() < 0.5
            fault = self.rng.choice(
                (
                    Fault.timeout(after=after),
                    Fault.http_500(after=after),
                    Fault.html_200(after=after),
                    Fault.malformed_json(after=after),
                    Fault.drop_connection(after=after),
                    Fault.latency(self.rng.uniform(0.1, 1.0), after=after),
                    Fault.numbers_not_strings(),
                    Fault.unknown_fields(),
                )
            )
            self.panel.inject(fault, action=action)
            suffix = "+after" if fault.after else ""
            self.stats.panel_faults[f"{fault.kind}{suffix}"] += 1

    async def telegram_faults(self) -> None:
        low, high = self.config.telegram_fault_every
        while not self.stopping.is_set():
            await self.think(low, high)
            if self.stopping.is_set():
                break
            method = self.rng.choice(("sendMessage", "editMessageText"))
            if self.rng.random() < 0.6:
                self.telegram.inject(method, error_code=429, retry_after=1)
                self.stats.telegram_faults["429"] += 1
            else:
                after = self.rng.random() < 0.5
                self.telegram.reset_connection_once(method, after_processing=after)
                self.stats.telegram_faults["reset+after" if after else "reset"] += 1

    async def panel_life(self) -> None:
        """Orders move on the panel by themselves, so the poller has news to deliver.

        Each open order takes a step with probability 1/ORDER_STEP_TICKS per tick (about a
        second), so an order lives ~2 × ORDER_STEP_TICKS seconds and the number of open orders
        stays level instead of growing with the run: the RSS check must see a steady workload.
        """
        while not self.stopping.is_set():
            await self.think(0.5, 1.5)
            for order in list(self.panel.orders.values()):
                if order.status not in {"Pending", "In progress"}:
                    continue
                if self.rng.random() >= 1 / ORDER_STEP_TICKS:
                    continue
                if order.status == "In progress" and self.rng.random() < 0.08:
                    self.panel.set_order(order.id, status="Partial", remains=order.quantity // 3)
                else:
                    self.panel.advance(order.id)
                self.stats.advanced += 1
            self.stats.open_on_panel = sum(
                1 for o in self.panel.orders.values() if o.status in {"Pending", "In progress"}
            )
            self.stats.max_open_on_panel = max(
                self.stats.max_open_on_panel, self.stats.open_on_panel
            )

    def fold_fake_logs(self) -> None:
        """Count what the fakes recorded, then drop it: the fakes must not grow for RSS's sake."""
        for req in self.panel.requests:
            action = req.action or "-"
            if action == "add_bulk" and str(req.params.get("orders", "")).strip() == "[]":
                action = "add_bulk probe"  # places nothing (issue 20): not a write to count
            self.stats.panel_requests[action] += 1
        self.panel.requests.clear()
        for call in self.telegram.calls:
            self.stats.telegram_calls[call.method] += 1
            if call.status == 429:
                self.stats.telegram_429 += 1
            if not call.ok and not call.injected:
                self.stats.telegram_bad_count += 1
                if len(self.stats.telegram_bad) < 10:
                    self.stats.telegram_bad.append(
                        f"{call.method} {call.status} {call.description}"
                    )
        self.telegram.calls.clear()

    async def housekeeping(self, started: float) -> None:
        next_rss = 0.0
        while not self.stopping.is_set():
            now = time.monotonic() - started
            if now >= next_rss:
                assert self.bot is not None
                self.stats.rss_kb.append((now, self.bot.rss_kb()))
                next_rss += self.config.rss_every
                if len(self.stats.rss_kb) == 2 and tracemalloc.is_tracing():
                    self.base_snapshot = tracemalloc.take_snapshot()
            self.fold_fake_logs()
            if self.bot is not None:
                self.bot.collect_logs()
            if self.db is not None:
                self.stats.run_max_backlog = max(self.stats.run_max_backlog, await self.pending())
            await self.think(1.0, 1.0)

    # -- end of run -----------------------------------------------------------------------------

    async def pending(self) -> int:
        assert self.db is not None
        row = await self.db.fetchone(
            "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND dropped_at IS NULL"
        )
        return int(row[0]) if row else 0

    async def drain(self) -> tuple[bool, float, int, int]:
        """Everything finishes on the panel; wait for the poller and the outbox to catch up."""
        assert self.db is not None and self.bot is not None
        db = self.db
        self.panel.clear_faults()
        self.telegram.clear_faults()
        self.panel.latency = 0.0
        for _ in range(2):
            self.panel.advance()
        started = last_progress = time.monotonic()
        placeholders = ",".join("?" * len(TERMINAL))
        # Progress is work done (orders seen finished, notices sent or dropped), not a smaller
        # backlog: completions found by the poller grow the outbox while it drains.
        best = (sys.maxsize, -1)
        while True:
            row = await db.fetchone(
                "SELECT COUNT(*) FROM orders WHERE submit_state = 'placed' AND "
                f"(status IS NULL OR status NOT IN ({placeholders}))",
                TERMINAL,
            )
            open_rows = int(row[0]) if row else 0
            pending = await self.pending()
            row = await db.fetchone(
                "SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL OR dropped_at IS NOT NULL"
            )
            done = int(row[0]) if row else 0
            now = time.monotonic()
            elapsed = now - started
            self.stats.drain_max_backlog = max(self.stats.drain_max_backlog, pending)
            if open_rows < best[0] or done > best[1]:
                best = (min(open_rows, best[0]), max(done, best[1]))
                last_progress = now
            if (open_rows == 0 and pending == 0) or now - last_progress > DRAIN_STALL_SECONDS:
                if pending:
                    # Why the outbox is stuck: attempts, last error, wait left.
                    why = await db.fetchall(
                        "SELECT attempts, last_error, COUNT(*) AS n, "
                        "MIN(next_attempt_at) - ? AS wait FROM outbox WHERE sent_at IS NULL "
                        "AND dropped_at IS NULL GROUP BY attempts, last_error ORDER BY n DESC "
                        "LIMIT 4",
                        (time.time(),),
                    )
                    self.stale.extend(
                        (r["n"], r["attempts"], r["last_error"], round(r["wait"] or 0, 1))
                        for r in why
                    )
                    self.stale.extend(self.bot.diagnose())
                    # What Telegram saw in the drain: sends answered, and the last few.
                    seen = Counter(f"{c.method} {c.status}" for c in self.telegram.calls)
                    self.stale.append(("telegram in drain", dict(seen)))
                    self.stale.extend(
                        ("recent", c.method, c.status, round(c.at - now, 2), c.description)
                        for c in self.telegram.calls[-3:]
                    )
                if open_rows:
                    stale = await db.fetchall(
                        "SELECT panel_order_id, status, polled_at FROM orders WHERE "
                        f"submit_state = 'placed' AND (status IS NULL OR status NOT IN "
                        f"({placeholders})) LIMIT 5",
                        TERMINAL,
                    )
                    self.stale += [
                        (
                            r[0],
                            r[1],
                            self.panel.orders[r[0]].status if r[0] in self.panel.orders else None,
                        )
                        for r in stale
                    ]
                return open_rows == 0 and pending == 0, elapsed, pending, open_rows
            await asyncio.sleep(0.2)  # no event to await: the poller and drain run on timers

    async def invariants(self) -> tuple[list[Check], dict[str, Any]]:
        assert self.db is not None
        db = self.db
        rows = await db.fetchall(
            "SELECT id, user_id, batch, line_no, panel_order_id, service_id, link, quantity, "
            "submit_state FROM orders"
        )
        checks: list[Check] = []
        user_of_key = {key: uid for uid, key in self.keys.items()}
        by_panel_id: dict[int, list[int]] = {}
        by_identity: dict[tuple[int, int, str | None, int | None], list[Any]] = {}
        batches: dict[str, list[Any]] = {}
        states: Counter[str] = Counter()
        for r in rows:
            states[r["submit_state"]] += 1
            batches.setdefault(r["batch"], []).append(r)
            if r["panel_order_id"] is not None:
                by_panel_id.setdefault(int(r["panel_order_id"]), []).append(r["id"])
            ident = (r["user_id"], r["service_id"], r["link"], r["quantity"])
            by_identity.setdefault(ident, []).append(r)

        # 1. No order placed twice.
        seen: Counter[tuple[int, int, str, int]] = Counter()
        for o in self.panel.orders.values():
            seen[(user_of_key.get(o.key, -1), o.service, o.link, o.quantity)] += 1
        dup_panel = [k for k, n in seen.items() if n > 1]
        dup_rows = {pid: ids for pid, ids in by_panel_id.items() if len(ids) > 1}
        claimed = [b for b in batches.values() if any(r["submit_state"] != "draft" for r in b)]
        single_claimed = sum(1 for b in claimed if len(b) == 1 and b[0]["line_no"] is None)
        bulk_claimed = [b for b in claimed if not (len(b) == 1 and b[0]["line_no"] is None)]
        bulk_rows = sum(len(b) for b in bulk_claimed)
        adds = self.stats.panel_requests["add"]
        add_bulks = self.stats.panel_requests["add_bulk"]
        writes_ok = adds <= single_claimed + bulk_rows and add_bulks <= len(bulk_claimed)
        checks.append(
            Check(
                "no order placed twice",
                not dup_panel and not dup_rows and writes_ok,
                f"panel orders {len(self.panel.orders)}, duplicate panel orders {len(dup_panel)}, "
                f"panel ids on >1 row {len(dup_rows)}; add {adds} ≤ {single_claimed} single "
                f"claims + {bulk_rows} bulk rows, add_bulk {add_bulks} ≤ {len(bulk_claimed)} "
                f"bulk claims",
            )
        )

        # 2. Every confirmed order recorded.
        unrecorded: list[int] = []
        as_unknown = 0
        for o in self.panel.orders.values():
            if o.id in by_panel_id:
                continue
            ident = (user_of_key.get(o.key, -1), o.service, o.link, o.quantity)
            candidates = by_identity.get(ident, [])
            if any(r["submit_state"] in ("unknown", "submitting") for r in candidates):
                as_unknown += 1
            else:
                unrecorded.append(o.id)
        ghost_rows = [pid for pid in by_panel_id if pid not in self.panel.orders]
        checks.append(
            Check(
                "every confirmed order recorded",
                not unrecorded and not ghost_rows,
                f"{len(self.panel.orders) - len(unrecorded) - as_unknown} by panel id, "
                f"{as_unknown} as unknown (answer lost), {len(unrecorded)} missing "
                f"{unrecorded[:5]}, rows with a panel id the panel lacks {len(ghost_rows)}",
            )
        )
        outbox = await db.fetchall(
            "SELECT CASE WHEN sent_at IS NOT NULL THEN 'sent' WHEN dropped_at IS NOT NULL "
            "THEN 'dropped: ' || COALESCE(last_error, '?') ELSE 'pending' END AS fate, "
            "COUNT(*) AS n FROM outbox GROUP BY fate"
        )
        return checks, {
            "submit_states": dict(states),
            "batches_claimed": len(claimed),
            "outbox": {r["fate"]: r["n"] for r in outbox},
        }


async def run_soak(config: SoakConfig, out: TextIO = sys.stdout) -> SoakReport:
    tmp = tempfile.TemporaryDirectory(prefix="soak-")
    workdir = config.workdir or Path(tmp.name)
    try:
        async with FakeTelegram() as telegram, FakePanel() as panel:
            telegram.rate_limit = 30
            return await _run(config, telegram, panel, workdir, out)
    finally:
        tmp.cleanup()


async def _run(
    config: SoakConfig,
    telegram: FakeTelegram,
    panel: FakePanel,
    workdir: Path,
    out: TextIO,
) -> SoakReport:
    logs = LogCounter()
    runner = InProcessBot if config.in_process else ProcessBot
    bot = runner(
        telegram,
        panel,
        workdir,
        Fernet.generate_key().decode(),
        bot_settings(config.poll_seconds),
        logs,
    )
    soak = Soak(config, telegram, panel)
    user_ids = [FIRST_USER + i for i in range(config.users)]
    # Allowed users with linked keys, written with the bot's own repositories before it starts.
    await seed_users(bot.db_path, bot.encryption_key, panel, user_ids)
    soak.keys = {uid: user_key(uid) for uid in user_ids}
    users = [telegram.user(uid) for uid in user_ids]
    soak.db = await open_database(bot.db_path)
    soak.bot = bot
    try:
        await bot.start()
        return await _soak(config, soak, bot, logs, users, out)
    finally:
        await bot.stop()
        bot.close()
        await soak.db.close()


async def _soak(
    config: SoakConfig,
    soak: Soak,
    bot: SoakBot,
    logs: LogCounter,
    users: list[FakeUser],
    out: TextIO,
) -> SoakReport:
    print(
        f"soak: {config.users} users for {config.seconds:.0f} s, poll every "
        f"{config.poll_seconds} s, ≤ {config.max_actions_per_second} actions/s, seed "
        f"{config.seed}",
        file=out,
        flush=True,
    )
    if config.tracemalloc:
        tracemalloc.start(5)
    started = time.monotonic()
    background = [
        asyncio.create_task(soak.panel_faults()),
        asyncio.create_task(soak.telegram_faults()),
        asyncio.create_task(soak.panel_life()),
        asyncio.create_task(soak.housekeeping(started)),
    ]
    user_tasks = [asyncio.create_task(soak.user_loop(u)) for u in users]
    checks: list[Check] = []
    figures: dict[str, Any] = {}
    try:
        await soak.run_length(started)
        soak.stopping.set()
        # Users finish the step they are in (each wait is bounded by REPLY_TIMEOUT).
        _, stuck = await asyncio.wait(user_tasks, timeout=3 * config.reply_timeout)
        for task in stuck:
            task.cancel()
        await asyncio.gather(*background, *user_tasks, return_exceptions=True)
        crashed = [
            repr(t.exception())
            for t in (*background, *user_tasks)
            if not t.cancelled() and t.exception() is not None
        ]
        run_elapsed = time.monotonic() - started
        rss_kb_at_stop = bot.rss_kb()
        if soak.base_snapshot is not None:
            diff = tracemalloc.take_snapshot().compare_to(soak.base_snapshot, "lineno")
            soak.growth = [str(d) for d in diff[:15]]
            tracemalloc.stop()
        t_restart = time.monotonic()
        # A restart before the final drain: the poller's per-key back-off (after injected
        # status faults it can reach minutes) lives in memory, the outbox and orders do not.
        await bot.stop()
        bot.collect_logs()
        await bot.start()
        restart_s = time.monotonic() - t_restart
        drained, drain_s, pending, open_rows = await soak.drain()
        # Kept apart from the trend: a second Application was built for the drain.
        figures["rss_after_drain_mb"] = bot.rss_kb() / 1024
        soak.stats.rss_kb.append((run_elapsed, rss_kb_at_stop))
        soak.fold_fake_logs()
        bot.collect_logs()
        checks, more = await soak.invariants()
        figures.update(more)
        checks.append(
            Check(
                "outbox drained",
                drained,
                f"pending {pending}, orders not seen finished {open_rows} {soak.stale} after "
                f"{drain_s:.1f} s final drain (all orders finished on the panel)",
            )
        )
        checks.append(_rss_check(soak.stats.rss_kb))
        checks.append(_log_check(logs, soak.stats))
        checks.append(
            Check(
                "driver healthy",
                not crashed and not stuck,
                f"{len(crashed)} crashed tasks {crashed[:3]}, {len(stuck)} stuck users",
            )
        )
        # Reported, not judged: a 400 here is a bot bug worth a look, but not one of the
        # soak's invariants (the bot survived it).
        checks.append(
            Check(
                "Telegram 4xx not provoked",
                None,
                f"{soak.stats.telegram_bad_count} {soak.stats.telegram_bad[:3]}",
            )
        )
        figures["run_seconds"] = run_elapsed
        figures["restart_seconds"] = restart_s
    finally:
        soak.stopping.set()
        for task in (*background, *user_tasks):
            task.cancel()
        await asyncio.gather(*background, *user_tasks, return_exceptions=True)
        await bot.stop()
    figures["allocation_growth"] = soak.growth
    report = SoakReport(time.monotonic() - started, soak.stats, logs, checks, figures)
    print_summary(report, out)
    return report


def _rss_check(samples: list[tuple[float, int]]) -> Check:
    if not samples:
        return Check("RSS flat", None, "no samples")
    mb = [kb / 1024 for _, kb in samples]
    # The first sample is taken before caches, connection pools and catalogs warm up.
    steady = samples[1:]
    slope = slope_mb_per_min(steady)
    span = (steady[-1][0] - steady[0][0]) / 60 if len(steady) > 1 else 0.0
    detail = (
        f"first {mb[0]:.1f} MB, last {mb[-1]:.1f} MB, max {max(mb):.1f} MB, "
        f"slope {slope:+.2f} MB/min over {len(steady)} samples after warm-up, "
        f"{slope_mb_per_min(steady[len(steady) // 2 :]):+.2f} MB/min in the second half"
    )
    if len(steady) < 4 or span < 2:
        return Check("RSS flat", None, detail + " (run too short to judge)")
    growth = (steady[-1][1] - steady[0][1]) / 1024
    return Check("RSS flat", not (slope > 1.0 and growth > 8.0), detail)


def _log_check(logs: LogCounter, stats: Stats) -> Check:
    errors = {k: n for k, n in logs.by_level_logger.items() if k[0] in ("ERROR", "CRITICAL")}
    total = sum(errors.values())
    resets = stats.telegram_faults["reset"] + stats.telegram_faults["reset+after"]
    expected = sum(n for name, n in logs.error_types.items() if name in TELEGRAM_FAULT_ERRORS)
    unexpected = total - expected
    by_logger = ", ".join(f"{name} {n}" for (_, name), n in sorted(errors.items())) or "none"
    ok = unexpected == 0 and expected <= resets + stats.telegram_faults["429"]
    return Check(
        "no unhandled exceptions",
        ok,
        f"ERROR lines {total} ({by_logger}); from injected Telegram faults {expected}, "
        f"other {unexpected}",
    )


def print_summary(report: SoakReport, out: TextIO) -> None:
    s = report.stats

    def row(name: str, value: object) -> None:
        print(f"  {name:<28} {value}", file=out)

    print("\n=== soak summary ===", file=out)
    row(
        "wall time",
        f"{report.elapsed:.1f} s (users active {report.figures.get('run_seconds', 0):.1f} s)",
    )
    row("restart before drain", f"{report.figures.get('restart_seconds', 0):.1f} s")
    row("user actions", f"{sum(s.actions.values())} " + _fmt(s.actions))
    row("no reply in time", f"{sum(s.no_reply.values())} " + _fmt(s.no_reply))
    row("confirms / double taps", f"{s.confirms} / {s.double_taps}")
    row("forged callbacks", s.forged)
    row("expected button missing", s.ui_misses)
    row("panel faults injected", f"{sum(s.panel_faults.values())} " + _fmt(s.panel_faults))
    row("telegram faults injected", f"{sum(s.telegram_faults.values())} " + _fmt(s.telegram_faults))
    row("panel requests", f"{sum(s.panel_requests.values())} " + _fmt(s.panel_requests))
    row("telegram calls", f"{sum(s.telegram_calls.values())} " + _fmt(s.telegram_calls, 6))
    row("telegram 429s", s.telegram_429)
    row("outbox backlog max", f"{s.run_max_backlog} while running, {s.drain_max_backlog} in drain")
    row(
        "orders on panel",
        f"{s.advanced} steps taken; open at the end {s.open_on_panel}, at most "
        f"{s.max_open_on_panel}",
    )
    row("order rows by state", _fmt(Counter(report.figures.get("submit_states", {}))))
    row("outbox items", _fmt(Counter(report.figures.get("outbox", {}))))
    warn = Counter(
        {n: c for (lvl, n), c in report.logs.by_level_logger.items() if lvl == "WARNING"}
    )
    row("WARNING lines by logger", _fmt(warn) or "none")
    if s.rss_kb:
        row(
            "RSS samples (MB)",
            " ".join(f"{kb / 1024:.0f}" for _, kb in s.rss_kb)
            + f"; after restart+drain {report.figures.get('rss_after_drain_mb', 0):.0f}",
        )
    print("\n  invariant                       result  detail", file=out)
    for check in report.checks:
        mark = {True: "PASS", False: "FAIL", None: "n/a"}[check.ok]
        print(f"  {check.name:<31} {mark:<7} {check.detail}", file=out)
    for name, message in sorted(report.logs.warning_samples.items()):
        print(f"  first warning: {name}: {message}", file=out)
    for line in report.figures.get("allocation_growth", []):
        print(f"  growth: {line}", file=out)
    for sample in report.logs.error_samples:
        print(f"  error sample: {sample}", file=out)
    print(f"\nsoak {'PASSED' if report.ok else 'FAILED'}", file=out, flush=True)


def _fmt(counter: Counter[str], top: int = 12) -> str:
    items = counter.most_common(top)
    return "(" + ", ".join(f"{k} {v}" for k, v in items) + ")" if items else ""


def parse_args(argv: Sequence[str]) -> SoakConfig:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__)
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--minutes", type=float, default=10.0, help="run length (default 10)")
    length.add_argument("--seconds", type=float, help="run length in seconds (smoke runs)")
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--poll-seconds", type=float, default=2.0)
    parser.add_argument("--rate", type=float, default=10.0, help="max user actions per second")
    parser.add_argument("--rss-every", type=float, default=30.0)
    parser.add_argument(
        "--in-process", action="store_true", help="run the bot in this process (diagnostics)"
    )
    parser.add_argument(
        "--tracemalloc", action="store_true", help="show allocation growth (implies --in-process)"
    )
    args = parser.parse_args(list(argv))
    seconds = args.seconds if args.seconds is not None else args.minutes * 60
    seed = args.seed if args.seed is not None else random.randrange(1_000_000)
    return SoakConfig(
        seconds=seconds,
        users=args.users,
        seed=seed,
        poll_seconds=args.poll_seconds,
        max_actions_per_second=args.rate,
        rss_every=args.rss_every,
        in_process=args.in_process or args.tracemalloc,
        tracemalloc=args.tracemalloc,
    )


def main(argv: list[str]) -> int:
    config = parse_args(argv)
    report = asyncio.run(run_soak(config))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
