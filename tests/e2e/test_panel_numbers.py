"""Numbers a panel may send that the bot must still show or refuse plainly (issue 19 item 12)."""

from __future__ import annotations

import pytest

from tests.e2e.steps import preview_for
from tests.harness import Harness

KEY = "pk_numbers_0123456789abcdef"
UID = 4901

HUGE_SERVICE = {
    "service": 77,
    "name": "Huge rate",
    "type": "Default",
    "category": "Numbers",
    "rate": "1000000000000000000",  # 1e18 per 1000
    "min": 1,
    "max": 1_000_000_000_000,  # 1e12
    "refill": False,
    "cancel": False,
}


async def test_a_rate_of_1e18_for_a_quantity_of_1e12_is_shown_not_crashed(bot: Harness) -> None:
    bot.panel.set_services([HUGE_SERVICE])
    u = await bot.member(UID, key=KEY)
    # The largest quantity one can type (12 digits): about 1e12.
    preview = await preview_for(u, 77, "https://instagram.com/p/x", "999999999999")
    # 1e18 / 1000 × (1e12 - 1), every digit of it.
    assert "$999,999,999,999,000,000,000,000,000.00" in (preview.text or "")
    assert "Something went wrong" not in " ".join(u.sent_texts())
    assert bot.telegram.bad_requests() == []


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ('{"balance": "NaN", "currency": "USD"}', "NaN"),
        ('{"balance": 1e308, "currency": "USD"}', "1E+308"),
        ('{"balance": "1e308", "currency": "USD"}', "1e308"),
        ('{"balance": "12,345.67", "currency": "USD"}', "12,345.67"),
        ('{"balance": "<b>9</b> & co", "currency": "USD"}', "<b>9</b> & co"),
    ],
)
async def test_an_unreadable_balance_is_named_not_called_silence(
    bot: Harness, body: str, shown: str
) -> None:
    u = await bot.member(UID, key=KEY)
    bot.panel.raw_answers["balance"] = body
    bot.panel.clear_log()
    await u.send("/balance")
    reply = await u.reply()
    text = reply.plain_text or ""  # what the user reads, the markup rendered
    assert f"The panel sent a balance I cannot read: {shown}" in text
    assert not reply.entities  # the panel's "<b>" stays text
    assert "not answering" not in text
    assert bot.panel.count("balance") == 1  # the same answer would come again: no retry
    assert bot.telegram.bad_requests() == []
