"""Admin commands and access requests: what admins see, and what the user hears."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from bot.i18n import Translator
from bot.storage.models import AccessState, User
from bot.views.text import esc


def admins_only(t: Translator) -> str:
    return t._("This command is for admins.")


def usage(t: Translator, command: str) -> str:
    return t._("Usage: /{command} USER_ID", command=command)


def unknown_user(t: Translator, user_id: int) -> str:
    return t._("I do not know user {id}.", id=user_id)


def allowed_text(t: Translator, user_id: int) -> str:
    return t._("User {id} may use the bot now.", id=user_id)


def denied_text(t: Translator, user_id: int) -> str:
    return t._("User {id} is denied now.", id=user_id)


def admins_not_denied(t: Translator) -> str:
    return t._("Admins cannot be denied.")


def admin_name(admin: User | None, admin_id: int) -> str:
    """How admins see each other: @username, else first name, else the id."""
    if admin is not None and admin.username:
        return f"@{admin.username}"
    if admin is not None and admin.first_name:
        return admin.first_name
    return str(admin_id)


def refusal(t: Translator, user: User, admin: str | None) -> str:
    """Plain text (a callback alert): the decision that stands, and who made it."""
    if user.access is AccessState.ALLOWED:
        if admin is None:
            return t._("This request was already approved.")
        return t._("This request was already approved by {admin}.", admin=admin)
    if user.access is AccessState.DENIED:
        if admin is None:
            return t._("This request was already rejected.")
        return t._("This request was already rejected by {admin}.", admin=admin)
    return t._("This request is no longer open.")


def decided_text(t: Translator, user: User, admin: str | None) -> str:
    """Every admin's copy of a decided request: who was let in or not, and by whom."""
    name = esc(user.first_name or str(user.id))
    by = esc(admin) if admin is not None else None
    if user.access is AccessState.ALLOWED:
        if by is None:
            return t._("✅ {name} (id {id}) was approved.", name=name, id=user.id)
        return t._("✅ {name} (id {id}) was approved by {admin}.", name=name, id=user.id, admin=by)
    if user.access is AccessState.DENIED:
        if by is None:
            return t._("❌ {name} (id {id}) was rejected.", name=name, id=user.id)
        return t._("❌ {name} (id {id}) was rejected by {admin}.", name=name, id=user.id, admin=by)
    return t._("This request is no longer open.")


def outcome_text(t: Translator, *, allowed: bool) -> str:
    """What the user who asked for access hears, once."""
    if allowed:
        return t._("Good news: an admin gave you access. Send /start to begin.")
    return t._("Sorry, an admin declined your access request.")


def access_request(t: Translator, user_id: int, full_name: str, username: str | None) -> str:
    """The request each admin gets (with Approve / Reject buttons)."""
    handle = f" @{esc(username)}" if username else ""
    return t._(
        "Access request from {name}{handle} (id <code>{id}</code>).",
        name=esc(full_name),
        handle=handle,
        id=user_id,
    )


def users_text(t: Translator, total: int, users: Sequence[User], admin_ids: Collection[int]) -> str:
    """/users: one page of the users, each with their access."""
    lines = [t._("<b>Users</b> ({count})", count=total)]
    lines += [user_line(t, u, is_admin=u.id in admin_ids) for u in users]
    return "\n".join(lines)


def user_line(t: Translator, user: User, *, is_admin: bool) -> str:
    if is_admin:
        state = t._("admin")
    else:
        state = {
            AccessState.ALLOWED: t._("allowed"),
            AccessState.REQUESTED: t._("requested"),
            AccessState.DENIED: t._("denied"),
        }.get(user.access, t._("no access"))
    name = esc(user.first_name or "")
    handle = f" @{esc(user.username)}" if user.username else ""
    blocked = " " + t._("(blocked the bot)") if user.blocked_bot else ""
    return f"<code>{user.id}</code> {name}{handle} — {state}{blocked}"
