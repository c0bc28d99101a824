"""Admin commands and access requests."""

from __future__ import annotations

from bot.i18n import Translator
from bot.storage.models import AccessState
from bot.views.admin import (
    access_request,
    admin_name,
    admins_not_denied,
    admins_only,
    allowed_text,
    decided_text,
    denied_text,
    outcome_text,
    refusal,
    unknown_user,
    usage,
    user_line,
    users_text,
)

from ._data import user


def test_admin_name_prefers_the_handle() -> None:
    assert admin_name(user(username="boss"), 1) == "@boss"
    assert admin_name(user(username=None, first_name="Ayşe"), 1) == "Ayşe"
    assert admin_name(user(username=None, first_name=None), 1) == "1"
    assert admin_name(None, 99) == "99"


def test_refusal_says_which_decision_stands(en: Translator, tr: Translator) -> None:
    allowed = user(access=AccessState.ALLOWED)
    denied = user(access=AccessState.DENIED)
    assert refusal(en, allowed, None) == "This request was already approved."
    assert refusal(en, allowed, "@boss") == "This request was already approved by @boss."
    assert refusal(tr, denied, "@boss") == "Bu istek @boss tarafından zaten reddedildi."
    assert refusal(en, user(access=AccessState.REQUESTED), "@boss") == (
        "This request is no longer open."
    )


def test_decided_copy_is_escaped(en: Translator, tr: Translator) -> None:
    who = user(first_name="<Ayşe>")
    assert decided_text(en, who, "<boss>") == (
        "✅ &lt;Ayşe&gt; (id 42) was approved by &lt;boss&gt;."
    )
    assert decided_text(tr, who, "@boss") == "✅ &lt;Ayşe&gt; (id 42), @boss tarafından onaylandı."
    rejected = user(first_name=None, access=AccessState.DENIED)
    assert decided_text(en, rejected, None) == "❌ 42 (id 42) was rejected."


def test_access_request_is_escaped(en: Translator) -> None:
    assert access_request(en, 42, "A <b>", "a_b") == (
        "Access request from A &lt;b&gt; @a_b (id <code>42</code>)."
    )
    assert access_request(en, 42, "A", None) == "Access request from A (id <code>42</code>)."


def test_users_page(en: Translator) -> None:
    rows = [
        user(id=1, username=None, first_name="Admin"),
        user(id=2, access=AccessState.REQUESTED, blocked_bot=True),
        user(id=3, first_name="<x>", username=None, access=AccessState.NONE),
    ]
    assert users_text(en, 40, rows, frozenset({1})).split("\n") == [
        "<b>Users</b> (40)",
        "<code>1</code> Admin — admin",
        "<code>2</code> Ayşe @ayse — requested (blocked the bot)",
        "<code>3</code> &lt;x&gt; — no access",
    ]
    assert user_line(en, user(access=AccessState.DENIED), is_admin=False).endswith("— denied")


def test_command_replies(en: Translator, tr: Translator) -> None:
    assert admins_only(en) == "This command is for admins."
    assert admins_only(tr) == "Bu komut yöneticilere özeldir."
    assert usage(en, "allow") == "Usage: /allow USER_ID"
    assert unknown_user(en, 5) == "I do not know user 5."
    assert allowed_text(en, 5) == "User 5 may use the bot now."
    assert denied_text(en, 5) == "User 5 is denied now."
    assert admins_not_denied(en) == "Admins cannot be denied."
    assert outcome_text(en, allowed=True).startswith("Good news")
    assert outcome_text(en, allowed=False).startswith("Sorry")
