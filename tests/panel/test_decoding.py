"""`AnswerDecoder` (issue 19 item 5): a large `services` answer is decoded in a child process and
comes back whole, Decimals exact; what follows is rebuilt on the loop in slices that yield."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from decimal import Decimal
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import pytest

from bot.panel import parsing
from bot.panel.client import PanelClient
from bot.panel.decoding import (
    CHILD_NICENESS,
    AnswerDecoder,
    _process_pool,
    rebuild_sliced,
    services_to_file,
)
from bot.panel.errors import InvalidApiKey, PanelUnavailable
from tests.fakes.panel import FakePanel
from tests.fakes.panel_catalog import make_services
from tests.loop_turns import other_task_turns
from tests.panel.support import KEY

P = ParamSpec("P")
R = TypeVar("R")

# Rates a float would round: they must arrive as the panel wrote them.
EXACT_RATES = ("0.1", "1234567890.123456789", "0.000000000000000001", "12.50")


def _catalog(n: int = 600) -> list[dict[str, Any]]:
    services = make_services(n)
    for service, rate in zip(services, EXACT_RATES, strict=False):
        service["rate"] = rate
    services[1]["description"] = "Başlangıç 0-1 saat <b>&amp;</b>"
    services[2]["average_time"] = "1 hours 14 minutes"
    return services


def _body(services: list[dict[str, Any]]) -> bytes:
    return json.dumps(services).encode()


class CountingExecutor(ThreadPoolExecutor):
    """Runs the child's work in a thread (no process to start) and counts what it was given."""

    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self.submitted = 0

    def submit(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> Future[R]:
        self.submitted += 1
        return super().submit(fn, *args, **kwargs)


class BrokenExecutor(Executor):
    """A pool whose child died: every submit fails as ProcessPoolExecutor's then does."""

    def submit(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> Future[R]:
        future: Future[R] = Future()
        future.set_exception(BrokenProcessPool("the child was killed"))
        return future


async def test_a_large_answer_comes_back_from_the_child_process_exact() -> None:
    """A real child process: the same services as an in-process decode, Decimals exact."""
    body = _body(_catalog())
    decoder = AnswerDecoder(offload_bytes=1024)
    try:
        assert decoder.offloads(body)
        services = await decoder.services(body)
    finally:
        await decoder.aclose()
    assert services == parsing.parse_services(parsing.decode_json(body))
    # Digit for digit and exponent for exponent, as the panel wrote them.
    rates = [s.rate.as_tuple() for s in services[: len(EXACT_RATES)]]
    assert rates == [Decimal(rate).as_tuple() for rate in EXACT_RATES]
    assert services[2].average_minutes == 74


async def test_an_error_answer_from_the_child_is_the_panels_error_without_a_traceback() -> None:
    decoder = AnswerDecoder(offload_bytes=1, pool_factory=CountingExecutor)
    try:
        with pytest.raises(InvalidApiKey) as caught:
            await decoder.services(b'{"error": "Invalid API key"}')
        with pytest.raises(PanelUnavailable):
            await decoder.services(b"<html>502 Bad Gateway</html>")
    finally:
        await decoder.aclose()
    assert caught.value.__cause__ is None and caught.value.__context__ is None


async def test_a_small_answer_never_starts_the_child() -> None:
    def no_pool() -> Executor:
        raise AssertionError("a small answer started the child process")

    decoder = AnswerDecoder(offload_bytes=len(_body(_catalog(5))) + 1, pool_factory=no_pool)
    assert len(await decoder.services(_body(_catalog(5)))) == 5


async def test_a_dead_child_is_a_panel_failure_and_the_next_answer_gets_a_new_one() -> None:
    pools: list[Executor] = []

    def pool() -> Executor:
        pools.append(BrokenExecutor() if not pools else CountingExecutor())
        return pools[-1]

    decoder = AnswerDecoder(offload_bytes=1, pool_factory=pool)
    body = _body(_catalog(20))
    try:
        with pytest.raises(PanelUnavailable):
            await decoder.services(body)
        assert len(await decoder.services(body)) == 20
    finally:
        await decoder.aclose()
    assert len(pools) == 2


async def test_aclose_removes_the_files_and_stops_the_pool() -> None:
    pool = CountingExecutor()
    decoder = AnswerDecoder(offload_bytes=1, pool_factory=lambda: pool)
    await decoder.services(_body(_catalog(20)))
    workdir = decoder._workdir
    assert workdir is not None and list(workdir.iterdir()) == []  # each answer's files go
    await decoder.aclose()
    assert not workdir.exists()
    assert pool.submitted == 1
    with pytest.raises(RuntimeError):  # shut down
        pool.submit(print)


async def test_the_files_are_removed_off_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """Removing a catalog's two files frees megabytes of blocks in the kernel: not on the loop's
    thread, where it held every other user for 10-12 ms."""
    loop_thread = threading.get_ident()
    removed_on: list[int] = []
    unlink = Path.unlink

    def recording_unlink(self: Path, missing_ok: bool = False) -> None:
        removed_on.append(threading.get_ident())
        unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", recording_unlink)
    pool = CountingExecutor()
    decoder = AnswerDecoder(offload_bytes=1, pool_factory=lambda: pool)
    try:
        assert len(await decoder.services(_body(_catalog(20)))) == 20
        workdir = decoder._workdir
        assert workdir is not None and list(workdir.iterdir()) == []
    finally:
        await decoder.aclose()
    assert len(removed_on) == 2
    assert loop_thread not in removed_on


def test_the_rows_are_rebuilt_in_chunks_that_each_yield(tmp_path: Path) -> None:
    answer, rows = tmp_path / "answer.json", tmp_path / "rows"
    answer.write_bytes(_body(_catalog(1000)))
    ends = services_to_file(str(answer), str(rows), chunk=100)
    assert len(ends) == 10

    async def rebuild() -> tuple[int, int]:
        async with other_task_turns() as turns:
            # A zero slice yields after every chunk: the loop runs other tasks between them.
            services = await rebuild_sliced(rows.read_bytes(), ends, slice_seconds=0)
        return len(services), turns.count

    count, turns = asyncio.run(rebuild())
    assert count == 1000
    assert turns >= 10


async def test_the_client_hands_a_large_catalog_to_its_decoder(fake: FakePanel) -> None:
    pool = CountingExecutor()
    decoder = AnswerDecoder(offload_bytes=1024, pool_factory=lambda: pool)
    fake.set_services(_catalog())
    try:
        async with PanelClient(fake.url, KEY, timeout=5, decoder=decoder) as client:
            services = await client.services()
    finally:
        await decoder.aclose()
    assert pool.submitted == 1
    assert len(services) == 600 and str(services[0].rate) == EXACT_RATES[0]


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no process priorities on this system")
def test_the_decoding_child_runs_at_a_lower_priority_than_the_bot() -> None:
    # Decoding large catalogs keeps the child busy for seconds: the kernel must prefer the bot's
    # event loop whenever both want a core.
    pool = _process_pool()
    try:
        child = pool.submit(os.nice, 0).result(timeout=60)
    finally:
        pool.shutdown(wait=True)
    assert child == min(os.nice(0) + CHILD_NICENESS, 19)
