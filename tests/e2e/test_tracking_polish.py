"""Issue 13 item 5 and item 10's first four bullets, end to end in English and Turkish.

Refill on the order card (pending refill shown, Refill hidden and refused while it runs, the
history kept; /refillstatus with order ids), /status groups whose titles count what they list,
an exact Completed filter beside a Canceled one, usernames read from profile links, and
/status after a switch to another account's key.

Texts are the bot's own translator's output for the user's language, so these tests read the
Turkish catalog as it is; words the catalog already had are also spelt out in Turkish.
"""

from __future__ import annotations

import re

import pytest

from bot.callbacks.order_history import OrderCard, OrdersPage, RefillOrder, RefreshOrder
from bot.i18n import Translator
from bot.panel.text import Html
from tests.e2e.steps import place
from tests.fakes.telegram_models import BotMessage
from tests.fakes.telegram_users import FakeUser
from tests.harness import Harness

KEY = "pk_tracking_a_0f1e2d3c4b5a69788796a5b4"
OTHER_KEY = "pk_tracking_b_9a8b7c6d5e4f30211203f4e5"
UID = 7301
LANGS = ("en", "tr")
# Stands for a part of a text these tests do not pin (a time shown in the user's zone).
ANY = "\x00"


def tr_of(bot: Harness, lang: str) -> Translator:
    return bot.deps.catalogs.translator(lang)


def like(text: str) -> re.Pattern[str]:
    """`text` as a pattern in which each `ANY` matches any run of characters on one line."""
    return re.compile("[^\n]+?".join(re.escape(part) for part in text.split(ANY)))


def datas(msg: BotMessage) -> list[str]:
    return [data for _, data in msg.buttons()]


async def user(bot: Harness, lang: str, key: str = KEY) -> FakeUser:
    return await bot.member(UID, key=key, language_code=lang)


async def open_card(u: FakeUser, order_id: int) -> BotMessage:
    await u.send("/orders")
    listing = await u.reply()
    await u.press_data(OrderCard(order_id).pack(), listing)
    return await u.update()


# --- item 5: refill on the card -----------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
async def test_card_shows_the_pending_refill_hides_refill_and_keeps_the_history(
    bot: Harness, lang: str
) -> None:
    t = tr_of(bot, lang)
    u = await user(bot, lang)
    order = await place(bot, UID, KEY, status="Completed")
    pid = order.panel_order_id
    assert pid is not None
    refill_data = RefillOrder(order.id).pack()

    card = await open_card(u, order.id)
    assert refill_data in datas(card)
    await u.press_data(refill_data, card)
    after = await u.update()
    text = after.text or ""
    assert (
        t._(
            "♻️ #{id} — refill requested (refill #{refill})",
            id=f"<code>{pid}</code>",
            refill="<code>1</code>",
        )
        in text
    )
    assert refill_data not in datas(after)  # hidden while the refill runs
    pending = Html(t._("⏳ pending"))
    line = t._(
        "Refill #{id} — {status} · requested {when}", id="<code>1</code>", status=pending, when=ANY
    )
    assert like(line).search(text), text
    assert t._("🔄 Refresh") in [label for label, _ in after.buttons()]
    if lang == "tr":
        assert (
            "⏳ beklemede" in text
            and f"♻️ #<code>{pid}</code> — telafi istendi (telafi #<code>1</code>)" in text
        )

    # The Refill button of the first card (an old message, or forged data) sends nothing.
    qid = await u.press_data(refill_data, after)
    await u.answer(qid)
    refused = await u.update()
    note = t._(
        "⏳ #{id} — refill #{refill} (requested {when}) is still pending; "
        "ask again once it is done",
        id=f"<code>{pid}</code>",
        refill="<code>1</code>",
        when=ANY,
    )
    assert like(note).search(refused.text or ""), refused.text
    assert bot.panel.count("refill") == 1
    assert len(await bot.deps.storage.refills.for_order(UID, pid)) == 1
    assert refill_data not in datas(refused)

    # Done on the panel: Refresh shows it, Refill comes back, and the history stays.
    bot.panel.set_refill(1, "completed")
    await u.press_data(RefreshOrder(order.id).pack(), refused)
    refreshed = await u.update()
    done_line = t._(
        "Refill #{id} — {status} · requested {when}",
        id="<code>1</code>",
        status=Html(t._("✅ completed")),
        when=ANY,
    )
    assert like(done_line).search(refreshed.text or ""), refreshed.text
    assert refill_data in datas(refreshed)
    await u.press_data(refill_data, refreshed)
    second = await u.update()
    text = second.text or ""
    assert like(done_line).search(text) and t._("Refills:") in text
    second_line = t._(
        "Refill #{id} — {status} · requested {when}", id="<code>2</code>", status=pending, when=ANY
    )
    assert like(second_line).search(text), text
    assert text.index(t._("Refills:")) < text.index(t._("Created: {when}", when="").strip())
    assert refill_data not in datas(second)
    assert bot.panel.count("refill") == 2
    if lang == "tr":
        assert "✅ tamamlandı" in text and "⏳ beklemede" in text
    assert bot.telegram.bad_requests() == []


