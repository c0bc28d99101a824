"""The order form, bulk editor and orders list in a real browser (issue 23, pages 2 to 4).

Chromium drives the page as a user would: fields, quick answers, Telegram's MainButton. The
promises are the chat's: an order end to end makes one `add`; a doubled Confirm (and a second
device) places one order; the chat and the app racing place one order; a key changed after the
review is refused; a hanging panel shows progress, then an answer within its timeout + 2 s.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import OpenPage, WebAppBot
from tests.e2e.steps import batch_of, place, set_key, single_preview, text_of
from tests.fakes.panel import Fault
from tests.harness import Harness
from tests.miniapp import WEBAPP_URL

UID = 8601
MAIN = "#tg-main-button"
LINK = "https://instagram.com/browser"


async def go(page: Page, hash_: str) -> None:
    await page.evaluate("h => window.miniApp.navigate(h)", hash_)


async def fill_order(page: Page, link: str = LINK) -> None:
    """Service 1's form: the link typed, 1,000 from the quick answers, then Review."""
    await go(page, "order?service=1")
    await page.fill("#f-link", link)
    await page.click("[data-field='quantity'] .chip >> text=1,000")
    await expect(page.locator(".cost")).to_have_text("$12.50")
    await expect(page.locator(MAIN)).to_have_attribute("data-active", "true")
    await expect(page.locator(MAIN)).to_have_text("Review")


async def review(page: Page) -> str:
    await page.click(MAIN)
    shown = page.locator(".order-review")
    await expect(shown).to_contain_text("Please check your order")
    await expect(page.locator(MAIN)).to_have_text("Confirm order")
    batch = await shown.get_attribute("data-batch")
    assert batch
    return batch


async def member_page(open_page: OpenPage, webapp: WebAppBot) -> tuple[Harness, Page]:
    """The bot and a member's page on the Mini App."""
    await webapp.member(UID)
    return webapp.harness, await open_page(UID)


async def reviewed(open_page: OpenPage, webapp: WebAppBot) -> tuple[Harness, Page]:
    """A member's page with service 1's order filled in and reviewed (not confirmed)."""
    bot, page = await member_page(open_page, webapp)
    await fill_order(page)
    await review(page)
    return bot, page


async def test_an_order_end_to_end_makes_one_add(
    open_page: OpenPage, webapp: WebAppBot, shots: Callable[[str], Path]
) -> None:
    bot, page = await member_page(open_page, webapp)
    await fill_order(page)
    await page.screenshot(path=shots("order-form-light-en"))
    await review(page)
    await page.screenshot(path=shots("order-review-light-en"))
    assert bot.panel.count("add") == 0
    await page.click(MAIN)
    await expect(page.locator(".order-result")).to_contain_text("✅ Order placed")
    await page.screenshot(path=shots("order-placed-light-en"))
    assert bot.panel.count("add") == 1
    await expect(page.locator(MAIN)).to_have_text("New order")
    # The chat has it too, so its history stays whole.
    await bot.telegram.wait_until(
        lambda: any("✅ Order placed" in text_of(m) for m in bot.telegram.messages(UID))
    )


async def test_the_form_in_dark_and_turkish(
    open_page: OpenPage, webapp: WebAppBot, shots: Callable[[str], Path]
) -> None:
    await webapp.member(UID + 1, language="tr")
    page = await open_page(UID + 1, theme="dark")
    await go(page, "order?service=3")
    await expect(page.locator("[data-field='comments'] .field-label")).to_have_text("Yorumlar")
    await page.fill("#f-comments", "bir\niki")
    await expect(page.locator(".field-count")).to_contain_text("2")
    await expect(page.locator("[data-field='comments'] .field-error")).not_to_be_empty()
    await page.screenshot(path=shots("order-form-dark-tr"))


