"""Decoding a panel's `services` answer without holding the event loop (issue 19 item 5).

`json.loads` into Decimals and the parse of every entry hold the GIL from start to end: a
19 MB catalog held the event loop for about 0.9 s on a loaded machine, in a thread as much as
inline, and every other user waited. A large answer is therefore decoded and validated in a
child process (`AnswerDecoder`, one per application, its process started on first use and
stopped with the application). The child sends the services back as compact rows of plain
values, pickled in chunks; money crosses the boundary as the Decimal's own text, never as a
float. The event loop unpickles and rebuilds the `Service` objects chunk by chunk and gives
other tasks a turn whenever a slice has run `slice_seconds` (bot/slices.py).

A small answer (under `offload_bytes`) is decoded in-process: the trip would cost more.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import multiprocessing
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from decimal import Decimal
from pathlib import Path

from bot.panel import parsing
from bot.panel.errors import PanelError, PanelUnavailable
from bot.panel.models import Service
from bot.slices import SLICE_SECONDS, SliceQueue, Steps, run_sliced

logger = logging.getLogger(__name__)

# From this size on, an answer is decoded in the child process. In-process decoding runs at
# about 50 MB/s on an idle machine, so 512 KiB holds the loop ~10 ms (~25 ms when loaded).
OFFLOAD_BYTES = 512 * 1024
# Services per pickled chunk: unpickling one is a few milliseconds even with long descriptions.
CHUNK_SERVICES = 128

# One service as it crosses the process boundary: plain values only, the rate as its text.
Row = tuple[
    int,  # id
    str,  # name
    str,  # type
    str,  # category
    str,  # rate, str(Decimal): exact, never a float
    int,  # min
    int,  # max
    bool | None,  # refill
    bool | None,  # cancel
    bool | None,  # dripfeed
    str | None,  # description
    int | None,  # average_minutes
    str | None,  # average_text
]

PoolFactory = Callable[[], Executor]


def to_row(service: Service) -> Row:
    s = service
    return (
        s.id,
        s.name_text,
        s.type,
        s.category_text,
        str(s.rate),
        s.min,
        s.max,
        s.refill,
        s.cancel,
        s.dripfeed,
        s.description_text,
        s.average_minutes,
        s.average_words,
    )


def from_row(row: Row) -> Service:
    # The fields in `Row`'s order, which is `Service`'s; the rate becomes a Decimal again.
    sid, name, kind, category, rate, low, high, refill, cancel, drip, desc, minutes, text = row
    return Service(
        sid,
        name,
        kind,
        category,
        Decimal(rate),
        low,
        high,
        refill,
        cancel,
        drip,
        desc,
        minutes,
        text,
    )


def services_to_file(answer: str, rows: str, chunk: int = CHUNK_SERVICES) -> list[int]:
    """Runs in the child: decode and validate the answer in file `answer`, write the services
    to file `rows` as pickled chunks of rows, and return where each chunk ends. Raises what
    `parse_services` raises (a `PanelError`) for an unusable answer."""
    services = parsing.parse_services(parsing.decode_json(Path(answer).read_bytes()))
    ends: list[int] = []
    with open(rows, "wb") as out:
        for start in range(0, len(services), chunk):
            out.write(pickle.dumps([to_row(s) for s in services[start : start + chunk]]))
            ends.append(out.tell())
    return ends


def _rebuilt(data: bytes, ends: list[int]) -> Steps[list[Service]]:
    """The services of the chunks in `data` (ending at `ends`), with a checkpoint after each."""
    services: list[Service] = []
    view = memoryview(data)
    start = 0
    for end in ends:
        rows: list[Row] = pickle.loads(view[start:end])  # our own child's pickles: trusted
        services.extend(map(from_row, rows))
        start = end
        yield
    return services


async def rebuild_sliced(
    data: bytes,
    ends: list[int],
    *,
    slice_seconds: float = SLICE_SECONDS,
    queue: SliceQueue | None = None,
) -> list[Service]:
    """The services of the chunks in `data`, giving the event loop a turn whenever a slice has
    run `slice_seconds` (looked at after every chunk), in `queue`'s turns."""
    steps = _rebuilt(data, ends)
    return await run_sliced(steps, slice_seconds=slice_seconds, queue=queue)


