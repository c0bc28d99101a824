"""What Telegram shows before and around the chat: the bot's description, short description and
command menu, in English and Turkish, and a chat's menu in the language its user picked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.handlers.commands import DESCRIPTION, SHORT_DESCRIPTION
from tests.e2e.steps import screen
from tests.harness import ADMIN_ID, PUBLISH_PROFILE, Harness, running_bot

pytestmark = PUBLISH_PROFILE
PROFILE_METHODS = {"setMyCommands", "setMyDescription", "setMyShortDescription"}


def _menu(commands: list[dict[str, Any]]) -> dict[str, str]:
    return {c["command"]: c["description"] for c in commands}


async def test_descriptions_and_menus_published_in_both_languages(bot: Harness) -> None:
    fake = bot.telegram
    tr = bot.deps.catalogs.translator("tr")
    # English, the source text, and Turkish from the Turkish catalog.
    assert fake.descriptions["en"] == DESCRIPTION
    assert fake.descriptions["tr"] == tr._(DESCRIPTION)
    assert fake.short_descriptions["en"] == SHORT_DESCRIPTION
    assert fake.short_descriptions["tr"] == tr._(SHORT_DESCRIPTION)
    assert "/setkey" in fake.descriptions["tr"]
    # Clients in any other language get DEFAULT_LANGUAGE (English here).
    assert fake.descriptions[None] == DESCRIPTION
    assert fake.short_descriptions[None] == SHORT_DESCRIPTION

    en_menu = _menu(fake.commands[("all_private_chats", "en")])
    tr_menu = _menu(fake.commands[("all_private_chats", "tr")])
    assert _menu(fake.commands[("all_private_chats", None)]) == en_menu
    assert en_menu["balance"] == "Your panel balance"
    assert tr_menu["balance"] == tr._("Your panel balance") != en_menu["balance"]
    assert set(tr_menu) == set(en_menu) and "allow" not in en_menu
    assert fake.menu_for(6200, "tr-TR") == fake.commands[("all_private_chats", "tr")]
    assert fake.menu_for(6200, "de") == fake.commands[("all_private_chats", None)]
    assert fake.bad_requests() == []


async def test_default_language_turkish_for_other_clients(tmp_path: Path) -> None:
    async with running_bot(tmp_path, default_language="tr", publish_profile=True) as bot:
        fake = bot.telegram
        assert fake.descriptions[None] == fake.descriptions["tr"]
        assert fake.short_descriptions[None] == fake.short_descriptions["tr"]
        assert (
            fake.commands[("all_private_chats", None)] == fake.commands[("all_private_chats", "tr")]
        )
        assert fake.descriptions["en"] == DESCRIPTION


async def test_restart_sets_only_what_changed(bot: Harness) -> None:
    fake = bot.telegram
    fake.descriptions["tr"] = "eski metin"  # as if an older version had set another text
    seen = len(fake.calls)
    await bot.restart()
    sets = [c for c in fake.calls[seen:] if c.method in PROFILE_METHODS]
    assert [(c.method, c.params.get("language_code")) for c in sets] == [("setMyDescription", "tr")]
    assert fake.descriptions["tr"] == bot.deps.catalogs.translator("tr")._(DESCRIPTION)


async def test_choosing_turkish_sets_the_chats_menu(bot: Harness) -> None:
    fake = bot.telegram
    admin = bot.user(ADMIN_ID)  # a client in English
    turkish = fake.commands[("all_private_chats", "tr")]
    english = fake.commands[("all_private_chats", "en")]
    assert fake.menu_for(ADMIN_ID, "en") == english
    await admin.send("/language")
    await admin.reply()
    await admin.press("Türkçe")
    assert "Türkçe" in ((await admin.update()).text or "")
    assert fake.commands[(f"chat:{ADMIN_ID}", None)] == turkish
    assert fake.menu_for(ADMIN_ID, "en") == turkish

    # Back to English from Settings: the chat's menu follows.
    await screen(admin, "/settings", "🌐", "English")
    assert fake.menu_for(ADMIN_ID, "en") == english
    assert fake.bad_requests() == []


async def test_chat_menu_failure_is_logged_and_the_language_still_changes(
    bot: Harness,
) -> None:
    fake = bot.telegram
    admin = bot.user(ADMIN_ID)
    await admin.send("/language")
    await admin.reply()
    fake.inject("setMyCommands", error_code=400, description="Bad Request: something odd")
    await admin.press("Türkçe")
    assert "Türkçe" in ((await admin.update()).text or "")
    assert (f"chat:{ADMIN_ID}", None) not in fake.commands
    assert any(line.startswith("WARNING") and "command menu" in line for line in bot.logs.lines), (
        bot.logs.text
    )
    assert "Traceback" not in bot.logs.text
    await admin.send("/balance")
    assert "You have" not in ((await admin.reply()).text or "")


async def test_the_menu_keeps_ten_commands_and_help_lists_all(bot: Harness) -> None:
    """Issue 21 item 19: a phone's command menu scrolls past ten; /help names every command,
    /done included, and /settings' line mentions time zone and quiet hours."""
    menu = _menu(bot.telegram.commands[("all_private_chats", "en")])
    assert list(menu) == [
        "services", "order", "bulk", "status", "orders",
        "stats", "balance", "panels", "settings", "help",
    ]  # fmt: skip
    member = await bot.member(6210, key="pk_profile_0123456789abcdef")
    await member.send("/help")
    helped = (await member.reply()).text or ""
    for name in ("start", "refill", "refillstatus", "cancelorder", "export", "setkey", "done"):
        assert f"/{name} — " in helped, name
    assert "/settings — Language, notifications, API key, time zone, quiet hours" in helped
    assert "/allow" not in helped  # not an admin


async def test_the_main_menu_opens_panels_and_stats(bot: Harness) -> None:
    member = await bot.member(6211, key="pk_profile_0123456789abcdef")
    await member.send("/start")
    menu = await member.reply()
    labels = [label for label, _ in menu.buttons()]
    assert "🔗 Panels" in labels and "📈 Stats" in labels
    await member.press("🔗 Panels", message=menu)
    panels = await member.update()
    assert "★" in (panels.text or "")  # the panels list, the default starred
    await member.send("/start")
    await member.press("📈 Stats", message=await member.reply())
    stats = await member.reply()
    assert "nothing to chart" in (stats.text or "")
    assert bot.telegram.bad_requests() == []