@pytest.mark.parametrize("lang", LANGS)
async def test_refill_command_is_refused_while_one_is_pending(bot: Harness, lang: str) -> None:
    t = tr_of(bot, lang)
    u = await user(bot, lang)
    order = await place(bot, UID, KEY, status="Completed")
    pid = order.panel_order_id
    await u.send(f"/refill {pid}")
    assert t._(
        "♻️ #{id} — refill requested (refill #{refill})",
        id=f"<code>{pid}</code>",
        refill="<code>1</code>",
    ) in ((await u.reply()).text or "")
    bot.panel.clear_log()
    await u.send(f"/refill {pid}")
    note = t._(
        "⏳ #{id} — refill #{refill} (requested {when}) is still pending; "
        "ask again once it is done",
        id=f"<code>{pid}</code>",
        refill="<code>1</code>",
        when=ANY,
    )
    assert like(note).search((await u.reply()).text or "")
    assert bot.panel.count() == 0  # neither the refill nor a status read


@pytest.mark.parametrize("lang", LANGS)
async def test_refillstatus_takes_order_ids_and_lists_their_refills(
    bot: Harness, lang: str
) -> None:
    t = tr_of(bot, lang)
    u = await user(bot, lang)
    order = await place(bot, UID, KEY, status="Completed")
    bare = await place(bot, UID, KEY, status="Completed")
    pid, bare_pid = order.panel_order_id, bare.panel_order_id
    assert pid is not None and bare_pid is not None
    await u.send(f"/refill {pid}")
    await u.reply()
    bot.panel.set_refill(1, "completed")
    bot.panel.clear_log()

    await u.send(f"/refillstatus {pid} {bare_pid} 1 77")
    text = (await u.reply()).text or ""
    title = t.ngettext(
        "<b>Order #{id}</b>: {n} refill request",
        "<b>Order #{id}</b>: {n} refill requests",
        1,
        id=f"<code>{pid}</code>",
    )
    done = Html(t._("✅ completed"))
    assert title in text
    line = t._(
        "Refill #{id} — {status} · requested {when}", id="<code>1</code>", status=done, when=ANY
    )
    assert like(line).search(text), text
    assert (
        t._("<b>Order #{id}</b>: no refills requested yet", id=f"<code>{bare_pid}</code>") in text
    )
    assert (
        t._("Refill #{id} — {status}", id="<code>1</code>", status=done) in text
    )  # a refill id still works
    assert t._("#{id} — not found", id="<code>77</code>") in text
    assert t._("#{id} — not found", id=f"<code>{pid}</code>") not in text
    if lang == "tr":
        assert "Telafi #<code>1</code> — ✅ tamamlandı" in text
        assert "#<code>77</code> — bulunamadı" in text
    assert bot.panel.count("refill_status") == 1  # one call for refill 1, 77 and the pending
    [stored] = await bot.deps.storage.refills.for_order(UID, pid)
    assert stored.status == "completed"  # what the user saw is saved


# --- item 10: /status titles, filters, usernames, another account's key -------------------


def _section(text: str, title: str, others: list[str]) -> str:
    """The part of `text` from `title` up to the next of the `others` titles."""
    start = text.index(title)
    ends = [text.index(o, start + 1) for o in others if o in text[start + 1 :]]
    return text[start : min(ends, default=len(text))]


