"""Issue 13, items 6 and 13: the delete-key question and the navigation fixes, end to end."""

from __future__ import annotations

import re

from tests.e2e.steps import catalog_row, labels, menu_screen
from tests.fakes.panel_catalog import default_services
from tests.harness import Harness

KEY = "pk_polishnav_0123456789abcdef"
UID = 4301


def plain(html: str) -> str:
    """What the phone shows: the text without its tags (entities unescaped are not needed here)."""
    return re.sub(r"<[^>]*>", "", html)


# --- item 6: 🗑 Delete API key asks first ------------------------------------------------------


async def test_delete_key_button_asks_and_keep_it_keeps_the_key(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    question = await menu_screen(u, "/settings", "Delete API key")
    assert "Delete your API key? Your open previews stop working." in (question.text or "")
    assert any("Yes, delete" in b for b in labels(question))
    assert await bot.deps.storage.accounts.get(UID) is not None  # nothing deleted yet
    await u.press("Keep it", message=question)
    back = await u.update()
    assert any("Change API key" in b for b in labels(back))
    assert await bot.deps.storage.accounts.get(UID) is not None
    assert bot.telegram.bad_requests() == []


async def test_delete_key_yes_deletes(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    question = await menu_screen(u, "/settings", "Delete API key")
    qid = await u.press("Yes, delete", message=question)
    await u.answer(qid)
    done = await u.update()
    assert "Your API key was deleted." in (done.text or "")
    assert await bot.deps.storage.accounts.get(UID) is None
    assert bot.telegram.bad_requests() == []


# --- item 13: navigation ------------------------------------------------------------------------


async def test_menu_button_answers_its_press(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await u.send("/services")
    cats = await u.reply()
    qid = await u.press("Menu", message=cats)
    await u.answer(qid)  # the spinner stops
    menu = await u.update()
    assert any("New order" in b for b in labels(menu))


async def test_language_picker_has_back_to_settings(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    picker = await menu_screen(u, "/settings", "Language")
    assert "Türkçe" in labels(picker)
    await u.press("Back", message=picker)
    back = await u.update()
    assert "<b>Settings</b>" in (back.text or "")
    assert any("Language" in b for b in labels(back))


async def test_back_from_order_search_results_returns_to_the_service_question(
    bot: Harness,
) -> None:
    u = await bot.member(UID, key=KEY)
    await u.send("/order")
    question = await u.reply()
    await u.send("takipçi")
    results = await u.reply()
    assert any(b.endswith(" #1") for b in labels(results))
    await u.press("Back", message=results)
    back = await u.update()
    # The service question again (where the words were typed), not the category list.
    assert "Instagram (5)" not in labels(back)
    assert (back.text or "") == (question.text or "")
    await u.send("1")
    first_question = await u.reply()
    assert "Instagram Takipçi" in (first_question.text or "")


async def test_services_search_accepts_a_leading_hash(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await u.send("/services #1")
    found = await u.reply()
    assert "Nothing found" not in (found.text or "")
    assert labels(found)[0].endswith(" #1")
    await u.send("/services # 6")
    found = await u.reply()
    assert labels(found)[0].endswith(" #6")


async def test_services_search_does_not_match_markup(bot: Harness) -> None:
    services = default_services()
    services.append(catalog_row(77, "<b>NEW</b> Likes", max=100, refill=False, cancel=False))
    bot.panel.set_services(services)
    u = await bot.member(UID, key=KEY)
    await u.send("/services <b>")
    none = await u.reply()
    assert "Nothing found" in (none.text or "")
    await u.send("/services b")
    found = await u.reply()
    assert not any(b.endswith(" #77") for b in labels(found))  # "b" only in the tag
    await u.send("/services new likes")
    found = await u.reply()
    assert labels(found)[0].endswith(" #77")


async def test_bulk_help_lists_separators_readably(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await u.send("/bulk")
    shown = plain((await u.reply()).text or "")
    assert ",," not in shown
    assert "| ;" not in shown
    assert "a comma , or a tab" in shown