async def test_a_double_confirm_places_one_order(open_page: OpenPage, webapp: WebAppBot) -> None:
    bot, page = await reviewed(open_page, webapp)
    batch = await page.locator(".order-review").get_attribute("data-batch")
    # A second device with the same preview confirms at the very moment of a double tap.
    other = await open_page(UID)
    await asyncio.gather(
        page.dblclick(MAIN),
        other.evaluate("b => window.miniApp.api('api/order/confirm', {batch: b})", batch),
    )
    await expect(page.locator(".order-result")).to_be_visible()
    # Both confirms have answered (gather above, the result shown): one order in all.
    assert bot.panel.count("add") == 1


async def test_the_chat_and_the_app_racing_place_one_order(
    open_page: OpenPage, webapp: WebAppBot
) -> None:
    bot = webapp.harness
    await webapp.member(UID)
    user = bot.user(UID)
    preview = await single_preview(user, link=LINK)
    page = await open_page(UID)
    await go(page, "order?batch=" + batch_of(preview))
    await expect(page.locator(".order-review")).to_contain_text(LINK)
    await expect(page.locator(MAIN)).to_have_text("Confirm order")
    query = await user.press("Confirm", message=preview)
    await page.click(MAIN)
    await expect(page.locator(".order-result")).to_be_visible()
    await user.answer(query)
    shown = await page.locator(".order-result").inner_text()
    if "Order placed" not in shown:
        # The chat won the claim: its own message becomes the result.
        await bot.telegram.wait_until(lambda: "Order placed" in text_of(preview), timeout=10)
    assert bot.panel.count("add") == 1


async def test_a_key_changed_after_the_review_is_refused(
    open_page: OpenPage, webapp: WebAppBot
) -> None:
    bot, page = await reviewed(open_page, webapp)
    bot.panel.add_key("key-changed-8601", balance="500")
    await set_key(bot.user(UID), "key-changed-8601")
    await page.click(MAIN)
    await expect(page.locator(".order-result")).to_contain_text("key changed")
    assert bot.panel.count("add") == 0


async def test_a_hanging_panel_shows_progress_then_an_answer_in_time(
    open_page: OpenPage, webapp: WebAppBot
) -> None:
    bot, page = await reviewed(open_page, webapp)
    bot.panel.inject(Fault.hang(), action="add")
    timeout = bot.settings.panel_timeout_seconds
    await page.click(MAIN)
    await expect(page.locator(MAIN)).to_have_attribute("data-progress", "true")
    await expect(page.locator(".order-status")).to_have_text("Asking the panel…")
    await expect(page.locator(".order-result")).to_contain_text(
        "did not answer in time", timeout=(timeout + 2) * 1000
    )
    assert bot.panel.count("add") == 1  # sent once, never again


async def test_bulk_rows_checked_as_typed_then_placed_once(
    open_page: OpenPage, webapp: WebAppBot, shots: Callable[[str], Path]
) -> None:
    bot, page = await member_page(open_page, webapp)
    await go(page, "bulk")
    lines = "1 | https://instagram.com/b1 | 1000\n2 | https://instagram.com/b2 | 10"
    await page.fill(".bulk-paste", lines)
    await page.locator(".bulk-paste").dispatch_event("change")
    await expect(page.locator(".bulk-row")).to_have_count(2)
    second = page.locator(".bulk-row[data-line='2']")
    await expect(second.locator(".bulk-verdict")).to_contain_text("50")  # below the minimum
    await second.locator("input[data-column='quantity']").fill("100")
    await expect(second.locator(".bulk-verdict")).to_contain_text("✓")
    await expect(page.locator(".bulk-total")).to_contain_text("$12.82")
    await page.screenshot(path=shots("bulk-light-en"))
    await expect(page.locator(MAIN)).to_have_text("Review")
    await page.click(MAIN)
    await expect(page.locator(".bulk-preview")).to_contain_text("https://instagram.com/b2")
    await expect(page.locator(MAIN)).to_have_text("Confirm all")
    assert len(bot.panel.orders) == 0
    await page.dblclick(MAIN)
    await expect(page.locator(".bulk-result")).to_contain_text("Bulk order result")
    assert len(bot.panel.orders) == 2


