"""Issue 13 item 10, last two bullets: Turkish that reads right, and no English of ours in Turkish.

Denied users are "reddedildi" in /users (not "engelli", which reads as "disabled"); service types,
CSV columns and states, and our own failure reasons are in the user's language; the panel's own
messages stay verbatim, marked as the panel's ("Panelin yanıtı: …").
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from tests.e2e.steps import dialog, plain_text_of
from tests.fakes.panel import Fault
from tests.fakes.panel_catalog import default_services
from tests.fakes.telegram import FakeUser
from tests.fakes.telegram_models import BotMessage
from tests.harness import ADMIN_ID, Harness, running_bot

KEY = "pk_wording_0123456789abcdef"
UID = 4701
LANGUAGES = pytest.mark.parametrize("lang", ["en", "tr"])
THREE = (
    "1 | https://instagram.com/alpha | 1000\n"
    "2 | https://instagram.com/p/beta | 500\n"
    "6 | https://youtube.com/watch?v=gamma | 2000"
)


def csv_table(message: BotMessage, delimiter: str = ",") -> list[list[str]]:
    assert message.document is not None, message.describe()
    text = message.document.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


async def open_card(u: FakeUser, service_id: int) -> BotMessage:
    """/services <id>: the service's card at once (issue 21 item 7)."""
    await u.send(f"/services {service_id}")
    return await u.reply()


async def place_unknown_order(bot: Harness, u: FakeUser) -> BotMessage:
    """A single order whose `add` times out after the panel took it: its outcome is unknown."""
    preview = await dialog(u, 1, "https://instagram.com/unknown", "1000")
    bot.panel.inject(Fault.timeout(after=True), action="add")
    await u.press_data(preview.buttons()[0][1], preview)
    await u.update()  # "sending…"
    return await u.update(timeout=10)


async def refuse_line_two(bot: Harness, u: FakeUser) -> BotMessage:
    """A bulk list whose second line the panel refuses (its minimum rose after the preview)."""
    await u.send("/bulk")
    await u.reply()
    await u.send(THREE)
    preview = await u.reply()
    services = default_services()
    for s in services:
        if s["service"] == 2:
            s["min"] = 1000
    bot.panel.set_services(services)
    await u.press_data(preview.buttons()[0][1], preview)
    return await u.reply()


@LANGUAGES
async def test_users_list_calls_denied_users_rejected(bot: Harness, lang: str) -> None:
    admin = bot.user(ADMIN_ID, language_code=lang)
    stranger = bot.user(4702)
    await stranger.send("/start")
    await stranger.reply()
    await admin.send("/deny 4702")
    said = plain_text_of(await admin.reply())
    await admin.send("/users")
    listing = plain_text_of(await admin.reply())
    line = next(x for x in listing.splitlines() if "4702" in x)
    if lang == "tr":
        assert line.endswith("— reddedildi"), listing
        assert "engel" not in line and "engel" not in said, (line, said)
        assert said == "Kullanıcı 4702 reddedildi: artık botu kullanamaz."
    else:
        assert line.endswith("— denied"), listing
        assert said == "User 4702 is denied now."


@LANGUAGES
async def test_service_card_names_the_type_in_the_users_language(bot: Harness, lang: str) -> None:
    u = await bot.member(UID, key=KEY, language_code=lang)
    expected = {
        "en": {1: "Type: Default", 3: "Type: Custom Comments", 8: "Type: Poll"},
        "tr": {1: "Tür: Standart", 3: "Tür: Özel Yorumlar", 8: "Tür: Anket"},
    }[lang]
    for service_id, line in expected.items():
        card = await open_card(u, service_id)
        assert line in plain_text_of(card), plain_text_of(card)


async def test_a_type_the_bot_does_not_know_shows_as_the_panel_wrote_it(bot: Harness) -> None:
    services = default_services()
    services[0]["type"] = "Story Views Premium"
    bot.panel.set_services(services)
    u = await bot.member(UID, key=KEY, language_code="tr")
    card = await open_card(u, 1)
    assert "Tür: Story Views Premium" in plain_text_of(card)


@LANGUAGES
async def test_export_of_an_unknown_order_in_the_users_words(tmp_path: Path, lang: str) -> None:
    async with running_bot(tmp_path, panel_timeout_seconds=0.5) as bot:
        u = await bot.member(UID, key=KEY, language_code=lang)
        await place_unknown_order(bot, u)
        await u.send("/export")
        header, row = csv_table(await u.reply(), ";" if lang == "tr" else ",")
        cells = dict(zip(header, row, strict=True))
    if lang == "tr":
        assert header[:3] == ["Sipariş no", "Panel", "Oluşturulma"], header
        assert cells["Durum"] == (
            "panel onaylamadı: panelden kontrol edin: "
            "panel zamanında yanıt vermedi; işlem yine de yapılmış olabilir"
        )
    else:
        assert header[:3] == ["Order ID", "Panel", "Created"], header
        assert cells["Status"] == (
            "not confirmed by the panel: check it there: "
            "the panel did not answer in time; it may have been done anyway"
        )
    assert "add:" not in ",".join(row)  # the API action is for the logs


