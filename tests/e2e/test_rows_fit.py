"""Issue 21 item 9: every keyboard row fits a phone, in English and Turkish.

A phone shows about 32 characters across one button; buttons in one row share that width. The
walk opens the screens a reseller meets in the first hour (menus, settings and their
sub-menus, panels and a panel's card, the catalog, a card, the order dialog to its preview, a
bulk preview, the order history and a card) and checks the width of every row the bot sent.
"""

from __future__ import annotations

import unicodedata

import pytest

from tests.e2e.steps import dialog, say
from tests.harness import Harness

KEY = "pk_rows_0123456789abcdef"
UID = 4701
ROW_MAX = 32  # characters across a phone's row of buttons


def width(label: str) -> int:
    """Characters as a phone draws them: an emoji or a wide character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in label)


def rows_sent(bot: Harness) -> list[list[str]]:
    rows: list[list[str]] = []
    for call in bot.telegram.calls:
        markup = call.params.get("reply_markup") or {}
        for row in markup.get("inline_keyboard") or []:
            rows.append([str(b.get("text", "")) for b in row])
    return rows


def too_wide(rows: list[list[str]]) -> list[list[str]]:
    """Rows of two or more buttons wider than a phone (a single button is cut with "…")."""
    return [row for row in rows if len(row) > 1 and sum(width(b) for b in row) > ROW_MAX]


@pytest.mark.parametrize("lang", ["en", "tr"])
async def test_every_row_of_the_first_hour_fits_a_phone(bot: Harness, lang: str) -> None:
    u = await bot.member(UID, key=KEY, language_code=lang, balance="1000")
    t = bot.deps.catalogs.translator(lang)
    await u.send("/start")
    await u.reply()
    await u.send("/settings")
    settings = await u.reply()
    for _, data in settings.buttons():
        if data.startswith(("zm", "hm", "lang", "menu:language")):
            await u.press_data(data, settings)
            await u.update()
            await u.send("/settings")
            settings = await u.reply()
    await u.send("/panels")
    panels = await u.reply()
    for label, data in panels.buttons():
        if data.startswith("pc:") or "★" in label:
            await u.press_data(data, panels)
            await u.update()
            break
    await u.send("/services")
    categories = await u.reply()
    await u.press("Instagram (", message=categories)
    page = await u.update()
    for _, data in page.buttons():
        if data.startswith("sv:"):
            await u.press_data(data, page)
            await u.update()
            break
    await dialog(u, 1, "https://instagram.com/rows", "1000")  # the preview
    await say(
        u,
        "/bulk",
        "1 | https://instagram.com/a | 100\n1 | https://instagram.com/b | 100",
        "/orders",
        "/help",
    )
    rows = rows_sent(bot)
    assert len(rows) > 30, len(rows)
    assert too_wide(rows) == [], (t.language, too_wide(rows))
    assert bot.telegram.bad_requests() == []
