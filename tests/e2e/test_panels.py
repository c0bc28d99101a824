"""Several panels per user (issue 14) end to end: two fake panels on their own ports, with
their own catalogs, currencies and order id ranges."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.e2e.steps import (
    KEY_A,
    KEY_B,
    beta_key_question,
    beta_services,
    drain,
    link_beta,
    make_default,
    press_through,
    say,
    screen,
)
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeUser
from tests.fakes.telegram_models import BotMessage
from tests.harness import Harness, running_bot


@pytest.mark.parametrize(
    ("language", "linked", "total"), [("en", "linked", "Total"), ("tr", "bağlandı", "toplamı")]
)
async def test_link_a_second_panel_list_it_and_see_both_balances(
    two: Harness, beta: FakePanel, language: str, linked: str, total: str
) -> None:
    user = await two.member(8101, key=KEY_A, balance="100", language_code=language)
    beta.add_key(KEY_B, balance="40")
    await user.send("/panels")
    listed = await user.reply()
    assert "★" in (listed.text or "") and "100" in (listed.text or "")
    await user.press("➕")
    picks = await user.update()
    # The panel already linked is not offered again.
    assert next(text for text, _ in picks.buttons()) == "Beta"
    await user.press("Beta", exact=True)
    question = await user.update()
    assert "Beta" in (question.text or "")
    key_message = await user.send(KEY_B)
    done = await user.reply()
    assert key_message.deleted
    assert linked in (done.text or "") and "40" in (done.text or "")
    assert "€40" in (done.text or "")  # in the panel's own currency
    assert all(KEY_B not in text for text in user.sent_texts())
    assert KEY_B not in two.logs.text

    accounts = await two.deps.accounts.accounts(8101)
    assert [(a.slot, a.label, a.is_default) for a in accounts] == [
        (1, "127.0.0.1", True),
        (2, "Beta", False),
    ]
    # Stored encrypted: the database never holds the key.
    for path in Path(two.settings.database_path).parent.glob("bot.sqlite3*"):
        assert KEY_B.encode() not in path.read_bytes()

    await user.send("/balance")
    text = (await user.reply()).text or ""
    lines = text.splitlines()
    assert any("127.0.0.1" in line and "100" in line for line in lines)
    assert any("Beta" in line and "€40" in line for line in lines)
    # One total per currency, never one sum of dollars and euros.
    totals = [line for line in lines if total in line]
    assert len(totals) == 2
    assert any("USD" in line and "100" in line for line in totals)
    assert any("EUR" in line and "40" in line for line in totals)
    assert "140" not in text
    assert two.telegram.bad_requests() == []


async def test_wrong_key_for_a_panel_is_asked_again_and_not_stored(
    two: Harness, beta: FakePanel
) -> None:
    user = await two.member(8102, key=KEY_A)
    beta.add_key(KEY_B)
    await beta_key_question(user)
    wrong = await user.send("wrong_key_000000000000")
    refused = await user.reply()
    assert wrong.deleted
    assert "did not accept" in (refused.text or "")
    assert len(await two.deps.accounts.accounts(8102)) == 1
    await user.send(KEY_B)
    assert "linked" in ((await user.reply()).text or "")


async def test_rename_make_default_and_remove(two: Harness, beta: FakePanel) -> None:
    user = await two.member(8103, key=KEY_A)
    await link_beta(two, beta, user)
    card = await screen(user, "/panels", "127.0.0.1")
    assert "★" in (card.text or "")
    await user.press("Rename")
    await user.update()
    await user.send("Beta")  # taken (names are unique per user, case-insensitively)
    assert "already have" in ((await user.reply()).text or "")
    await user.send("bad|name")
    assert "cannot be used" in ((await user.reply()).text or "")
    await user.send("Roket")
    assert "Roket" in ((await user.reply()).text or "")

    listed = await press_through(user, "Beta", "Make default")
    assert "★ <b>Beta</b>" in (listed.text or "") or "★ Beta" in (listed.text or "")
    assert (await two.deps.accounts.account(8103)).label == "Beta"  # type: ignore[union-attr]

    question = await press_through(user, "Beta", "Remove")
    assert "Remove" in (question.text or "") and "history" in (question.text or "")
    await user.press("Yes, remove")
    gone = await user.update()
    assert "removed" in (gone.text or "")
    accounts = await two.deps.accounts.accounts(8103)
    assert [(a.label, a.is_default) for a in accounts] == [("Roket", True)]
    assert await two.deps.accounts.key(8103, 2) is None


async def test_custom_url_refused_when_private_unless_allowed(
    tmp_path: Path, beta: FakePanel
) -> None:
    async with running_bot(tmp_path, allow_custom_panels=True) as bot:
        user = await bot.member(8104, key=KEY_A)
        await screen(user, "/panels", "➕", "Other panel")
        await user.send("https://10.0.0.1/api/v2")
        refused = (await user.reply()).text or ""
        assert "cannot be used" in refused and "private" in refused
        await user.send(beta.url)  # http:// on 127.0.0.1
        assert "https" in ((await user.reply()).text or "")
        assert len(await bot.deps.accounts.accounts(8104)) == 1


async def add_by_url(two: Harness, beta: FakePanel, user: FakeUser) -> BotMessage:
    """/panels → ➕ → Other panel → Beta's URL → its key: the answer."""
    beta.add_key(KEY_B, balance="7")
    await screen(user, "/panels", "➕", "🌐")
    await user.send(beta.url)
    assert f"<b>{beta.url}</b>" in ((await user.reply()).text or "")  # its key asked
    await user.send(KEY_B)
    return await user.reply()


