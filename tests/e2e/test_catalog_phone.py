"""Issue 13 items 2, 11 and 12 (More, packages) end to end, in English and Turkish.

Comment Replies is ordered like the standard API v2 orders it; a type the bot cannot order has
no Order button, says why and never reaches the panel from a bulk list; every button of the
catalog and order-history journeys fits a phone (≤ 32 characters); a long description reads on
with 📖 More; packages show no "1–1".
"""

from __future__ import annotations

import html
import re
import secrets
from decimal import Decimal
from typing import Any

import pytest

from bot.i18n import Translator
from bot.panel.text import escaped
from bot.storage.models import OrderDraft
from tests.e2e.steps import labels
from tests.fakes.panel_catalog import comment_replies, default_services, make_services
from tests.fakes.telegram_models import BotMessage
from tests.fakes.telegram_users import FakeUser
from tests.harness import Harness

KEY = "pk_phone_0123456789abcdef"
UID = 4601
BUTTON_MAX = 32
LANGUAGES = ("en", "tr")

# A type no panel standard defines: the bot cannot know what its orders need.
UNKNOWN: dict[str, Any] = {
    "service": 31,
    "name": "Instagram Story Görüntülenme <Anket>",
    "type": "Story Poll Views",
    "category": "Instagram",
    "rate": "4.00",
    "min": 100,
    "max": 10000,
    "refill": False,
    "cancel": False,
}


def plain(text: str) -> str:
    """What the phone shows of an HTML text."""
    return html.unescape(re.sub(r"<[^>]*>", "", text))


def tr_of(bot: Harness, lang: str) -> Translator:
    return bot.deps.catalogs.translator(lang)


async def press_service(u: FakeUser, listing: BotMessage, service_id: int | None = None) -> None:
    """Open a service of a list by its button's data (the first one when `service_id` is None),
    whatever its label says."""
    for _, data in listing.buttons():
        if data.startswith("sv:") and service_id in (None, int(data.split(":")[1])):
            await u.press_data(data, listing)
            return
    raise AssertionError(f"no service {service_id} in {labels(listing)}")


async def member_offered_unknown(bot: Harness, lang: str) -> tuple[FakeUser, Translator]:
    """A member speaking `lang` of a panel that also offers UNKNOWN, a type the bot cannot
    order; with the words in that language."""
    bot.panel.set_services([*default_services(), UNKNOWN])
    u = await bot.member(UID, key=KEY, language_code=lang)
    return u, tr_of(bot, lang)


async def open_card(u: FakeUser, category: str, service_id: int) -> BotMessage:
    await u.send("/services")
    await u.reply()
    await u.press(f"{category} (")
    listing = await u.update()
    await press_service(u, listing, service_id)
    return await u.update()


