"""PanelClient's wall-clock deadline and answer size caps, against the fake panel over HTTP.

httpx's timeouts are per socket operation: a hung panel cost one timeout per retry, and a panel
that trickles a byte at a time never timed out at all. The deadline covers the whole call.
"""

from __future__ import annotations

import asyncio
import logging
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from bot.panel.capabilities import Support
from bot.panel.client import MAX_ANSWER_BYTES, PanelClient
from bot.panel.errors import AnswerTooLarge, OutcomeUnknown, PanelUnavailable
from bot.panel.models import NewOrder
from tests.fakes.panel import FakePanel, Fault
from tests.panel.support import KEY

MB = 1024 * 1024


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    elapsed: list[float] = []
    started = time.monotonic()
    try:
        yield elapsed
    finally:
        elapsed.append(time.monotonic() - started)


# --------------------------------------------------------------------------- the deadline


async def test_hung_read_costs_one_timeout_not_one_per_retry(fake: FakePanel) -> None:
    fake.inject(Fault.hang(), action="balance", times=None)
    async with PanelClient(fake.url, KEY, timeout=1.0, read_retries=2, retry_backoff=0.1) as c:
        with stopwatch() as elapsed, pytest.raises(PanelUnavailable):
            await c.balance()
    assert 0.9 <= elapsed[0] < 1.4
    assert fake.count("balance") == 1


async def test_trickling_read_is_cut_at_the_deadline(fake: FakePanel) -> None:
    # A byte every 0.3 s: each read waits far less than httpx's 1 s, the answer takes ~12 s.
    fake.inject(Fault.trickle(0.3), action="balance", times=None)
    async with PanelClient(fake.url, KEY, timeout=1.0, read_retries=2, retry_backoff=0.1) as c:
        with stopwatch() as elapsed, pytest.raises(PanelUnavailable) as info:
            await c.balance()
    assert elapsed[0] < 1.4
    assert "did not answer within 1s" in str(info.value)
    assert fake.count("balance") == 1


async def test_retries_only_while_the_budget_lasts(fake: FakePanel) -> None:
    fake.latency = 0.4  # every try fails, 0.4 s after it was sent
    fake.inject(Fault.http_500(), action="balance", times=None)
    async with PanelClient(fake.url, KEY, timeout=1.0, read_retries=5, retry_backoff=0.2) as c:
        with stopwatch() as elapsed, pytest.raises(PanelUnavailable):
            await c.balance()
    # Try 1 fails at 0.4 s, try 2 starts at 0.6 s and is cut at the 1 s deadline.
    assert 0.9 <= elapsed[0] < 1.3
    assert fake.count("balance") == 2
    fake.clear_log()
    async with PanelClient(fake.url, KEY, timeout=1.0, read_retries=5, retry_backoff=0.7) as c:
        with stopwatch() as elapsed, pytest.raises(PanelUnavailable):
            await c.balance()
    # A backoff that would end past the deadline is not started at all.
    assert elapsed[0] < 0.7
    assert fake.count("balance") == 1
    fake.latency = 0
    fake.clear_faults()
    fake.clear_log()
    fake.inject(Fault.http_500(), action="balance", times=2)
    async with PanelClient(fake.url, KEY, timeout=1.0, read_retries=2, retry_backoff=0.05) as c:
        assert (await c.balance()).currency_text == "USD"  # fast failures still get their retries
    assert fake.count("balance") == 3


async def test_write_at_the_deadline_is_unknown_once_sent_unavailable_if_never_sent(
    fake: FakePanel,
) -> None:
    # Sent and trickling: the order exists, the client cannot know.
    fake.inject(Fault.trickle(0.3), action="add")
    async with PanelClient(fake.url, KEY, timeout=1.0) as c:
        with stopwatch() as elapsed, pytest.raises(OutcomeUnknown):
            await c.add_order(NewOrder(1, "https://x", 100))
    assert elapsed[0] < 1.4
    assert fake.count("add") == 1 and len(fake.orders) == 1
    # Sent and hung.
    fake.inject(Fault.hang(), action="cancel")
    async with PanelClient(fake.url, KEY, timeout=0.5) as c:
        with pytest.raises(OutcomeUnknown):
            await c.cancel([1, 2])
    assert fake.count("cancel") == 1
    # Never sent: one connection, held by a hung read; the write waits for the pool until the
    # deadline and never sends a byte, so the panel cannot have acted on it.
    fake.inject(Fault.hang(), action="balance")
    limits = httpx.Limits(max_connections=1)
    async with httpx.AsyncClient(limits=limits, timeout=30) as http:
        reader = PanelClient(fake.url, KEY, http=http, timeout=5.0, read_retries=0)
        writer = PanelClient(fake.url, KEY, http=http, timeout=0.5)
        hung = asyncio.create_task(reader.balance())
        await fake.wait_for_request("balance")
        with pytest.raises(PanelUnavailable) as info:
            await writer.add_order(NewOrder(1, "https://x", 100))
        assert not isinstance(info.value, OutcomeUnknown)
        hung.cancel()
        with pytest.raises(asyncio.CancelledError):
            await hung
    assert fake.count("add") == 1  # still only the first one


