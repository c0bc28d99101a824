"""PerUserUpdateProcessor's lanes and "typing" signal, driven the way `Application` drives it.

Panel calls are reported exactly as the panel client reports them: through `panel_call`.
"""

from __future__ import annotations

import asyncio
import itertools
import math
from collections.abc import AsyncIterator

import pytest
from telegram import Update

from bot.callbacks.base import encode
from bot.callbacks.dialog import CancelDialog
from bot.callbacks.menu import Menu
from bot.callbacks.new_order import ConfirmOrder, DripfeedChoice
from bot.callbacks.order_history import OrdersPage
from bot.handlers.lanes import lane_of
from bot.processor import Lane, PerUserUpdateProcessor
from tests.runtime.processor_steps import button_update, submit, text_update, until


def by_text(update: object) -> Lane:
    """Test lanes: "side…" and "stop…" texts, everything else ordinary."""
    text = update.message.text if isinstance(update, Update) and update.message else ""
    if text and text.startswith("side"):
        return Lane.SIDE
    if text and text.startswith("stop"):
        return Lane.INTERRUPT
    return Lane.ORDINARY


@pytest.fixture
async def processor() -> AsyncIterator[PerUserUpdateProcessor]:
    async with PerUserUpdateProcessor(max_concurrent=8, classify=by_text) as p:
        yield p


async def test_side_update_runs_beside_a_panel_call_but_not_beside_local_work(
    processor: PerUserUpdateProcessor,
) -> None:
    log: list[str] = []
    local = asyncio.Event()
    panel = asyncio.Event()
    in_call = asyncio.Event()

    async def slow() -> None:
        await local.wait()  # local work: the side update waits, replies stay in order
        with processor.panel_call("balance", idempotent=True):
            in_call.set()
            await panel.wait()
        log.append("slow done")

    async def side() -> None:
        log.append("side")

    first = submit(processor, text_update(5, "/balance"), slow())
    second = submit(processor, text_update(5, "side /help"), side())
    await until(lambda: processor.waiting == 1, "side update waiting")
    assert log == []
    local.set()
    await in_call.wait()
    await second
    assert log == ["side"]  # ran while the panel call was in flight
    panel.set()
    await first
    assert log == ["side", "slow done"]
    assert processor.tracked_keys == 0


async def test_interrupt_abandons_a_read_and_runs_before_queued_ordinary_updates(
    processor: PerUserUpdateProcessor,
) -> None:
    log: list[str] = []
    never = asyncio.Event()
    reading = asyncio.Event()

    async def read() -> None:
        try:
            with processor.panel_call("services", idempotent=True):
                reading.set()
                await never.wait()
        except asyncio.CancelledError:
            log.append("read cancelled")
            raise
        log.append("read finished")  # pragma: no cover - must not happen

    async def record(name: str) -> None:
        log.append(name)

    reader = submit(processor, text_update(6, "12"), read())
    await reading.wait()
    queued = submit(processor, text_update(6, "a dialog answer"), record("answer"))
    interrupt = submit(processor, text_update(6, "stop /cancel"), record("cancel"))
    await asyncio.gather(reader, queued, interrupt)  # the abandoned update ends quietly
    assert log == ["read cancelled", "cancel", "answer"]
    assert processor.tracked_keys == 0
    assert (processor.active, processor.waiting) == (0, 0)


async def test_interrupt_never_abandons_a_write(processor: PerUserUpdateProcessor) -> None:
    log: list[str] = []
    release = asyncio.Event()
    writing = asyncio.Event()

    async def write() -> None:
        with processor.panel_call("services", idempotent=True):
            pass
        with processor.panel_call("add", idempotent=False):
            writing.set()
            await release.wait()
        log.append("write finished")

    async def record(name: str) -> None:
        log.append(name)

    writer = submit(processor, text_update(7, "confirm"), write())
    await writing.wait()
    await submit(processor, text_update(7, "stop /cancel"), record("cancel"))
    assert log == ["cancel"]  # answered beside the write
    assert not writer.done()
    release.set()
    await writer
    assert log == ["cancel", "write finished"]


