"""A scheduled order across a failover (issue 24 part 2): two `python -m bot` processes on one
PostgreSQL (the harness of tests/failover.py), the leader killed -9.

1. Killed before the run's time: the standby takes over and places the run, once.
2. Killed in the middle of the run's `add` (the panel has it, the answer is held back): the new
   leader finds the run's row `submitting`, marks it unknown and tells the user, and never sends
   the `add` again, however many of its ticks pass.

The test moves a run's time to now in the database instead of waiting an hour for it.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import asyncpg
from cryptography.fernet import Fernet

from tests.failover import (
    ADMIN,
    POLLING,
    STANDBY,
    START_SECONDS,
    Instance,
    above,
    link_key,
    logs,
    preview,
    settings,
    start,
    until,
)
from tests.fakes.panel import FakePanel, Fault
from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram_users import FakeUser
from tests.pg import PgCluster

KEY = "pk_failover_schedule_0123456789abcdef"
PLACED = "Scheduled order placed"
UNKNOWN = "may or may not have been placed"


async def schedule_in_an_hour(user: FakeUser, link: str) -> None:
    """A preview for `link`, then 🕒 Later → In 1 h → Once."""
    _, message = await preview(user, link)
    await user.press("Later", message=message)
    question = await user.reply(timeout=20)
    await user.press("In 1 h", message=question)
    choice = await user.update(timeout=20)
    await user.press("Once", message=choice)
    done = await user.update(timeout=20)
    assert "Scheduled:" in (done.text or ""), done.text


async def due_now(url: str) -> None:
    """Every waiting run is due now (the test's stand-in for an hour passing)."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "UPDATE scheduled_orders SET next_at = $1 WHERE state = 'waiting'", time.time() - 1
        )
    finally:
        await conn.close()


def count(user: FakeUser, text: str) -> int:
    return sum(1 for t in user.sent_texts() if text in t)


async def take_over(
    tmp_path: Path, env: dict[str, str], killed: Instance, standby: Instance
) -> Instance:
    """Kill the leader; the standby leads; a new standby starts. Returns the new standby."""
    await killed.kill()
    await until(logs(standby, POLLING), 30, "the standby to take over")
    fresh = await start(tmp_path, env)
    await until(logs(fresh, STANDBY), START_SECONDS, "a new standby")
    return fresh


async def test_a_scheduled_order_is_placed_once_across_failovers(
    tmp_path: Path, pg_cluster: PgCluster
) -> None:
    fernet = Fernet.generate_key().decode()
    async with FakeTelegram() as telegram, FakePanel() as panel, pg_cluster.database() as url:
        env = settings(telegram, panel, url, fernet)
        leader = await start(tmp_path, env)
        await until(logs(leader, POLLING), START_SECONDS, "the first instance to lead")
        standby = await start(tmp_path, env)
        await until(logs(standby, STANDBY), START_SECONDS, "the second instance to stand by")
        admin = telegram.user(ADMIN)
        await link_key(admin, panel, KEY)
        try:
            # --- 1. the leader dies before the run's time ---------------------------------
            await schedule_in_an_hour(admin, "https://instagram.com/sched1")
            leader, standby = standby, await take_over(tmp_path, env, leader, standby)
            await due_now(url)
            await until(lambda: count(admin, PLACED) == 1, 30, "the run placed by the new leader")
            assert panel.count("add") == 1

            # --- 2. the leader dies in the middle of the run's add --------------------------
            await schedule_in_an_hour(admin, "https://instagram.com/sched2")
            panel.inject(Fault.latency(120, after=True), action="add")
            await due_now(url)
            await until(above(lambda: panel.count("add"), 1), 30, "the run's add to arrive")
            leader, standby = standby, await take_over(tmp_path, env, leader, standby)
            await until(lambda: count(admin, UNKNOWN) == 1, 30, "the unknown-outcome notice")
            await asyncio.sleep(3.0)  # three ticks of the new leader: room for a second add
            assert panel.count("add") == 2
            assert count(admin, PLACED) == 1
        finally:
            await leader.stop()
            await standby.stop()
