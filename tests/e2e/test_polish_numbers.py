"""Issue 13 items 7–8 end to end: amounts with the account currency, grouped numbers, plurals."""

from __future__ import annotations

from bot.i18n import NBSP
from tests.e2e.steps import confirm, dialog, preview_for
from tests.harness import Harness

KEY = "pk_polish_0123456789abcdef"
UID = 4301


async def test_insufficient_balance_quotes_both_amounts_in_the_account_currency(
    bot: Harness,
) -> None:
    bot.panel.add_key(KEY, balance="1", currency="TRY")
    await bot.deps.access.allow(UID)
    await bot.deps.accounts.link(UID, KEY)
    u = bot.user(UID, language_code="en")
    preview = await preview_for(u, 1, "https://instagram.com/a", "1000")
    text = (await confirm(u, preview)).text or ""
    assert f"Insufficient balance: this needs TRY{NBSP}12.50, you have TRY{NBSP}1.00." in text


async def test_prompts_group_numbers_like_the_cards(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY, language_code="en")
    await u.send("/order 6")
    await u.reply()
    await u.send("https://youtube.com/watch?v=a")
    assert "How many? Send a number from 500 to 1,000,000." in ((await u.reply()).text or "")
    t = await bot.member(UID + 1, key=KEY + "x", language_code="tr")
    await t.send("/order 6")
    await t.reply()
    await t.send("https://youtube.com/watch?v=a")
    assert "1.000.000" in ((await t.reply()).text or "")


async def test_a_single_comment_line_reads_singular(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY, language_code="en")
    await dialog(u, 3, "https://instagram.com/p/x")
    await u.send("only one")
    assert "📝 1 line so far (5–1,000 in all)." in ((await u.reply()).text or "")
    await u.send("/done")
    text = (await u.reply()).text or ""
    assert "You sent 1 line; this service takes between 5 and 1,000." in text


async def test_balances_show_the_currencys_digits_and_costs_keep_theirs(bot: Harness) -> None:
    """Issue 21 item 12: "Balance: $4,937.49988 → $4,887.59988" read as noise. A balance has its
    currency's digits; a per-1000 rate keeps its own, so a cheap service never shows as 0."""
    bot.panel.add_key(KEY, balance="4937.49988", currency="USD")
    await bot.deps.access.allow(UID)
    await bot.deps.accounts.link(UID, KEY)
    u = bot.user(UID, language_code="en")
    await u.send("/balance")
    said = (await u.reply()).text or ""
    assert "$4,937.50" in said and "4,937.49988" not in said
    preview = (await preview_for(u, 1, "https://instagram.com/a", "1000")).text or ""
    assert "Balance: $4,937.50 → $4,925.00 after this order" in preview, preview
    assert "Cost: <b>$12.50</b>" in preview

    other = bot.user(UID + 2, language_code="tr")
    bot.panel.add_key(KEY + "t", balance="9987.03125", currency="TRY")
    await bot.deps.access.allow(UID + 2)
    await bot.deps.accounts.link(UID + 2, KEY + "t")
    await other.send("/balance")
    said = (await other.reply()).text or ""
    assert "₺9.987,03" in said and "9.987,03125" not in said


async def test_the_link_question_gives_the_services_platform_example(bot: Harness) -> None:
    """Issue 21 item 16: YouTube's and Telegram's services are not asked for Instagram links."""
    u = await bot.member(UID, key=KEY, language_code="en")
    for service, example in (
        (6, "https://youtube.com/watch?v=VIDEO_ID"),
        (8, "https://t.me/channel/123"),
        (1, "https://instagram.com/username"),
    ):
        await u.send(f"/order {service}")
        question = (await u.reply()).text or ""
        assert f"Send the link (e.g. {example})." in question, question
        await u.send("/cancel")
        await u.reply()
    tr = await bot.member(UID + 1, key=KEY + "x", language_code="tr")
    await tr.send("/order 6")
    assert "(ör. https://youtube.com/watch?v=VIDEO_ID)" in ((await tr.reply()).text or "")
