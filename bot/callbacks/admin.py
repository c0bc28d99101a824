"""An admin's decision on an access request and the users' pages (bot/handlers/admin.py)."""

from __future__ import annotations

from bot.callbacks.base import CallbackData


class DecideAccess(CallbackData, action="ad"):
    """An admin's Approve / Reject of `user_id`'s access request."""

    user_id: int
    approve: bool


class UsersPage(CallbackData, action="up"):
    page: int
