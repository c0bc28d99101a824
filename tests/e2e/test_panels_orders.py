"""Orders on several panels end to end: each order goes to, and is tracked, refilled and
cancelled on, the panel it was placed on; pushes name the panel; a removed panel's orders stay."""

from __future__ import annotations

import csv
import io

import pytest

from tests.e2e.steps import (
    BETA_FIRST_ORDER,
    KEY_A,
    KEY_B,
    confirm_in,
    dialog,
    drain,
    due_again,
    link_beta,
    make_default,
    poll,
    screen,
    stored_order,
)
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import BotMessage, FakeUser
from tests.harness import Harness

ALPHA_FIRST_ORDER = 23501


@pytest.mark.parametrize(("language", "panel_word"), [("en", "Panel"), ("tr", "Panel")])
async def test_order_on_each_panel_track_and_push(
    two: Harness, beta: FakePanel, language: str, panel_word: str
) -> None:
    user = await two.member(8301, key=KEY_A, language_code=language)
    await link_beta(two, beta, user, balance="50")

    # On the default panel: its catalog, its id, no other panel touched.
    preview = await dialog(user, 1, "instagram.com/alpha", "1000")
    assert f"{panel_word}: <b>127.0.0.1</b>" in (preview.text or "")
    placed = await confirm_in(user, preview, language)
    assert f"#<code>{ALPHA_FIRST_ORDER}</code>" in (placed.text or "")

    # Beta's service ids do not exist on the default panel.
    await user.send("/order 501")
    assert "501" in ((await user.reply()).text or "")
    await user.send("/cancel")
    await user.reply()

    # Beta made the default: the next order goes there, named in the preview.
    await make_default(user, "Beta")
    preview = await dialog(user, 501, "instagram.com/beta", "1000")
    text = preview.text or ""
    assert f"{panel_word}: <b>Beta</b>" in text and "€9" in text
    placed = await confirm_in(user, preview, language)
    assert f"#<code>{BETA_FIRST_ORDER}</code>" in (placed.text or "")
    assert [r.action for r in beta.requests if r.action == "add"] == ["add"]
    assert two.panel.count("add") == 1
    rows = await two.deps.storage.orders.visible_for_user(8301)
    assert sorted((o.panel_slot, o.panel_order_id) for o in rows) == [
        (1, ALPHA_FIRST_ORDER),
        (2, BETA_FIRST_ORDER),
    ]

    # /status goes to each order's own panel.
    await user.send(f"/status {ALPHA_FIRST_ORDER} {BETA_FIRST_ORDER}")
    status = (await user.reply()).text or ""
    assert "not found" not in status and "bulunamadı" not in status

    # The poller: one request per panel key, and each push names its panel.
    two.panel.set_order(ALPHA_FIRST_ORDER, status="Completed", remains=0)
    beta.set_order(BETA_FIRST_ORDER, status="Completed", remains=0)
    await due_again(two)
    report = await poll(two)
    assert report is not None and report.requests == 2 and report.keys == 2
    await drain(two)
    pushes = [(await user.reply()).text or "", (await user.reply()).text or ""]
    by_order = {
        order_id: next(p for p in pushes if f"#<code>{order_id}</code>" in p)
        for order_id in (ALPHA_FIRST_ORDER, BETA_FIRST_ORDER)
    }
    assert "🔗 <b>127.0.0.1</b>" in by_order[ALPHA_FIRST_ORDER]
    assert "🔗 <b>Beta</b>" in by_order[BETA_FIRST_ORDER]
    assert two.telegram.bad_requests() == []


