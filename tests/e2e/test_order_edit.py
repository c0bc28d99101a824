"""/order's « Back, the preview's ✏️ Edit buttons, quick quantities and last links (issue 13
items 14 and 15), end to end in English and Turkish."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

import pytest

from bot.callbacks.base import parse
from bot.callbacks.new_order import ConfirmOrder
from bot.callbacks.order_edit import EditAnswer, LastLink, QuickQuantity
from bot.i18n import Translator
from bot.storage.models import DraftKind, DraftState, SubmitState
from tests.e2e.steps import order_draft
from tests.fakes.panel_catalog import default_services
from tests.fakes.telegram_models import BotMessage
from tests.fakes.telegram_users import FakeUser
from tests.harness import Harness

KEY = "pk_edit_0123456789abcdef"
UID = 4301
OTHER = 4302
LANGUAGES = ["en", "tr"]
# The words the checks read, in each language (from the merged catalogs).
BACK = {"en": "« Back", "tr": "« Geri"}
LINK_LINE = {"en": "Link: {}", "tr": "Bağlantı: {}"}
QUANTITY_LINE = {"en": "Quantity: {}", "tr": "Miktar: {}"}
SEND_LINK = {"en": "Send the link", "tr": "Bağlantıyı gönderin"}
HOW_MANY = {"en": "How many?", "tr": "Kaç adet?"}
PLACED = {"en": "Order placed", "tr": "Sipariş verildi"}


def tr_of(bot: Harness, lang: str) -> Translator:
    return bot.deps.catalogs.translator(lang)


def text(msg: BotMessage) -> str:
    return msg.text or ""


def datas(msg: BotMessage) -> list[str]:
    return [data for _, data in msg.buttons()]


def edit_data(msg: BotMessage, field: str) -> str:
    for data in datas(msg):
        found = parse(data)
        if isinstance(found, EditAnswer) and found.field == field:
            return data
    raise AssertionError(f"no ✏️ {field} on {msg.buttons()}")


def batch_of(msg: BotMessage) -> str:
    for data in datas(msg):
        found = parse(data)
        if isinstance(found, ConfirmOrder):
            return found.batch
    raise AssertionError(f"no Confirm on {msg.buttons()}")


def quick_labels(msg: BotMessage) -> list[str]:
    return [label for label, data in msg.buttons() if isinstance(parse(data), QuickQuantity)]


async def alert(u: FakeUser, data: str, message: BotMessage) -> str:
    qid = await u.press_data(data, message)
    return str((await u.answer(qid)).params.get("text") or "")


async def start(u: FakeUser, service_id: int) -> BotMessage:
    await u.send(f"/order {service_id}")
    return await u.reply()


async def answer(u: FakeUser, value: str) -> BotMessage:
    await u.send(value)
    return await u.reply()


async def confirm(u: FakeUser, preview: BotMessage) -> BotMessage:
    await u.press_data(f"ok:{batch_of(preview)}", preview)
    await u.update()  # "sending"
    return await u.update()


def add_params(bot: Harness) -> list[dict[str, Any]]:
    return [dict(r.params) for r in bot.panel.requests if r.action == "add"]


# --- « Back ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_back_asks_the_previous_question_and_keeps_the_answers(
    bot: Harness, lang: str
) -> None:
    t = tr_of(bot, lang)
    u = await bot.member(UID, key=KEY, language_code=lang)
    assert SEND_LINK[lang] in text(await start(u, 8))  # Poll: link, quantity, answer number
    assert HOW_MANY[lang] in text(await answer(u, "https://t.me/c/1"))
    number_question = await answer(u, "1000")
    assert "(1–100)" in text(number_question)
    stale = datas(number_question)  # messages are live: the keyboard as it is now

    await u.press(BACK[lang], message=number_question, exact=True)
    again = await u.update()
    assert again.message_id == number_question.message_id
    assert HOW_MANY[lang] in text(again)  # the quantity, not the link
    assert t._("Previous answer: {answer}", answer=t.number(1000)) in text(again)
    # The answer number's question is over: its buttons are closed.
    closed = await alert(u, stale[0], number_question)
    assert closed == t._("This question is closed.")

    # The quantity is asked again and the dialog goes on from there, the link kept.
    assert "(1–100)" in text(await answer(u, "2000"))
    preview = await answer(u, "3")
    assert LINK_LINE[lang].format("https://t.me/c/1") in text(preview)
    assert QUANTITY_LINE[lang].format(t.number(2000)) in text(preview)
    assert PLACED[lang] in text(await confirm(u, preview))
    [sent] = add_params(bot)
    assert (sent["link"], sent["quantity"]) == ("https://t.me/c/1", "2000")
    assert sent["answer_number"] == "3"


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_back_through_the_dripfeed_question_and_to_the_service_card(
    bot: Harness, lang: str
) -> None:
    t = tr_of(bot, lang)
    u = await bot.member(UID, key=KEY, language_code=lang)
    await start(u, 2)  # drip-feed: true → a Yes/No question after the quantity
    how_many = await answer(u, "https://instagram.com/p/a")
    # Drip-feed is asked once (issue 21 item 11): the Yes/No, no ⏱ switch at the quantity.
    assert not any("⏱" in label for label, _ in how_many.buttons())
    dripfeed = await answer(u, "500")
    use_dripfeed = t._("This service can deliver in portions (drip-feed). Use drip-feed?")
    assert use_dripfeed in text(dripfeed)
    await u.press(t._("Yes, drip-feed"), message=dripfeed)
    runs = await u.update()
    # Drip-feed chosen: its runs offer no "Skip" (that would be all at once after all).
    assert t._("Skip") not in [label for label, _ in runs.buttons()]
    await u.press(BACK[lang], message=runs, exact=True)
    assert use_dripfeed in text(await u.update())  # the Yes/No again, its answer taken back
    await u.press(BACK[lang], message=runs, exact=True)
    quantity = await u.update()
    assert HOW_MANY[lang] in text(quantity)
    assert t._("Previous answer: {answer}", answer=t.number(500)) in text(quantity)
    await u.press(BACK[lang], message=quantity, exact=True)
    link = await u.update()
    assert SEND_LINK[lang] in text(link)
    assert "instagram.com/p/a" in text(link)

    # Back at the first question: the service card, the dialog left.
    await u.press(BACK[lang], message=link, exact=True)
    card = await u.update()
    assert "<b>#2 Instagram Beğeni [Hızlı]</b>" in text(card)
    assert any(t._("🛒 Order") == label for label, _ in card.buttons())
    assert bot.panel.count("add") == 0
    await u.send("https://instagram.com/p/b")  # no dialog is waiting for it now
    reply = await u.reply()
    assert SEND_LINK[lang] not in text(reply) and HOW_MANY[lang] not in text(reply)


# --- ✏️ Edit ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_edit_quantity_makes_a_new_preview_and_the_old_one_orders_nothing(
    bot: Harness, lang: str
) -> None:
    t = tr_of(bot, lang)
    u = await bot.member(UID, key=KEY, language_code=lang)
    await start(u, 1)
    await answer(u, "https://instagram.com/a")
    old = await answer(u, "1000")
    cost = t._("Cost: <b>{cost}</b>", cost=t.money(Decimal("12.5"), "USD"))
    assert cost in text(old)
    labels = [label for label, _ in old.buttons()]
    for name in ("Link", "Quantity"):
        assert t._("✏️ {field}", field=t._(name)) in labels
    # No ✏️ Runs on an order without drip-feed: it would quietly turn drip-feed on.
    assert t._("✏️ {field}", field=t._("Runs")) not in labels
    old_batch, old_confirm = batch_of(old), f"ok:{batch_of(old)}"
    old_edit_link = edit_data(old, "link")

    await u.press_data(edit_data(old, "quantity"), old)
    question = await u.update()
    assert HOW_MANY[lang] in text(question)
    assert t._("Previous answer: {answer}", answer=t.number(1000)) in text(question)
    # The old preview is closed the moment Edit is tapped: its Confirm orders nothing.
    draft = await bot.deps.storage.drafts.get(old_batch, UID)
    assert draft is not None and draft.state is DraftState.REPLACED

    new = await answer(u, "2000")
    assert batch_of(new) != old_batch
    assert t._("Cost: <b>{cost}</b>", cost=t.money(Decimal("25"), "USD")) in text(new)
    assert QUANTITY_LINE[lang].format(t.number(2000)) in text(new)
    assert LINK_LINE[lang].format("https://instagram.com/a") in text(new)

    refused = await alert(u, old_confirm, old)
    assert refused == t._("This preview was replaced by a newer one; nothing was ordered.")
    assert bot.panel.count("add") == 0
    # An old Edit, after the edit ended in a new preview: "expired", nothing changes.
    expired = await alert(u, old_edit_link, old)
    assert expired == t._("This preview has expired. Please start a new order.")
    draft_new = await bot.deps.storage.drafts.get(batch_of(new), UID)
    assert draft_new is not None and draft_new.state is DraftState.OPEN

    new_edit = edit_data(new, "quantity")
    assert PLACED[lang] in text(await confirm(u, new))
    [sent] = add_params(bot)
    assert sent["quantity"] == "2000"
    assert bot.panel.balance_of(KEY) == Decimal("75")
    # After Confirm the new preview's Edit answers too, and places or changes nothing.
    placed = await alert(u, new_edit, new)
    assert placed == t._("Already submitted (order #{id}).", id=sent_id(bot))
    assert bot.panel.count("add") == 1


def sent_id(bot: Harness) -> int:
    [order_id] = bot.panel.orders
    return order_id


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_back_from_an_edit_is_a_new_preview_with_the_same_answers(
    bot: Harness, lang: str
) -> None:
    t = tr_of(bot, lang)
    u = await bot.member(UID, key=KEY, language_code=lang)
    await start(u, 3)  # Custom Comments: link, comments
    await answer(u, "https://instagram.com/p/c")
    await answer(u, "\n".join(f"comment {i}" for i in range(6)))  # a list: collected …
    old = await answer(u, "/done")  # … until ✅ Done
    old_batch = batch_of(old)
    assert (await u.reply()).document is not None  # the whole list, beside the preview
    await u.press_data(edit_data(old, "comments"), old)
    question = await u.update()
    lines = t.ngettext("{n} line", "{n} lines", 6)
    assert t._("Previous answer: {answer}", answer=lines) in text(question)
    await u.press(BACK[lang], message=question, exact=True)
    new = await u.update()
    assert batch_of(new) != old_batch
    assert f"{t._('Comments')}: {lines}" in text(new)
    assert (await u.reply()).document is not None
    assert PLACED[lang] in text(await confirm(u, new))
    [sent] = add_params(bot)
    assert sent["comments"] == "\n".join(f"comment {i}" for i in range(6))
    assert (await bot.deps.storage.orders.get_batch(old_batch))[0].submit_state is (
        SubmitState.DRAFT
    )


async def test_edit_buttons_follow_the_service_type(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await start(u, 5)  # Subscriptions
    for value in ("someone", "100", "200"):
        await answer(u, value)
    posts = u.last()
    await u.press("Skip", message=posts)  # new posts
    await u.update()
    await u.send("3")  # existing posts
    await u.reply()
    await u.send("0")  # delay
    expiry = await u.reply()
    await u.press("Skip", message=expiry)
    preview = await u.update()
    fields = [f.field for f in map(parse, datas(preview)) if isinstance(f, EditAnswer)]
    assert fields == ["username", "min", "max", "posts", "old_posts", "delay", "expiry"]
    # A skipped question can be answered from the preview.
    await u.press_data(edit_data(preview, "posts"), preview)
    await u.update()
    new = await answer(u, "7")
    assert "New posts: 7" in text(new)
    assert "Existing posts: 3" in text(new)


# --- quick quantities --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_quick_quantities_within_the_range_and_placing_with_one(
    bot: Harness, lang: str
) -> None:
    services = default_services()
    services.append({**services[0], "service": 21, "min": 20, "max": 3000})
    bot.panel.set_services(services)
    t = tr_of(bot, lang)
    u = await bot.member(UID, key=KEY, language_code=lang)
    await start(u, 21)
    small = await answer(u, "https://instagram.com/q")
    assert quick_labels(small) == [t.number(n) for n in (20, 1000, 3000)]
    await u.send("/cancel")
    await u.reply()

    await start(u, 6)  # 500–1,000,000
    wide = await answer(u, "https://youtube.com/watch?v=q")
    assert quick_labels(wide) == [t.number(n) for n in (500, 1000, 5000, 10000, 1000000)]
    assert all(len(d.encode()) <= 64 for d in datas(wide))
    stale = datas(wide)
    await u.press(t.number(5000), message=wide, exact=True)
    preview = await u.update()
    assert QUANTITY_LINE[lang].format(t.number(5000)) in text(preview)
    assert PLACED[lang] in text(await confirm(u, preview))
    [sent] = add_params(bot)
    assert (sent["service"], sent["quantity"]) == ("6", "5000")
    # Typing still works, and a quick button of an answered question is closed.
    await start(u, 6)
    typed = await answer(u, "https://youtube.com/watch?v=r")
    assert quick_labels(typed) == [t.number(n) for n in (500, 1000, 5000, 10000, 1000000)]
    refused = await answer(u, "42")  # under the minimum: a short error, not the question
    assert HOW_MANY[lang] not in text(refused) and t.number(500) in text(refused)
    assert quick_labels(refused) == quick_labels(typed)  # the quick buttons stay at hand
    typed_preview = await answer(u, "777")
    assert QUANTITY_LINE[lang].format(t.number(777)) in text(typed_preview)
    closed = await alert(u, stale[0], wide)
    assert closed == t._("This question is closed.")


# --- last links ------------------------------------------------------------------------------


async def history(bot: Harness, user_id: int, service_id: int, links: list[str]) -> list[int]:
    """Placed orders with these links, oldest first; their local ids."""
    orders = bot.deps.storage.orders
    ids = []
    for link in links:
        batch = secrets.token_urlsafe(12)
        draft = order_draft(service_id=service_id, link=link)
        version = await bot.deps.storage.drafts.key_version(user_id)
        [row] = await orders.create_drafts(
            user_id, batch, [draft], kind=DraftKind.SINGLE, key_version=version
        )
        await orders.claim(batch, user_id, kind=DraftKind.SINGLE, key_version=version)
        assert await orders.mark_placed(row.id, 90000 + row.id)
        ids.append(row.id)
    return ids


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_last_links_are_offered_and_fill_the_link(bot: Harness, lang: str) -> None:
    t = tr_of(bot, lang)
    u = await bot.member(UID, key=KEY, language_code=lang)
    stranger = await bot.member(OTHER, key=KEY + "o")
    long_link = "https://instagram.com/" + "x" * 120
    await history(bot, UID, 1, ["https://instagram.com/a", "https://instagram.com/b"])
    await history(bot, UID, 1, [long_link, "https://instagram.com/a"])
    await history(bot, UID, 9, ["https://t.me/other_service"])
    [foreign] = await history(bot, OTHER, 1, ["https://instagram.com/not_yours"])
    assert stranger.id == OTHER
    # Done by now: an open order on the picked link would need Order anyway (test_link_guard).
    await bot.deps.storage.db.execute("UPDATE orders SET status = 'Completed'")

    question = await start(u, 1)
    found = [(label, parse(d)) for label, d in question.buttons()]
    picks = [(label, d.order_id) for label, d in found if isinstance(d, LastLink)]
    # Newest first, each once, three at most, of this user and this service only.
    assert [label for label, _ in picks] == [
        "🔗 instagram.com/a",
        "🔗 instagram.com/" + "x" * 13 + "…",  # 30 characters: fits a phone
        "🔗 instagram.com/b",
    ]
    assert all(len(d.encode()) <= 64 for d in datas(question))
    assert not any("not_yours" in d or "instagram" in d for d in datas(question))

    # Someone else's order id in a forged button: refused, the question stays open.
    forged = LastLink(parse(datas(question)[0]).dialog, "link", foreign).pack()  # type: ignore[union-attr]
    assert await alert(u, forged, question) == t._("This button has expired.")

    await u.press("x" * 10, message=question)
    quantity = await u.update()
    assert HOW_MANY[lang] in text(quantity)
    preview = await answer(u, "1000")
    assert LINK_LINE[lang].format(long_link) in text(preview)
    assert PLACED[lang] in text(await confirm(u, preview))
    [sent] = add_params(bot)
    assert sent["link"] == long_link


async def test_edit_switches_dripfeed_on_and_off(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await start(u, 1)  # no `dripfeed` flag: the ⏱ switch at the quantity
    await answer(u, "https://instagram.com/d")
    plain = await answer(u, "1000")
    assert "Drip-feed" not in text(plain)

    # Drip-feed is one choice (issue 21 item 11): no ✏️ Runs on a plain preview; ✏️ Quantity,
    # then ⏱ Add drip-feed there, then the runs (no Skip: drip-feed was chosen), then the
    # interval with its quick answers, then a new preview.
    with pytest.raises(AssertionError):
        edit_data(plain, "runs")
    await u.press_data(edit_data(plain, "quantity"), plain)
    await u.press("⏱ Add drip-feed", message=await u.update(), exact=True)
    per_run = await u.update()
    assert "Drip-feed is on" in text(per_run)
    runs = await answer(u, "1000")
    assert "in how many runs" in text(runs)
    assert "Skip" not in [label for label, _ in runs.buttons()]
    interval = await answer(u, "3")
    picks = [label for label, _ in interval.buttons()]
    assert [p for p in picks if p.endswith(" min")] == ["15 min", "30 min", "60 min", "120 min"]
    await u.press("60 min", message=interval, exact=True)
    dripped = await u.update()
    assert "Drip-feed: 3 runs, every 60 min — 3,000 in total" in text(dripped)
    assert "Cost: <b>$37.50</b>" in text(dripped)

    # ✏️ Quantity, ⏱ switched off there: the new preview has no runs, and no interval.
    await u.press_data(edit_data(dripped, "quantity"), dripped)
    quantity = await u.update()
    assert "Drip-feed is on" in text(quantity)
    await u.press("✅ ⏱ Drip-feed", message=quantity, exact=True)
    off = await u.update()
    assert off.message_id == quantity.message_id
    assert "Drip-feed is on" not in text(off) and "Previous answer: 1,000" in text(off)
    final = await answer(u, "2000")
    assert "Quantity: 2,000" in text(final) and "Drip-feed" not in text(final)
    assert "Order placed" in text(await confirm(u, final))
    [sent] = add_params(bot)
    assert sent["quantity"] == "2000" and "runs" not in sent and "interval" not in sent
