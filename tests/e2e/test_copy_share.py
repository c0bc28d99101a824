"""Copy and share (issue 21 item 18), end to end over real PTB and the fake Bot API: order and
refill ids are tap-to-copy (`<code>`), cards carry a 📋 Copy link button, a completion push
offers 🔁 Reorder (and ♻️ Refill when the order may be refilled), and /orders <id or piece of a
link> searches the user's orders."""

from __future__ import annotations

import pytest

from bot.callbacks.base import encode
from bot.callbacks.new_order import Reorder
from bot.callbacks.notifications import MuteOrder, OpenCard
from bot.callbacks.order_history import RefillOrder
from bot.panel.text import escaped
from tests.e2e.steps import ORDERS_KEY_A as KEY_A
from tests.e2e.steps import ORDERS_KEY_B as KEY_B
from tests.e2e.steps import ORDERS_USER_A as USER_A
from tests.e2e.steps import ORDERS_USER_B as USER_B
from tests.e2e.steps import drain, labels, place, poll
from tests.fakes.telegram_models import BotMessage
from tests.harness import Harness

LANGS = ["en", "tr"]
# Telegram copies at most this many characters with a copy-text button.
COPY_TEXT_MAX = 256


def code_spans(msg: BotMessage) -> list[str]:
    """The text of each tap-to-copy span Telegram would show in the message."""
    text = msg.plain_text or ""
    spans = []
    for entity in msg.entities:
        if entity["type"] == "code":
            # Offsets count UTF-16 units, as Telegram does.
            units = text.encode("utf-16-le")
            start, length = 2 * entity["offset"], 2 * entity["length"]
            spans.append(units[start : start + length].decode("utf-16-le"))
    return spans


def copy_texts(msg: BotMessage) -> dict[str, str]:
    """Label → copied text of each copy-text button under the message."""
    return {
        str(b["text"]): str(b["copy_text"]["text"])
        for b in msg.inline_buttons()
        if isinstance(b.get("copy_text"), dict)
    }


# --- tap-to-copy ids and the card's Copy link -------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
async def test_list_and_card_ids_are_tap_to_copy_and_the_card_copies_the_link(
    bot: Harness, lang: str
) -> None:
    t = bot.deps.catalogs.translator(lang)
    u = await bot.member(USER_A, key=KEY_A, language_code=lang)
    await u.send("/start")
    await u.reply()
    order = await place(bot, USER_A, KEY_A, link="https://instagram.com/p/Share_Me")
    pid = str(order.panel_order_id)

    await u.send("/orders")
    listing = await u.reply()
    assert f"<b>#<code>{pid}</code></b>" in (listing.text or "")
    assert pid in code_spans(listing)
    # Buttons are plain text: the id stays bare there.
    assert any(label.startswith(f"⏳ #{pid} ") for label in labels(listing))

    await u.press(f"#{pid}", message=listing)
    card = await u.update()
    assert t._("<b>Order #{id}</b>", id=f"<code>{pid}</code>") in (card.text or "")
    assert pid in code_spans(card)
    assert copy_texts(card) == {t._("📋 Copy link"): "https://instagram.com/p/Share_Me"}
    assert bot.telegram.bad_requests() == []


async def test_a_link_telegram_cannot_copy_gets_no_copy_button(bot: Harness) -> None:
    u = await bot.member(USER_A, key=KEY_A)
    fits = "https://x.test/" + "a" * (COPY_TEXT_MAX - len("https://x.test/"))
    too_long = fits + "b"
    short = await place(bot, USER_A, KEY_A, link=fits)
    long = await place(bot, USER_A, KEY_A, link=too_long)

    await u.send("/orders")
    listing = await u.reply()
    await u.press(f"#{short.panel_order_id}", message=listing)
    card = await u.update()
    assert copy_texts(card) == {"📋 Copy link": fits}

    await u.press("Back", message=card)
    listing = await u.update()
    await u.press(f"#{long.panel_order_id}", message=listing)
    card = await u.update()
    assert copy_texts(card) == {}
    assert "Reorder" in " ".join(labels(card))  # the rest of the card is there
    assert bot.telegram.bad_requests() == []


async def test_refill_ids_are_tap_to_copy(bot: Harness) -> None:
    u = await bot.member(USER_A, key=KEY_A)
    order = await place(bot, USER_A, KEY_A, status="Completed")
    pid = str(order.panel_order_id)

    await u.send(f"/refill {pid}")
    answer = await u.reply()
    refill_id = answer.text and answer.text.split("refill #<code>", 1)[1].split("</code>", 1)[0]
    assert refill_id and refill_id.isdigit()
    assert f"#<code>{pid}</code> — refill requested (refill #<code>{refill_id}</code>)" in (
        answer.text or ""
    )
    assert {pid, refill_id} <= set(code_spans(answer))

    await u.send(f"/status {pid}")
    status = await u.reply()
    assert f"#<code>{pid}</code>" in (status.text or "")
    assert bot.telegram.bad_requests() == []


# --- a completion push offers Reorder and Refill ------------------------------------------------