async def test_refill_and_cancel_go_to_the_orders_panel(two: Harness, beta: FakePanel) -> None:
    user = await two.member(8302, key=KEY_A)
    await link_beta(two, beta, user)
    on_beta = await stored_order(two, beta, KEY_B, 8302, 2, 501)
    done_alpha = await stored_order(two, two.panel, KEY_A, 8302, 1, 1, status="Completed")
    done_beta = await stored_order(two, beta, KEY_B, 8302, 2, 501, status="Completed")

    await user.send(f"/cancelorder {on_beta.panel_order_id}")
    question = await user.reply()
    assert f"#<code>{on_beta.panel_order_id}</code>" in (question.text or "")
    await user.press("Yes", message=question)
    done = (await user.update()).text or ""
    assert "cancel requested" in done
    assert beta.count("cancel") == 1 and two.panel.count("cancel") == 0
    assert beta.orders[on_beta.panel_order_id or 0].status == "Canceled"

    await user.send(f"/refill {done_alpha.panel_order_id} {done_beta.panel_order_id}")
    refilled = (await user.reply()).text or ""
    assert refilled.count("refill requested") == 2, refilled
    assert two.panel.count("refill") == 1 and beta.count("refill") == 1
    alpha_refills = await two.deps.storage.refills.for_order(8302, done_alpha.panel_order_id or 0)
    beta_refills = await two.deps.storage.refills.for_order(8302, done_beta.panel_order_id or 0)
    assert [r.panel_slot for r in alpha_refills] == [1]
    assert [r.panel_slot for r in beta_refills] == [2]
    # /refillstatus asks each refill's own panel.
    assert [r.refill_id for r in alpha_refills + beta_refills] == [1, 700]
    beta.refills[700].status = "Completed"
    await user.send("/refillstatus 700 1")
    statuses = (await user.reply()).text or ""
    assert "not found" not in statuses
    assert two.panel.count("refill_status") == 1 and beta.count("refill_status") == 1

    # The order card's Cancel goes to the order's panel too.
    other = await stored_order(two, beta, KEY_B, 8302, 2, 501)
    await user.send("/orders")
    await user.reply()
    await user.press(f"#{other.panel_order_id}")
    card = await user.update()
    assert "Beta" in (card.text or "")
    await user.press("Cancel", message=card)
    await user.update()
    await user.press("Yes", message=card)
    await user.update()
    assert beta.count("cancel") == 2 and two.panel.count("cancel") == 0


async def test_remove_a_panel_with_open_orders(two: Harness, beta: FakePanel) -> None:
    user = await two.member(8303, key=KEY_A)
    await link_beta(two, beta, user)
    open_order = await stored_order(two, beta, KEY_B, 8303, 2, 501)
    question = (await screen(user, "/panels", "Beta", "Remove")).text or ""
    assert "1 order on it is still open" in question
    await user.press("Yes, remove")
    assert "removed" in ((await user.update()).text or "")

    # The order stays in the history, named after its panel.
    assert [o.id for o in await two.deps.storage.orders.visible_for_user(8303)] == [open_order.id]
    await user.send("/orders")
    await user.reply()
    await user.press(f"#{open_order.panel_order_id}")
    card = (await user.update()).text or ""
    assert "Beta" in card
    # Never sent to another panel: the poller skips it, nothing reaches the default panel.
    before = len(beta.requests)
    await due_again(two)
    report = await poll(two)
    assert report is None or report.requests == 0
    assert len(beta.requests) == before
    assert two.panel.count("status") == 0
    # Its id typed in /status or /cancelorder is sent to no panel: on the default panel the
    # same id could be another order.
    await user.send(f"/status {open_order.panel_order_id}")
    assert "not found" in ((await user.reply()).text or "")
    await user.send(f"/cancelorder {open_order.panel_order_id}")
    await user.reply()
    assert len(beta.requests) == before
    assert two.panel.count("status") == 0 and two.panel.count("cancel") == 0


async def two_panel_bulk(
    two: Harness, beta: FakePanel, user_id: int, language: str, text: str
) -> tuple[FakeUser, tuple[BotMessage, BotMessage]]:
    """A member with both panels sends `text` to /bulk; the two previews it gets."""
    user = await two.member(user_id, key=KEY_A, language_code=language)
    await link_beta(two, beta, user, balance="50")
    await user.send("/bulk")
    await user.reply()
    await user.send(text)
    return user, (await user.reply(), await user.reply())