async def test_custom_url_when_private_panels_are_allowed(two: Harness, beta: FakePanel) -> None:
    user = await two.member(8105, key=KEY_A)
    assert "linked" in ((await add_by_url(two, beta, user)).text or "")
    [_, custom] = await two.deps.accounts.accounts(8105)
    assert custom.custom and custom.url == beta.url


@pytest.mark.parametrize(
    ("language", "call", "bad", "taken"),
    [
        ("en", "What should I call this panel?", "cannot be used", "already"),
        ("tr", "Bu panele ne ad vereyim?", "kullanılamaz", "zaten"),
    ],
)
async def test_a_panel_added_by_url_is_asked_for_a_name(
    two: Harness, beta: FakePanel, language: str, call: str, bad: str, taken: str
) -> None:
    """Issue 21 item 5: named after its host until the user names it, the same rules as a
    rename (1–24 characters without | ; , =, unique per user)."""
    user = await two.member(8111, key=KEY_A, language_code=language)
    linked = await add_by_url(two, beta, user)
    [_, custom] = await two.deps.accounts.accounts(8111)
    assert call in (linked.text or "")
    assert f"✅ {custom.label}" in [label for label, _ in linked.buttons()]
    await user.send("a|b")
    assert bad in ((await user.reply()).text or "")
    await user.send("127.0.0.1")  # the default panel's name
    assert taken in ((await user.reply()).text or "")
    await user.send("Gamma")
    assert "Gamma" in ((await user.reply()).text or "")
    assert [a.label for a in await two.deps.accounts.accounts(8111)] == ["127.0.0.1", "Gamma"]


async def test_the_suggested_name_of_a_panel_added_by_url_can_be_kept(
    two: Harness, beta: FakePanel
) -> None:
    user = await two.member(8112, key=KEY_A)
    linked = await add_by_url(two, beta, user)
    [_, custom] = await two.deps.accounts.accounts(8112)
    await user.press(f"✅ {custom.label}", message=linked)
    listed = await user.update()
    assert custom.label in str(listed.buttons())
    await user.send("Gamma")  # the question is closed: not a name any more
    await user.reply()
    assert [a.label for a in await two.deps.accounts.accounts(8112)] == ["127.0.0.1", custom.label]
    assert two.telegram.bad_requests() == []