async def _completed_push(bot: Harness, user_id: int, key: str, service: int) -> BotMessage:
    u = bot.user(user_id)
    order = await place(bot, user_id, key, service=service)
    assert order.panel_order_id is not None
    bot.panel.set_order(order.panel_order_id, status="Completed", remains=0)
    await poll(bot)
    await drain(bot)
    push = await u.reply()
    assert f"<b>#<code>{order.panel_order_id}</code></b>" in (push.text or "")
    assert str(order.panel_order_id) in code_spans(push)
    return push


@pytest.mark.parametrize("lang", LANGS)
async def test_a_completion_push_offers_reorder_and_refill(bot: Harness, lang: str) -> None:
    t = bot.deps.catalogs.translator(lang)
    u = await bot.member(USER_A, key=KEY_A, language_code=lang)
    await u.send("/start")  # the bot learns the user's language
    await u.reply()
    push = await _completed_push(bot, USER_A, KEY_A, service=1)  # service 1 offers refills
    [order] = await bot.deps.storage.orders.list_for_user(USER_A)
    assert push.buttons() == [
        (t._("📄 Open order"), encode(OpenCard.action, order.id)),
        (t._("🔕 Mute"), encode(MuteOrder.action, order.id, 1, 0)),
        # The card's own Reorder and Refill buttons, addressing the order by its local id.
        (t._("🔁 Reorder"), Reorder(order.id).pack()),
        (t._("♻️ Refill"), RefillOrder(order.id).pack()),
    ]

    # ♻️ Refill asks the panel for this order's refill, as the card's button does.
    u = bot.user(USER_A)
    bot.panel.clear_log()
    await u.press(t._("♻️ Refill"), message=push)
    result = await u.update()
    assert bot.panel.count("refill") == 1
    assert "refill #<code>" in (result.text or "") or "#<code>" in (result.text or "")
    assert bot.telegram.bad_requests() == []


async def test_a_completion_push_without_refills_offers_reorder_only(bot: Harness) -> None:
    u = await bot.member(USER_B, key=KEY_B)
    push = await _completed_push(bot, USER_B, KEY_B, service=2)  # service 2: no refills
    assert "🔁 Reorder" in labels(push) and "♻️ Refill" not in labels(push)

    [order] = await bot.deps.storage.orders.list_for_user(USER_B)
    bot.panel.clear_log()
    await u.press("🔁 Reorder", message=push)
    preview = await u.update()
    # The order's preview (same service and link), to confirm: nothing is placed yet.
    assert order.service_name_text in (preview.text or "") and (order.link or "") in (
        preview.text or ""
    )
    assert any("Confirm" in label for label in labels(preview))
    assert bot.panel.count("add") == 0
    assert bot.telegram.bad_requests() == []


# --- /orders <id or piece of a link> ----------------------------------------------------------


async def test_orders_search_by_id_and_by_a_piece_of_the_link(bot: Harness) -> None:
    u = await bot.member(USER_A, key=KEY_A)
    orders = [
        await place(bot, USER_A, KEY_A, link=f"https://instagram.com/p/post_{i:02d}")
        for i in range(20)
    ]
    special = await place(bot, USER_A, KEY_A, link="https://TikTok.com/@Shop%Sale")
    # Another user's order with the same piece of a link is never found.
    await bot.member(USER_B, key=KEY_B)
    await place(bot, USER_B, KEY_B, link="https://tiktok.com/@shop%sale")

    target = orders[7]
    await u.send(f"/orders {target.panel_order_id}")
    found = await u.reply()
    text = found.text or ""
    assert f"<b>#<code>{target.panel_order_id}</code></b>" in text
    assert text.count("<code>") == 1  # the id matches exactly (not every id holding its digits)
    await u.press(f"#{target.panel_order_id}", message=found)
    card = await u.update()
    assert "post_07" in (card.text or "")

    await u.send("/orders tiktok.com/@SHOP%")
    found = await u.reply()
    assert f"#<code>{special.panel_order_id}</code>" in (found.text or "")
    assert (found.text or "").count("<code>") == 1

    # "%" and "_" are text, not wildcards: "post%0" matches nothing.
    await u.send("/orders post%0")
    assert "<code>" not in ((await u.reply()).text or "")

    # A piece held by many: the newest first, a page of them, and how many more.
    await u.send("/orders instagram.com/p/POST_")
    found = await u.reply()
    text = found.text or ""
    assert "20" in text and "…and 12 more" in text
    assert text.index(f"#<code>{orders[19].panel_order_id}</code>") < text.index(
        f"#<code>{orders[18].panel_order_id}</code>"
    )
    assert sum(label.startswith("⏳ #") for label in labels(found)) == 8
    assert "📋 All orders" in labels(found)
    assert bot.telegram.bad_requests() == []


async def test_orders_search_says_when_nothing_matches(bot: Harness) -> None:
    t = bot.deps.catalogs.translator("tr")
    u = await bot.member(USER_A, key=KEY_A, language_code="tr")
    await u.send("/start")
    await u.reply()
    await place(bot, USER_A, KEY_A, link="https://instagram.com/p/abc")
    await u.send("/orders 99999999")
    answer = await u.reply()
    expected = t._(
        "🔎 No order has the id or a link containing “{query}”. "
        "Send /orders with an order id or a piece of a link.",
        query=escaped("99999999"),
    )
    assert answer.text == expected
    assert expected != (
        "🔎 No order has the id or a link containing “99999999”. "
        "Send /orders with an order id or a piece of a link."
    )  # translated
    assert t._("📋 All orders") in labels(answer)