@pytest.mark.parametrize(("language", "confirm_word"), [("en", "Confirm"), ("tr", "onayla")])
async def test_bulk_with_a_panel_column(
    two: Harness, beta: FakePanel, language: str, confirm_word: str
) -> None:
    """`panel | service | link | quantity`: each panel's lines are previewed, confirmed and
    placed on that panel only; lines without a panel name go to the default one."""
    user, (first, second) = await two_panel_bulk(
        two,
        beta,
        8304,
        language,
        "panel | service | link | quantity\n"
        "beta | 501 | https://instagram.com/p/one | 1000\n"
        "127.0.0.1 | 1 | https://instagram.com/p/two | 200\n"
        "Beta | 501 | https://instagram.com/p/three | 100\n"
        "1 | https://instagram.com/p/four | 300\n",
    )
    previews = {"Beta" if "Beta" in (m.text or "") else "alpha": m for m in (first, second)}
    beta_text, alpha_text = previews["Beta"].text or "", previews["alpha"].text or ""
    assert "Panel: <b>Beta</b>" in beta_text and "€9" in beta_text
    assert "Panel: <b>127.0.0.1</b>" in alpha_text
    # Each preview lists its own lines under their numbers in the pasted list.
    assert "p/one" in beta_text and "p/three" in beta_text and "p/two" not in beta_text
    assert (
        "https://instagram.com/p/two" in alpha_text and "https://instagram.com/p/four" in alpha_text
    )

    for name in ("Beta", "alpha"):
        await user.press(confirm_word, message=previews[name])
        await user.update()  # submitting…
        result = (await user.reply()).text or ""
        assert ("Beta" if name == "Beta" else "127.0.0.1") in result
    assert beta.bulk_calls() == 1 and two.panel.bulk_calls() == 1
    assert sorted(beta.orders) == [BETA_FIRST_ORDER, BETA_FIRST_ORDER + 1]
    assert sorted(two.panel.orders) == [ALPHA_FIRST_ORDER, ALPHA_FIRST_ORDER + 1]
    rows = await two.deps.storage.orders.visible_for_user(8304)
    assert sorted((o.panel_slot, o.line_no) for o in rows) == [(1, 3), (1, 5), (2, 2), (2, 4)]


@pytest.mark.parametrize(
    ("language", "no_panel", "confirm_word"),
    [
        ("en", "No panel named “&lt;delta&gt;” (yours: 127.0.0.1, Beta)", "Confirm"),
        ("tr", "“&lt;delta&gt;” adında paneliniz yok (panelleriniz: 127.0.0.1, Beta)", "onayla"),
    ],
)
async def test_bulk_line_naming_an_unknown_panel_is_refused_by_name(
    two: Harness, beta: FakePanel, language: str, no_panel: str, confirm_word: str
) -> None:
    """Issue 21 item 5: a first column that is neither a service id nor one of the user's
    panels is an unknown panel, said so (escaped), and that line is not ordered."""
    user, (first, second) = await two_panel_bulk(
        two,
        beta,
        8306,
        language,
        "<delta> | 501 | https://instagram.com/p/one | 1000\n"
        "1 | https://instagram.com/p/two | 200\n"
        "beta | 501 | https://instagram.com/p/three | 100\n",
    )
    alpha = first if "127.0.0.1</b>" in (first.text or "") else second
    text = alpha.text or ""
    assert no_panel in text, text
    assert "must be a number" not in text and "sayı olmalı" not in text
    await user.press(confirm_word, message=alpha)
    await user.update()
    await user.reply()
    assert [o.link for o in two.panel.orders.values()] == ["https://instagram.com/p/two"]
    assert two.telegram.bad_requests() == []


