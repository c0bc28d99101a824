"""Times in the user's zone, and pushes a reseller can live with (issue 13 items 3 and 4), end to
end in English and Turkish: poller → outbox → notifier → real PTB → fake Telegram.

Expected wording comes from the bot's own catalogs (`translator(lang)`), so these tests hold
before and after the Turkish strings are merged; what does not depend on wording (ids, zones,
offsets, counts of messages, the outbox rows) is asserted literally.
"""

from __future__ import annotations

import csv
import io
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Translator
from bot.panel.text import escaped
from bot.storage import Order
from tests.e2e.steps import drain as drain_outbox
from tests.e2e.steps import due_again, poll
from tests.e2e.steps import place_many as place
from tests.e2e.test_notifications import KEY, UID
from tests.fakes.telegram_models import BotMessage
from tests.fakes.telegram_users import FakeUser
from tests.harness import Harness, running_bot

LANGS = ["en", "tr"]


def shown(moment: float, zone: str, lang: str) -> str:
    """What the bot must show for `moment`: one style, the month in words ("7 Dec 2026, 15:33",
    "7 Ara 2026 15:33"), in `zone`, and the zone."""
    tz = ZoneInfo(zone)
    local = datetime.fromtimestamp(moment, tz)
    pattern = "d MMM y HH:mm" if lang == "tr" else "d MMM y, HH:mm"
    return f"{format_datetime(local, pattern, tzinfo=tz, locale=lang)} ({zone})"


async def joined(bot: Harness, lang: str) -> tuple[FakeUser, Translator]:
    """A member with a key who wrote once (so the bot knows their language)."""
    u = await bot.member(UID, key=KEY, language_code=lang)
    await u.send("/start")
    await u.reply()
    return u, bot.deps.catalogs.translator(lang)


async def open_card(u: FakeUser, order: Order) -> BotMessage:
    await u.send("/orders")
    await u.reply()
    await u.press(f"#{order.panel_order_id}")
    return await u.update()


async def outbox_rows(bot: Harness) -> list[dict[str, object]]:
    rows = await bot.deps.storage.db.fetchall("SELECT * FROM outbox ORDER BY id")
    return [dict(r) for r in rows]


# --- time zones ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
async def test_card_times_name_the_default_zone(tmp_path: Path, lang: str) -> None:
    async with running_bot(tmp_path) as bot:
        u, t = await joined(bot, lang)
        [order] = await place(bot, UID, KEY)
        card = await open_card(u, order)
        text = card.text or ""
        # TIMEZONE is unset: the language's zone (Turkish: Istanbul's time, not UTC's), named.
        zone = "Europe/Istanbul" if lang == "tr" else "UTC"
        assert t._("Created: {when}", when=shown(order.created_at, zone, lang)) in text
        assert t._("Updated: {when}", when=shown(order.updated_at, zone, lang)) in text

    async with running_bot(tmp_path / "ist", timezone="Europe/Istanbul") as bot:
        u, t = await joined(bot, lang)
        [order] = await place(bot, UID, KEY)
        text = (await open_card(u, order)).text or ""
        assert shown(order.created_at, "Europe/Istanbul", lang) in text


