"""Who may use the bot: admins, users they approved, or anyone in open mode."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.config import AccessMode
from bot.storage.models import AccessState, RequestCopy, User
from bot.storage.users import UsersRepo


class Verdict(StrEnum):
    ALLOWED = "allowed"
    STRANGER = "stranger"  # may ask for access
    PENDING = "pending"  # asked, waiting for an admin
    DENIED = "denied"


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of an admin's Approve / Reject on a request."""

    user: User  # as stored after the call: its access and access_decided_by are what stands
    decided: bool  # True: this call decided; False: the request was decided before (or never open)


# Someone without access hears an unprompted answer (the greeting, "waiting for an admin") at
# most this often: a chatty applicant is answered, a flood is not echoed back message by message.
REPLY_EVERY_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class AccessService:
    users: UsersRepo
    mode: AccessMode
    admin_ids: frozenset[int]
    clock: Callable[[], float] = time.time  # wall clock: the time is kept across restarts

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.admin_ids

    def verdict(self, user: User) -> Verdict:
        if self.is_admin(user.id) or self.mode is AccessMode.OPEN:
            return Verdict.ALLOWED
        return {
            AccessState.ALLOWED: Verdict.ALLOWED,
            AccessState.REQUESTED: Verdict.PENDING,
            AccessState.DENIED: Verdict.DENIED,
        }.get(user.access, Verdict.STRANGER)

    def reply_due(self, last_reply: float | None, *, asked: bool) -> bool:
        """Whether a user without access gets an answer to this message.

        `asked`: /start or /help, which always get one (they ask what the bot is and what to do).
        Anything else is answered when the last answer (`last_reply`, by `clock`) is at least
        `REPLY_EVERY_SECONDS` old. A time in the future (the clock was set back) counts as old.
        """
        if asked or last_reply is None:
            return True
        now = self.clock()
        return not 0 <= now - last_reply < REPLY_EVERY_SECONDS

    async def request(self, user: User) -> bool:
        """Record an access request; False when nothing changed (already pending/decided)."""
        if self.verdict(user) is not Verdict.STRANGER:
            return False
        await self.users.set_access(user.id, AccessState.REQUESTED)
        return True

    async def decide(self, user_id: int, allow: bool, *, by: int) -> Decision | None:
        """Decide an open request: the first decision counts, a later one changes nothing.

        None when the user never contacted the bot.
        """
        if await self.users.get(user_id) is None:
            return None
        state = AccessState.ALLOWED if allow else AccessState.DENIED
        decided = await self.users.decide_request(user_id, state, by=by)
        user = await self.users.get(user_id)
        assert user is not None  # rows are never deleted
        return Decision(user, decided)

    async def allow(self, user_id: int, *, by: int | None = None) -> AccessState | None:
        """Allow by id, even before that user has written to the bot; returns the state before.

        An admin's explicit command overrides any earlier decision.
        """
        if await self.users.get(user_id) is None:
            await self.users.touch(user_id, username=None, first_name=None)
        return await self.users.set_access(user_id, AccessState.ALLOWED, by=by)

    async def deny(self, user_id: int, *, by: int) -> AccessState | None:
        """Deny a known user; returns the state before, None (and nothing done) when unknown."""
        if await self.users.get(user_id) is None:
            return None
        return await self.users.set_access(user_id, AccessState.DENIED, by=by)

    async def record_copy(self, user_id: int, admin_id: int, message_id: int) -> None:
        """Remember the message an admin got for the user's request (to update it later)."""
        await self.users.add_request_copy(user_id, admin_id, message_id)

    async def settle_copies(
        self, user_id: int, extra: Sequence[RequestCopy] = ()
    ) -> list[RequestCopy]:
        """The admins' copies of a decided request still to update; each is handed out once."""
        return await self.users.settle_request_copies(user_id, extra=extra)
