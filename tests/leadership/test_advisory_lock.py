"""Leadership over a real PostgreSQL (pgserver): one leader, a standby, and a clean hand-over."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from bot.leadership import (
    AdvisoryLockLeadership,
    DatabaseUnavailable,
    Fence,
    LeadershipLost,
    SoleInstance,
    lock_id,
)
from tests.pg import PgCluster

KEY = lock_id("1234567:TEST-not-a-real-token")
FAILOVER = 2.0  # short, so the tests are quick; the ratios inside are the production ones


@pytest.fixture
async def dsn(pg_cluster: PgCluster) -> AsyncIterator[str]:
    """A fresh database on the suite's one PostgreSQL server (tests/conftest.py)."""
    async with pg_cluster.database() as url:
        yield url


@pytest.fixture
async def admin(dsn: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(dsn)
    try:
        yield conn
    finally:
        await conn.close()


async def _lock_holders(admin: asyncpg.Connection) -> list[int]:
    rows = await admin.fetch(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
        "AND ((classid::bigint << 32) | objid::bigint) = $1",
        KEY,
    )
    return [r["pid"] for r in rows]


async def test_sole_instance_leads_at_once_and_never_loses() -> None:
    sole = SoleInstance()
    assert await sole.acquire(asyncio.Event())
    sole.fence.check()
    stopped = asyncio.Event()
    stopped.set()
    assert not await SoleInstance().acquire(stopped)


def test_the_fence_refuses_everything_once_closed() -> None:
    fence = Fence()
    fence.check()
    fence.close("gone")
    fence.close("again")  # the first reason stays
    with pytest.raises(LeadershipLost, match="gone"):
        fence.check()


def test_the_lock_key_names_the_bot_not_its_secret() -> None:
    assert lock_id("42:secret-one") == lock_id("42:secret-two")
    assert lock_id("42:x") != lock_id("43:x")


async def test_one_leads_the_other_waits_and_takes_over_after_a_clean_release(
    dsn: str, admin: asyncpg.Connection
) -> None:
    first = AdvisoryLockLeadership(dsn, KEY, failover_seconds=FAILOVER)
    second = AdvisoryLockLeadership(dsn, KEY, failover_seconds=FAILOVER)
    stop = asyncio.Event()
    assert await first.acquire(stop)
    assert len(await _lock_holders(admin)) == 1
    waiting = asyncio.create_task(second.acquire(stop))
    await asyncio.sleep(FAILOVER)
    assert not waiting.done()  # a standby while the leader lives
    started = time.monotonic()
    await first.release()
    assert await asyncio.wait_for(waiting, FAILOVER)
    assert time.monotonic() - started < FAILOVER
    assert not second.fence.closed
    await second.release()
    assert await _lock_holders(admin) == []


async def test_a_standby_gives_up_waiting_when_stopped(dsn: str) -> None:
    leader = AdvisoryLockLeadership(dsn, KEY, failover_seconds=FAILOVER)
    standby = AdvisoryLockLeadership(dsn, KEY, failover_seconds=FAILOVER)
    stop = asyncio.Event()
    assert await leader.acquire(asyncio.Event())
    waiting = asyncio.create_task(standby.acquire(stop))
    await asyncio.sleep(0.3)
    stop.set()
    assert await asyncio.wait_for(waiting, FAILOVER) is False
    await standby.release()
    await leader.release()


async def test_split_brain_a_leader_cut_off_server_side_stops_before_the_new_one_starts(
    dsn: str, admin: asyncpg.Connection
) -> None:
    """The server closes the leader's lock connection (pg_terminate_backend): the leader's fence
    closes at once, and the standby, which gets the lock right away, acts only after its grace
    period, by which time the old leader has stopped."""
    old = AdvisoryLockLeadership(dsn, KEY, failover_seconds=FAILOVER)
    new = AdvisoryLockLeadership(dsn, KEY, failover_seconds=FAILOVER)
    assert await old.acquire(asyncio.Event())
    closed_at: list[float] = []

    async def note_close() -> None:
        await old.fence.wait_closed()
        closed_at.append(time.monotonic())

    watcher = asyncio.create_task(note_close())
    standby = asyncio.create_task(new.acquire(asyncio.Event()))
    await asyncio.sleep(0.2)
    (pid,) = await _lock_holders(admin)
    cut_at = time.monotonic()
    assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
    assert await asyncio.wait_for(standby, FAILOVER * 2)
    led_at = time.monotonic()
    await asyncio.wait_for(watcher, 1)
    assert closed_at[0] - cut_at < old.check_seconds * 2  # within one poll interval
    assert closed_at[0] < led_at  # the old one stopped before the new one started
    assert led_at - cut_at < FAILOVER  # the standby resumed within FAILOVER_SECONDS
    with pytest.raises(LeadershipLost):
        old.fence.check()
    new.fence.check()
    await old.release()
    await new.release()


async def test_the_watchdog_closes_the_fence_when_the_lock_is_gone(dsn: str) -> None:
    leader = AdvisoryLockLeadership(dsn, KEY, failover_seconds=FAILOVER)
    assert await leader.acquire(asyncio.Event())
    conn = leader._conn
    assert conn is not None
    # Between two checks, as nothing else can: the session gives the lock up behind its back.
    assert await conn.fetchval("SELECT pg_advisory_unlock($1)", KEY)
    await asyncio.wait_for(leader.fence.wait_closed(), leader.check_seconds * 3)
    assert "no longer held" in leader.fence.reason
    await leader.release()


async def test_a_standby_rides_out_an_unreachable_database() -> None:
    calls = 0

    async def unreachable(dsn: str) -> asyncpg.Connection:
        nonlocal calls
        calls += 1
        raise OSError("connection refused")

    standby = AdvisoryLockLeadership("postgresql://x", KEY, failover_seconds=1, connect=unreachable)
    stop = asyncio.Event()
    waiting = asyncio.create_task(standby.acquire(stop))
    await asyncio.sleep(0.5)
    stop.set()
    assert await waiting is False
    assert calls >= 2  # it kept trying
    assert "postgresql" not in repr(standby)  # the DSN may hold a password


class StepClock:
    """A clock that moves `step` seconds each time it is read: FAILOVER_SECONDS pass in a few
    attempts, without waiting for them."""

    def __init__(self, step: float) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


async def _standby_gives_up(dsn: str, caplog: pytest.LogCaptureFixture) -> DatabaseUnavailable:
    standby = AdvisoryLockLeadership(dsn, KEY, failover_seconds=30, clock=StepClock(10))
    standby.check_seconds = 0.01  # the attempts follow each other at once
    with (
        caplog.at_level(logging.INFO, logger="bot.leadership"),
        pytest.raises(DatabaseUnavailable) as raised,
    ):
        await asyncio.wait_for(standby.acquire(asyncio.Event()), 30)
    await standby.release()
    return raised.value


async def test_a_wrong_password_is_not_a_standby_it_stops_with_one_line(
    pg_cluster: PgCluster, caplog: pytest.LogCaptureFixture
) -> None:
    """The suite's PostgreSQL, a role with a password, the wrong one in the URL."""
    url = await pg_cluster.password_role("standby_pw", "right-password-123")
    right = await asyncpg.connect(url)  # the role works with the right password
    await right.close()
    wrong = url.replace("right-password-123", "wrong-password-456")
    failure = await _standby_gives_up(wrong, caplog)
    text = str(failure)
    assert text.startswith("PostgreSQL refused the login for 30 s (InvalidPasswordError")
    assert "DATABASE_URL" in text and "wrong-password-456" not in text
    # One WARNING when it started, none per attempt, and never "another instance leads".
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in caplog.records]
    assert "refused the login" in warnings[0].getMessage()
    assert not any("another instance leads" in r.getMessage() for r in caplog.records)


