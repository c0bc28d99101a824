"""Users as the bot knows them: first contact, language, the notification setting, the listing."""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.storage.models import User
from bot.storage.users import UsersRepo


@dataclass(frozen=True, slots=True)
class UserPage:
    users: list[User]
    page: int  # clamped into 0..pages-1
    pages: int
    total: int


@dataclass(frozen=True, slots=True)
class UserService:
    users: UsersRepo

    async def arrive(
        self, user_id: int, *, username: str | None, first_name: str | None, language: str
    ) -> User:
        """Every update: the user's row, created or refreshed (a user who writes has unblocked
        the bot). On first contact the row adopts `language`; /language changes it later."""
        user = await self.users.touch(user_id, username=username, first_name=first_name)
        if user.language is None:
            await self.users.set_language(user_id, language)
            user = await self.users.get(user_id) or user
        return user

    async def get(self, user_id: int) -> User | None:
        return await self.users.get(user_id)

    async def set_language(self, user_id: int, language: str) -> None:
        await self.users.set_language(user_id, language)

    async def toggle_notifications(self, user: User) -> User:
        """Flip the Settings toggle; returns the row as stored now."""
        await self.users.set_notifications(user.id, not user.notifications)
        return await self.users.get(user.id) or user

    async def page(self, page: int, size: int) -> UserPage:
        """One page of all users, in the repository's order (for /users)."""
        total = await self.users.count()
        pages = max(1, math.ceil(total / size))
        page = min(max(page, 0), pages - 1)
        return UserPage(await self.users.list(page * size, size), page, pages, total)
