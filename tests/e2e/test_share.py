"""Share with a client (issue 24 part 5): `@bot 23501` in any chat offers the user's own order
as a card: what was ordered and how far it is, never cost, balance, panel or key."""

from __future__ import annotations

from typing import Any

from bot.callbacks.order_history import OrderCard
from tests.e2e.steps import due_again, place, poll
from tests.fakes.telegram_models import ApiCall, BotMessage
from tests.fakes.telegram_users import FakeUser
from tests.harness import Harness

KEY = "pk_share_0123456789abcdef"
OTHER_KEY = "pk_share_other_0123456789"


def results_of(call: ApiCall) -> list[dict[str, Any]]:
    assert call.status == 200, call.response
    results = call.params["results"]
    assert isinstance(results, list)
    return results


def shared_text(result: dict[str, Any]) -> str:
    return str(result["input_message_content"]["message_text"])


async def open_card(user: FakeUser, order_id: int) -> BotMessage:
    await user.send("/orders")
    listing = await user.reply()
    await user.press_data(OrderCard(order_id).pack(), listing)
    return await user.update()


async def test_own_order_is_offered_as_a_client_card(bot: Harness) -> None:
    bot.telegram.inline_mode = True
    user = await bot.member(501, key=KEY, balance="77.50")
    order = await place(bot, 501, KEY, quantity=1000, link="https://instagram.com/p/abc")
    assert order.panel_order_id is not None
    bot.panel.set_order(order.panel_order_id, status="In progress", remains=600, start_count=120)
    await due_again(bot)
    await poll(bot)

    call = await user.inline_query(str(order.panel_order_id), chat_type="group")

    assert call.params["is_personal"] is True
    assert call.params["cache_time"] == 0
    [result] = results_of(call)
    text = shared_text(result)
    assert "Instagram Takipçi" in text
    assert "https://instagram.com/p/abc" in text
    assert "1,000" in text
    assert "In progress" in text
    assert "40%" in text and "400 of 1,000" in text
    assert "Start count: 120" in text
    # Nothing of the money, the panel or the key.
    for secret in ("$", "Cost", "Charge", "Balance", "77.50", "127.0.0.1", KEY, "Panel"):
        assert secret not in text, secret
    assert str(order.panel_order_id) in result["title"]


async def test_another_users_order_id_returns_nothing(bot: Harness) -> None:
    bot.telegram.inline_mode = True
    await bot.member(502, key=KEY)
    asker = await bot.member(503, key=OTHER_KEY)
    theirs = await place(bot, 502, KEY)

    call = await asker.inline_query(str(theirs.panel_order_id))

    assert results_of(call) == []
    assert call.params["is_personal"] is True


async def test_someone_without_access_gets_an_empty_answer(bot: Harness) -> None:
    bot.telegram.inline_mode = True
    await bot.member(504, key=KEY)
    order = await place(bot, 504, KEY)
    stranger = bot.user(505)

    call = await stranger.inline_query(str(order.panel_order_id))

    assert results_of(call) == []


async def test_empty_query_offers_the_newest_orders_and_text_offers_none(bot: Harness) -> None:
    bot.telegram.inline_mode = True
    user = await bot.member(506, key=KEY)
    placed = [await place(bot, 506, KEY) for _ in range(3)]

    newest = results_of(await user.inline_query(""))
    assert [r["id"] for r in newest] == [f"order-{o.id}" for o in reversed(placed)]
    assert results_of(await user.inline_query("followers please")) == []


async def test_panel_html_in_a_name_is_escaped_in_the_card(bot: Harness) -> None:
    bot.telegram.inline_mode = True
    user = await bot.member(507, key=KEY)
    order = await place(bot, 507, KEY, name="<b>Likes</b> & <script>x</script>")

    # The fake Bot API refuses a result whose HTML does not parse, as Telegram does.
    [result] = results_of(await user.inline_query(f"#{order.panel_order_id}"))
    assert "&lt;script&gt;" in shared_text(result)


async def test_card_offers_share_only_with_inline_mode_on(bot: Harness) -> None:
    user = await bot.member(508, key=KEY)
    order = await place(bot, 508, KEY)
    card = await open_card(user, order.id)
    assert not [b for b in card.inline_buttons() if "switch_inline_query_chosen_chat" in b]

    bot.telegram.inline_mode = True
    await bot.restart()  # the bot reads getMe's supports_inline_queries when it starts
    card = await open_card(user, order.id)
    [share] = [b for b in card.inline_buttons() if "switch_inline_query_chosen_chat" in b]
    assert share["text"] == "📤 Share"
    chosen = share["switch_inline_query_chosen_chat"]
    assert chosen["query"] == str(order.panel_order_id)
    assert chosen["allow_group_chats"] and chosen["allow_user_chats"]


async def test_a_panel_status_with_html_reads_as_written_in_the_result_list(bot: Harness) -> None:
    """The result's description is plain text: escaping it would show "&lt;" to the reader;
    the card's message (HTML) escapes it."""
    bot.telegram.inline_mode = True
    user = await bot.member(509, key=KEY)
    order = await place(bot, 509, KEY)
    assert order.panel_order_id is not None
    bot.panel.set_order(order.panel_order_id, status="<i>Queued</i> & waiting")
    await due_again(bot)
    await poll(bot)

    [result] = results_of(await user.inline_query(str(order.panel_order_id)))
    assert "<i>Queued</i> & waiting" in result["description"]
    assert "&lt;i&gt;Queued&lt;/i&gt; &amp; waiting" in shared_text(result)


async def test_a_drip_feed_order_shares_the_progress_of_all_its_runs(bot: Harness) -> None:
    """The client card counts every run, as the reseller's own card does."""
    bot.telegram.inline_mode = True
    user = await bot.member(510, key=KEY)
    order = await place(bot, 510, KEY, quantity=100, runs=5)
    assert order.panel_order_id is not None
    bot.panel.set_order(order.panel_order_id, status="In progress", remains=400)
    await due_again(bot)
    await poll(bot)

    [result] = results_of(await user.inline_query(str(order.panel_order_id)))
    assert "20%" in shared_text(result) and "100 of 500" in shared_text(result)