async def test_orders_list_card_and_cancel_on_its_panel(
    open_page: OpenPage, webapp: WebAppBot, shots: Callable[[str], Path]
) -> None:
    bot, page = await reviewed(open_page, webapp)
    await page.click(MAIN)
    await expect(page.locator(".order-result")).to_contain_text("Order placed")
    await go(page, "orders")
    await expect(page.locator(".order-row")).to_have_count(1)
    await page.click("[data-filter='completed']")
    await expect(page.locator(".order-row")).to_have_count(0)
    await page.click("[data-filter='open']")
    await page.fill(".orders-search", "browser")
    await expect(page.locator(".order-row")).to_have_count(1)
    await page.screenshot(path=shots("orders-light-en"))
    await page.click(".order-row")
    await expect(page.locator(".order-card")).to_contain_text(LINK)
    await page.click("text=Cancel order")
    await expect(page.locator(".order-card")).to_contain_text("cancel requested")
    assert bot.panel.count("cancel") == 1


async def test_a_chat_preview_opens_in_the_app_as_the_same_draft(
    open_page: OpenPage, webapp: WebAppBot
) -> None:
    bot, page = await member_page(open_page, webapp)
    preview = await single_preview(bot.user(UID), link=LINK)
    [opener] = [b for b in preview.inline_buttons() if "web_app" in b]
    url = opener["web_app"]["url"]
    assert url == f"{WEBAPP_URL}?batch={batch_of(preview)}"
    # Telegram opens the button's address with its own data in the hash.
    launch = webapp.app.page_url(webapp.app.init_data(UID)).split("#", 1)[1]
    address = url.replace(WEBAPP_URL, webapp.app.base) + "#" + launch
    await page.goto(address)
    await expect(page.locator(".order-review")).to_contain_text(LINK)
    await page.click(MAIN)
    await expect(page.locator(".order-result")).to_contain_text("Order placed")
    assert bot.panel.count("add") == 1


ANYWAY = "⚠️ Order anyway"


async def order_anyway(page: Page, result: str) -> None:
    """The page shows a review warning of an open order on its link; its MainButton reads the
    chat's ⚠️ Order anyway, and tapping it places the order (`result` is shown)."""
    await expect(page.locator(".order-review, .bulk-preview").first).to_contain_text("open order")
    await expect(page.locator(MAIN)).to_have_text(ANYWAY)
    await page.click(MAIN)
    await expect(page.locator(result).first).to_contain_text("placed")


async def open_order(bot: Harness, link: str) -> None:
    """An open order on `link` the user placed elsewhere (seeded: the panel gets no `add`)."""
    await place(bot, UID, f"key-{UID}", service=1, link=link)


@pytest.mark.parametrize("since", [False, True], ids=["before-review", "since-review"])
async def test_a_review_that_warns_is_placed_by_order_anyway(
    open_page: OpenPage, webapp: WebAppBot, since: bool
) -> None:
    """The link's open order came before the review (it warns at once) or after it (Confirm
    stops, and the review comes back warning): either way ⚠️ Order anyway places it."""
    bot, page = await member_page(open_page, webapp)
    if not since:
        await open_order(bot, LINK)
    await fill_order(page)
    await page.click(MAIN)
    if since:
        await expect(page.locator(MAIN)).to_have_text("Confirm order")
        await open_order(bot, LINK)
        await page.click(MAIN)
        await expect(page.locator(".order-notice")).to_contain_text("Nothing was ordered")
    await order_anyway(page, ".order-result")
    assert bot.panel.count("add") == 1


async def test_a_bulk_review_that_warns_is_placed_by_order_anyway(
    open_page: OpenPage, webapp: WebAppBot
) -> None:
    bot, page = await member_page(open_page, webapp)
    await open_order(bot, "https://instagram.com/b1")
    await go(page, "bulk")
    await page.fill(".bulk-paste", "1 | https://instagram.com/b1 | 1000")
    await page.locator(".bulk-paste").dispatch_event("change")
    await expect(page.locator(".bulk-row .bulk-verdict")).to_contain_text("✓")
    await page.click(MAIN)
    await order_anyway(page, ".bulk-result")
    assert len(bot.panel.orders) == 2  # the seeded one and this
