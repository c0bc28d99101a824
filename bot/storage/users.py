"""Telegram users who talked to the bot: names, language, access, notification settings."""

from __future__ import annotations

import builtins
from collections.abc import Sequence

from bot.storage.db import Database, Row, Transaction
from bot.storage.models import AccessState, RequestCopy, User
from bot.storage.rows import Repo, from_row


def _user(row: Row) -> User:
    return from_row(User, row)


async def _user_by_id(source: Database | Transaction, user_id: int) -> User | None:
    row = await source.fetchone("SELECT * FROM users WHERE id = ?", (user_id,))
    return None if row is None else _user(row)


def _upsert(*columns: str, also: str = "") -> str:
    """Insert a user with `columns`, or set them (and `also`) on the user already there: an
    admin may decide about an id that never wrote to the bot, who may write afterwards."""
    marks = ", ".join("?" * len(columns))
    updates = "".join(f"{column} = excluded.{column}, " for column in columns)
    return (
        f"INSERT INTO users (id, {', '.join(columns)}, created_at, updated_at) "
        f"VALUES (?, {marks}, ?, ?) "
        f"ON CONFLICT (id) DO UPDATE SET {updates}{also}updated_at = excluded.updated_at"
    )


# A user who writes to the bot has evidently unblocked it, so `blocked_bot` is cleared.
_TOUCH = _upsert("username", "first_name", also="blocked_bot = 0, ")
_SET_ACCESS = _upsert("access", "access_decided_by")


class UsersRepo(Repo):
    __slots__ = ()

    async def touch(self, user_id: int, *, username: str | None, first_name: str | None) -> User:
        """Insert the user or refresh their names (unblocked); returns the stored row."""
        # Every update passes here: skip the write (and its fsync) when nothing changed.
        current = await self.get(user_id)
        if (
            current is not None
            and current.username == username
            and current.first_name == first_name
            and not current.blocked_bot
        ):
            return current
        now = self._clock()
        async with self._db.transaction() as tx:
            await tx.execute(_TOUCH, (user_id, username, first_name, now, now))
            user = await _user_by_id(tx, user_id)
        assert user is not None
        return user

    async def get(self, user_id: int) -> User | None:
        return await _user_by_id(self._db, user_id)

    async def set_language(self, user_id: int, lang: str | None) -> bool:
        """False when the user is unknown."""
        return await self._update(user_id, "language", lang)

    async def set_access(
        self, user_id: int, access: AccessState, *, by: int | None = None
    ) -> AccessState | None:
        """Upserts: an admin may allow an id before that user has ever written to the bot.

        `by` is the deciding admin (None for the user's own request). Returns the state before,
        None when the user was unknown.
        """
        now = self._clock()
        async with self._db.transaction() as tx:
            row = await tx.fetchone("SELECT access FROM users WHERE id = ?", (user_id,))
            await tx.execute(_SET_ACCESS, (user_id, AccessState(access).value, by, now, now))
        return None if row is None else AccessState(row[0])

    async def decide_request(self, user_id: int, access: AccessState, *, by: int) -> bool:
        """Decide an open request; True for exactly one caller, False once it is decided."""
        changed = await self._db.execute(
            "UPDATE users SET access = ?, access_decided_by = ?, updated_at = ? "
            "WHERE id = ? AND access = ?",
            (AccessState(access).value, by, self._clock(), user_id, AccessState.REQUESTED.value),
        )
        return changed > 0

    async def add_request_copy(self, user_id: int, admin_id: int, message_id: int) -> None:
        await self._db.execute(
            "INSERT INTO access_request_copies (user_id, admin_id, message_id, created_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (user_id, admin_id, message_id) DO NOTHING",
            (user_id, admin_id, message_id, self._clock()),
        )

    async def settle_request_copies(
        self, user_id: int, *, extra: Sequence[RequestCopy] = ()
    ) -> builtins.list[RequestCopy]:
        """The admins' copies of the user's request not settled yet, now marked settled.

        Each copy is handed out once, so concurrent callers never update the same message
        twice. `extra` (e.g. the message a button was pressed on) is included unless it is
        known already, settled or not.
        """
        now = self._clock()
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT admin_id, message_id, settled FROM access_request_copies "
                "WHERE user_id = ? ORDER BY admin_id, message_id",
                (user_id,),
            )
            known = {RequestCopy(int(r[0]), int(r[1])) for r in rows}
            due = [RequestCopy(int(r[0]), int(r[1])) for r in rows if not r[2]]
            new = [c for c in dict.fromkeys(extra) if c not in known]
            await tx.execute(
                "UPDATE access_request_copies SET settled = 1 WHERE user_id = ? AND settled = 0",
                (user_id,),
            )
            await tx.executemany(
                "INSERT INTO access_request_copies "
                "(user_id, admin_id, message_id, settled, created_at) VALUES (?, ?, ?, 1, ?)",
                [(user_id, c.admin_id, c.message_id, now) for c in new],
            )
        return due + new

    async def set_blocked(self, user_id: int, blocked: bool) -> bool:
        return await self._update(user_id, "blocked_bot", int(blocked))

    async def set_notifications(self, user_id: int, on: bool) -> bool:
        return await self._update(user_id, "notifications", int(on))

    async def set_time_zone(self, user_id: int, zone: str | None) -> bool:
        """An IANA name already checked by the caller; None: back to the TIMEZONE setting."""
        return await self._update(user_id, "time_zone", zone)

    async def set_quiet_hours(self, user_id: int, hours: tuple[int, int] | None) -> bool:
        """(from, to) in minutes after midnight of the user's zone; None: no quiet hours."""
        start, end = hours if hours is not None else (None, None)
        changed = await self._db.execute(
            "UPDATE users SET quiet_from = ?, quiet_to = ?, updated_at = ? WHERE id = ?",
            (start, end, self._clock(), user_id),
        )
        return changed > 0

    async def _update(self, user_id: int, column: str, value: object) -> bool:
        # `column` only ever comes from the literals above, never from input.
        changed = await self._db.execute(
            f"UPDATE users SET {column} = ?, updated_at = ? WHERE id = ?",
            (value, self._clock(), user_id),
        )
        return changed > 0

    async def count(self) -> int:
        row = await self._db.fetchone("SELECT COUNT(*) FROM users")
        return int(row[0]) if row else 0

    async def list_by_access(
        self, access: AccessState, *, offset: int = 0, limit: int = 50
    ) -> builtins.list[User]:
        """Users in one access state (e.g. pending requests for the admin), oldest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM users WHERE access = ? ORDER BY created_at, id LIMIT ? OFFSET ?",
            (AccessState(access).value, limit, offset),
        )
        return [_user(r) for r in rows]

    async def list(self, offset: int = 0, limit: int = 50) -> builtins.list[User]:
        """Users ordered by first contact, then id (stable paging)."""
        rows = await self._db.fetchall(
            "SELECT * FROM users ORDER BY created_at, id LIMIT ? OFFSET ?", (limit, offset)
        )
        return [_user(r) for r in rows]