@pytest.mark.parametrize(("language", "similar"), [("en", "Similar"), ("tr", "Benzer")])
async def test_compare_on_a_service_card_then_order_here(
    two: Harness, beta: FakePanel, language: str, similar: str
) -> None:
    user = await two.member(8106, key=KEY_A, language_code=language)
    await link_beta(two, beta, user, balance="30")
    await screen(user, "/services", "Instagram (5)", "· Takipçi #1")
    await user.press("⚖️")
    compared = await user.reply()
    text = compared.text or ""
    assert similar in text
    # Only the similar ones, cheapest first; the card's own service on top.
    assert "#501" in text and "€9" in text
    assert "#503" not in text and "#504" not in text and "#502" not in text
    assert text.index("#1 ") < text.index("#501")
    await user.press("#501", message=compared)
    question = await user.update()
    assert "501" in (question.text or "")
    preview = (await say(user, "instagram.com/compared", "1000")).text or ""
    assert "Panel: <b>Beta</b>" in preview and "€9" in preview
    assert await two.deps.accounts.account(8106) is not None
    # The default is unchanged: "Order here" chose the panel for this order only.
    assert (await two.deps.accounts.account(8106)).label == "127.0.0.1"  # type: ignore[union-attr]


async def beta_alert_question(
    two: Harness, beta: FakePanel, user_id: int, language: str
) -> FakeUser:
    """A member with Beta linked (balance 40), at Beta's 🔔 Low-balance alert question."""
    user = await two.member(user_id, key=KEY_A, language_code=language)
    await link_beta(two, beta, user, balance="40")
    await screen(user, "/panels", "Beta", "🔔")
    return user


@pytest.mark.parametrize(("language", "low"), [("en", "Low balance"), ("tr", "düşük bakiye")])
async def test_low_balance_alert_once_below_again_after_rising_above(
    two: Harness, beta: FakePanel, language: str, low: str
) -> None:
    user = await beta_alert_question(two, beta, 8107, language)
    await user.send("lots")
    await user.reply()  # asked again
    await user.send("25,50")
    assert "25.50" in ((await user.reply()).text or "")
    account = await two.deps.accounts.account(8107, 2)
    assert account is not None and account.low_balance_threshold == Decimal("25.50")

    async def balance_seen(amount: str) -> None:
        beta.add_key(KEY_B, balance=amount)
        await user.send("/balance")
        await user.reply()
        await drain(two)

    await balance_seen("30")  # above: nothing
    await balance_seen("20")  # fell below: one alert
    alert = (await user.reply()).text or ""
    assert low in alert and "Beta" in alert and "€20" in alert
    # Its currency spelled out, and a link to the panel's site to top up (issue 21 item 19).
    site = beta.url.rsplit("/api", 1)[0]
    assert "EUR" in alert and f'<a href="{site}">' in alert, alert
    await balance_seen("10")  # still below: no second alert
    await balance_seen("26")  # rose above: re-armed, no alert
    await balance_seen("5")  # below again: alerted again
    again = (await user.reply()).text or ""
    assert low in again and "€5" in again
    kinds = await two.deps.storage.db.fetchall(
        "SELECT kind FROM outbox WHERE user_id = ? AND kind = 'low_balance'", (8107,)
    )
    assert len(kinds) == 2
    # The default panel has no alert set: its balance never alerts.
    assert all("<b>127.0.0.1</b>" not in text for text in user.sent_texts() if low in text)


