"""Issue 13 items 15 (favourites, recent services) and 16 (sort, filters, categories in search
results, average time), end to end in English and Turkish.

Expected wording comes from the bot's own catalog for the user's language (`tr(...)`), so the
Turkish runs check the Turkish path; English literals pin the source texts. Services are found
by their buttons' data, not by their labels.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.callbacks.base import parse
from bot.callbacks.catalog import FROM_QUICK_PICKS, ServiceCard
from bot.callbacks.favourites import CatalogOption, ToggleFavourite
from bot.callbacks.new_order import OrderService
from bot.i18n import Translator
from bot.panel.text import escaped
from tests.e2e.steps import dialog, labels
from tests.fakes.panel_catalog import default_services
from tests.fakes.telegram_models import BotMessage
from tests.fakes.telegram_users import FakeUser
from tests.harness import Harness

KEY = "pk_favourites_0123456789abcdef"
UID = 4801

LANGUAGES = pytest.mark.parametrize("lang", ["en", "tr"])


def listed(msg: BotMessage) -> list[int]:
    """Service ids of the list's buttons (category pages, search results), in order."""
    return [
        d.service_id
        for _, data in msg.buttons()
        if isinstance(d := parse(data), ServiceCard) and d.category != FROM_QUICK_PICKS
    ]


def card_picks(msg: BotMessage) -> list[tuple[str, int]]:
    """The quick picks at the top of /services: (label, service id)."""
    return [
        (text, d.service_id)
        for text, data in msg.buttons()
        if isinstance(d := parse(data), ServiceCard) and d.category == FROM_QUICK_PICKS
    ]


def order_picks(msg: BotMessage) -> list[tuple[str, int]]:
    """The quick picks of /order's service question: (label, service id)."""
    return [
        (text, d.service_id)
        for text, data in msg.buttons()
        if isinstance(d := parse(data), OrderService)
    ]


def star_of(msg: BotMessage) -> tuple[str, ToggleFavourite]:
    found = [
        (text, d) for text, data in msg.buttons() if isinstance(d := parse(data), ToggleFavourite)
    ]
    assert len(found) == 1, labels(msg)
    return found[0]


def option_data(msg: BotMessage, option: str) -> str:
    for _, data in msg.buttons():
        pressed = parse(data)
        if isinstance(pressed, CatalogOption) and pressed.option == option:
            return data
    raise AssertionError(f"no {option!r} toggle: {labels(msg)}")


def translator(bot: Harness, lang: str) -> Translator:
    return bot.deps.catalogs.translator(lang)


async def open_card(u: FakeUser, on: BotMessage, service_id: int) -> BotMessage:
    for _, data in on.buttons():
        pressed = parse(data)
        if isinstance(pressed, ServiceCard) and pressed.service_id == service_id:
            await u.press_data(data, on)
            return await u.update()
    raise AssertionError(f"no card button for #{service_id}: {labels(on)}")


async def category(u: FakeUser, name: str) -> BotMessage:
    await u.send("/services")
    cats = await u.reply()
    await u.press(f"{name} (", message=cats)
    return await u.update()


async def place(u: FakeUser, service_id: int, *answers: str) -> None:
    msg = await dialog(u, service_id, *answers)
    done = [data for text, data in msg.buttons() if text.startswith("✅ ") and "(" in text]
    if done:  # a list answer is collected until ✅ Done (N)
        await u.press_data(done[0], msg)
        msg = await u.update()
    confirm = next(data for text, data in msg.buttons() if "✅" in text)
    await u.press_data(confirm, msg)
    await u.update()  # "sending…"
    await u.update()  # the result


# --- favourites ---------------------------------------------------------------------------------