# --- item 2: Comment Replies is ordered; unknown types are not ------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_comment_replies_are_ordered_with_username_and_comments(
    bot: Harness, lang: str
) -> None:
    bot.panel.set_services([*default_services(), comment_replies()])
    u = await bot.member(UID, key=KEY, language_code=lang)
    t = tr_of(bot, lang)
    card = await open_card(u, "Instagram", 10)
    assert t._("🛒 Order") in labels(card)
    assert "cannot order" not in (card.text or "")
    await u.press(t._("🛒 Order"), message=card)
    question = (await u.update()).text or ""
    # The service is Instagram's: its example (issue 21 item 16).
    assert t._("Send the link (e.g. {example}).", example="https://instagram.com/username") in (
        question
    )
    await u.send("instagram.com/p/abc")
    assert t._("Send the username of the comment's author.") in ((await u.reply()).text or "")
    await u.send("@ayse.k")
    prompt = (await u.reply()).text or ""
    assert "(2–500 " in prompt  # the service's own line range
    await u.send("Teşekkürler!\n\n Katılıyorum \n👍")
    assert "3" in ((await u.reply()).text or "")  # a list: counted until ✅ Done
    await u.send("/done")
    preview = await u.reply()
    text = preview.text or ""
    assert f"{t._('Username')}: ayse.k" in text
    assert f"{t._('Comments')}: {t.ngettext('{n} line', '{n} lines', 3, n=3)}" in text
    assert t._("Cost: <b>{cost}</b>", cost=t.money(Decimal("0.18"), "USD")) in text
    await u.press(t._("✅ Confirm"), message=preview)
    await u.update()  # "sending…"
    result = await u.update()
    assert t._("✅ Order placed: #{id}", id="<code>23501</code>") in (result.text or "")

    [sent] = [r.params for r in bot.panel.requests if r.action == "add"]
    assert (sent["service"], sent["link"], sent["username"]) == (
        "10",
        "https://instagram.com/p/abc",
        "ayse.k",
    )
    assert sent["comments"] == "Teşekkürler!\nKatılıyorum\n👍"
    assert sent["quantity"] == "3"
    placed = bot.panel.orders[23501]
    assert (placed.quantity, placed.charge) == (3, Decimal("0.18"))
    assert bot.telegram.bad_requests() == []


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_a_type_the_bot_cannot_order_has_no_order_button_and_says_why(
    bot: Harness, lang: str
) -> None:
    u, t = await member_offered_unknown(bot, lang)
    card = await open_card(u, "Instagram", 31)
    assert labels(card) == [t._("« Back")]
    why = t._(
        "I cannot order services of the type “{type}”, so this one has no Order button.",
        type=escaped("Story Poll Views"),
    )
    assert "⚠️ " + why in plain(card.text or "")
    # The search results lead to the same card.
    await u.send("/services story")
    found = await u.reply()
    await press_service(u, found, 31)
    assert labels(await u.update()) == [t._("« Back")]
    assert bot.telegram.bad_requests() == []


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_bulk_refuses_a_type_the_bot_cannot_order_line_by_line(
    bot: Harness, lang: str
) -> None:
    u, t = await member_offered_unknown(bot, lang)
    await u.send("/bulk")
    await u.reply()
    await u.send("31 | https://instagram.com/p/a | 100\n1 | https://instagram.com/p/b | 100")
    preview = await u.reply()
    reason = t._(
        "Service {id} has the type “{type}”, which I cannot order.",
        id=31,
        type=escaped("Story Poll Views"),
    )
    assert reason in plain(preview.text or "")
    confirm_label = t.ngettext("✅ Confirm {n} valid order", "✅ Confirm {n} valid orders", 1, n=1)
    assert confirm_label in labels(preview)
    await u.press(confirm_label, message=preview)
    result = await u.reply()
    assert "#23501" in plain(result.text or "")
    sent = [r.params for r in bot.panel.requests if r.action in {"add", "add_bulk"}]
    # The bot's add_bulk probe (an empty list, issue 20) carries no order.
    sent = [p for p in sent if str(p.get("orders", "")).strip() != "[]"]
    assert len(sent) == 1 and "31" not in repr(sent)  # the refused line never reached the panel
    assert [o.service for o in bot.panel.orders.values()] == [1]


# --- item 12: packages show no quantity range ----------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_package_card_shows_a_fixed_package_not_one_to_one(bot: Harness, lang: str) -> None:
    u = await bot.member(UID, key=KEY, language_code=lang)
    t = tr_of(bot, lang)
    card = plain((await open_card(u, "YouTube", 7)).text or "")
    assert "1–1" not in card
    assert t._("Quantity: fixed package") in card
    assert t._("Price: {rate} per package", rate=t.money(Decimal("150"), "USD")) in card
    # The order preview has no quantity either: one package is what is bought.
    await u.press(t._("🛒 Order"))
    await u.update()
    await u.send("https://youtube.com/c/chan")
    preview = plain((await u.reply()).text or "")
    assert "1–1" not in preview
    assert t._("Quantity: {quantity}", quantity=1) not in preview
    # Other services keep their range.
    other = plain((await open_card(u, "YouTube", 6)).text or "")
    assert t._("Quantity: {min}–{max}", min=t.number(500), max=t.number(1_000_000)) in other


# --- item 12: 📖 More shows the rest of a long description --------------------------------