@LANGUAGES
async def test_bulk_result_marks_the_panels_words(bot: Harness, lang: str) -> None:
    u = await bot.member(UID, key=KEY, language_code=lang)
    body = plain_text_of(await refuse_line_two(bot, u))
    refusal = "Order 2: Quantity must be at least 1000"  # the fake panel's words, verbatim
    if lang == "tr":
        assert f"2. satır: ✖ Panelin yanıtı: {refusal}" in body, body
    else:
        assert f"line 2: ✖ Panel's answer: {refusal}" in body, body


@LANGUAGES
async def test_bulk_files_in_the_users_language(bot: Harness, lang: str) -> None:
    u = await bot.member(UID, key=KEY, balance="1000", language_code=lang)
    await u.send("/bulk")
    await u.reply()
    lines = [f"1 | https://instagram.com/u{i} | 100" for i in range(11)]
    await u.send("\n".join([*lines, "1 | https://instagram.com/u0 | 100", "1 | bad | 5"]))
    await u.reply()  # the preview
    header, *rows = csv_table(await u.reply())
    states = [row[1] for row in rows]
    if lang == "tr":
        assert header == [
            "satır",
            "durum",
            "servis",
            "bağlantı",
            "miktar",
            "tutar",
            "ara toplam",
            "bakiye yetiyor",
            "sorun",
            "girilen satır",
        ]
        assert states == ["tamam"] * 11 + ["tekrar", "hata"]
        assert rows[0][7] == "evet"
    else:
        assert header[:2] == ["line", "status"]
        assert states == ["ok"] * 11 + ["duplicate", "error"]
        assert rows[0][7] == "yes"


# --- the scan: key Turkish journeys show none of our English ------------------------------------

# Words and phrases of ours that must not reach a Turkish user (whole words, case-sensitive).
ENGLISH = (
    "Default", "Package", "Custom Comments", "Poll", "Type", "Status", "Rate", "Quantity",
    "Refill", "Cancel", "Confirm", "Order", "Orders", "Balance", "Settings", "Services",
    "placed", "failed", "not sent", "unknown", "sending", "denied", "allowed", "requested",
    "the panel", "Panel's answer", "did not answer", "may have", "check the panel",
    "line", "status", "service", "quantity", "link", "cost", "error", "problem", "input",
    "total so far", "within balance", "order id", "duplicate", "already open", "ok", "yes",
    "submit_state", "service_name", "panel_order_id", "start_count", "remains", "charge",
    "Thanks", "Hello", "waiting", "access", "admin",
)  # fmt: skip
ENGLISH_RE = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in ENGLISH) + r")\b")
# What is not ours: the panel's words (after their mark, to the end of the line or bracket),
# the catalog's names and categories, links and commands.
PANELS_WORDS = re.compile(r"Panelin yanıtı: [^\n)]*")
NOT_OURS = re.compile(r"https?://\S+|/\w+|@\w+|<[^>]+>")


def ours_only(text: str, names: list[str]) -> str:
    text = PANELS_WORDS.sub("", text)
    for name in names:
        text = text.replace(name, "")
    return NOT_OURS.sub("", text)


async def test_turkish_journeys_show_no_english_of_ours(tmp_path: Path) -> None:
    async with running_bot(tmp_path, panel_timeout_seconds=0.5) as bot:
        names = [str(s["name"]) for s in default_services()]
        names += [str(s["category"]) for s in default_services()]
        admin = bot.user(ADMIN_ID, language_code="tr")
        u = await bot.member(UID, key=KEY, balance="1000", language_code="tr")
        stranger = bot.user(4703, language_code="tr")
        shown: list[str] = []

        await stranger.send("/start")
        await stranger.press("Erişim iste", message=await stranger.reply())
        await stranger.update()
        await stranger.send("merhaba")
        await stranger.reply()
        await stranger.send("/help")
        await stranger.reply()
        await admin.reply()  # the request
        await admin.send("/deny 4703")
        await admin.reply()
        await admin.send("/users")
        await admin.reply()

        for command in ("/start", "/help", "/settings", "/balance", "/services"):
            await u.send(command)
            await u.reply()
        for service_id in (1, 3, 7, 8):
            await open_card(u, service_id)
        await place_unknown_order(bot, u)
        await refuse_line_two(bot, u)
        await u.send("/status")
        await u.reply()
        await u.send("/orders")
        orders = await u.reply()
        await u.press_data(orders.buttons()[0][1], orders)
        await u.update()
        for command in ("/status 999999", "/refill 999999", "/refillstatus 999", "/language"):
            await u.send(command)
            await u.reply()
        await u.send("/cancelorder 999999")
        await u.reply()
        await u.send("/export")
        export = await u.reply()
        await u.send("/bulk")
        await u.reply()
        await u.send("\n".join(f"1 | https://instagram.com/v{i} | 100" for i in range(12)))
        await u.reply()
        check = await u.reply()

        for user in (u, admin, stranger):
            for message in user.bot_messages():
                shown.append(plain_text_of(message))
                shown.extend(label for label, _ in message.buttons())
        for document in (export, check):
            shown.extend(",".join(row) for row in csv_table(document))
        shown.extend(
            str(call.params.get("text") or "")
            for call in bot.telegram.calls
            if call.method == "answerCallbackQuery"
        )

    leaks = [
        (found, text) for text in shown for found in ENGLISH_RE.findall(ours_only(text, names))
    ]
    assert leaks == [], "\n".join(f"{word!r} in {text!r}" for word, text in leaks)