@pytest.mark.parametrize("lang", LANGS)
async def test_status_title_counts_only_the_open_orders_it_lists(bot: Harness, lang: str) -> None:
    t = tr_of(bot, lang)
    u = await user(bot, lang)
    running = [await place(bot, UID, KEY) for _ in range(3)]
    finished = running[0].panel_order_id
    assert finished is not None
    bot.panel.advance(finished)
    bot.panel.advance(finished)  # Completed on the panel, still Pending in storage
    await u.send("/status")
    text = (await u.reply()).text or ""
    open_title = t._("<b>Open orders</b> ({n})", n=2)
    done_title = t._("<b>Finished since the last check</b> ({n})", n=1)
    assert open_title in text and done_title in text
    open_part = _section(text, open_title, [done_title])
    assert f"#{finished}" not in open_part
    assert t._("Completed") not in open_part
    for order in running[1:]:
        assert f"#<code>{order.panel_order_id}</code>" in open_part
    done_part = _section(text, done_title, [open_title])
    assert f"#<code>{finished}</code>" in done_part and t._("Completed") in done_part
    if lang == "tr":
        assert "<b>Açık siparişler</b> (2)" in text and "Tamamlandı" in done_part

    await u.send("/status")  # now stored as Completed: no longer among the open ones
    text = (await u.reply()).text or ""
    assert open_title in text and f"#{finished}" not in text


@pytest.mark.parametrize("lang", LANGS)
async def test_completed_filter_is_exact_and_canceled_has_its_own(bot: Harness, lang: str) -> None:
    t = tr_of(bot, lang)
    u = await user(bot, lang)
    by_status = {
        status: await place(bot, UID, KEY, status=status)
        for status in ("Completed", "Partial", "Canceled", "Refunded", "Pending")
    }
    await u.send("/orders")
    listing = await u.reply()
    completed, canceled = OrdersPage("completed", 0).pack(), OrdersPage("canceled", 0).pack()
    assert completed in datas(listing) and canceled in datas(listing)
    labels = {data: label for label, data in listing.buttons()}
    assert labels[canceled] == t._("Canceled")
    if lang == "tr":
        assert labels[canceled] == "İptal edildi" and labels[completed] == "Tamamlandı"

    def cards(msg: BotMessage) -> set[int]:
        return {int(d.split(":")[1]) for d in datas(msg) if d.startswith("oc:")}

    await u.press_data(completed, listing)
    done = await u.update()
    assert cards(done) == {by_status["Completed"].id, by_status["Partial"].id}
    assert "✅ " + t._("Completed") in [label for label, _ in done.buttons()]
    await u.press_data(canceled, done)
    gone = await u.update()
    assert cards(gone) == {by_status["Canceled"].id, by_status["Refunded"].id}
    assert "✅ " + t._("Canceled") in [label for label, _ in gone.buttons()]
    assert t._("canceled") in (gone.text or "")
    assert bot.telegram.bad_requests() == []


async def _subscription_preview(u: FakeUser, t: Translator, username_answer: str) -> BotMessage:
    """The Subscriptions dialog (service 5) with `username_answer` as its first answer."""
    await u.send("/order 5")
    await u.reply()
    await u.send(username_answer)
    await u.reply()
    for answer in ("100", "200"):
        await u.send(answer)
        await u.reply()
    await u.press(t._("Skip"))
    await u.update()
    await u.press(t._("Skip"))
    await u.update()
    await u.send("0")
    await u.reply()
    await u.send("31/12/2999")
    return await u.reply()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    "link",
    [
        "https://www.instagram.com/john_doe/?igsh=MWx0bXo3",
        "@instagram.com/john_doe",
        "https://www.tiktok.com/@john_doe?lang=tr",
        "x.com/john_doe/",
        "https://t.me/john_doe",
    ],
)
async def test_a_profile_link_answers_a_username_question(
    bot: Harness, lang: str, link: str
) -> None:
    t = tr_of(bot, lang)
    u = await user(bot, lang)
    await u.send("/order 5")
    await u.reply()
    await u.send(link)
    reply = (await u.reply()).text or ""
    refusals = (
        "This link is not a profile link. Send the username (like @name) or a profile "
        "link such as https://instagram.com/name.",
        "Send a username like @name: letters, digits, dot, underscore or hyphen, "
        "up to 64 characters.",
    )
    assert all(t._(msgid) not in reply for msgid in refusals), reply
    await u.send("/cancel")
    await u.reply()
    preview = await _subscription_preview(u, t, link)
    assert t._("Username") + ": john_doe" in (preview.text or ""), preview.text
    await u.press("✅")
    await u.update()
    await u.update()
    [sub] = [r.params for r in bot.panel.requests if r.action == "add"]
    assert sub["username"] == "john_doe"