@LANGUAGES
async def test_star_puts_a_service_on_top_of_services_and_order_and_unstar_removes_it(
    bot: Harness, lang: str
) -> None:
    t = translator(bot, lang)
    u = await bot.member(UID, key=KEY, language_code=lang)
    youtube = await category(u, "YouTube")
    card = await open_card(u, youtube, 6)
    label, star = star_of(card)
    assert label == t._("☆ Add to favourites") and star.on
    qid = await u.press(label, message=card)
    toast = await u.answer(qid)
    assert toast.params.get("text") == t._(
        "Added to favourites: it is at the top of /order and /services."
    )
    card = await u.update()
    label, star = star_of(card)
    assert label == t._("★ Remove favourite") and not star.on
    assert await bot.deps.storage.favourites.ids(UID) == [6]

    await u.send("/services")
    cats = await u.reply()
    assert card_picks(cats) == [("★ #6 YouTube İzlenme", 6)]
    assert labels(cats)[0] == "★ #6 YouTube İzlenme"  # at the top, above the categories
    pick_card = await open_card(u, cats, 6)
    assert "<b>#6 YouTube İzlenme</b>" in (pick_card.text or "")
    await u.press(t._("« Back"), message=pick_card)
    back = await u.update()
    assert card_picks(back) == [("★ #6 YouTube İzlenme", 6)]  # back to the categories

    await u.send("/order")
    question = await u.reply()
    assert order_picks(question) == [("★ #6 YouTube İzlenme", 6)]
    assert t._("Or tap one of your ★ favourites or 🕘 recent services below.") in (
        question.text or ""
    )
    await u.press("★ #6", message=question)
    asked = await u.update()
    assert t._("🛒 Ordering <b>#{id} {name}</b>", id=6, name=escaped("YouTube İzlenme")) in (
        asked.text or ""
    )
    await u.send("/cancel")
    await u.reply()

    # ★ again takes it off: gone from both lists.
    card = await open_card(u, await category(u, "YouTube"), 6)
    qid = await u.press(t._("★ Remove favourite"), message=card)
    assert (await u.answer(qid)).params.get("text") == t._("Removed from favourites.")
    assert star_of(await u.update())[0] == t._("☆ Add to favourites")
    await u.send("/services")
    assert card_picks(await u.reply()) == []
    await u.send("/order")
    assert order_picks(await u.reply()) == []
    assert bot.telegram.bad_requests() == []


