"""/start, /help, /cancel, /language and /settings."""

from __future__ import annotations

from bot.handlers.commands import COMMANDS
from bot.i18n import Translator
from bot.views.start import (
    choose_language,
    dialog_cancelled,
    help_text,
    language_set,
    not_understood,
    nothing_to_cancel,
    notifications_note,
    settings_text,
    welcome,
)


def test_welcome_asks_for_a_key_only_when_none_is_linked(en: Translator, tr: Translator) -> None:
    assert welcome(en, "Ayşe <3", has_key=True) == (
        "Hi Ayşe &lt;3! I place and track orders on your SMM panel.\nChoose below or send /help."
    )
    assert welcome(en, "Ali", has_key=False).endswith(
        "\n\nFirst, link your panel API key with /setkey."
    )
    assert welcome(tr, "Ali", has_key=True).startswith("Merhaba Ali!")


def test_help_lists_admin_commands_to_admins_only(en: Translator, tr: Translator) -> None:
    user_help = help_text(en, COMMANDS, is_admin=False)
    admin_help = help_text(en, COMMANDS, is_admin=True)
    assert user_help.split("\n")[:2] == ["<b>Commands</b>", "/start — Main menu"]
    assert "/allow" not in user_help and "/allow — Admin: allow a user" in admin_help
    # Descriptions are escaped: "<words>" must not be read as a tag.
    assert "/services — Browse services; /services &lt;words&gt; searches" in user_help
    assert help_text(tr, COMMANDS, is_admin=False).startswith("<b>Komutlar</b>")


def test_cancel(en: Translator, tr: Translator) -> None:
    assert dialog_cancelled(en) == "Cancelled."
    assert dialog_cancelled(en, 2) == "Cancelled.\n2 previews cancelled, nothing was ordered."
    assert dialog_cancelled(tr) == "İptal edildi."
    assert nothing_to_cancel(en) == "There is nothing to cancel."


def test_language_and_settings(en: Translator, tr: Translator) -> None:
    assert choose_language(tr) == "Dilinizi seçin:"
    # Each catalog names its own language.
    assert language_set(en) == "Language set to English."
    assert language_set(tr) == "Dil Türkçe olarak ayarlandı."
    assert settings_text(en, has_key=True) == "<b>Settings</b>\nAPI key: linked"
    assert settings_text(en, has_key=False) == "<b>Settings</b>\nAPI key: not linked"
    assert notifications_note(en, on=True) == "Notifications on."
    assert notifications_note(en, on=False) == "Notifications off."
    assert "/help" in not_understood(en)