@pytest.mark.parametrize("lang", LANGS)
async def test_a_link_that_is_not_a_profile_is_refused_with_a_reason(
    bot: Harness, lang: str
) -> None:
    t = tr_of(bot, lang)
    u = await user(bot, lang)
    await u.send("/order 5")
    question = (await u.reply()).text or ""
    await u.send("https://instagram.com/p/Cx1abc/")
    reply = (await u.reply()).text or ""
    assert (
        t._(
            "This link is not a profile link. Send the username (like @name) or a profile "
            "link such as https://instagram.com/name."
        )
        in reply
    )
    await u.send("@john_doe")
    assert (await u.reply()).text != question  # the dialog goes on to the next question
    assert bot.panel.count("add") == 0


@pytest.mark.parametrize("lang", LANGS)
async def test_status_after_switching_key_marks_orders_not_on_this_key(
    bot: Harness, lang: str
) -> None:
    t = tr_of(bot, lang)
    u = await user(bot, lang)
    old = [await place(bot, UID, KEY) for _ in range(2)]
    bot.panel.add_key(OTHER_KEY)
    await u.send(f"/setkey {OTHER_KEY}")
    await u.reply()
    assert await bot.deps.storage.accounts.get(UID) == OTHER_KEY
    new = await place(bot, UID, OTHER_KEY)
    bot.panel.clear_log()

    await u.send("/status")
    reply = await u.reply()
    text = reply.text or ""
    open_title = t._("<b>Open orders</b> ({n})", n=1)
    away_title = t._("<b>Not on this key</b> ({n})", n=2)
    assert open_title in text and away_title in text
    assert f"#<code>{new.panel_order_id}</code>" in _section(text, open_title, [away_title])
    pending = Html(t._("Pending"))
    for order in old:
        line = t._(
            "❔ #{id} — not on this key (last known: {status})",
            id=f"<code>{order.panel_order_id}</code>",
            status=pending,
        )
        assert line in _section(text, away_title, [open_title])
        stale = t._(
            "{icon} #{id} — <b>{status}</b>",
            icon="⏳",
            id=f"<code>{order.panel_order_id}</code>",
            status=pending,
        )
        assert stale not in text  # not shown as if it were current
    # The panel was asked with the new key and answered an error for each old id.
    [status_call] = [r for r in bot.panel.requests if r.action == "status"]
    assert status_call.params["key"] == OTHER_KEY
    # Nothing is lost: the rows stay as they were, and /orders and the cards still have them.
    for order in old:
        kept = await bot.deps.storage.orders.get(order.id)
        assert kept is not None and kept.status == "Pending"
        assert kept.panel_order_id == order.panel_order_id
        assert OrderCard(order.id).pack() in datas(reply)

    # /status with the ids says the same of each one instead of "not found".
    await u.send(f"/status {old[0].panel_order_id}")
    text = (await u.reply()).text or ""
    assert f"❔ #<code>{old[0].panel_order_id}</code>" in text
    assert t._("#{id} — not found", id=f"<code>{old[0].panel_order_id}</code>") not in text

    # Back on the first key, they are open orders again.
    await u.send(f"/setkey {KEY}")
    await u.reply()
    await u.send("/status")
    text = (await u.reply()).text or ""
    assert t._("<b>Open orders</b> ({n})", n=2) in text
    assert t._("<b>Not on this key</b> ({n})", n=1) in text  # now the other key's order
    if lang == "tr":
        assert "<b>Açık siparişler</b> (2)" in text