async def test_english_wording_of_the_star_and_the_picks(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    card = await open_card(u, await category(u, "Instagram"), 1)
    assert "☆ Add to favourites" in labels(card)
    await u.press("Add to favourites", message=card)
    assert "★ Remove favourite" in labels(await u.update())
    await u.send("/order")
    question = (await u.reply()).text or ""
    assert "Or tap one of your ★ favourites or 🕘 recent services below." in question


async def test_a_double_tapped_star_stars_once(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    card = await open_card(u, await category(u, "Instagram"), 1)
    _, star = star_of(card)
    await u.answer(await u.press_data(star.pack(), card))
    # The same ☆ again, from the old keyboard: still one favourite, not taken off.
    await u.answer(await u.press_data(star.pack(), card))
    assert await bot.deps.storage.favourites.ids(UID) == [1]


async def test_favourites_are_capped_and_gone_ones_make_room(bot: Harness) -> None:
    bot.panel.set_services(bot.panel.make_services(30))
    u = await bot.member(UID, key=KEY)
    await u.send("/services")
    cats = await u.reply()
    for sid in range(1, 11):
        await u.press_data(ToggleFavourite(sid, -1, 0, on=True).pack(), cats)
        await u.update()
    assert len(await bot.deps.storage.favourites.ids(UID)) == 10
    qid = await u.press_data(ToggleFavourite(11, -1, 0, on=True).pack(), cats)
    refused = await u.answer(qid)
    assert refused.params.get("text") == (
        "You have 10 favourites, the most there can be. Remove one first."
    )
    assert refused.params.get("show_alert") is True
    assert 11 not in await bot.deps.storage.favourites.ids(UID)

    # The panel drops #3: the list shows it as unavailable, and it makes room for #11.
    bot.panel.set_services([s for s in bot.panel.make_services(30) if s["service"] != 3])
    await u.send("/services")  # cached catalog: still lists #3
    await u.reply()
    await bot.deps.catalog.get(UID, force=True)
    await u.send("/services")
    cats = await u.reply()
    assert [sid for _, sid in card_picks(cats)] == [10, 9, 8, 7, 6, 5, 4, 2, 1]
    assert "★ Not offered by the panel now: #3" in (cats.text or "")
    await u.send("/order")
    question = await u.reply()
    assert 3 not in [sid for _, sid in order_picks(question)]
    assert "★ Not offered by the panel now: #3" in (question.text or "")
    await u.press_data(ToggleFavourite(11, -1, 0, on=True).pack(), cats)
    await u.update()
    assert sorted(await bot.deps.storage.favourites.ids(UID)) == [1, 2, 4, 5, 6, 7, 8, 9, 10, 11]


# --- recent services ------------------------------------------------------------------------------


@LANGUAGES
async def test_the_last_services_ordered_are_offered_newest_first(bot: Harness, lang: str) -> None:
    u = await bot.member(UID, key=KEY, balance="10000", language_code=lang)
    await u.send("/order")
    assert order_picks(await u.reply()) == []  # nothing ordered yet
    await u.send("/cancel")
    await u.reply()
    await place(u, 1, "https://instagram.com/a", "100")
    await place(u, 6, "https://youtube.com/watch?v=a", "500")
    await place(u, 9, "https://t.me/a", "100")
    await place(u, 1, "https://instagram.com/b", "200")  # #1 again: it moves to the front
    await place(u, 3, "https://instagram.com/c", "a\nb\nc\nd\ne")
    await place(u, 8, "https://t.me/a/1", "100", "2")

    await u.send("/order")
    question = await u.reply()
    # The last 5 different services, newest first: #8, #3, #1, #9, #6 (not the older #1).
    assert [sid for _, sid in order_picks(question)] == [8, 3, 1, 9, 6]
    assert all(label.startswith("🕘 #") for label, _ in order_picks(question))
    await u.press("🕘 #9", message=question)
    asked = await u.update()
    assert "#9 Telegram Kanal Üye" in (asked.text or "")
    await u.send("/cancel")
    await u.reply()

    await u.send("/services")
    cats = await u.reply()
    assert [sid for _, sid in card_picks(cats)] == [8, 3, 1, 9, 6]

    # A favourite is shown once, as a favourite, above the recent ones.
    card = await open_card(u, cats, 9)
    await u.press(translator(bot, lang)._("☆ Add to favourites"), message=card)
    await u.update()
    await u.send("/services")
    assert card_picks(await u.reply()) == [
        ("★ #9 Telegram Kanal Üye", 9),
        ("🕘 #8 Telegram Anket Oyu", 8),
        ("🕘 #3 Instagram Özel Yorum", 3),
        ("🕘 #1 Instagram Takipçi", 1),
        ("🕘 #6 YouTube İzlenme", 6),
    ]
    assert bot.telegram.bad_requests() == []


async def test_previews_never_confirmed_are_not_recent(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    preview = await dialog(u, 1, "https://instagram.com/a", "100")
    assert "Confirm" in " ".join(labels(preview))
    await u.send("/order")
    assert order_picks(await u.reply()) == []
    # Its Confirm makes it a service used.
    await u.press("Confirm", message=preview)
    await u.update()  # "sending…"
    await u.update()  # the result
    await u.send("/order")
    assert order_picks(await u.reply()) == [("🕘 #1 Instagram Takipçi", 1)]


# --- sort and filters ---------------------------------------------------------------------------

INSTAGRAM_BY_PRICE = [2, 5, 4, 1, 3]  # 3.20, 5.00, 8.00, 12.50, 45.00


@LANGUAGES
async def test_sort_by_price_cycles_up_down_and_back_in_a_category(bot: Harness, lang: str) -> None:
    t = translator(bot, lang)
    u = await bot.member(UID, key=KEY, language_code=lang)
    page = await category(u, "Instagram")
    assert listed(page) == [1, 2, 3, 4, 5]
    assert t._("⇅ Sort by price") in labels(page)
    await u.press_data(option_data(page, "s"), page)
    up = await u.update()
    assert listed(up) == INSTAGRAM_BY_PRICE
    assert t._("✅ Price: low → high") in labels(up)
    assert "⚙️ " + t._("cheapest first") in (up.text or "")

    # A card's « Back returns to the sorted list.
    card = await open_card(u, up, 4)
    await u.press(t._("« Back"), message=card)
    assert listed(await u.update()) == INSTAGRAM_BY_PRICE

    await u.press_data(option_data(up, "s"), up)
    down = await u.update()
    assert listed(down) == INSTAGRAM_BY_PRICE[::-1]
    assert t._("✅ Price: high → low") in labels(down)
    assert "⚙️ " + t._("most expensive first") in (down.text or "")
    # The sort is the user's: another category opens sorted too.
    telegram = await category(u, "Telegram")
    assert listed(telegram) == [8, 9]  # 1.10, 0.95

    await u.press_data(option_data(down, "s"), down)
    plain = await u.update()
    assert listed(plain) == [1, 2, 3, 4, 5]
    assert "⚙️" not in (plain.text or "")
    assert bot.telegram.bad_requests() == []


@LANGUAGES
async def test_sort_by_price_in_search_results_across_pages(bot: Harness, lang: str) -> None:
    bot.panel.set_services(bot.panel.make_services(300))
    u = await bot.member(UID, key=KEY, language_code=lang)
    await u.send("/services takipçi")
    found = await u.reply()
    await u.press_data(option_data(found, "s"), found)
    first = await u.update()
    ids = listed(first)
    await u.press("›", message=first)
    second = await u.update()
    ids += listed(second)
    rates = {s["service"]: s["rate"] for s in bot.panel.make_services(300)}

    prices = [Decimal(str(rates[sid])) for sid in ids]
    assert len(ids) == 16 and prices == sorted(prices)
    # The cheapest of every match comes first, not the cheapest of the first ones listed.
    matching = [s for s in bot.panel.make_services(300) if "Takipçi" in s["name"]]
    assert prices[0] == min(Decimal(s["rate"]) for s in matching)


@LANGUAGES
async def test_refill_only_and_cancel_only_filters(bot: Harness, lang: str) -> None:
    t = translator(bot, lang)
    u = await bot.member(UID, key=KEY, language_code=lang)
    page = await category(u, "Instagram")
    assert t._("Refill only") in labels(page) and t._("Cancel only") in labels(page)
    await u.press_data(option_data(page, "r"), page)
    refill = await u.update()
    assert listed(refill) == [1]  # the only Instagram service with refill
    assert "✅ " + t._("Refill only") in labels(refill)
    note = t._("{shown} of {total} shown", shown="1", total="5")
    assert f"⚙️ {t._('refill only')} — {note}" in (refill.text or "")

    await u.press_data(option_data(refill, "r"), refill)
    off = await u.update()
    assert listed(off) == [1, 2, 3, 4, 5]
    await u.press_data(option_data(off, "c"), off)
    cancel = await u.update()
    assert listed(cancel) == [1, 2, 5]
    # Both: refill and cancel.
    await u.press_data(option_data(cancel, "r"), cancel)
    both = await u.update()
    assert listed(both) == [1]
    # In search results too.
    await u.send("/services instagram")
    assert listed(await u.reply()) == [1]
    # A category with no match says so and keeps the toggles to turn the filter off.
    youtube = await category(u, "YouTube")
    assert listed(youtube) == []
    assert t._("No service here matches the filters.") in (youtube.text or "")
    await u.press_data(option_data(youtube, "c"), youtube)
    assert listed(await u.update()) == [6]  # refill only again
    assert bot.telegram.bad_requests() == []


async def test_a_toggle_of_an_old_catalog_shows_the_current_categories(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    page = await category(u, "Instagram")
    bot.panel.set_services([s for s in default_services() if s["service"] != 2])
    await bot.deps.catalog.get(UID, force=True)
    qid = await u.press_data(option_data(page, "s"), page)
    assert "catalog has changed" in str((await u.answer(qid)).params.get("text"))
    assert "Instagram (4)" in labels(await u.update())


# --- search results name the category -------------------------------------------------------------


@LANGUAGES
async def test_search_results_show_each_service_with_its_category(bot: Harness, lang: str) -> None:
    u = await bot.member(UID, key=KEY, language_code=lang)
    await u.send("/services anket")
    text = (await u.reply()).text or ""
    assert "#8 Telegram Anket Oyu — 📂 <i>Telegram</i>" in text
    await u.send("/services beğeni")
    text = (await u.reply()).text or ""
    assert "#2 Instagram Beğeni [Hızlı] — 📂 <i>Instagram</i>" in text
    assert "#5 Instagram Otomatik Beğeni (Abonelik) — 📂 <i>Instagram</i>" in text


# --- average time ---------------------------------------------------------------------------------


@LANGUAGES
async def test_card_shows_the_average_time_the_panel_sends(bot: Harness, lang: str) -> None:
    t = translator(bot, lang)
    u = await bot.member(UID, key=KEY, language_code=lang)
    # The panel says "1 hours 14 minutes".
    words = (await open_card(u, await category(u, "Instagram"), 2)).text or ""
    hour = t.ngettext("{n} hour", "{n} hours", 1)
    assert (
        t._("Average time: {time}", time=f"{hour} {t.ngettext('{n} minute', '{n} minutes', 14)}")
        in words
    )
    none = (await open_card(u, await category(u, "Instagram"), 1)).text or ""
    assert t._("Average time: {time}", time="X").split("X")[0] not in none

    youtube = await category(u, "YouTube")
    number = (await open_card(u, youtube, 6)).text or ""  # 90: minutes
    assert (
        t._("Average time: {time}", time=f"{hour} {t.ngettext('{n} minute', '{n} minutes', 30)}")
        in number
    )

    telegram = await category(u, "Telegram")
    unread = (await open_card(u, telegram, 8)).text or ""
    assert t._("Average time (the panel's words): {text}", text="Not enough data") in unread
    assert bot.telegram.bad_requests() == []


async def test_average_time_english_wording(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    card = (await open_card(u, await category(u, "Instagram"), 2)).text or ""
    assert "Average time: 1 hour 14 minutes" in card
    card = (await open_card(u, await category(u, "YouTube"), 6)).text or ""
    assert "Average time: 1 hour 30 minutes" in card
    card = (await open_card(u, await category(u, "Telegram"), 8)).text or ""
    assert "Average time (the panel's words): Not enough data" in card