@pytest.mark.parametrize(("language", "nothing"), [("en", "Nothing found"), ("tr", "bulunamadı")])
async def test_search_runs_over_every_panel_and_services_switches_panels(
    two: Harness, beta: FakePanel, language: str, nothing: str
) -> None:
    user = await two.member(8108, key=KEY_A, language_code=language)
    await link_beta(two, beta, user)
    await user.send("/services followers")
    found = await user.reply()
    text = found.text or ""
    # Grouped by panel, the default one first; "followers" finds "Takipçi" nowhere (no
    # translation in search), but Beta's English names.
    assert text.index("<b>127.0.0.1</b>") < text.index("<b>Beta</b>")
    assert nothing in text and "#501" in text and "#503" in text and "#504" in text
    labels = [label for label, _ in found.buttons()]
    assert any("Beta #501" in label for label in labels)
    await user.press("Beta #504", message=found)
    assert "504" in ((await user.update()).text or "")
    await user.send("/cancel")
    await user.reply()

    await user.send("/services")
    listed = await user.reply()
    assert "127.0.0.1" in (listed.text or "")
    await user.press("🔁 Beta", message=listed)
    switched = await user.update()
    assert "Beta" in (switched.text or "") and "Insta" in str(switched.buttons())
    # Looking is not choosing (issue 21 item 3): the ★ default stays.
    assert (await two.deps.accounts.account(8108)).label == "127.0.0.1"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("language", "more", "similar_button"),
    [("en", "… and 12 more", "⚖️"), ("tr", "… ve 12 tane daha", "⚖️")],
)
async def test_a_search_result_opens_its_card_on_its_panel(
    two: Harness, beta: FakePanel, language: str, more: str, similar_button: str
) -> None:
    """Issue 21 item 7: a result of /services <words> over every panel opens that service's
    card on its panel (read first, then order there), and a cut list says how many more."""
    beta.set_services(
        beta_services()
        + [
            {"service": 600 + n, "name": f"Followers pack {n}", "type": "Default",
             "category": "Packs", "rate": "3.00", "min": 10, "max": 1000}
            for n in range(14)
        ]
    )  # fmt: skip
    user = await two.member(8110, key=KEY_A, language_code=language)
    await link_beta(two, beta, user)
    await user.send("/services followers")
    found = await user.reply()
    text = found.text or ""
    # 17 of Beta's services match, 5 are shown.
    assert text.count(more) == 1 and text.index(more) > text.index("<b>Beta</b>"), text
    await user.press("Beta #501", message=found)
    card = await user.update()
    labels = " ".join(label for label, _ in card.buttons())
    assert "IG Followers [Real]" in (card.text or "") and "€9" in (card.text or "")
    assert similar_button in labels and "🛒" in labels
    assert beta.count("add") == 0
    # « Back: the results on every panel again.
    await user.press("« ", message=card)
    again = await user.update()
    assert "<b>127.0.0.1</b>" in (again.text or "") and more in (again.text or "")
    await user.press("Beta #501", message=again)
    await user.update()
    await user.press("🛒")
    assert "501" in ((await user.update()).text or "")
    await user.send("instagram.com/found")
    await user.reply()
    await user.send("100")
    preview = (await user.reply()).text or ""
    assert "Panel: <b>Beta</b>" in preview and "€" in preview
    # Looking at Beta's card chose nothing: the ★ default stays.
    assert (await two.deps.accounts.account(8110)).label == "127.0.0.1"  # type: ignore[union-attr]
    assert two.telegram.bad_requests() == []