WORDS = [f"<b>adım{i}</b> & hız{i % 7}" for i in range(400)]  # about 9,000 characters


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_more_pages_through_a_long_description_html_safe(bot: Harness, lang: str) -> None:
    description = " ".join(WORDS)
    services = default_services()
    services[0]["description"] = description
    bot.panel.set_services(services)
    u = await bot.member(UID, key=KEY, language_code=lang)
    t = tr_of(bot, lang)
    card = await open_card(u, "Instagram", 1)
    assert (card.text or "").count("<i>") == 1
    shown = [plain(card.text or "").split("\n\n", 1)[1].removesuffix("…")]
    assert 1000 < len(shown[0]) <= 1500
    assert t._("📖 More") in labels(card)
    card_text = card.text
    pages = [card_text or ""]  # texts: the fake edits the one message in place
    page = card
    while t._("📖 More") in labels(page):
        await u.press(t._("📖 More"), message=page)
        page = await u.update()
        assert page.message_id == card.message_id  # paging edits the card's message
        body = page.text or ""
        assert len(body) <= 4096
        assert "#1 Instagram Takipçi" in body
        italic = re.search(r"<i>(.*)</i>", body, re.S)
        assert italic is not None
        shown.append(plain(italic.group(1)))
        pages.append(body)
    total = len(pages)
    assert total >= 3
    for n, body in enumerate(pages[1:], start=2):
        heading = t._("📖 Description, part {n} of {total}", n=n, total=total)
        assert heading in plain(body)
    # Nothing lost, nothing doubled, every "<" and "&" shown as text.
    assert " ".join(shown).split() == description.split()
    # ‹ Prev goes back a part, « Back to the card with its Order button.
    await u.press(t._("‹ Prev"), message=page)
    prev = await u.update()
    heading = t._("📖 Description, part {n} of {total}", n=total - 1, total=total)
    assert heading in plain(prev.text or "")
    await u.press(t._("« Back"), message=prev)
    again = await u.update()
    assert again.text == card_text
    assert t._("🛒 Order") in labels(again)
    assert bot.telegram.bad_requests() == []


# --- item 11: every button of the catalog and order-history journeys fits a phone -----------


def _long_catalog() -> list[dict[str, Any]]:
    services = default_services()
    for item in services:
        item["name"] = f"{item['name']} [Gerçek Türk Kullanıcılar] Garantili Hızlı Başlangıç"
    services += [
        {
            "service": 987654,
            "name": "TikTok İzlenme " + "Süper " * 20,
            "type": "Default",
            "category": "TikTok Türk Gerçek Garantili Takipçi Servisleri",
            "rate": "123456.789",
            "min": 1000,
            "max": 100_000_000,
            "refill": True,
            "cancel": True,
            "description": "Uzun açıklama. " * 300,
        },
        {**comment_replies(), "name": "Instagram Yorum Yanıtı " + "Özel " * 10},
        {**UNKNOWN, "name": UNKNOWN["name"] + " " + "Uzun " * 10},
    ]
    services += [
        {**item, "service": 1000 + item["service"], "category": f"Kategori {item['category']}"}
        # Enough categories for a second page of them.
        for item in make_services(500)
    ]
    return services


STATUSES = ("Pending", "In progress", "Processing", "Completed", "Partial", "Canceled", "Refunded")


async def _place_orders(bot: Harness, n: int) -> None:
    repo = bot.deps.storage.orders
    for i in range(n):
        status = STATUSES[i % len(STATUSES)]
        quantity = (1000, 1_000_000, 50)[i % 3]
        link = f"https://instagram.com/p/{secrets.token_hex(3)}"
        panel_id = bot.panel.create_order(KEY, 1, link, quantity, status=status)
        draft = OrderDraft(
            service_id=1,
            service_name_text="Instagram Takipçi [Gerçek Türk Kullanıcılar] Garantili " * 2,
            service_type="Default",
            link=link,
            quantity=quantity,
            cost=Decimal("12.5"),
            currency_text="USD",
        )
        batch = secrets.token_hex(6)
        [order] = await repo.create_drafts(UID, batch, [draft])
        assert (await repo.claim(batch, UID)).won
        assert await repo.mark_placed(order.id, panel_id, status=status)


