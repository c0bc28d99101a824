"""/stats end to end: a chart photo and the totals, in English and Turkish."""

from __future__ import annotations

import secrets
from decimal import Decimal

import pytest

from bot.storage.models import OrderDraft
from tests.fakes.telegram_models import image_size
from tests.harness import Harness

KEY = "pk_stats_3c2b1a0f9e8d7c6b5a4f3e2d1c0b"


async def _placed(
    bot: Harness, user_id: int, amount: str, *, status: str, currency: str = "USD"
) -> None:
    """An order stored as the order dialog stores one it placed (charge still unknown)."""
    link = f"https://instagram.com/p/{secrets.token_hex(3)}"
    panel_id = bot.panel.create_order(KEY, 1, link, 1000, status=status)
    draft = OrderDraft(
        service_id=1,
        service_name_text="Instagram Followers",
        service_type="Default",
        link=link,
        quantity=1000,
        cost=Decimal(amount),
        currency_text=currency,
    )
    repo = bot.deps.storage.orders
    batch = secrets.token_hex(6)
    [order] = await repo.create_drafts(user_id, batch, [draft])
    assert (await repo.claim(batch, user_id)).won
    assert await repo.mark_placed(order.id, panel_id, status=status)


@pytest.mark.parametrize(
    ("language", "says"),
    [("en", ("Spending", "Top services", "Orders by status")), ("tr", ("Harcama",))],
)
async def test_stats_sends_a_chart_and_the_totals(
    bot: Harness, language: str, says: tuple[str, ...]
) -> None:
    user = await bot.member(7301, key=KEY, language_code=language)
    await _placed(bot, 7301, "2.50", status="Completed")
    await _placed(bot, 7301, "1.25", status="Pending")
    await _placed(bot, 7301, "9", status="Canceled")  # given back: not spending
    await user.send("/stats")
    # A process's first chart loads matplotlib and its fonts: seconds on a loaded machine
    # (5 s was missed at a load of 16 on two cores), so the wait is generous.
    photo = await user.reply(timeout=60)
    assert photo.photo is not None
    assert image_size(photo.photo.content) == (1080, 780)  # drawn for a phone
    text = (await user.reply()).text or ""
    for word in says:
        assert word in text
    assert "3.75" in text or "3,75" in text  # 2.50 + 1.25, the canceled 9 left out
    assert "9.00" not in text and "9,00" not in text
    assert bot.telegram.calls_to("sendChatAction")  # a sign of life while drawing
    assert bot.telegram.bad_requests() == []


async def test_stats_with_no_orders_says_so_without_a_chart(bot: Harness) -> None:
    user = await bot.member(7302, key=KEY)
    await user.send("/stats")
    text = (await user.reply()).text or ""
    assert "nothing to chart" in text
    assert bot.telegram.calls_to("sendPhoto") == []