@pytest.mark.parametrize("lang", LANGS)
async def test_user_picks_a_zone_and_every_time_follows_it(tmp_path: Path, lang: str) -> None:
    async with running_bot(tmp_path) as bot:
        u, t = await joined(bot, lang)
        [order] = await place(bot, UID, KEY)

        await u.send("/settings")
        settings = await u.reply()
        settings_said = settings.text or ""  # the message object follows later edits
        # Unset TIMEZONE: the language's zone until the user picks one.
        default = "Europe/Istanbul" if lang == "tr" else "UTC"
        await u.press(t._("🕒 Time zone: {zone}", zone=default), message=settings)
        menu = await u.update()
        zones = [text for text, data in menu.buttons() if data.startswith("zs:")]
        if lang == "tr":
            # Turkish: Istanbul is offered first, already the zone in use (TIMEZONE unset).
            assert zones[0] == "✅ Europe/Istanbul"
            await u.press_data("zs:Europe/Istanbul", menu)
            zone = "Europe/Istanbul"
            note = await u.update()
        else:
            assert zones[0] == "✅ UTC" and "Europe/Istanbul" in zones
            assert "Europe/Istanbul" not in settings_said
            await u.press(t._("✏️ Type a time zone"), message=menu)
            await u.update()
            await u.send("Mars/Olympus_Mons")
            refused = await u.reply()
            assert t._(
                "I do not know the time zone “{name}”. Send an IANA name such as Europe/Istanbul.",
                name=escaped("Mars/Olympus_Mons"),
            ) in (refused.text or "")
            await u.send("america/new_york")  # any case: the IANA name is found
            zone = "America/New_York"
            note = await u.reply()
        assert t._("🕒 Time zone: {zone}", zone=zone) in [text for text, _ in note.buttons()]
        assert (await bot.deps.storage.users.get(UID)).time_zone == zone  # type: ignore[union-attr]

        card = (await open_card(u, order)).text or ""
        assert t._("Created: {when}", when=shown(order.created_at, zone, lang)) in card
        assert "(UTC)" not in card

        # Pushes too: a refill outcome, and the order's started/completed notices, carry no time;
        # the card they open does, in the user's zone.
        assert order.panel_order_id is not None
        bot.panel.set_order(order.panel_order_id, status="Completed", remains=0)
        await poll(bot)
        push = await u.reply()
        await u.press(t._("📄 Open order"), message=push)
        opened = await u.reply()
        assert f"({zone})" in (opened.text or "")

        # The export: ISO 8601 with the offset of the user's zone.
        await u.send("/export")
        doc = await u.reply()
        assert doc.document is not None
        text = doc.document.content.decode("utf-8-sig")
        [row] = list(csv.DictReader(io.StringIO(text), delimiter=";" if lang == "tr" else ","))
        local = datetime.fromtimestamp(order.created_at, ZoneInfo(zone))
        assert row[t._("Created")] == local.isoformat(timespec="seconds")
        assert row[t._("Created")].endswith("+03:00" if lang == "tr" else ("-05:00", "-04:00"))


# --- open order from a push ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
async def test_open_order_on_a_push_sends_the_card_and_keeps_the_push(
    tmp_path: Path, lang: str
) -> None:
    async with running_bot(tmp_path) as bot:
        u, t = await joined(bot, lang)
        [order] = await place(bot, UID, KEY)
        assert order.panel_order_id is not None
        bot.panel.set_order(order.panel_order_id, status="Completed", remains=0)
        await poll(bot)
        push = await u.reply()
        before = push.text

        await u.press(t._("📄 Open order"), message=push)
        card = await u.reply()  # a NEW message

        assert card.message_id != push.message_id
        assert t._("<b>Order #{id}</b>", id=f"<code>{order.panel_order_id}</code>") in (
            card.text or ""
        )
        assert push.text == before and push.edit_count == 0
        edits = bot.telegram.calls_to("editMessageText")
        assert [c for c in edits if c.params.get("message_id") == push.message_id] == []


# --- digests ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
async def test_twelve_completions_in_one_poll_are_one_digest(tmp_path: Path, lang: str) -> None:
    async with running_bot(tmp_path) as bot:
        u, t = await joined(bot, lang)
        orders = await place(bot, UID, KEY, 12)
        ids = [o.panel_order_id for o in orders]
        for pid in ids:
            assert pid is not None
            bot.panel.set_order(pid, status="Completed", remains=0)

        before = len(u.bot_messages())
        report = await poll(bot)
        digest = await u.reply()
        await drain_outbox(bot)

        assert report is not None and report.queued == 12
        listed = ", ".join(f"#<code>{pid}</code>" for pid in ids)
        assert digest.text == t.ngettext(
            "✅ {n} order completed: {ids}", "✅ {n} orders completed: {ids}", 12, ids=listed
        )
        assert digest.buttons() == [(t._("📋 List them"), digest.buttons()[0][1])]
        assert u.bot_messages()[before:] == [digest]
        rows = await outbox_rows(bot)
        assert [(r["kind"], r["sent_at"] is not None) for r in rows] == [("order_digest", True)]
        covers = await bot.deps.storage.db.fetchall("SELECT * FROM outbox_covers")
        assert sorted(r["dedupe_key"] for r in covers) == sorted(
            f"order:{o.id}:Completed" for o in orders
        )

        # The same transitions seen again (a crash before the statuses were saved) say nothing.
        await bot.deps.storage.db.execute("UPDATE orders SET status = 'Pending'")
        await due_again(bot)
        again = await poll(bot)
        await drain_outbox(bot)
        assert again is not None and again.queued == 0
        assert len(await outbox_rows(bot)) == 1 and u.bot_messages()[-1] is digest

        # 📋 List them: every order, as a new message; the digest stays.
        await u.press(t._("📋 List them"), message=digest)
        listing = await u.reply()
        assert all(f"#<code>{pid}</code>" in (listing.text or "") for pid in ids)
        assert [text for text, _ in listing.buttons()] == [f"#{pid}" for pid in ids]
        assert digest.edit_count == 0
        await u.press(f"#{ids[3]}", message=listing)
        card = await u.reply()
        assert t._("<b>Order #{id}</b>", id=f"<code>{ids[3]}</code>") in (card.text or "")

        # One change in a cycle stays one ordinary push.
        [single] = await place(bot, UID, KEY, batch="s")
        assert single.panel_order_id is not None
        bot.panel.set_order(single.panel_order_id, status="Completed", remains=0)
        await poll(bot)
        push = await u.reply()
        assert t._(
            "✅ Order <b>#{id}</b> is completed.", id=f"<code>{single.panel_order_id}</code>"
        ) in (push.text or "")
        assert push.buttons()[0] == (t._("📄 Open order"), f"zo:{single.id}")