async def test_a_missing_socket_is_unreachable_not_a_refused_login(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    failure = await _standby_gives_up(f"postgresql://bot@/bot?host={tmp_path}/gone", caplog)
    assert str(failure).startswith("cannot reach PostgreSQL for 30 s (")
    assert "check DATABASE_URL and that the server runs" in str(failure)
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1


async def test_a_standby_that_waits_for_a_leader_never_gives_up(
    dsn: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Another leader holding the lock is not a fault: the standby waits, whatever the clock."""
    leader = AdvisoryLockLeadership(dsn, KEY, failover_seconds=FAILOVER)
    assert await leader.acquire(asyncio.Event())
    # Were "another instance leads" counted as a failure, this clock would end it in 3 attempts.
    standby = AdvisoryLockLeadership(dsn, KEY, failover_seconds=1, clock=StepClock(0.4))
    stop = asyncio.Event()
    with caplog.at_level(logging.INFO, logger="bot.leadership"):
        waiting = asyncio.create_task(standby.acquire(stop))
        await asyncio.sleep(0.6)
        assert not waiting.done()
        stop.set()
        assert await waiting is False
    assert [r.getMessage() for r in caplog.records if r.name == "bot.leadership"] == [
        "standby: another instance leads; waiting for the leadership lock"
    ]
    await standby.release()
    await leader.release()