async def test_a_read_after_a_write_is_never_abandoned(processor: PerUserUpdateProcessor) -> None:
    # e.g. a cancel, then the status refresh that follows it: the user must hear the outcome.
    log: list[str] = []
    release = asyncio.Event()
    refreshing = asyncio.Event()

    async def cancel_then_refresh() -> None:
        with processor.panel_call("cancel", idempotent=False):
            pass
        with processor.panel_call("status", idempotent=True):
            refreshing.set()
            await release.wait()
        log.append("outcome told")

    async def record(name: str) -> None:
        log.append(name)

    owner = submit(processor, text_update(13, "yes"), cancel_then_refresh())
    await refreshing.wait()
    interrupt = submit(processor, text_update(13, "stop /cancel"), record("cancel"))
    await until(lambda: processor.waiting == 1, "interrupt waiting")
    await asyncio.sleep(0.05)
    assert log == [] and not owner.done()
    release.set()
    await asyncio.gather(owner, interrupt)
    assert log == ["outcome told", "cancel"]


async def test_interrupt_waits_for_local_work_then_ends_the_read_that_follows(
    processor: PerUserUpdateProcessor,
) -> None:
    log: list[str] = []
    local = asyncio.Event()

    async def local_then_read() -> None:
        await local.wait()
        log.append("local done")
        with processor.panel_call("balance", idempotent=True):
            await asyncio.Event().wait()

    async def record(name: str) -> None:
        log.append(name)

    owner = submit(processor, text_update(8, "/balance"), local_then_read())
    interrupt = submit(processor, text_update(8, "stop"), record("stop"))
    await until(lambda: processor.waiting == 1, "interrupt waiting")
    local.set()
    await asyncio.gather(owner, interrupt)
    assert log == ["local done", "stop"]


async def test_instants_pass_and_end_each_others_reads(processor: PerUserUpdateProcessor) -> None:
    log: list[str] = []
    reading = asyncio.Event()

    async def menu_read() -> None:  # e.g. the main menu's Balance button on a hung panel
        try:
            with processor.panel_call("balance", idempotent=True):
                reading.set()
                await asyncio.Event().wait()
        except asyncio.CancelledError:
            log.append("menu read ended")
            raise

    async def record(name: str) -> None:
        log.append(name)

    menu = submit(processor, text_update(10, "stop menu"), menu_read())
    await reading.wait()
    await submit(processor, text_update(10, "side /help"), record("help"))
    assert log == ["help"]  # beside the instant's read
    await asyncio.gather(menu, submit(processor, text_update(10, "stop /cancel"), record("cancel")))
    assert log == ["help", "menu read ended", "cancel"]
    assert processor.tracked_keys == 0


async def test_outside_cancellation_of_an_abandoned_read_still_propagates(
    processor: PerUserUpdateProcessor,
) -> None:
    reading = asyncio.Event()

    async def read() -> None:
        with processor.panel_call("balance", idempotent=True):
            reading.set()
            await asyncio.Event().wait()

    async def noop() -> None:
        return None

    reader = submit(processor, text_update(9, "x"), read())
    await reading.wait()
    reader.cancel()  # e.g. shutdown, at the same moment as a newer command
    interrupt = submit(processor, text_update(9, "stop"), noop())
    with pytest.raises(asyncio.CancelledError):
        await reader
    await interrupt
    assert processor.tracked_keys == 0


async def test_calls_outside_an_update_are_not_tracked(processor: PerUserUpdateProcessor) -> None:
    with processor.panel_call("status", idempotent=True):  # the poller, a job, a test
        assert processor.tracked_keys == 0


# --------------------------------------------------------------------------- typing signal


