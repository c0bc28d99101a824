"""/services through the real Application: categories, paging, cards, search, refresh, staleness."""

from __future__ import annotations

import re

import pytest

from bot.callbacks.base import decode, encode
from bot.callbacks.catalog import CategoryPage, SearchPage, ServiceCard
from bot.callbacks.new_order import OrderService
from bot.panel.models import Service
from bot.services.catalog_index import CatalogIndex
from tests.e2e.steps import catalog_row, data_of, labels, menu_screen, press_through, screen
from tests.fakes.panel import Fault
from tests.fakes.panel_catalog import default_services
from tests.fakes.telegram_models import BotMessage
from tests.harness import Harness

KEY = "pk_catalog_0123456789abcdef"
UID = 4101


def service_buttons(msg: BotMessage) -> list[str]:
    """The service buttons of a list: "12.50 · Instagram Takipçi #1"."""
    return [b for b in labels(msg) if re.search(r" #\d+$", b)]


async def test_browse_category_service_card_and_back_at_every_level(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await u.send("/services")
    cats = await u.reply()
    text = cats.text or ""
    assert "9 services in 3 categories" in text
    assert labels(cats)[:3] == ["Instagram (5)", "YouTube (2)", "Telegram (2)"]
    assert any("Refresh" in b for b in labels(cats))

    await u.press("Instagram (5)")
    services = await u.update()
    assert services.message_id == cats.message_id  # navigation edits, never sends
    assert "<b>Instagram</b>" in (services.text or "")
    # The category every name there repeats is left out: the words that differ get the room.
    assert "12.50 · Takipçi #1" in labels(services)
    assert not any("Instagram" in b for b in service_buttons(services))
    assert len(service_buttons(services)) == 5

    await u.press("· Takipçi #1")
    card = await u.update()
    body = card.text or ""
    assert card.message_id == cats.message_id
    assert "<b>#1 Instagram Takipçi</b>" in body
    assert "Type: Default" in body
    assert "Rate: $12.50 per 1000" in body  # currency from the account's balance
    assert "Quantity: 100–10,000" in body
    assert "Refill: yes · Cancel: yes" in body
    assert "Drip-feed" not in body  # the panel did not say
    assert decode(data_of(card, "Order")) is not None
    assert decode(data_of(card, "Order")).action is OrderService.action  # type: ignore[union-attr]

    await u.press("Back", message=card)
    back = await u.update()
    assert "12.50 · Takipçi #1" in labels(back)
    await u.press("Back", message=back)
    again = await u.update()
    assert "Instagram (5)" in labels(again)
    await u.press("Menu", message=again)
    menu = await u.update()
    assert any("New order" in b for b in labels(menu))
    assert bot.panel.count("services") == 1  # one fetch for the whole walk
    assert bot.telegram.bad_requests() == []


async def test_card_shows_dripfeed_description_and_escapes(bot: Harness) -> None:
    services = default_services()
    services.append(
        catalog_row(77, "<b>Bold</b> & Co", type="Package", category="Misc <x>", rate="150.00",
                    min=1, max=1, refill=False, cancel=False)
    )  # fmt: skip
    bot.panel.set_services(services)
    u = await bot.member(UID, key=KEY)
    card = (await screen(u, "/services", "Instagram (5)", " #2")).text or ""
    assert "Drip-feed: yes" in card
    assert "Refill: no · Cancel: yes" in card
    assert "<i>Drip-feed destekli." in card
    await press_through(u, "Back", "Back", "Misc <x>")
    card = (await press_through(u, "#77")).text or ""
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in card
    assert "Price: $150.00 per package" in card
    assert bot.telegram.bad_requests() == []


async def test_paging_prev_next_shows_x_of_y(bot: Harness) -> None:
    bot.panel.set_services(bot.panel.make_services(500))  # 10 categories of 50
    u = await bot.member(UID, key=KEY)
    await u.send("/services")
    first = await u.reply()
    assert "1/2" in labels(first)
    assert not any("Prev" in b for b in labels(first))
    assert len([b for b in labels(first) if b.endswith("(50)")]) == 8
    await u.press("Next")
    second = await u.update()
    assert "2/2" in labels(second)
    assert len([b for b in labels(second) if b.endswith("(50)")]) == 2
    assert not any("Next" in b for b in labels(second))
    await u.press("Prev")
    first_again = await u.update()
    assert "1/2" in labels(first_again)

    await u.press("(50)", message=first_again)
    cat = await u.update()
    assert "1/7" in labels(cat)
    await u.press("Next", message=cat)
    cat2 = await u.update()
    assert "2/7" in labels(cat2)
    page2_ids = service_buttons(cat2)
    assert len(page2_ids) == 8
    # The card's Back returns to the page the service was on.
    await u.press(page2_ids[0], message=cat2)
    await u.update()
    await u.press("Back")
    back = await u.update()
    assert "2/7" in labels(back)
    await u.press("Back", message=back)
    cats = await u.update()
    assert "1/2" in labels(cats)
    assert bot.telegram.bad_requests() == []


async def test_search_is_case_and_turkish_insensitive(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    for query in ("İnstagram", "instagram", "INSTAGRAM"):
        await u.send(f"/services {query}")
        found = await u.reply()
        assert f"5 services found for “{query}”" in (found.text or ""), found.text
        assert len(service_buttons(found)) == 5
    await u.send("/services takipçi")
    found = await u.reply()
    assert "12.50 · Instagram Takipçi #1" in labels(found)
    await u.send("/services TAKIPCI")
    assert "12.50 · Instagram Takipçi #1" in labels(await u.reply())
    await u.send("/services youtube paket")
    only = await u.reply()
    assert service_buttons(only) == ["150.00 · YouTube Abone Paket… #7"]
    await u.send("/services <nothing here>")
    none = await u.reply()
    assert "Nothing found for “&lt;nothing here&gt;”" in (none.text or "")
    assert bot.panel.count("services") == 1
    assert bot.telegram.bad_requests() == []


async def test_a_search_runs_in_the_loops_slices_not_in_one_go(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19 item 5: on a 19 MB catalog a query that matches little looks at every service
    (15-20 ms of CPU), so /services <words> and words typed at /order's question search in the
    loop's slices (`CatalogIndex.search_sliced`), as a search over several panels does."""

    def in_one_go(*args: object, **kwargs: object) -> list[Service]:
        raise AssertionError("a search that holds the event loop until it is done")

    monkeypatch.setattr(CatalogIndex, "search", in_one_go)
    u = await bot.member(UID, key=KEY)
    await u.send("/services takipçi")
    found = await u.reply()
    assert "12.50 · Instagram Takipçi #1" in labels(found), found.text
    await u.send("/order")
    await u.reply()
    await u.send("youtube")
    typed = await u.reply()
    assert "2.75 · YouTube İzlenme #6" in labels(typed), typed.text
    assert bot.telegram.bad_requests() == []


async def test_search_results_are_paged_and_open_cards(bot: Harness) -> None:
    bot.panel.set_services(bot.panel.make_services(500))
    u = await bot.member(UID, key=KEY)
    await u.send("/services takipçi gerçek")
    found = await u.reply()
    assert "1/" in " ".join(labels(found))
    await u.press("Next")
    page2 = await u.update()
    assert any(b.startswith("2/") for b in labels(page2))
    first = service_buttons(page2)[0]
    await u.press(first, message=page2)
    card = await u.update()
    assert "Takipçi" in (card.text or "")
    await u.press("Back", message=card)
    back = await u.update()
    assert any(b.startswith("2/") for b in labels(back))
    assert bot.telegram.bad_requests() == []


async def test_menu_button_opens_categories(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    cats = await menu_screen(u, "/start", "Services")
    assert "Instagram (5)" in labels(cats)


async def test_refresh_refetches_and_stale_category_button_is_refused(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await u.send("/services")
    old = await u.reply()
    stale_youtube = data_of(old, "YouTube")
    assert bot.panel.count("services") == 1
    await u.send("/services")
    await u.reply()
    assert bot.panel.count("services") == 1  # cached

    # The panel drops Instagram: positions shift, YouTube is now category 0.
    bot.panel.set_services([s for s in default_services() if s["category"] != "Instagram"])
    await u.press("Refresh")
    fresh = await u.update()
    assert bot.panel.count("services") == 2
    assert labels(fresh)[:2] == ["YouTube (2)", "Telegram (2)"]

    qid = await u.press_data(stale_youtube, old)
    answer = await u.answer(qid)
    assert "catalog has changed" in str(answer.params.get("text"))
    shown = await u.update()
    assert labels(shown)[:2] == ["YouTube (2)", "Telegram (2)"]
    assert bot.panel.count("services") == 2


async def test_forged_and_out_of_range_buttons_expire(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await u.send("/services")
    cats = await u.reply()
    version = decode(data_of(cats, "Instagram")).text(2)  # type: ignore[union-attr]
    qid = await u.press_data(encode(CategoryPage.action, 99, 0, version), cats)
    assert "expired" in str((await u.answer(qid)).params.get("text"))
    qid = await u.press_data("cs:x:0:abc", cats)
    assert "expired" in str((await u.answer(qid)).params.get("text"))
    qid = await u.press_data(encode(ServiceCard.action, 4242, 0, 0), cats)
    assert "no longer offered" in str((await u.answer(qid)).params.get("text"))
    # A search page button whose query is unknown (fresh user_data) expires too.
    other = await bot.member(UID + 1, key=KEY)
    await other.send("/start")
    start = await other.reply()
    qid = await other.press_data(encode(SearchPage.action, 1), start)
    assert "expired" in str((await other.answer(qid)).params.get("text"))
    assert bot.telegram.bad_requests() == []


async def test_without_key_explains_setkey(bot: Harness) -> None:
    u = await bot.member(UID)
    await u.send("/services")
    assert "/setkey" in ((await u.reply()).text or "")
    await u.send("/services instagram")
    assert "/setkey" in ((await u.reply()).text or "")
    assert bot.panel.count() == 0


async def test_panel_down_is_explained(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    bot.panel.inject(Fault.http_500(), action="services", times=None)
    await u.send("/services")
    assert "not answering" in ((await u.reply()).text or "")


async def test_services_with_an_id_opens_that_services_card_at_once(bot: Harness) -> None:
    """Issue 21 item 7: /services 101 is the card of service 101 when it exists; « Back leads
    to the results of the search for "101"; an id the panel does not have is searched."""
    u = await bot.member(UID, key=KEY)
    await u.send("/services 6")
    card = await u.reply()
    text = card.text or ""
    assert "YouTube İzlenme" in text and "found for" not in text, text
    assert "🛒 Order" in labels(card) and "☆" in " ".join(labels(card))
    await u.press("« Back", message=card)
    back = await u.update()
    assert "found for “6”" in (back.text or ""), back.text
    await u.send("/services 999")
    assert "Nothing found for “999”" in ((await u.reply()).text or "")
