"""Two panels that number their orders alike (issue 19 item 1, issue 21 items 1 and 2).

Panels number orders themselves, so alpha and beta both hand out #23501. Every action on an
order goes to the panel of the order it was taken from (the card, the result's 📊 Status); a
typed id stored on both panels is a question with a button per panel, and nothing reaches
either panel before the choice. With several panels every line and button names the panel.
"""

from __future__ import annotations

from bot.callbacks.order_history import OrderCard, StatusOf
from bot.callbacks.status import WhichPanel
from bot.storage import Order
from tests.e2e.steps import (
    COLLIDING,
    KEY_A,
    KEY_B,
    both,
    colliding_beta,
    confirm_in,
    dialog,
    drain,
    due_again,
    link_beta,
    make_default,
    poll,
    stored_order,
)
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import BotMessage, FakeUser
from tests.harness import Harness

__all__ = ["colliding_beta"]  # the fixture `beta` of this module

ALPHA = "127.0.0.1"  # the harness's panel is named after its host


async def open_card(user: FakeUser, order: Order) -> BotMessage:
    await user.send("/orders")
    listing = await user.reply()
    await user.press_data(OrderCard(order.id).pack(), listing)
    return await user.update()


def sent(panel: FakePanel, *actions: str) -> int:
    return sum(panel.count(action) for action in actions)


async def test_card_cancel_goes_to_the_cards_panel(two: Harness, beta: FakePanel) -> None:
    on_beta = await both(two, beta, 8501)
    user = two.telegram.user(8501)
    card = await open_card(user, on_beta)
    assert "Panel: <b>Beta</b>" in (card.text or "")
    await user.press("Cancel", message=card)
    await user.update()
    await user.press("Yes", message=card)
    done = (await user.update()).text or ""
    assert "cancel requested" in done
    assert beta.count("cancel") == 1 and two.panel.count("cancel") == 0
    assert beta.orders[COLLIDING].status == "Canceled"
    assert two.panel.orders[COLLIDING].status == "Pending"


async def test_card_refill_goes_to_the_cards_panel_and_stays_its_own(
    two: Harness, beta: FakePanel
) -> None:
    on_beta = await both(two, beta, 8502, status="Completed")
    user = two.telegram.user(8502)
    card = await open_card(user, on_beta)
    await user.press("Refill", message=card)
    done = await user.update()
    assert "refill requested" in (done.text or "")
    assert beta.count("refill") == 1 and two.panel.count("refill") == 0
    assert "Refill" not in [text for text, _ in done.buttons() if "♻️" in text]
    # Alpha's #23501 has no refill: its card still offers one, and lists none.
    [alpha_order] = [
        o for o in await two.deps.storage.orders.visible_for_user(8502) if o.panel_slot == 1
    ]
    alpha_card = await open_card(user, alpha_order)
    assert any("Refill" in text for text, _ in alpha_card.buttons())
    assert "Refills:" not in (alpha_card.text or "")
    [refill] = await two.deps.storage.refills.for_order(8502, COLLIDING)
    assert refill.panel_slot == 2 and refill.order_id == on_beta.id


async def test_status_button_under_the_result_opens_that_panels_order(
    two: Harness, beta: FakePanel
) -> None:
    user = await two.member(8503, key=KEY_A)
    await link_beta(two, beta, user)
    await stored_order(two, two.panel, KEY_A, 8503, 1, 1)
    # Beta made the default, then an order placed there gets beta's #23501.
    await make_default(user, "Beta")
    preview = await dialog(user, 501, "instagram.com/beta", "1000")
    placed = await confirm_in(user, preview, "en")
    assert f"✅ Order placed: #<code>{COLLIDING}</code> · Beta" in (placed.text or "")
    await user.press("📊 Status", message=placed)
    card = (await user.reply()).text or ""
    assert "Panel: <b>Beta</b>" in card and "instagram.com/beta" in card


async def ask(user: FakeUser, command: str) -> BotMessage:
    await user.send(f"{command} {COLLIDING}")
    question = await user.reply()
    names = [text for text, _ in question.buttons()]
    assert ALPHA in names and "Beta" in names, question.text
    assert f"#<code>{COLLIDING}</code>" in (question.text or "")
    return question


async def test_typed_status_asks_which_panel_first(two: Harness, beta: FakePanel) -> None:
    await both(two, beta, 8504)
    user = two.telegram.user(8504)
    two.panel.clear_log()
    beta.clear_log()
    question = await ask(user, "/status")
    assert sent(two.panel, "status") == 0 and sent(beta, "status") == 0
    await user.press("Beta", message=question, exact=True)
    answer = await user.update()
    assert f"#<code>{COLLIDING}</code> · Beta" in (answer.text or "")
    assert beta.count("status") == 1 and two.panel.count("status") == 0


