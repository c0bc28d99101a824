"""Who may use the bot: admins, users they approved, or anyone in open mode."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.config import AccessMode
from bot.storage.models import AccessState, User
from bot.storage.users import UsersRepo


class Verdict(StrEnum):
    ALLOWED = "allowed"
    STRANGER = "stranger"  # may ask for access
    PENDING = "pending"  # asked, waiting for an admin
    DENIED = "denied"


@dataclass(frozen=True, slots=True)
class AccessService:
    users: UsersRepo
    mode: AccessMode
    admin_ids: frozenset[int]

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

    async def request(self, user: User) -> bool:
        """Record an access request; False when nothing changed (already pending/decided)."""
        if self.verdict(user) is not Verdict.STRANGER:
            return False
        await self.users.set_access(user.id, AccessState.REQUESTED)
        return True

    async def decide(self, user_id: int, allow: bool) -> User | None:
        """Approve or reject; None when the user never contacted the bot."""
        user = await self.users.get(user_id)
        if user is None:
            return None
        await self.users.set_access(user_id, AccessState.ALLOWED if allow else AccessState.DENIED)
        return await self.users.get(user_id)

    async def allow(self, user_id: int) -> None:
        """Allow by id, even before that user has written to the bot."""
        if await self.users.get(user_id) is None:
            await self.users.touch(user_id, username=None, first_name=None)
        await self.users.set_access(user_id, AccessState.ALLOWED)
