"""Drip-feed on a panel whose `services` answer has no `dripfeed` field (issue 11, item 10).

The seed's `add` takes optional `runs` and `interval` for Default services, but its catalog
never says so. The bot offers drip-feed unless the panel says `dripfeed: false`, and when the
panel refuses it, shows the panel's message and offers the order without it (a new preview,
never a silent second order).
"""

from __future__ import annotations

from decimal import Decimal

from bot.storage.models import SubmitState
from tests.e2e.steps import add_params, ask, confirm, labels, orders_of
from tests.fakes.telegram_models import BotMessage
from tests.fakes.telegram_users import FakeUser
from tests.harness import Harness

KEY = "pk_drip_0123456789abcdef"
UID = 4501


async def quantity_question(u: FakeUser, service_id: int, link: str) -> BotMessage:
    await u.send(f"/order {service_id}")
    await u.reply()
    await u.send(link)
    question = await u.reply()
    assert "How many?" in (question.text or "")
    return question


async def dripfeed_preview(u: FakeUser, quantity: str, runs: str, interval: str) -> BotMessage:
    question = await quantity_question(u, 1, "https://instagram.com/foo")
    await u.press("⏱ Add drip-feed", message=question, exact=True)
    switched = await u.update()
    assert switched.message_id == question.message_id
    assert "Drip-feed is on" in (switched.text or "")
    assert "✅ ⏱ Drip-feed" in labels(switched)
    runs_q = await ask(u, quantity)
    assert "in how many runs" in runs_q
    assert "minutes between runs" in await ask(u, runs)
    await u.send(interval)
    return await u.reply()


async def test_flagless_default_service_offers_dripfeed_and_prices_every_run(
    bot: Harness,
) -> None:
    u = await bot.member(UID, key=KEY)
    service = (await bot.deps.catalog.get(UID)).get(1)
    assert service is not None and service.dripfeed is None  # the seed's shape: no flag at all
    preview = await dripfeed_preview(u, "1000", "3", "60")
    text = preview.text or ""
    assert "Quantity per run: 1,000" in text
    assert "Drip-feed: 3 runs, every 60 min — 3,000 in total" in text
    assert "Cost: <b>$37.50</b>" in text  # 12.50 × 1000 / 1000 × 3
    assert "Balance: $100.00 → $62.50 after this order" in text
    result = await confirm(u, preview)
    assert "Order placed" in (result.text or "")
    [params] = add_params(bot)
    assert (params["quantity"], params["runs"], params["interval"]) == ("1000", "3", "60")
    [row] = await orders_of(bot, UID)
    assert (row.runs, row.interval, row.cost) == (3, 60, Decimal("37.5"))
    assert bot.panel.balance_of(KEY) == Decimal("62.5")
    assert bot.telegram.bad_requests() == []


async def test_switch_off_again_and_flag_false_has_no_switch(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    question = await quantity_question(u, 1, "https://instagram.com/foo")
    await u.press("⏱ Add drip-feed", message=question, exact=True)
    await u.update()
    await u.press("✅ ⏱ Drip-feed", message=question, exact=True)
    off = await u.update()
    assert "Drip-feed is on" not in (off.text or "")
    assert "⏱ Add drip-feed" in labels(off)
    await u.send("1000")
    preview = (await u.reply()).text or ""
    assert "Quantity: 1,000" in preview and "Drip-feed" not in preview
    assert "Cost: <b>$12.50</b>" in preview

    # Service 9 says `dripfeed: false`: no switch, straight to the preview.
    question = await quantity_question(u, 9, "https://t.me/chan")
    assert not any("Drip-feed" in label for label in labels(question))
    await u.send("100")
    assert "Please check your order" in ((await u.reply()).text or "")


async def test_panel_refusing_dripfeed_shows_its_message_and_offers_the_order_without(
    bot: Harness,
) -> None:
    bot.panel.refuse_dripfeed.add(1)
    u = await bot.member(UID, key=KEY)
    preview = await dripfeed_preview(u, "1000", "3", "60")
    result = await confirm(u, preview)
    text = result.text or ""
    assert "The order was not placed." in text
    assert "The panel refused: Drip-feed is not available for this service" in text
    assert "without drip-feed" in text
    assert bot.panel.count("add") == 1
    assert bot.panel.balance_of(KEY) == Decimal("100")

    await u.press("Order without drip-feed", message=result)
    fresh = await u.reply()  # a new message: the refusal stays readable above it
    fresh_text = fresh.text or ""
    assert "Please check your order" in fresh_text
    assert "Quantity: 1,000" in fresh_text and "Drip-feed" not in fresh_text
    assert "Cost: <b>$12.50</b>" in fresh_text
    assert "Drip-feed is not available" in (result.text or "")
    assert bot.panel.count("add") == 1  # nothing was placed again on its own
    rows = await orders_of(bot, UID)
    assert [r.submit_state for r in rows] == [SubmitState.FAILED, SubmitState.DRAFT]

    await confirm(u, fresh)
    first, second = add_params(bot)
    assert first["runs"] == "3"
    assert "runs" not in second and "interval" not in second and second["quantity"] == "1000"
    assert bot.panel.balance_of(KEY) == Decimal("87.5")
    assert bot.telegram.bad_requests() == []


async def test_other_refusals_offer_no_dripfeed_button(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY, balance="1")
    preview = await dripfeed_preview(u, "1000", "3", "60")
    result = await confirm(u, preview)
    assert "Insufficient balance" in (result.text or "")
    assert not any("without drip-feed" in label for label in labels(result))
