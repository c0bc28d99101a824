"""The Mini App's shell in a real browser: it opens, in the user's language and theme, and a
refused initData shows why without calling a panel (issue 23)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.browser.conftest import OpenPage, WebAppBot

USER = 6101


async def test_the_shell_opens_in_the_users_language_and_theme(
    webapp: WebAppBot, open_page: OpenPage, shots: Callable[[str], Path]
) -> None:
    await webapp.member(USER)
    await webapp.member(USER + 1, language="tr")
    english = await open_page(USER)
    assert await english.locator(".tab").all_inner_texts() == [
        "Catalog",
        "Order",
        "Bulk",
        "Orders",
    ]
    assert await english.get_attribute("html", "lang") == "en"
    assert await english.get_attribute("html", "data-scheme") == "light"
    turkish = await open_page(USER + 1, theme="dark")
    assert await turkish.locator(".tab").all_inner_texts() == [
        "Katalog",
        "Sipariş",
        "Toplu",
        "Siparişler",
    ]
    assert await turkish.get_attribute("html", "data-scheme") == "dark"
    background = await turkish.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(21, 30, 39)"  # the dark theme's secondary_bg_color
    await turkish.locator(".tab", has_text="Siparişler").click()
    assert await turkish.evaluate("location.hash") == "#orders"
    assert await turkish.locator("#page-orders").is_visible()
    await turkish.screenshot(path=shots("shell-dark-tr"))


async def test_forged_init_data_is_refused_and_no_panel_is_called(
    webapp: WebAppBot, open_page: OpenPage
) -> None:
    await webapp.member(USER)
    calls = webapp.harness.panel.count()
    forged = webapp.app.init_data(USER).replace("Ay%C5%9Fe", "Mallory")
    page = await open_page(USER, init_data=forged, ready=False)
    failed = page.locator(".loading.failed")
    await failed.wait_for()
    assert await failed.inner_text() == (
        "This session has expired: close the app and open it again."
    )
    expired = await open_page(USER, init_data=webapp.app.init_data(USER, age=4000), ready=False)
    await expired.locator(".loading.failed").wait_for()
    assert webapp.harness.panel.count() == calls