async def test_typed_refill_asks_and_sends_nothing_before(two: Harness, beta: FakePanel) -> None:
    await both(two, beta, 8505, status="Completed")
    user = two.telegram.user(8505)
    question = await ask(user, "/refill")
    assert sent(two.panel, "refill", "status") == 0 and sent(beta, "refill", "status") == 0
    await user.press("Beta", message=question, exact=True)
    answer = (await user.update()).text or ""
    assert f"#<code>{COLLIDING}</code> · Beta — refill requested" in answer
    assert beta.count("refill") == 1 and two.panel.count("refill") == 0
    [refill] = await two.deps.storage.refills.for_order(8505, COLLIDING)
    assert refill.panel_slot == 2


async def test_typed_cancel_asks_then_confirms_on_that_panel(two: Harness, beta: FakePanel) -> None:
    await both(two, beta, 8506)
    user = two.telegram.user(8506)
    question = await ask(user, "/cancelorder")
    await user.press("Beta", message=question, exact=True)
    confirmation = await user.update()
    assert f"#<code>{COLLIDING}</code> · Beta" in (confirmation.text or "")
    assert sent(two.panel, "cancel") == 0 and sent(beta, "cancel") == 0
    await user.press("Yes", message=confirmation)
    done = (await user.update()).text or ""
    assert "cancel requested" in done
    assert beta.count("cancel") == 1 and two.panel.count("cancel") == 0
    assert two.panel.orders[COLLIDING].status == "Pending"


async def test_typed_refill_status_asks_which_panel(two: Harness, beta: FakePanel) -> None:
    await both(two, beta, 8507, status="Completed")
    user = two.telegram.user(8507)
    question = await ask(user, "/refillstatus")
    assert sent(two.panel, "refill_status") == 0 and sent(beta, "refill_status") == 0
    await user.press(ALPHA, message=question, exact=True)
    answer = (await user.update()).text or ""
    assert f"#<code>{COLLIDING}</code> · {ALPHA}" in answer


async def test_lists_and_buttons_name_the_panel(two: Harness, beta: FakePanel) -> None:
    await both(two, beta, 8508)
    user = two.telegram.user(8508)
    await user.send("/orders")
    listing = await user.reply()
    labels = [text for text, _ in listing.buttons() if f"#{COLLIDING}" in text]
    assert sorted(label.split(" · ")[1] for label in labels) == [ALPHA, "Beta"], labels
    assert f"#<code>{COLLIDING}</code></b> · Beta" in (listing.text or "")
    await user.send("/status")
    open_orders = await user.reply()
    assert f"#<code>{COLLIDING}</code> · Beta" in (open_orders.text or "")
    links = sorted(text for text, _ in open_orders.buttons())
    assert links == [f"📦 #{COLLIDING} · {ALPHA}", f"📦 #{COLLIDING} · Beta"]
    assert two.telegram.bad_requests() == []


async def test_an_old_status_button_asks_which_panel(two: Harness, beta: FakePanel) -> None:
    """📊 Status under results sent before it named our own order carries the panel's id
    alone: on two panels it asks, then opens the card of the one picked."""
    await both(two, beta, 8509)
    user = two.telegram.user(8509)
    await user.send("/help")
    message = await user.reply()
    await user.press_data(StatusOf(COLLIDING).pack(), message)
    question = await user.reply()
    assert {ALPHA, "Beta"} <= {text for text, _ in question.buttons()}
    beta_button = dict(question.buttons())["Beta"]
    await user.press("Beta", message=question, exact=True)
    card = (await user.update()).text or ""
    assert "Panel: <b>Beta</b>" in card
    # The question is answered: a second tap (an old copy of it) runs nothing.
    again = await user.press_data(beta_button, question)
    assert "expired" in str((await user.answer(again)).params.get("text"))
    assert beta.count("status") == 0 and two.panel.count("status") == 0


async def test_pushes_open_and_mute_their_own_panels_order(two: Harness, beta: FakePanel) -> None:
    on_beta = await both(two, beta, 8510)
    user = two.telegram.user(8510)
    beta.set_order(COLLIDING, status="In progress", remains=100)
    await due_again(two)
    await poll(two)
    await drain(two)
    push = await user.reply()
    assert f"#<code>{COLLIDING}</code>" in (push.text or "") and "Beta" in (push.text or "")
    await user.press("Open order", message=push)
    card = (await user.reply()).text or ""
    assert "Panel: <b>Beta</b>" in card and "In progress" in card
    await user.press("Mute", message=push)
    await user.update()
    rows = {o.panel_slot: o for o in await two.deps.storage.orders.visible_for_user(8510)}
    assert rows[2].id == on_beta.id and rows[2].muted and not rows[1].muted


async def test_a_digest_list_names_each_orders_panel(two: Harness, beta: FakePanel) -> None:
    await both(two, beta, 8511)
    user = two.telegram.user(8511)
    second = await stored_order(two, beta, KEY_B, 8511, 2, 501)
    for panel_id in (COLLIDING, second.panel_order_id or 0):
        beta.set_order(panel_id, status="Completed", remains=0)
    await due_again(two)
    await poll(two)
    await drain(two)
    digest = await user.reply()
    await user.press("List them", message=digest)
    listing = await user.reply()
    assert f"#<code>{COLLIDING}</code> · Beta" in (listing.text or "")
    assert f"#{COLLIDING} · Beta" in [text for text, _ in listing.buttons()]
    assert two.telegram.bad_requests() == []