def _remove(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


# How much lower the child's CPU priority is than the bot's (`os.nice`): see `_yield_the_cpu`.
CHILD_NICENESS = 10


def _yield_the_cpu() -> None:
    """Runs in the child as it starts: lower its priority. Decoding five 19 MB catalogs keeps it
    busy for seconds, and at the bot's own priority the kernel gives it the core the event loop
    waits for, in turns of several milliseconds (a slice of 5 ms of CPU took 30-50 ms of wall
    time on a loaded 2-core machine). The decoding is the one thing here that can wait."""
    if hasattr(os, "nice"):
        os.nice(CHILD_NICENESS)


def _process_pool() -> Executor:
    # "spawn": forking a process that runs threads (the database's, PTB's) may copy a held lock.
    return ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_yield_the_cpu,
    )


class AnswerDecoder:
    """Decodes `services` answers; see the module docstring.

    The application owns one and hands it to every panel client (`PanelClients`); its child
    process (and a private directory for the files it reads and writes) start with the first
    large answer and stop in `aclose`. `offload_bytes=None` decodes everything in-process (a
    client built on its own, tools). `pool_factory` builds the executor (tests may hand a
    recording one). `slices` is the application's queue of sliced work (bot/slices.py), which
    its catalog cache shares.
    """

    def __init__(
        self,
        *,
        offload_bytes: int | None = OFFLOAD_BYTES,
        slice_seconds: float = SLICE_SECONDS,
        pool_factory: PoolFactory = _process_pool,
        slices: SliceQueue | None = None,
    ) -> None:
        self.offload_bytes = offload_bytes
        self.slices = SliceQueue() if slices is None else slices
        self._slice_seconds = slice_seconds
        self._pool_factory = pool_factory
        self._pool: Executor | None = None
        self._workdir: Path | None = None
        self._answers = itertools.count()

    def __repr__(self) -> str:
        started = self._pool is not None
        return f"AnswerDecoder(offload_bytes={self.offload_bytes}, started={started})"

    def offloads(self, body: bytes | bytearray) -> bool:
        return self.offload_bytes is not None and len(body) >= self.offload_bytes

    async def services(self, body: bytes | bytearray) -> list[Service]:
        """The catalog in `body`; raises `PanelError` as `parse_services` does."""
        if not self.offloads(body):
            return parsing.parse_services(parsing.decode_json(body))
        data, ends = await self._in_child(body)
        return await rebuild_sliced(
            data, ends, slice_seconds=self._slice_seconds, queue=self.slices
        )

    async def _in_child(self, body: bytes | bytearray) -> tuple[bytes, list[int]]:
        """The child's rows for `body`: the bytes of its file, and where each chunk ends.

        Both ways the data goes through files, not the executor's pipe: the pipe pickles its
        messages under the GIL (a 19 MB body held the loop 0.65 s), while a file is written
        and read by the kernel with the GIL released, in a thread.
        """
        if self._workdir is None:
            self._workdir = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="smm-decode-"))
        number = next(self._answers)
        answer, rows = self._workdir / f"{number}.json", self._workdir / f"{number}.rows"
        try:
            await asyncio.to_thread(answer.write_bytes, body)
            ends = await self._run(str(answer), str(rows))
            return await asyncio.to_thread(rows.read_bytes), ends
        finally:
            # In a thread too: the kernel frees a 19 MB file's blocks within the call, which
            # held the loop 10-12 ms for the two files of one catalog.
            await asyncio.to_thread(_remove, answer, rows)

    async def _run(self, answer: str, rows: str) -> list[int]:
        """`services_to_file` in the child process."""
        if self._pool is None:
            self._pool = self._pool_factory()
        pool = self._pool
        failure: PanelError | None = None
        try:
            # Submitted from a thread: the first submit starts the child process.
            future = await asyncio.to_thread(pool.submit, services_to_file, answer, rows)
            return await asyncio.wrap_future(future)
        except PanelError as exc:
            failure = exc
        except BrokenProcessPool:
            # The child died (killed for memory, say): the next answer gets a new one.
            logger.warning("the decoding process died; a new one starts on the next answer")
            if self._pool is pool:
                self._pool = None
            pool.shutdown(wait=False)
            failure = PanelUnavailable("services: the answer could not be decoded")
        # Raised here, with no context: the child's traceback is no business of the caller.
        raise failure.with_traceback(None) from None

    async def aclose(self) -> None:
        """Stop the child process and remove its directory, if they were made."""
        pool, self._pool = self._pool, None
        workdir, self._workdir = self._workdir, None
        if pool is not None:
            # Joining the child blocks: in a thread, so the loop keeps serving meanwhile.
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
        if workdir is not None:
            await asyncio.to_thread(shutil.rmtree, workdir, ignore_errors=True)