# --------------------------------------------------------------------------- size caps


@pytest.mark.parametrize("declare_length", [False, True], ids=["chunked", "content-length"])
async def test_oversized_read_is_too_large_and_not_retried(
    fake: FakePanel, declare_length: bool
) -> None:
    fake.inject(Fault.oversized(3 * MB, declare_length=declare_length), action="balance")
    async with PanelClient(fake.url, KEY, timeout=5.0, retry_backoff=0) as c:
        with pytest.raises(AnswerTooLarge) as info:
            await c.balance()
    assert info.value.limit == MAX_ANSWER_BYTES
    assert "too large" in str(info.value) and KEY not in str(info.value)
    assert info.value.__context__ is None and info.value.__cause__ is None
    assert fake.count("balance") == 1


async def test_oversized_answer_is_never_held_in_memory(fake: FakePanel) -> None:
    fake.inject(Fault.oversized(40 * MB), action="status")
    async with PanelClient(fake.url, KEY, timeout=10.0) as c:
        tracemalloc.start()
        try:
            with pytest.raises(AnswerTooLarge):
                await c.status(1)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    # The cap is 1 MB; reading 40 MB whole (as `response.content` did) would peak above 40 MB.
    assert peak < 4 * MB


async def test_catalog_has_its_own_larger_cap(fake: FakePanel) -> None:
    services = FakePanel.make_services(6000)  # ~1.6 MB of JSON: above 1 MB, below 3 MB
    fake.set_services(services)
    async with PanelClient(fake.url, KEY, timeout=10.0, max_catalog_bytes=3 * MB) as c:
        assert len(await c.services()) == 6000
        fake.inject(Fault.oversized(4 * MB), action="services")
        with pytest.raises(AnswerTooLarge) as info:
            await c.services()
        assert info.value.limit == 3 * MB
        # Every other action keeps the 1 MB cap.
        fake.inject(Fault.oversized(2 * MB), action="balance")
        with pytest.raises(AnswerTooLarge):
            await c.balance()


async def test_oversized_answer_to_add_is_outcome_unknown(fake: FakePanel) -> None:
    fake.inject(Fault.oversized(2 * MB), action="add")
    async with PanelClient(fake.url, KEY, timeout=5.0) as c:
        with pytest.raises(OutcomeUnknown):
            await c.add_order(NewOrder(1, "https://x", 100))
    assert fake.count("add") == 1 and len(fake.orders) == 1


async def test_oversized_answer_to_add_bulk_marks_items_unknown(fake: FakePanel) -> None:
    fake.set_balance(KEY, "1000")
    orders = [NewOrder(service=1, link=f"https://x/{i}", quantity=100) for i in range(3)]
    async with PanelClient(fake.url, KEY, timeout=5.0) as c:
        assert await c.probe_bulk() is Support.YES
        fake.inject(Fault.oversized(2 * MB), action="add_bulk")
        results = await c.add_orders(orders)
    assert all(r.unknown and not r.ok and not r.not_sent for r in results)
    assert fake.count("add_bulk") == 2 and len(fake.orders) == 3


async def test_bad_caps_are_refused() -> None:
    with pytest.raises(ValueError):
        PanelClient("http://127.0.0.1:1/api/v2", KEY, max_answer_bytes=0)
    with pytest.raises(ValueError):
        PanelClient("http://127.0.0.1:1/api/v2", KEY, max_catalog_bytes=-1)


# --------------------------------------------------------------------------- the observer


class RecordingObserver:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, bool]] = []

    @contextmanager
    def panel_call(self, action: str, *, idempotent: bool) -> Iterator[None]:
        self.events.append(("enter", action, idempotent))
        try:
            yield
        finally:
            self.events.append(("exit", action, idempotent))


async def test_observer_sees_reads_and_writes_once_per_call_retries_included(
    fake: FakePanel, caplog: pytest.LogCaptureFixture
) -> None:
    observer = RecordingObserver()
    fake.inject(Fault.http_500(), action="balance", times=1)
    async with PanelClient(fake.url, KEY, timeout=2.0, retry_backoff=0, observer=observer) as c:
        with caplog.at_level(logging.INFO):
            await c.balance()
        await c.add_order(NewOrder(1, "https://x", 100))
    assert fake.count("balance") == 2
    assert observer.events == [
        ("enter", "balance", True),
        ("exit", "balance", True),
        ("enter", "add", False),
        ("exit", "add", False),
    ]
