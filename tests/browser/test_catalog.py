"""The catalog page in a real browser (issue 23): search over every linked panel as the user
types, categories, price sort, refill/cancel filters, favourites, a card with the chat's
details, ⚖️ Compare across panels; screenshots at 390x844, light and dark, English and Turkish."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.async_api import Page

from tests.browser.conftest import OpenPage, WebAppBot
from tests.e2e.steps import beta_services
from tests.fakes.panel_catalog import default_services, make_services

USER = 6201
GAMMA_SERVICES = 200


async def three_panels(webapp: WebAppBot, user_id: int = USER, language: str = "en") -> None:
    webapp.panels["Beta"].set_services(beta_services())
    webapp.panels["Gamma"].set_services(make_services(GAMMA_SERVICES))
    await webapp.member(user_id, language=language, panels=("Beta", "Gamma"))


async def catalog(open_page: OpenPage, user_id: int = USER, theme: str = "light") -> Page:
    page = await open_page(user_id, theme=theme)
    await page.wait_for_selector("#page-catalog[data-loaded='true']")
    return page


async def rows(page: Page) -> list[tuple[str, str]]:
    """(slot, id) of every listed service, in order."""
    found = await page.eval_on_selector_all(
        "#catalog-list .svc", "els => els.map(e => [e.dataset.slot, e.dataset.id])"
    )
    return [(str(slot), str(sid)) for slot, sid in found]


async def count(page: Page) -> str:
    return await page.inner_text("#catalog-count")


async def test_search_filters_and_sort_over_every_panel(
    webapp: WebAppBot, open_page: OpenPage
) -> None:
    await three_panels(webapp)
    page = await catalog(open_page)
    total = len(default_services()) + len(beta_services()) + GAMMA_SERVICES
    assert await count(page) == f"Services found: {total}"
    calls = [p.count() for p in (webapp.harness.panel, *webapp.panels.values())]

    # Folded as the chat folds: "takipci" finds "Takipçi" on every panel that has one.
    await page.fill("#catalog-search", "takipci")
    names = await page.locator("#catalog-list .svc-name").all_inner_texts()
    assert names and all("takipçi" in n.casefold() for n in names)
    slots = {slot for slot, _ in await rows(page)}
    assert len(slots) == 2  # the default panel's and Gamma's

    await page.fill("#catalog-search", "ig followers")
    assert (await page.locator("#catalog-list .svc-name").all_inner_texts()) == [
        "IG Followers [Real]",
        "Cheap IG followers",
    ]
    await page.fill("#catalog-search", "#504")
    assert (await rows(page))[0][1] == "504"

    await page.fill("#catalog-search", "")
    await page.select_option("#catalog-panel", label="Beta")
    assert await count(page) == "Services found: 4"
    await page.select_option("#catalog-category", label="Instagram")
    assert [sid for _, sid in await rows(page)] == ["502", "503"]
    await page.click("text=⇅ Sort by price")
    assert [sid for _, sid in await rows(page)] == ["502", "503"]  # 2.00, 7.50
    await page.click("text=✅ Price: low → high")  # → high to low
    assert [sid for _, sid in await rows(page)] == ["503", "502"]

    await page.select_option("#catalog-panel", label="All panels")
    await page.select_option("#catalog-category", label="All categories")
    await page.click("text=✅ Price: high → low")  # back to the panels' order
    await page.click("text=Refill only")
    expected = sum(1 for s in default_services() if s.get("refill")) + 4
    expected += sum(1 for s in make_services(GAMMA_SERVICES) if s["refill"])
    assert await count(page) == f"Services found: {expected}"
    await page.click("text=Cancel only")
    both = sum(1 for s in default_services() if s.get("refill") and s.get("cancel")) + 4
    both += sum(1 for s in make_services(GAMMA_SERVICES) if s["refill"] and s["cancel"])
    assert await count(page) == f"Services found: {both}"
    # Typing and filtering never asked a panel anything.
    assert [p.count() for p in (webapp.harness.panel, *webapp.panels.values())] == calls


async def test_a_card_with_compare_favourite_and_order(
    webapp: WebAppBot, open_page: OpenPage
) -> None:
    await three_panels(webapp)
    page = await catalog(open_page)
    await page.fill("#catalog-search", "Instagram Takipçi")
    await page.locator("#catalog-list .svc").first.click()
    card = page.locator("#catalog-card")
    await card.locator("h2").wait_for()
    assert await card.locator("h2").inner_text() == "#1 Instagram Takipçi"
    lines = await card.locator(".lines li").all_inner_texts()
    assert "Category: Instagram" in lines
    assert "Rate: $12.50 per 1000" in lines
    assert "Quantity: 100–10,000" in lines

    await page.click("#catalog-compare-button")
    compare = page.locator("#catalog-compare")
    await compare.wait_for()
    text = await compare.inner_text()
    assert "Similar services" in text and "Beta #501 IG Followers [Real]" in text

    await page.click("#catalog-star")
    await page.wait_for_selector("#catalog-star:text('★ Remove favourite')")
    assert await webapp.harness.deps.favourites.is_favourite(USER, 1)
    await page.click("#catalog-card .back")
    await page.click("text=★ Favourites")
    assert await rows(page) == [(await slot_of_default(webapp), "1")]

    await page.locator("#catalog-list .svc").first.click()
    await page.click("#catalog-card >> text=🛒 Order")
    assert await page.evaluate("location.hash") == (
        f"#order?slot={await slot_of_default(webapp)}&service=1"
    )


async def slot_of_default(webapp: WebAppBot) -> str:
    accounts = await webapp.harness.deps.accounts.accounts(USER)
    return str(next(a.slot for a in accounts if a.is_default))


@pytest.mark.parametrize(
    ("theme", "language"), [("light", "en"), ("dark", "en"), ("light", "tr"), ("dark", "tr")]
)
async def test_screenshots(
    webapp: WebAppBot,
    open_page: OpenPage,
    shots: Callable[[str], Path],
    theme: str,
    language: str,
) -> None:
    await three_panels(webapp, language=language)
    page = await catalog(open_page, theme=theme)
    await page.screenshot(path=shots(f"catalog-{theme}-{language}"))
    await page.fill("#catalog-search", "instagram takipci")
    await page.locator("#catalog-list .svc").first.click()
    await page.click("#catalog-compare-button")
    await page.locator("#catalog-compare").wait_for()
    await page.screenshot(path=shots(f"card-{theme}-{language}"))


async def test_telegrams_back_button_walks_back_card_by_card(
    webapp: WebAppBot, open_page: OpenPage
) -> None:
    await three_panels(webapp)
    page = await catalog(open_page)
    await page.fill("#catalog-search", "#1")
    await page.locator("#catalog-list .svc").first.click()
    await page.click("#catalog-compare-button")
    await page.click("#catalog-compare >> text=IG Followers [Real]")
    heading = page.locator("#catalog-card h2")
    await page.wait_for_selector("#catalog-card h2:text('#501 IG Followers [Real]')")
    await page.evaluate("window.__fakeTelegram.back()")
    await page.wait_for_selector("#catalog-card h2:text('#1 Instagram Takipçi')")
    assert await heading.inner_text() == "#1 Instagram Takipçi"
    await page.evaluate("window.__fakeTelegram.back()")
    await page.locator("#catalog-list").wait_for()
    assert await page.evaluate("location.hash") == "#catalog"
    assert not await page.evaluate("Telegram.WebApp.BackButton.isVisible")
