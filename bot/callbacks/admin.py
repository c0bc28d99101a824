"""An admin's decision on an access request and the users' pages (bot/handlers/admin.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.callbacks.base import Action, CallbackData


class AdminAction(Action):
    """This feature's action codes: the first segment of its buttons' data."""

    ACCESS_DECIDE = "ad"
    USERS_PAGE = "up"


@dataclass(frozen=True)
class DecideAccess(CallbackData, action=AdminAction.ACCESS_DECIDE):
    """An admin's Approve / Reject of `user_id`'s access request."""

    user_id: int
    approve: bool


@dataclass(frozen=True)
class UsersPage(CallbackData, action=AdminAction.USERS_PAGE):
    page: int