# --- mute ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
async def test_a_muted_order_sends_no_push(tmp_path: Path, lang: str) -> None:
    async with running_bot(tmp_path) as bot:
        u, t = await joined(bot, lang)
        quiet_one, loud, later = await place(bot, UID, KEY, 3)
        assert quiet_one.panel_order_id and loud.panel_order_id and later.panel_order_id

        # 🔕 on the card.
        card = await open_card(u, quiet_one)
        await u.press(t._("🔕 Mute"), message=card)
        answered = await u.update()
        assert t._("🔔 Unmute") in [text for text, _ in answered.buttons()]
        toast = bot.telegram.calls_to("answerCallbackQuery")[-1].params.get("text")
        assert toast == t._(
            "🔕 Order #{id} muted: no more pushes about it.", id=quiet_one.panel_order_id
        )

        # Both complete in one cycle: only the unmuted one is said, as a single push.
        for o in (quiet_one, loud):
            bot.panel.set_order(o.panel_order_id or 0, status="Completed", remains=0)
        await poll(bot)
        push = await u.reply()
        await drain_outbox(bot)
        assert t._(
            "✅ Order <b>#{id}</b> is completed.", id=f"<code>{loud.panel_order_id}</code>"
        ) in (push.text or "")
        texts = "\n".join(u.sent_texts())
        assert f"#{quiet_one.panel_order_id}</b> is completed" not in texts
        assert f"#{quiet_one.panel_order_id}," not in (push.text or "")

        # 🔕 on a push: only its button flips; the text stays.
        bot.panel.set_order(later.panel_order_id, status="In progress", start_count=5)
        await due_again(bot)
        await poll(bot)
        started = await u.reply()
        before = started.text
        await u.press(t._("🔕 Mute"), message=started)
        flipped = await u.update()
        assert flipped.message_id == started.message_id and started.text == before
        assert t._("🔔 Unmute") in [text for text, _ in started.buttons()]
        bot.panel.set_order(later.panel_order_id, status="Completed", remains=0)
        await due_again(bot)
        count = len(u.bot_messages())
        await poll(bot)
        await drain_outbox(bot)
        assert len(u.bot_messages()) == count
        assert await bot.deps.storage.outbox.pending_count() == 0


# --- quiet hours --------------------------------------------------------------------------------


def _hhmm(moment: float, zone: str) -> str:
    return datetime.fromtimestamp(moment, ZoneInfo(zone)).strftime("%H:%M")