async def test_refill_ids_alike_on_two_panels(two: Harness, beta: FakePanel) -> None:
    """Panels number refills themselves too: refill #1 on alpha and on beta. Each card lists
    its own; /refillstatus 1 asks which panel, then asks only that one."""
    on_beta = await both(two, beta, 8512, status="Completed")
    user = two.telegram.user(8512)
    rows = {o.panel_slot: o for o in await two.deps.storage.orders.visible_for_user(8512)}
    for order in (rows[1], on_beta):
        card = await open_card(user, order)
        await user.press("Refill", message=card)
        assert "refill requested (refill #<code>1</code>)" in ((await user.update()).text or "")
    assert two.panel.count("refill") == 1 and beta.count("refill") == 1
    beta.refills[1].status = "Completed"
    two.panel.clear_log()
    beta.clear_log()
    await user.send("/refillstatus 1")
    question = await user.reply()
    assert {ALPHA, "Beta"} <= {text for text, _ in question.buttons()}
    assert sent(two.panel, "refill_status") == 0 and sent(beta, "refill_status") == 0
    await user.press("Beta", message=question, exact=True)
    answer = (await user.update()).text or ""
    assert "Refill #<code>1</code> · Beta — ✅ completed" in answer, answer
    assert beta.count("refill_status") == 1 and two.panel.count("refill_status") == 0
    # Alpha's refill #1 is still pending: its card says so, beta's does not.
    alpha_card = (await open_card(user, rows[1])).text or ""
    assert "Refill #<code>1</code> is pending" in alpha_card
    beta_card = (await open_card(user, on_beta)).text or ""
    assert "Refill #1 is pending" not in beta_card and "completed" in beta_card


async def test_two_ids_on_both_panels_ask_one_after_the_other(
    two: Harness, beta: FakePanel
) -> None:
    on_beta = await both(two, beta, 8513)
    second_alpha = await stored_order(two, two.panel, KEY_A, 8513, 1, 1)
    second_beta = await stored_order(two, beta, KEY_B, 8513, 2, 501)
    second = second_alpha.panel_order_id
    assert second == second_beta.panel_order_id == COLLIDING + 1
    beta.set_order(COLLIDING, status="In progress", remains=50)
    user = two.telegram.user(8513)
    await user.send(f"/status {COLLIDING} {second}")
    first_question = await user.reply()
    assert f"#<code>{COLLIDING}</code> " in (first_question.text or "")
    await user.press("Beta", message=first_question, exact=True)
    second_question = await user.update()
    assert f"#<code>{second}</code> " in (second_question.text or "")
    assert sent(two.panel, "status") == 0 and sent(beta, "status") == 0
    await user.press(ALPHA, message=second_question, exact=True)
    answer = (await user.update()).text or ""
    assert f"#<code>{COLLIDING}</code> · Beta — <b>In progress</b>" in answer, answer
    assert f"#<code>{second}</code> · {ALPHA} — <b>Pending</b>" in answer
    assert beta.count("status") == 1 and two.panel.count("status") == 1
    assert on_beta.panel_slot == 2


async def test_the_question_in_turkish(two: Harness, beta: FakePanel) -> None:
    await both(two, beta, 8514, status="Completed", language="tr")
    user = two.telegram.user(8514)
    await user.send(f"/refill {COLLIDING}")
    question = await user.reply()
    assert "birden fazla panelinizde" in (question.text or "")
    await user.press("Beta", message=question, exact=True)
    answer = (await user.update()).text or ""
    assert f"#<code>{COLLIDING}</code> · Beta" in answer
    assert beta.count("refill") == 1 and two.panel.count("refill") == 0


async def test_an_old_status_button_for_an_unstored_id_names_the_panel_asked(
    two: Harness, beta: FakePanel
) -> None:
    await both(two, beta, 8515)
    user = two.telegram.user(8515)
    await user.send("/help")
    message = await user.reply()
    await user.press_data(StatusOf(99_999).pack(), message)
    line = (await user.reply()).text or ""
    assert f"#<code>99999</code> · {ALPHA} — not found" in line, line
    assert beta.count("status") == 0


async def test_reorder_from_a_card_previews_on_the_cards_panel(
    two: Harness, beta: FakePanel
) -> None:
    on_beta = await both(two, beta, 8516)
    user = two.telegram.user(8516)
    card = await open_card(user, on_beta)
    await user.press("Reorder", message=card)
    preview = (await user.update()).text or ""
    assert "Panel: <b>Beta</b>" in preview and "#501" in preview, preview


async def test_a_forged_panel_choice_sends_nothing(two: Harness, beta: FakePanel) -> None:
    await both(two, beta, 8517, status="Completed")
    user = two.telegram.user(8517)
    question = await ask(user, "/refill")
    token = WhichPanel.unpack(dict(question.buttons())["Beta"])
    assert token is not None
    forged = await user.press_data(WhichPanel(token.token, 9).pack(), question)
    assert "expired" in str((await user.answer(forged)).params.get("text"))
    assert sent(two.panel, "refill", "status") == 0 and sent(beta, "refill", "status") == 0
