"""Which process is the active one when several share one PostgreSQL database.

Exactly one process may take updates, call panels and send messages; the others wait. With
SQLite there is only ever one process (`SoleInstance`). With PostgreSQL, leadership is a
session-level advisory lock held by a connection of its own (`AdvisoryLockLeadership`):

* PostgreSQL releases a session lock when the session ends, so a leader killed with -9 frees it
  the moment its socket closes, and a leader cut off from the database frees it when the server's
  TCP keepalives give up on it (set short on that one connection, see `_keepalives`).
* The leader learns it lost the lock from the connection itself: asyncpg reports a closed
  connection at once (a terminated backend, a closed socket), and a watchdog asks every
  `check_seconds` whether the lock is still held, with that much time to answer (a network cut
  makes the question hang rather than fail).
* Losing it closes the `Fence`: every later Telegram or panel call raises `LeadershipLost` before
  it leaves the process, and the runner stops. A half-finished step is not retried elsewhere
  blindly: a confirm claimed in the database and not sent stays `submitting`, whose outcome
  the standby treats as unknown, as after any crash.
* A standby that gets the lock waits `grace_seconds` (twice the watchdog period) before it acts:
  by then a leader that lost its connection has noticed and stopped, so two never act at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import asyncpg

log = logging.getLogger(__name__)

DEFAULT_FAILOVER_SECONDS = 10.0


class LeadershipLost(Exception):
    """This process is no longer the active one; nothing more may leave it."""


class DatabaseUnavailable(Exception):
    """The database could not be reached or logged into for FAILOVER_SECONDS in a row; the
    message is one line naming the cause (never the URL: it may hold a password)."""


def _login_refused(exc: BaseException) -> bool:
    """What PostgreSQL answers a login it refuses: wrong password, unknown role or database,
    no pg_hba.conf entry (InvalidPasswordError is one of the first)."""
    import asyncpg

    refused = (asyncpg.InvalidAuthorizationSpecificationError, asyncpg.InvalidCatalogNameError)
    return isinstance(exc, refused)


def _database_failure(exc: BaseException) -> tuple[str, str, str]:
    """What failed, its cause and what to check: a refused login is not an unreachable server."""
    detail = " ".join(str(exc).split())
    cause = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    if _login_refused(exc):
        return (
            "PostgreSQL refused the login",
            cause,
            "check the user, password and database in DATABASE_URL",
        )
    return "cannot reach PostgreSQL", cause, "check DATABASE_URL and that the server runs"


def describe_database_failure(exc: BaseException, seconds: float) -> str:
    """The one line DatabaseUnavailable carries."""
    what, cause, hint = _database_failure(exc)
    return f"{what} for {seconds:.0f} s ({cause}): {hint}"


class Fence:
    """Open while this process may act; closed for good once leadership is lost."""

    __slots__ = ("_closed", "_reason")

    def __init__(self) -> None:
        self._closed = asyncio.Event()
        self._reason = ""

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    @property
    def reason(self) -> str:
        return self._reason

    def close(self, reason: str) -> None:
        if not self._closed.is_set():
            self._reason = reason
            self._closed.set()
            log.error("leadership lost: %s; stopping all work", reason)

    def check(self) -> None:
        """Raise `LeadershipLost` once the fence is closed; called before every outside call."""
        if self._closed.is_set():
            raise LeadershipLost(self._reason)

    async def wait_closed(self) -> None:
        await self._closed.wait()


class Leadership(Protocol):
    fence: Fence

    async def acquire(self, stop: asyncio.Event) -> bool:
        """Wait until this process leads (True) or `stop` is set first (False)."""
        ...

    async def release(self) -> None: ...


class SoleInstance:
    """SQLite: one process, always the leader."""

    def __init__(self) -> None:
        self.fence = Fence()

    async def acquire(self, stop: asyncio.Event) -> bool:
        return not stop.is_set()

    async def release(self) -> None:
        return None


def lock_id(bot_token: str) -> int:
    """The advisory lock's key: one per bot, so two bots may share a database.

    Derived from the bot's numeric id (the part of the token before ':', which Telegram shows
    publicly), never from the secret part.
    """
    bot_id = bot_token.split(":", 1)[0]
    digest = hashlib.sha256(f"smm-panel-bot:{bot_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _keepalives(failover_seconds: float) -> dict[str, str]:
    """Server-side TCP keepalives for the lock connection: a leader that vanished from the
    network releases the lock after about 0.6 × FAILOVER_SECONDS (unix sockets ignore them)."""
    idle = max(1, round(failover_seconds * 0.3))
    interval = max(1, round(failover_seconds * 0.1))
    return {
        "tcp_keepalives_idle": str(idle),
        "tcp_keepalives_interval": str(interval),
        "tcp_keepalives_count": "3",
        "application_name": "smm-panel-bot leadership",
    }


Connect = Callable[..., Awaitable["asyncpg.Connection[Any]"]]


class AdvisoryLockLeadership:
    """Leadership as `pg_try_advisory_lock` on a dedicated connection (see the module doc)."""

    def __init__(
        self,
        dsn: str,
        key: int,
        *,
        failover_seconds: float = DEFAULT_FAILOVER_SECONDS,
        connect: Connect | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failover_seconds <= 0:
            raise ValueError("failover_seconds must be positive")
        self._dsn = dsn
        self._key = key
        self.failover_seconds = failover_seconds
        # A standby asks for the lock this often; a leader checks it holds it this often.
        self.check_seconds = max(0.1, failover_seconds / 10)
        self.grace_seconds = 2 * self.check_seconds
        self._connect = connect
        self._clock = clock
        # When the database stopped answering (None while it answers); see `_failed`.
        self._failing_since: float | None = None
        self._conn: asyncpg.Connection[Any] | None = None
        self._watchdog: asyncio.Task[None] | None = None
        self.fence = Fence()

    def __repr__(self) -> str:
        return f"AdvisoryLockLeadership(key={self._key})"  # never the DSN: it may hold a password

    async def _open(self) -> asyncpg.Connection[Any]:
        if self._connect is not None:
            return await self._connect(self._dsn)
        import asyncpg

        return await asyncpg.connect(
            self._dsn,
            timeout=max(1.0, self.failover_seconds / 2),
            server_settings=_keepalives(self.failover_seconds),
        )

    async def acquire(self, stop: asyncio.Event) -> bool:
        """Wait for the lock. "Another instance holds it" is waited out for as long as it
        lasts; a database that cannot be reached or logged into raises DatabaseUnavailable
        once that has lasted FAILOVER_SECONDS (one WARNING line when it starts)."""
        waited = False
        while not stop.is_set():
            got = await self._try_lock()
            if got:
                return await self._take_over()
            if got is False and not waited:
                log.info("standby: another instance leads; waiting for the leadership lock")
                waited = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.check_seconds)
        return False

    async def _try_lock(self) -> bool | None:
        """True: the lock is ours; False: another instance holds it; None: the database did
        not answer (the connection is dropped and asked again next time)."""
        try:
            if self._conn is None or self._conn.is_closed():
                self._conn = await self._open()
            got = await asyncio.wait_for(
                self._conn.fetchval("SELECT pg_try_advisory_lock($1)", self._key),
                self.check_seconds * 5,
            )
        except Exception as exc:  # asyncpg's errors have no common base worth importing
            await self._drop()
            self._failed(exc)
            return None
        if self._failing_since is not None:
            log.info("standby: the database answers again")
            self._failing_since = None
        return bool(got)

    def _failed(self, exc: Exception) -> None:
        """One WARNING when the database stops answering; DatabaseUnavailable once that has
        lasted FAILOVER_SECONDS, so that a wrong password or a missing socket ends the process
        with one line instead of a standby logging forever."""
        now = self._clock()
        if self._failing_since is None:
            self._failing_since = now
            what, cause, _ = _database_failure(exc)
            log.warning(
                "standby: %s (%s); stopping if it lasts %.0f s", what, cause, self.failover_seconds
            )
        if now - self._failing_since >= self.failover_seconds:
            raise DatabaseUnavailable(describe_database_failure(exc, self.failover_seconds))

    async def _take_over(self) -> bool:
        assert self._conn is not None
        self._conn.add_termination_listener(self._terminated)
        # The previous leader may have lost its connection a moment ago: give it time to
        # notice and stop before this process starts acting.
        await asyncio.sleep(self.grace_seconds)
        if self._conn.is_closed():
            self.fence.close("the leadership connection closed during the hand-over")
            return True
        self._watchdog = asyncio.create_task(self._watch(), name="leadership-watchdog")
        log.info("this instance is now the leader")
        return True

    def _terminated(self, conn: object) -> None:
        self.fence.close("the database closed the leadership connection")

    async def _watch(self) -> None:
        conn = self._conn
        assert conn is not None
        while not self.fence.closed:
            await asyncio.sleep(self.check_seconds)
            try:
                held = await asyncio.wait_for(
                    conn.fetchval(
                        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' "
                        "AND pid = pg_backend_pid() AND granted "
                        "AND ((classid::bigint << 32) | objid::bigint) = $1)",
                        self._key,
                    ),
                    self.check_seconds,
                )
            except Exception as exc:
                self.fence.close(f"the leadership check failed ({type(exc).__name__})")
                return
            if not held:
                self.fence.close("the leadership lock is no longer held")
                return

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.terminate()

    async def release(self) -> None:
        """Give the lock up (a clean stop): the standby takes over without waiting."""
        if self._watchdog is not None:
            self._watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watchdog
            self._watchdog = None
        conn, self._conn = self._conn, None
        if conn is None or conn.is_closed():
            return
        conn.remove_termination_listener(self._terminated)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(conn.close(), self.check_seconds * 5)
        if not conn.is_closed():
            conn.terminate()