@pytest.mark.parametrize("lang", LANGS)
async def test_quiet_hours_hold_pushes_then_send_one_digest(tmp_path: Path, lang: str) -> None:
    zone = "Europe/Istanbul" if lang == "tr" else "UTC"
    async with running_bot(tmp_path) as bot:
        u, t = await joined(bot, lang)
        await bot.deps.notifications.set_time_zone(UID, zone)
        t = t.with_zone(zone)
        first, second, third = await place(bot, UID, KEY, 3)

        # Quiet from an hour ago to two hours from now, typed in the user's zone.
        now = time.time()
        start, end = _hhmm(now - 3600, zone), _hhmm(now + 7200, zone)
        await u.send("/settings")
        settings = await u.reply()
        await u.press(t._("🌙 Quiet hours: off"), message=settings)
        await u.update()
        await u.press(t._("✏️ Type hours"))
        await u.update()
        await u.send("later")
        assert t._("That is not from–to hours. Example: 23:00-08:00.") in (
            (await u.reply()).text or ""
        )
        await u.send(f"{start}-{end}")
        done = await u.reply()
        hours = f"{start}–{end}"
        assert t._("🌙 Quiet hours set: {hours} ({zone}).", hours=hours, zone=zone) in (
            done.text or ""
        )
        assert t._("🌙 Quiet hours: {hours}", hours=hours) in [x for x, _ in done.buttons()]
        shown_before = len(u.bot_messages())

        # One completion, then two more in a later cycle: all held, nothing sent.
        bot.panel.set_order(first.panel_order_id or 0, status="Completed", remains=0)
        await poll(bot)
        await drain_outbox(bot)
        for o in (second, third):
            bot.panel.set_order(o.panel_order_id or 0, status="Completed", remains=0)
        await due_again(bot)
        await poll(bot)
        await drain_outbox(bot)
        assert len(u.bot_messages()) == shown_before
        held = [r for r in await outbox_rows(bot) if r["held"]]
        assert [r["kind"] for r in held] == ["order_status", "order_digest"]
        # Held until the quiet hours end (to the minute: the typed end is whole minutes).
        ends = {round(float(str(r["next_attempt_at"]))) for r in held}
        assert len(ends) == 1 and abs(ends.pop() - (now + 7200)) <= 60
        assert all(r["attempts"] == 0 for r in held)

        # The quiet hours are over: the clock is past their end (moved, not waited for).
        storage = bot.deps.storage
        minute = _minute(now, zone)
        await storage.users.set_quiet_hours(UID, ((minute + 60) % 1440, (minute + 120) % 1440))
        await storage.db.execute("UPDATE outbox SET next_attempt_at = ? WHERE held = 1", (now,))
        await drain_outbox(bot)
        digest = await u.reply()
        await drain_outbox(bot)

        ids = ", ".join(f"#<code>{o.panel_order_id}</code>" for o in (first, second, third))
        assert digest.text == t.ngettext(
            "✅ {n} order completed: {ids}", "✅ {n} orders completed: {ids}", 3, ids=ids
        )
        assert len(u.bot_messages()) == shown_before + 1
        assert await storage.outbox.pending_count() == 0
        rows = await outbox_rows(bot)
        assert [r["kind"] for r in rows if r["sent_at"]] == ["order_digest"]
        merged = [r for r in rows if r["dropped_at"]]
        assert len(merged) == 2 and all(
            str(r["last_error"]).startswith("merged into digest") for r in merged
        )


def _minute(moment: float, zone: str) -> int:
    local = datetime.fromtimestamp(moment, ZoneInfo(zone))
    return (local.hour * 60 + local.minute) % (24 * 60)


@pytest.mark.parametrize("lang", LANGS)
async def test_turning_quiet_hours_off_sends_what_was_held(tmp_path: Path, lang: str) -> None:
    async with running_bot(tmp_path) as bot:
        u, t = await joined(bot, lang)
        orders = await place(bot, UID, KEY, 2)
        now = time.time()
        zone = "Europe/Istanbul" if lang == "tr" else "UTC"  # the language's: TIMEZONE unset
        await bot.deps.notifications.set_quiet_hours(
            UID, (_minute(now - 3600, zone), _minute(now + 3600, zone))
        )
        for o in orders:
            bot.panel.set_order(o.panel_order_id or 0, status="Completed", remains=0)
        await poll(bot)
        await drain_outbox(bot)
        assert [r["held"] for r in await outbox_rows(bot)] == [1]

        await u.send("/settings")
        settings = await u.reply()
        label = [x for x, data in settings.buttons() if data == "hm"]
        await u.press(label[0], message=settings)
        await u.update()
        await u.press(t._("🔔 No quiet hours"))
        digest = await u.reply()
        ids = ", ".join(f"#<code>{o.panel_order_id}</code>" for o in orders)
        assert digest.text == t.ngettext(
            "✅ {n} order completed: {ids}", "✅ {n} orders completed: {ids}", 2, ids=ids
        )


async def test_a_push_from_before_the_update_also_opens_the_card_as_a_new_message(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as bot:
        u, t = await joined(bot, "en")
        [order] = await place(bot, UID, KEY)
        # What pushes carried until now: one "📄 Open order" button with the card's own data.
        assert bot.app is not None
        old = InlineKeyboardMarkup(
            [[InlineKeyboardButton("📄 Open order", callback_data=f"oc:{order.id}")]]
        )
        await bot.app.bot.send_message(UID, "✅ Order is completed.", reply_markup=old)
        push = await u.reply()

        await u.press("📄 Open order", message=push)
        card = await u.reply()
        assert t._("<b>Order #{id}</b>", id=f"<code>{order.panel_order_id}</code>") in (
            card.text or ""
        )
        assert push.text == "✅ Order is completed." and push.edit_count == 0