@pytest.mark.parametrize(("language", "every"), [("en", "All panels"), ("tr", "Tüm paneller")])
async def test_orders_panel_filter_and_export_panel_column(
    two: Harness, beta: FakePanel, language: str, every: str
) -> None:
    user = await two.member(8305, key=KEY_A, language_code=language)
    await link_beta(two, beta, user)
    on_alpha = await stored_order(two, two.panel, KEY_A, 8305, 1, 1)
    on_beta = await stored_order(two, beta, KEY_B, 8305, 2, 501)
    await user.send("/orders")
    listed = await user.reply()
    labels = [label for label, _ in listed.buttons()]
    assert f"✅ {every}" in labels and "Beta" in labels
    assert any(f"#{on_alpha.panel_order_id}" in label for label in labels)
    await user.press("Beta", message=listed, exact=True)
    only_beta = await user.update()
    labels = [label for label, _ in only_beta.buttons()]
    assert "✅ Beta" in labels
    assert any(f"#{on_beta.panel_order_id}" in label for label in labels)
    assert not any(f"#{on_alpha.panel_order_id}" in label for label in labels)

    await user.send("/export")
    document = await user.reply()
    assert document.document is not None
    text = document.document.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";" if language == "tr" else ","))
    by_id = {row[0]: row[1] for row in rows[1:]}
    assert by_id == {str(on_alpha.panel_order_id): "127.0.0.1", str(on_beta.panel_order_id): "Beta"}


async def test_reorder_stays_on_the_orders_panel(two: Harness, beta: FakePanel) -> None:
    """Service 501 is Beta's: a Reorder from its card previews it on Beta, not on the default
    panel (where the same id would be another service, or none)."""
    user = await two.member(8306, key=KEY_A)
    await link_beta(two, beta, user)
    on_beta = await stored_order(two, beta, KEY_B, 8306, 2, 501)
    await user.send("/orders")
    await user.reply()
    await user.press(f"#{on_beta.panel_order_id}")
    card = await user.update()
    await user.press("Reorder", message=card)
    preview = (await user.update()).text or ""
    assert "Panel: <b>Beta</b>" in preview and "#501" in preview
    assert two.panel.count("add") == 0 and beta.count("add") == 0  # a preview only


async def test_a_rejected_panel_key_pauses_that_panel_only_and_is_replaced_on_its_card(
    two: Harness, beta: FakePanel
) -> None:
    user = await two.member(8307, key=KEY_A)
    await link_beta(two, beta, user)
    await stored_order(two, two.panel, KEY_A, 8307, 1, 1)
    on_beta = await stored_order(two, beta, KEY_B, 8307, 2, 501)
    # Beta's owner revoked the key: the stored one is no longer known there.
    await two.deps.storage.accounts.replace_key(8307, 2, "pk_revoked_on_beta_0000000000000000")
    await due_again(two)
    await poll(two)
    await drain(two)
    notice = (await user.reply()).text or ""
    assert "🔗 <b>Beta</b>" in notice and "New key" in notice and "/setkey" not in notice
    assert await two.deps.storage.accounts.is_paused(8307, 2)
    assert not await two.deps.storage.accounts.is_paused(8307, 1)

    # The next cycle asks the default panel only.
    await due_again(two)
    before = beta.count("status")
    report = await poll(two)
    assert report is not None and report.requests == 1 and beta.count("status") == before

    await screen(user, "/panels", "Beta", "New key")
    key_message = await user.send(KEY_B)
    assert "Beta" in ((await user.reply()).text or "")
    assert key_message.deleted
    assert not await two.deps.storage.accounts.is_paused(8307, 2)
    assert await two.deps.accounts.key(8307, 2) == KEY_B
    beta.set_order(on_beta.panel_order_id or 0, status="Completed", remains=0)
    await due_again(two)
    report = await poll(two)
    assert report is not None and report.requests == 2


async def test_a_digest_names_the_panel_of_its_orders(two: Harness, beta: FakePanel) -> None:
    """Several completions on one panel in one cycle are one digest; with several panels each
    id says which panel it is on, as a single push does."""
    user = await two.member(8311, key=KEY_A)
    await link_beta(two, beta, user)
    first = await stored_order(two, beta, KEY_B, 8311, 2, 501)
    second = await stored_order(two, beta, KEY_B, 8311, 2, 501)
    for order in (first, second):
        assert order.panel_order_id is not None
        beta.set_order(order.panel_order_id, status="Completed", remains=0)
    await due_again(two)
    await poll(two)
    await drain(two)
    digest = (await user.reply()).text or ""
    assert f"#<code>{first.panel_order_id}</code> (Beta)" in digest
    assert f"#<code>{second.panel_order_id}</code> (Beta)" in digest
    assert two.telegram.bad_requests() == []
