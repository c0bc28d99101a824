"""A panel that trickles its answers, or sends answers far too large, against every bot action
at once (the stage of tests/hardening/test_fault_matrix.py).

Trickling: one byte every 0.4 s resets httpx's per-read timeout forever; only the wall-clock
deadline ends the wait. Oversized: answers are read as a stream and dropped past their cap.
Both faults let the panel act first, so every write's outcome is unknown, and never retried.
"""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

from bot.storage.models import SubmitState
from tests.e2e.steps import text_of
from tests.fakes.panel import Fault
from tests.hardening.test_fault_matrix import (
    ACTORS,
    GENERIC,
    NOT_ANSWERING,
    key_of,
    next_command_answered,
    run_all,
    stage,
    writes_sent,
)
from tests.harness import running_bot

TOO_LARGE = "The panel sent an answer too large"
MB = 1024 * 1024


def assert_writes_unknown_and_sent_once(texts: dict[str, str], counts: list[int]) -> None:
    assert "cannot tell whether the order was placed" in texts["confirm"], texts["confirm"]
    # The add_bulk probe got no clear answer either, so the bulk went line by line (issue 20):
    # its first line's outcome is unknown and the second is not sent.
    assert "1 unknown" in texts["bulk"] and "1 not sent" in texts["bulk"], texts["bulk"]
    assert "did not confirm" in texts["refill"], texts["refill"]
    assert "did not confirm" in texts["cancel"], texts["cancel"]
    assert counts == [2, 0, 1, 1]  # add: the single order and the bulk's first line


async def test_trickling_panel_every_action_answered_within_the_deadline(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path, panel_timeout_seconds=2) as bot:
        timeout = bot.settings.panel_timeout_seconds
        s = await stage(bot)
        bot.panel.inject(Fault.trickle(0.4), times=None)
        t0 = time.monotonic()
        texts = await run_all(s)
        # All at once: users get PANEL_TIMEOUT_SECONDS, the poller twice that, plus the run's own
        # work (4 s of slack: 2 s ran out once on a loaded machine). An answer not cut at the
        # deadline trickles for 20 s or more (a balance's ~50 bytes at 0.4 s each), so this
        # still fails for a deadline that is not kept.
        assert time.monotonic() - t0 <= 2 * timeout + 4

        for name, text in texts.items():
            assert GENERIC not in text, (name, text)
        assert "key was not saved" in texts["setkey"]
        for name in ("balance", "services", "order_new", "status", "refillstatus"):
            assert NOT_ANSWERING in texts[name], (name, texts[name])
        assert "Balance: unknown (the panel did not answer)" in texts["order_preview"]
        assert "last known statuses" in texts["open"]
        assert "failed=0" not in texts["poller"] and "queued=0" in texts["poller"]
        assert_writes_unknown_and_sent_once(texts, writes_sent(bot))
        # The panel acted on every write before trickling its answer.
        placed = [o.key for o in bot.panel.orders.values()]
        assert placed.count(key_of(s.users["confirm"].id)) == 1
        assert placed.count(key_of(s.users["bulk"].id)) == 1  # line 1; line 2 was never sent
        [row] = await s.order_rows("confirm")
        assert row.submit_state is SubmitState.UNKNOWN
        # Everyone who waited on the panel saw the bot at work.
        typing = {str(c.params.get("chat_id")) for c in bot.telegram.calls_to("sendChatAction")}
        waited = [n for n in ACTORS if n != "poller"]
        assert {str(s.users[n].id) for n in waited} <= typing

        await next_command_answered(s)
        assert writes_sent(bot) == [2, 0, 1, 1]
        assert bot.telegram.bad_requests() == []


async def test_oversized_answers_every_action_explained_and_nothing_kept(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path, panel_timeout_seconds=5, panel_max_catalog_mb=1) as bot:
        s = await stage(bot)
        bot.panel.inject(Fault.oversized(3 * MB), times=None)
        texts = await run_all(s)

        for name, text in texts.items():
            assert GENERIC not in text, (name, text)
        assert "key was not saved" in texts["setkey"]
        for name in ("balance", "services", "order_new", "status", "refillstatus"):
            assert TOO_LARGE in texts[name], (name, texts[name])
        assert "Balance: unknown (the panel did not answer)" in texts["order_preview"]
        assert "last known statuses" in texts["open"]
        assert "failed=0" not in texts["poller"] and "queued=0" in texts["poller"]
        assert_writes_unknown_and_sent_once(texts, writes_sent(bot))
        # A read that was too large is not asked again: the answer would be as large.
        assert bot.panel.count("balance") == 3  # /balance, /setkey, the preview; once each

        await next_command_answered(s)
        assert writes_sent(bot) == [2, 0, 1, 1]
        assert bot.telegram.bad_requests() == []


async def test_a_150_mb_balance_answer_is_never_held(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        u = await bot.member(8300, key=key_of(8300))
        bot.panel.inject(Fault.oversized(150 * MB), action="balance")
        tracemalloc.start()
        try:
            await u.send("/balance")
            reply = await u.reply(timeout=15.0)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert TOO_LARGE in text_of(reply)
        # Everything allocated in the process (bot and both fakes) while it was refused.
        assert peak < 16 * MB, peak
        await u.send("/balance")
        assert "Balance:" in text_of(await u.reply())
