"""The duplicate-link guard end to end (issue 24 item 3): a preview for a link that already has an
open order (the same page, the same or a same-kind service, on that panel) warns, its plain
Confirm places nothing, and only ⚠️ Order anyway places it, once. A bulk naming the same link and
service twice is held the same way."""

from __future__ import annotations

from bot.callbacks.base import parse
from bot.callbacks.new_order import OrderAnyway
from bot.callbacks.schedules import ScheduleLater
from tests.e2e.steps import (
    confirm,
    data_of,
    labels,
    place,
    preview_for,
    reply_containing,
    text_of,
)
from tests.fakes.telegram import BotMessage, FakeUser
from tests.harness import Harness

KEY = "pk_linkguard_5a4b3c2d1e0f9a8b7c6d"
UID = 7701


def adds(bot: Harness) -> int:
    """Orders the panel was asked to create (add, and each line of add_bulk)."""
    return len(bot.panel.orders)


async def plain_confirm_refused(u: FakeUser, preview: BotMessage) -> str:
    """Press ✅ Confirm on a preview that warned: the alert's text (the preview stays)."""
    query = await u.press("Confirm", message=preview)
    answer = await u.answer(query)
    assert answer.params.get("show_alert") is True
    return str(answer.params.get("text"))


async def test_repeated_link_warns_and_only_order_anyway_places_it(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    first = await place(bot, UID, KEY, service=1, link="https://instagram.com/p/Shop1")
    before = adds(bot)

    # The same page, written the way a share button writes it.
    preview = await preview_for(
        u, 1, "http://www.INSTAGRAM.com/p/Shop1/?utm_source=ig_web&igshid=abc123", "500"
    )
    text = text_of(preview)
    assert f"open order for this link on this service: #<code>{first.panel_order_id}</code>" in (
        text
    )
    assert "⚠️ Order anyway" in labels(preview)
    assert any("Confirm" in label for label in labels(preview))

    alert = await plain_confirm_refused(u, preview)
    assert "Nothing was ordered" in alert and "Order anyway" in alert
    assert adds(bot) == before

    anyway = data_of(preview, "Order anyway")
    await u.press("Order anyway", message=preview)
    assert (await u.update()).message_id == preview.message_id  # "sending…"
    result = await u.update()
    assert "Order placed" in text_of(result)
    assert adds(bot) == before + 1
    # The link goes to the panel as typed (but for the host's case): the key is only compared.
    sent = bot.panel.orders[max(bot.panel.orders)].link
    assert sent == "http://www.instagram.com/p/Shop1/?utm_source=ig_web&igshid=abc123"

    # A second tap (a replay of the same button) orders nothing more.
    await u.answer(await u.press_data(anyway, preview))
    assert adds(bot) == before + 1


async def first_placed(u: FakeUser, link: str, quantity: str) -> BotMessage:
    """Two previews of `link` (two /order dialogs, or two devices), neither warning when made;
    the first confirmed and placed. The second, as it was shown."""
    first = await preview_for(u, 1, link, "500")
    # The same page, written as a share button writes it.
    second = await preview_for(u, 1, link.replace("://", "://www.") + "/?igshid=x", quantity)
    assert "⚠️ Order anyway" not in labels(second)
    assert "Order placed" in text_of(await confirm(u, first))
    return second


async def test_second_preview_of_a_link_warns_at_confirm_once_the_first_is_placed(
    bot: Harness,
) -> None:
    u = await bot.member(UID, key=KEY)
    second = await first_placed(u, "https://instagram.com/p/twice", "700")
    assert "Order anyway" not in text_of(second)
    assert adds(bot) == 1
    placed = bot.panel.orders[max(bot.panel.orders)]

    # The second's plain Confirm places nothing and warns as a fresh preview would.
    alert = await plain_confirm_refused(u, second)
    assert "Nothing was ordered" in alert and "Order anyway" in alert
    warned = await u.update()
    assert warned.message_id == second.message_id
    assert f"open order for this link on this service: #<code>{placed.id}</code>" in (
        text_of(warned)
    )
    assert "⚠️ Order anyway" in labels(warned)
    assert not [label for label in labels(warned) if "Later" in label]
    assert adds(bot) == 1
    # Its old plain Confirm (another device still shows it) places nothing either.
    await plain_confirm_refused(u, second)
    assert adds(bot) == 1

    await u.press("Order anyway", message=warned)
    assert (await u.update()).message_id == second.message_id  # "sending…"
    assert "Order placed" in text_of(await u.update())
    assert adds(bot) == 2
    assert bot.panel.orders[max(bot.panel.orders)].quantity == 700


async def test_open_order_on_a_same_kind_service_warns_too(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    # Services 1 and 2 share category (Instagram) and type (Default) on the fake panel.
    first = await place(bot, UID, KEY, service=2, link="https://instagram.com/p/kind")
    preview = await preview_for(u, 1, "instagram.com/p/kind", "100")
    assert (
        "open order for this link on a similar service: "
        f"#<code>{first.panel_order_id}</code> (#2 Instagram Beğeni [Hızlı])"
    ) in text_of(preview)
    before = adds(bot)
    await plain_confirm_refused(u, preview)
    assert adds(bot) == before


async def test_no_warning_for_another_page_another_kind_or_a_closed_order(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await place(bot, UID, KEY, service=1, link="https://instagram.com/p/x")
    await place(bot, UID, KEY, service=1, link="https://instagram.com/p/done", status="Completed")
    # Another page: the path differs (a query that is not tracking counts too).
    for link in ("https://instagram.com/p/y", "https://instagram.com/p/x?img_index=2"):
        preview = await preview_for(u, 1, link, "500")
        assert "open order" not in text_of(preview)
        assert "⚠️ Order anyway" not in labels(preview)
    # Another kind (Custom Comments) on the same page, and a completed order's page.
    preview = await preview_for(u, 1, "https://instagram.com/p/done", "500")
    assert "Order anyway" not in labels(preview)
    before = adds(bot)
    result = await confirm(u, preview)
    assert "Order placed" in text_of(result)
    assert adds(bot) == before + 1


async def test_bulk_with_the_same_link_and_service_twice_needs_order_anyway(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY, balance="100")
    await u.send("/bulk")
    await u.reply()
    await u.send(
        "1 | https://instagram.com/twice | 100\n"
        "6 | https://youtube.com/watch?v=abc | 500\n"
        "1 | https://www.instagram.com/twice/?fbclid=IwAR0 | 200\n"
    )
    preview = await u.reply()
    text = text_of(preview)
    assert "1 line repeats an earlier service and link" in text
    assert "line 3: same as line 1" in text
    assert "Order anyway" in text
    assert "⚠️ Order anyway" in labels(preview)

    alert = await plain_confirm_refused(u, preview)
    assert "Nothing was ordered" in alert
    assert adds(bot) == 0

    await u.press("Order anyway", message=preview)
    for _ in range(4):
        if "3 placed" in text_of(await u.reply()):
            break
    assert adds(bot) == 3


async def test_bulk_line_with_an_open_order_is_held_until_order_anyway(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY, balance="100")
    first = await place(bot, UID, KEY, service=1, link="https://instagram.com/p/open")
    await u.send("/bulk")
    await u.reply()
    await u.send(
        "2 | https://instagram.com/p/open/?utm_medium=copy_link | 100\n"
        "6 | https://youtube.com/watch?v=fresh | 500\n"
    )
    preview = await u.reply()
    text = text_of(preview)
    assert "1 line is for a link you already have an open order for" in text
    assert (
        f"line 1: order #<code>{first.panel_order_id}</code> of a similar service "
        "(#1 Instagram Takipçi) is still open"
    ) in text
    before = adds(bot)
    await plain_confirm_refused(u, preview)
    assert adds(bot) == before
    await u.press("Order anyway", message=preview)
    for _ in range(4):
        if "2 placed" in text_of(await u.reply()):
            break
    assert adds(bot) == before + 2


async def test_second_bulk_of_a_link_warns_at_confirm_once_the_first_is_placed(
    bot: Harness,
) -> None:
    u = await bot.member(UID, key=KEY, balance="100")
    lists = []
    for link in ("https://instagram.com/p/bulk2", "https://www.instagram.com/p/bulk2/"):
        await u.send("/bulk")
        await u.reply()
        await u.send(f"6 | https://youtube.com/watch?v=other | 500\n1 | {link} | 100\n")
        lists.append(await u.reply())
    assert not [label for label in labels(lists[1]) if "Order anyway" in label]
    await u.press("Confirm", message=lists[0])
    await reply_containing(u, "2 placed")
    assert adds(bot) == 2

    # The second list's plain Confirm sends nothing: the same lines previewed again, warning.
    alert = await plain_confirm_refused(u, lists[1])
    assert "Nothing was ordered" in alert
    warned = await u.update()
    assert warned.message_id == lists[1].message_id
    assert "2 lines are for links you already have an open order for" in text_of(warned)
    placed = max(i for i, order in bot.panel.orders.items() if "bulk2" in order.link)
    assert f"line 2: order #<code>{placed}</code> is still open" in text_of(warned)
    assert "⚠️ Order anyway" in labels(warned)
    assert adds(bot) == 2

    await u.press("Order anyway", message=warned)
    await reply_containing(u, "2 placed")
    assert adds(bot) == 4


async def test_a_clean_bulk_has_no_order_anyway(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY, balance="100")
    await u.send("/bulk")
    await u.reply()
    await u.send("1 | https://instagram.com/a | 100\n1 | https://instagram.com/b | 100\n")
    preview = await u.reply()
    assert "Order anyway" not in text_of(preview)
    assert not any("Order anyway" in label for label in labels(preview))


async def test_a_warned_preview_cannot_be_scheduled_for_later(bot: Harness) -> None:
    # 🕒 Later would place the warned order at its time without ⚠️ Order anyway ever tapped.
    u = await bot.member(UID, key=KEY)
    await place(bot, UID, KEY, service=1, link="https://instagram.com/p/later")
    preview = await preview_for(u, 1, "https://instagram.com/p/later", "500")
    assert "⚠️ Order anyway" in labels(preview)
    assert not [label for label in labels(preview) if "Later" in label]

    # A forged 🕒 Later schedules nothing: it warns at once, as the preview's Confirm does.
    forged = await u.press_data(ScheduleLater(preview_batch(preview)).pack(), preview)
    refused = await u.answer(forged)
    assert refused.params.get("show_alert") is True
    assert "Nothing was ordered" in str(refused.params.get("text"))
    assert not [m for m in u.sent_texts() if "When should I place this order" in m]
    assert await bot.deps.schedules.waiting(UID) == []


async def test_later_on_a_preview_whose_link_got_an_open_order_since_warns_instead(
    bot: Harness,
) -> None:
    # Scheduled, it would be placed at its time without a Confirm that could stop it.
    u = await bot.member(UID, key=KEY)
    second = await first_placed(u, "https://instagram.com/p/soon", "600")
    assert [label for label in labels(second) if "Later" in label]
    refused = await u.answer(await u.press("Later", message=second))
    assert refused.params.get("show_alert") is True
    assert "Nothing was ordered" in str(refused.params.get("text"))
    warned = await u.update()
    assert warned.message_id == second.message_id
    assert "open order for this link on this service" in text_of(warned)
    assert "⚠️ Order anyway" in labels(warned)
    assert not [label for label in labels(warned) if "Later" in label]
    assert not [m for m in u.sent_texts() if "When should I place this order" in m]
    assert await bot.deps.schedules.waiting(UID) == []
    assert adds(bot) == 1


async def test_a_schedule_made_after_an_order_on_its_link_was_placed_warns_instead(
    bot: Harness,
) -> None:
    # 🕒 Later tapped before the other preview's Confirm, its time picked after: made, the
    # schedule would place a second order on the link at its time, its warning never shown.
    u = await bot.member(UID, key=KEY)
    first = await preview_for(u, 1, "https://instagram.com/p/meanwhile", "500")
    second = await preview_for(u, 1, "https://instagram.com/p/meanwhile/?igshid=x", "600")
    await u.answer(await u.press("Later", message=second))
    question = await u.reply()
    assert "Order placed" in text_of(await confirm(u, first))
    await u.press("In 1 h", message=question)
    refused = await u.answer(await u.press("Once", message=await u.update()))
    assert refused.params.get("show_alert") is True
    assert "Nothing was ordered" in str(refused.params.get("text"))
    warned = await u.update()
    assert "open order for this link on this service" in text_of(warned)
    assert await bot.deps.schedules.waiting(UID) == []
    assert not [m for m in u.sent_texts() if "Scheduled" in m]
    await u.press("Order anyway", message=warned)
    assert (await u.update()).message_id == warned.message_id  # "sending…"
    assert "Order placed" in text_of(await u.update())
    assert adds(bot) == 2


def preview_batch(preview: BotMessage) -> str:
    pressed = parse(data_of(preview, "Order anyway"))
    assert isinstance(pressed, OrderAnyway)
    return pressed.batch