async def test_browsing_another_panel_keeps_the_default_until_asked(
    two: Harness, beta: FakePanel
) -> None:
    """Issue 21 item 3: 🔁 on /services only looks; ★ Make default there, or in /panels
    (which then shows that panel's card, not the list), changes the default."""
    user = await two.member(8109, key=KEY_A)
    await link_beta(two, beta, user)
    await user.send("/services")
    listed = await user.reply()
    await user.press("🔁 Beta", message=listed)
    looking = await user.update()
    text = looking.text or ""
    assert "<b>Beta</b>, just looking. /order and /bulk use ★ <b>127.0.0.1</b>" in text
    assert {"🔁 ★ 127.0.0.1", "★ Make default"} <= {label for label, _ in looking.buttons()}
    # A card of Beta's orders on Beta, though Alpha stays the default.
    await user.press("Insta", message=looking)
    await user.update()
    await user.press("#501", message=looking)
    card = await user.update()
    assert "IG Followers" in (card.text or "")
    await user.press("🛒 Order", message=card)
    asked = await user.update()
    assert "Ordering <b>#501 IG Followers [Real]</b>" in (asked.text or "")  # Alpha has no 501
    await user.send("https://instagram.com/x")
    await user.reply()
    await user.send("100")
    preview = await user.reply()
    assert "€" in (preview.text or "") or "EUR" in (preview.text or "")
    drafts = await two.deps.storage.db.fetchall(
        "SELECT panel_slot, service_id FROM orders WHERE user_id = ? AND submit_state = 'draft'",
        (8109,),
    )
    assert [(r[0], r[1]) for r in drafts] == [(2, 501)]  # priced on Beta, to be placed there
    assert (await two.deps.accounts.account(8109)).label == "127.0.0.1"  # type: ignore[union-attr]

    # ★ Make default on /services is the explicit choice.
    await user.send("/services")
    listed = await user.reply()
    assert "★ default; 🔁 below switches" in (listed.text or "")  # a fresh /services: ★ again
    await user.press("🔁 Beta", message=listed)
    looking = await user.update()
    qid = await user.press("★ Make default", message=looking)
    assert "now your default" in str((await user.answer(qid)).params.get("text"))
    made = await user.update()
    assert "🔗 Panel: <b>Beta</b> (★ default" in (made.text or "")
    assert (await two.deps.accounts.account(8109)).label == "Beta"  # type: ignore[union-attr]

    # /panels → 127.0.0.1 → ★ Make default: back on that panel's card (issue 21, low).
    shown = await make_default(user, "127.0.0.1")
    text = shown.text or ""
    assert "★ <b>127.0.0.1</b> is now your default for /order and /bulk." in text
    assert "This is your default panel." in text
    assert "✏️ Rename" in {label for label, _ in shown.buttons()}
    assert (await two.deps.accounts.account(8109)).label == "127.0.0.1"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("language", "typed"), [("tr", "1.000,50"), ("en", "1,000.50"), ("tr", "1000,5")]
)
async def test_alert_amount_read_as_the_language_writes_it(
    two: Harness, beta: FakePanel, language: str, typed: str
) -> None:
    """Issue 21 (low): "1.000,50" was refused as a Turkish amount."""
    user = await beta_alert_question(two, beta, 8120, language)
    await user.send(typed)
    await user.reply()
    account = await two.deps.accounts.account(8120, 2)
    assert account is not None and account.low_balance_threshold == Decimal("1000.50")


async def test_compare_groups_by_currency_closest_match_first(
    two: Harness, beta: FakePanel
) -> None:
    """Issue 21 item 8: never ranked across currencies; within one, the same refill and cancel
    as the card's service first, then the cheaper."""
    cheap = {**beta_services()[0], "service": 505, "name": "IG Followers [No refill]"}
    cheap.update(rate="0.0079", refill=False, cancel=False)
    beta.set_services([*beta_services(), cheap])
    user = await two.member(8121, key=KEY_A)
    await link_beta(two, beta, user, balance="30")
    await screen(user, "/services", "Instagram (5)", "· Takipçi #1")
    await user.press("⚖️")
    text = (await user.reply()).text or ""
    assert "In EUR:" in text, text
    # #501 refills and cancels like the card's #1; #505 is cheaper but does neither.
    assert text.index("#501") < text.index("#505"), text


async def test_key_commands_with_several_panels_name_the_panel_and_ask(
    two: Harness, beta: FakePanel
) -> None:
    """Issue 21 item 6: /deletekey asks first and names the panel; /setkey says whose key it
    replaces."""
    user = await two.member(8122, key=KEY_A)
    await link_beta(two, beta, user)
    await user.send("/deletekey")
    question = await user.reply()
    assert "Delete the API key of <b>127.0.0.1</b>, your default panel?" in (question.text or "")
    assert await two.deps.accounts.has_key(8122)  # nothing deleted before the answer
    await user.press("Keep it", message=question)
    await user.update()
    assert await two.deps.accounts.has_key(8122)
    await user.send("/setkey")
    asked = (await user.reply()).text or ""
    assert "It replaces the key of <b>127.0.0.1</b>, your default panel." in asked
    await user.send("/cancel")
    await user.reply()
    await user.send("/deletekey")
    await user.press("🗑 Yes, delete", message=await user.reply())
    assert "deleted" in ((await user.update()).text or "")
    account = await two.deps.accounts.account(8122, 2)
    assert account is not None and not account.removed  # beta keeps its key