def _sent_labels(bot: Harness) -> list[str]:
    """Every button label in every message the bot sent or edited."""
    found = []
    for call in bot.telegram.calls:
        if call.method not in {"sendMessage", "editMessageText", "editMessageReplyMarkup"}:
            continue
        markup = call.params.get("reply_markup") or {}
        for row in markup.get("inline_keyboard") or []:
            found += [str(b.get("text", "")) for b in row]
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_every_catalog_and_order_history_button_fits_a_phone(bot: Harness, lang: str) -> None:
    bot.panel.set_services(_long_catalog())
    u = await bot.member(UID, key=KEY, language_code=lang, balance="100000000")
    t = tr_of(bot, lang)
    await _place_orders(bot, 20)

    # Catalog: every category of the first page, its pages, a card; the next categories page.
    await u.send("/services")
    cats = await u.reply()
    categories = [b for b in labels(cats) if re.search(r"\(\d[\d.,]*\)$", b)]
    assert len(categories) == 8
    for category in categories:
        await u.press(category, message=cats, exact=True)
        page = await u.update()
        if t._("Next ›") in labels(page):
            await u.press(t._("Next ›"), message=page)
            page = await u.update()
        await press_service(u, page)
        card = await u.update()
        if t._("📖 More") in labels(card):
            await u.press(t._("📖 More"), message=card)
            await u.update()
            await u.press(t._("« Back"))  # to the card
            await u.update()
        await u.press(t._("« Back"))
        await u.update()
        await u.press(t._("« Back"))
        cats = await u.update()
    await u.press(t._("Next ›"), message=cats)
    await u.update()

    # Search results, their pages and cards.
    for query in ("takipçi", "story", "tiktok süper"):
        await u.send(f"/services {query}")
        found = await u.reply()
        if t._("Next ›") in labels(found):
            await u.press(t._("Next ›"), message=found)
            found = await u.update()
        await press_service(u, found)
        await u.update()

    # Order history: each filter, the next page, a card and its cancel question.
    await u.send("/orders")
    listing = await u.reply()
    orders = [b for b, d in listing.buttons() if d.startswith("oc:")]
    assert len(orders) == 8
    for name in (t._("Open"), t._("Completed"), t._("All")):
        await u.press(name, message=listing)
        listing = await u.update()
    await u.press(t._("Next ›"), message=listing)
    listing = await u.update()
    for label, data in listing.buttons():
        if data.startswith("oc:"):
            await u.press(label, message=listing, exact=True)
            card = await u.update()
            if t._("🛑 Cancel order") in labels(card):
                await u.press(t._("🛑 Cancel order"), message=card)
                await u.update()
                break
            await u.press(t._("« Back"), message=card)
            listing = await u.update()
    await u.send("/orders")
    await u.reply()

    sent = _sent_labels(bot)
    assert len(sent) > 150
    too_long = sorted({label for label in sent if len(label) > BUTTON_MAX})
    assert too_long == []
    # The essential part comes first: a price on service buttons, a status icon on orders.
    services = [b for b in sent if re.search(r" #\d+$", b)]
    assert services and all(re.match(r"\d[\d.,]* · ", b) for b in services)
    assert t.money(Decimal("123456.789"), None) + " · " in " ".join(services)
    rows = [b for b in sent if re.match(r"\S+ #\d+ · ", b)]
    assert rows and all(" · " + t.number(q) + " · " in " ".join(rows) for q in (1000, 50))
    assert bot.telegram.bad_requests() == []


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_full_names_are_in_the_text_when_buttons_cut_them(bot: Harness, lang: str) -> None:
    bot.panel.set_services(_long_catalog())
    u = await bot.member(UID, key=KEY, language_code=lang)
    t = tr_of(bot, lang)
    await _place_orders(bot, 3)
    await u.send("/services tiktok süper")
    found = await u.reply()
    name = "TikTok İzlenme " + "Süper " * 20
    assert name.strip() in plain(found.text or "")
    [label] = [b for b in labels(found) if b.endswith(" #987654")]
    assert label.startswith(t.money(Decimal("123456.789"), None) + " · TikTok")
    assert "…" in label
    await u.send("/services")
    cats = plain((await u.reply()).text or "")
    assert "TikTok Türk Gerçek Garantili Takipçi Servisleri" in cats
    await u.send("/orders")
    listing = await u.reply()
    text = plain(listing.text or "")
    full = ("Instagram Takipçi [Gerçek Türk Kullanıcılar] Garantili " * 2).strip()
    assert text.count(full) == 3
    # The status, which the rows show only as an icon, is there in words.
    assert f"#23501 · {t._('Pending')} · {t.number(1000)} · {full}" in text
