"""MAX_PANELS_PER_USER and the operator's panels linked once (issue 19 item 5), end to end
through /panels: the limit is refused in one line before a key is asked for, and a forged or
replayed preset button cannot link the same panel again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import database_settings
from tests.e2e.steps import KEY_A, KEY_B, link_beta
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import BotMessage, FakeUser
from tests.harness import Harness, running_bot

KEY_C = "pk_gamma_0a1b2c3d4e5f60718293a4b5c6d7e8f9"


async def open_add_panel(user: FakeUser) -> BotMessage:
    """/panels → ➕ Add a panel: what the bot shows (the panels to pick, or the refusal)."""
    await user.send("/panels")
    await user.reply()
    await user.press("➕")
    return await user.update()


@pytest.fixture
async def capped(tmp_path: Path, beta: FakePanel, database: Path | str) -> AsyncIterator[Harness]:
    """MAX_PANELS_PER_USER=2, the preset Beta and custom URLs allowed."""
    async with running_bot(
        tmp_path,
        panels=f"Beta={beta.url}",
        allow_custom_panels=True,
        allow_private_panels=True,
        max_panels_per_user=2,
        **database_settings(database),
    ) as harness:
        yield harness


async def test_past_max_panels_per_user_adding_is_refused_in_one_line(
    capped: Harness,
    beta: FakePanel,
) -> None:
    user = await capped.member(8201, key=KEY_A)
    await link_beta(capped, beta, user)
    assert len(await capped.deps.accounts.accounts(8201)) == 2
    refused = await open_add_panel(user)
    text = refused.text or ""
    assert text == "You can link at most 2 panels. Remove one in /panels to add another."
    # Nothing to pick: no preset, no URL question.
    assert [label for label, _ in refused.buttons()] == ["« Panels"]

    # A button kept from before (the URL question) is refused the same way.
    await capped.deps.accounts.unlink(8201, 2)
    picks = await open_add_panel(user)
    await capped.deps.panels.add_custom(8201, beta.url, KEY_B)  # back to 2, behind the chat
    await user.press("🌐", message=picks)
    again = await user.update()
    assert "at most 2 panels" in (again.text or "")
    assert len(await capped.deps.accounts.accounts(8201)) == 2
    assert capped.telegram.bad_requests() == []


async def test_the_limit_holds_when_the_key_arrives_after_another_panel_was_linked(
    capped: Harness,
    beta: FakePanel,
) -> None:
    """The room is checked again when the key comes: the question was asked with room left."""
    user = await capped.member(8202, key=KEY_A)
    async with FakePanel(currency="EUR") as gamma:
        gamma.add_key(KEY_C)
        await open_add_panel(user)
        await user.press("Beta", exact=True)
        await user.update()  # the key question
        # Meanwhile another device links a custom panel: the user is at the limit now.
        await capped.deps.panels.add_custom(8202, gamma.url, KEY_C)
        beta.add_key(KEY_B)
        await user.send(KEY_B)
        refused = await user.reply()
    assert "at most 2 panels" in (refused.text or "")
    assert [a.label for a in await capped.deps.accounts.accounts(8202)] == [
        "127.0.0.1",
        "127.0.0.1 2",
    ]


async def test_a_forged_preset_button_cannot_link_the_same_panel_twice(
    two: Harness,
    beta: FakePanel,
) -> None:
    user = await two.member(8203, key=KEY_A)
    picks = await open_add_panel(user)
    beta_data = next(data for label, data in picks.buttons() if label == "Beta")
    await user.press("Beta", exact=True, message=picks)
    await user.update()
    beta.add_key(KEY_B)
    await user.send(KEY_B)
    await user.reply()
    # The same button again (replayed from the old message), then the key again.
    await user.press_data(beta_data, picks)
    refused = await user.update()
    assert (refused.text or "") == "This panel is already linked: it is in /panels."
    for _ in range(3):
        await user.answer(await user.press_data(beta_data, picks))
    await user.send(KEY_B)  # as if answering a key question: there is none
    await user.reply()
    accounts = await two.deps.accounts.accounts(8203)
    assert [a.label for a in accounts] == ["127.0.0.1", "Beta"]
    assert beta.count("balance") == 1  # the key was never checked again