async def test_typing_starts_after_the_delay_and_repeats_while_the_call_lasts() -> None:
    signals: list[tuple[int, float]] = []
    third = asyncio.Event()
    loop = asyncio.get_running_loop()

    async def signal(chat_id: int) -> None:
        signals.append((chat_id, loop.time()))
        if len(signals) == 3:
            third.set()

    ended = math.inf
    async with PerUserUpdateProcessor(
        max_concurrent=4, signal=signal, first_signal=0.15, signal_every=0.1
    ) as processor:

        async def quick() -> None:
            with processor.panel_call("balance", idempotent=True):
                await asyncio.sleep(0.05)

        async def slow() -> None:
            nonlocal ended
            # The call lasts until its third signal (event-driven: no machine is too slow).
            with processor.panel_call("balance", idempotent=True):
                await asyncio.wait_for(third.wait(), 30)
                ended = loop.time()
            await asyncio.sleep(0.3)  # local work after the call, three periods: no signals

        started = loop.time()
        await submit(processor, text_update(11, "/balance"), quick())
        assert signals == []  # a quick call earns no signal
        started = loop.time()
        await submit(processor, text_update(11, "/balance"), slow())
    times = [at - started for _, at in signals]
    assert [chat for chat, _ in signals] == [11] * len(signals)
    assert len(times) == 3, times
    assert times[0] >= 0.14  # timers never fire early: not before the first delay
    assert all(b - a >= 0.09 for a, b in itertools.pairwise(times))  # nor within a period
    assert all(at <= ended for _, at in signals)  # none once the call is over


async def test_a_failing_signal_does_not_touch_the_update() -> None:
    async def broken(chat_id: int) -> None:
        raise RuntimeError("telegram is down")

    async with PerUserUpdateProcessor(
        max_concurrent=2, signal=broken, first_signal=0.0, signal_every=0.05
    ) as processor:

        async def handler() -> str:
            with processor.panel_call("balance", idempotent=True):
                await asyncio.sleep(0.12)
            return "ok"

        await submit(processor, text_update(12, "/balance"), handler())


def test_signal_delays_are_validated() -> None:
    with pytest.raises(ValueError):
        PerUserUpdateProcessor(signal_every=0)
    with pytest.raises(ValueError):
        PerUserUpdateProcessor(first_signal=-1)


# --------------------------------------------------------------------------- the bot's lanes


def test_bot_lanes() -> None:
    assert lane_of(text_update(1, "/help")) is Lane.SIDE
    assert lane_of(text_update(1, "/help@smm_test_bot")) is Lane.SIDE
    assert lane_of(text_update(1, "/start")) is Lane.SIDE
    assert lane_of(text_update(1, "/cancel")) is Lane.INTERRUPT
    assert lane_of(button_update(1, encode(Menu.action, "home"))) is Lane.INTERRUPT
    assert lane_of(button_update(1, encode(CancelDialog.action, "k3x9q2aa"))) is Lane.INTERRUPT
    assert lane_of(button_update(1, encode(OrdersPage.action, "all", 2))) is Lane.INTERRUPT
    # Dialog answers, money and panel actions keep their order.
    assert lane_of(text_update(1, "/balance")) is Lane.ORDINARY
    assert lane_of(text_update(1, "/order 12")) is Lane.ORDINARY
    assert lane_of(text_update(1, "help")) is Lane.ORDINARY
    assert lane_of(text_update(1, "https://x/help")) is Lane.ORDINARY
    assert lane_of(button_update(1, encode(ConfirmOrder.action, "tok"))) is Lane.ORDINARY
    assert (
        lane_of(button_update(1, encode(DripfeedChoice.action, "k3x9q2aa", "runs", 1)))
        is Lane.ORDINARY
    )
    assert lane_of(button_update(1, "garbage")) is Lane.ORDINARY
    assert lane_of(object()) is Lane.ORDINARY
