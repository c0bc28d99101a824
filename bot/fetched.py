"""Updates fetched from Telegram and not yet handled, kept in a file until they are.

getUpdates confirms every earlier update: the next call, made while the updates it returned
are still being handled, tells Telegram they are done. A kill -9 (or a power cut) at that
moment loses them: a bulk Confirm fetched just before it was placed only when tapped again.
Holding the confirmation back until the handlers finished is no way out: Telegram then returns
the unfinished updates at once on every poll (no long poll while one handler runs) and, past
100 of them behind a slow panel, nothing new at all.

So every batch is written here (one JSON line an update, fsync'd) before the next getUpdates
confirms it, and a `done` line follows each update once its handler finished. At start-up the
updates without a `done` line are handled first, and polling resumes after the highest id seen
(Telegram's own copies of them are confirmed, not handled twice). In webhook mode an update is
written before the answer to Telegram's POST, which confirms it there. Handling one twice is safe:
a Confirm's claim places an order at most once. The file is `<DATABASE_PATH>.updates`, mode 0600
(updates carry users' texts); it is rewritten short whenever nothing is pending.

The disk work runs on one thread of its own, never on the event loop: an fsync on a slow or busy
disk would hold every user of the bot for as long as it takes. That thread does the work in the
order it was asked for, so a `done` line never precedes its update and no append goes to the old
file after a rewrite replaced it (that batch would be lost). What is pending lives on the loop.
Batches that come while one is being written (webhook updates arrive side by side) are written
together after it, with one fsync: none waits for the fsyncs of all those before it, one by one.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger(__name__)

SUFFIX = ".updates"
# Rewritten short once it is this big and nothing is pending.
COMPACT_BYTES = 64 * 1024

T = TypeVar("T")


def updates_path(database_path: Path | str) -> Path | None:
    """`<database>.updates`; None for an in-memory database (there is no "beside")."""
    text = str(database_path)
    if text == ":memory:" or text.startswith("file::memory:"):
        return None
    return Path(text + SUFFIX)


@dataclass(frozen=True, slots=True)
class Unhandled:
    """What the file holds at start-up: updates to handle first, and the highest id seen."""

    updates: list[dict[str, Any]]
    last_id: int | None


class FetchedUpdates:
    """The file of fetched updates. Its disk work runs on a thread of its own, one piece at a
    time in the order asked (see the module's docstring); `aclose` ends that thread."""

    __slots__ = (
        "_closed",
        "_disk",
        "_flushing",
        "_last",
        "_last_id",
        "_loading",
        "_next_flush",
        "_pending",
        "_unwritten",
        "path",
    )

    def __init__(self, path: Path) -> None:
        self.path = path
        # Ids written and not handled yet (and those being written): read on the loop only.
        self._pending: set[int] = set()
        self._last_id: int | None = None
        self._disk: ThreadPoolExecutor | None = None  # started at the first write
        self._last: Future[Any] | None = None  # the disk work asked for last
        self._closed = False
        # Loads in flight: their updates are not in `_pending` yet, so no rewrite may drop them.
        self._loading = 0
        # Batches that came while the last one was being written go to the disk together,
        # with one fsync, when it is done: `_next_flush` is done once they are kept.
        self._unwritten: list[str] = []
        self._next_flush: asyncio.Future[None] | None = None
        self._flushing = False

    def __repr__(self) -> str:
        return f"FetchedUpdates({str(self.path)!r})"

    async def load(self) -> Unhandled:
        """The updates a stopped process fetched and did not finish, in order; the file is
        rewritten to hold just those (they get their `done` lines when handled again)."""
        # Updates this process took in already (a webhook answers before start-up ends) are
        # on their way through the queue: not handled a second time from here.
        work = partial(_load, self.path, frozenset(self._pending), self._last_id)
        self._loading += 1
        try:
            loaded = await asyncio.wrap_future(self._submit(work))
        finally:
            self._loading -= 1
        if loaded is None:
            return Unhandled([], None)
        if loaded.last_id is not None:
            mine = self._last_id if self._last_id is not None else loaded.last_id
            self._last_id = max(loaded.last_id, mine)
        self._pending.update(int(u["update_id"]) for u in loaded.updates)
        return Unhandled(loaded.updates, self._last_id)

    async def fetched(self, updates: Sequence[dict[str, Any]]) -> None:
        """Keep a fetched batch durably, before the next getUpdates confirms it."""
        if not updates:
            return
        lines = [_update_line(u) for u in updates]
        ids = [int(u["update_id"]) for u in updates]
        # Pending before the write is asked for: a rewrite asked for while it runs (the last
        # earlier update handled) must see them, or it would drop the lines written here.
        new = set(ids) - self._pending
        self._pending.update(new)
        try:
            # Shielded: one caller cancelled (a stopping poller) leaves the others' write be.
            await asyncio.shield(self._written(lines))
        except OSError as exc:
            self._pending.difference_update(new)
            # The updates are handled all the same; only a crash now would lose them.
            log.error("could not keep fetched updates in %s: %s", self.path, exc)
            return
        except BaseException:
            # Cancelled (a stopping poller): not handled here, never confirmed either. Anything
            # else fails this caller, whose updates are then not handled from here either.
            self._pending.difference_update(new)
            raise
        self._last_id = max([*ids, *([self._last_id] if self._last_id is not None else [])])

    def handled(self, update_id: int) -> None:
        """The update's handler finished: it is not handled again after a restart."""
        if update_id not in self._pending:
            return
        self._pending.discard(update_id)
        # Whether to rewrite is decided here, in order with the writes asked for: a batch
        # asked for later is pending already, and its append runs after the rewrite.
        # Nor while a load is in flight: what it read is pending once it returns.
        compact = not self._pending and not self._loading
        work = partial(_mark_handled, self.path, update_id, compact, self._last_id)
        self._submit(work).add_done_callback(_report_failure)

    def _written(self, lines: list[str]) -> asyncio.Future[None]:
        """Done once `lines` are on the disk, with those of every batch asked for while the
        write before them ran."""
        self._unwritten.extend(lines)
        kept = self._next_flush
        if kept is None:
            kept = self._next_flush = asyncio.get_running_loop().create_future()
            if not self._flushing:
                self._flush()
        return kept

    def _flush(self) -> None:
        """Ask the thread to write (and fsync) the unwritten lines, in order after the disk
        work asked for before (a rewrite included: they go to the new file)."""
        lines, self._unwritten = self._unwritten, []
        kept, self._next_flush = self._next_flush, None
        assert kept is not None
        self._flushing = True
        work = asyncio.wrap_future(self._submit(partial(_append, self.path, lines, sync=True)))
        work.add_done_callback(partial(self._flushed, kept))

    def _flushed(self, kept: asyncio.Future[None], work: asyncio.Future[None]) -> None:
        self._flushing = False
        if work.cancelled():
            kept.cancel()
        elif (failure := work.exception()) is not None:
            kept.set_exception(failure)
        else:
            kept.set_result(None)
        if self._next_flush is not None:
            self._flush()  # the batches that came meanwhile

    async def aclose(self) -> None:
        """Wait for the disk work asked for, then end its thread. Later calls (none are
        expected once the application stopped) do their work on the caller's thread."""
        while (disk := self._disk) is not None:
            # The thread works in order: once this is done, so is everything asked before it.
            marker = self._submit(_nothing)
            await asyncio.wait([asyncio.wrap_future(marker)])
            idle = not self._flushing and self._next_flush is None
            if idle and self._last is marker and self._disk is disk:  # nothing asked meanwhile
                disk.shutdown(wait=False)  # idle: it ends at once
                self._disk = None
        self._closed = True

    def _submit(self, work: Callable[[], T]) -> Future[T]:
        if self._closed:
            done: Future[T] = Future()
            try:
                done.set_result(work())
            except Exception as exc:  # the same as the thread's future would carry it
                done.set_exception(exc)
            return done
        if self._disk is None:
            self._disk = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fetched-updates")
        future = self._disk.submit(work)
        self._last = future
        return future


@dataclass(frozen=True, slots=True)
class _Loaded:
    updates: list[dict[str, Any]]
    last_id: int | None


def _load(path: Path, mine: frozenset[int], last_id: int | None) -> _Loaded | None:
    """On the disk thread: read the file, rewrite it with what stays pending (`mine`, taken
    in already, and what no `done` line closed); None when there is no file."""
    try:
        raw = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None
    updates, done, last = _parse(raw)
    if updates:
        last = max(max(updates), last if last is not None else -1)
    if last is not None and last >= 0:
        last_id = max(last, last_id if last_id is not None else last)
    unhandled = [updates[i] for i in sorted(updates) if i not in done and i not in mine]
    pending = mine | {int(u["update_id"]) for u in unhandled}
    _rewrite(path, [updates[i] for i in sorted(updates) if i in pending], last_id)
    return _Loaded(unhandled, last_id)


def _parse(raw: str) -> tuple[dict[int, dict[str, Any]], set[int], int | None]:
    """The file's updates by id, the ids with a `done` line, and the highest `last` line."""
    updates: dict[int, dict[str, Any]] = {}
    done: set[int] = set()
    last: int | None = None
    for line in raw.splitlines():
        try:
            entry = json.loads(line)
            if "update" in entry:
                update = entry["update"]
                updates[int(update["update_id"])] = update
            elif "done" in entry:
                done.add(int(entry["done"]))
            last = max(int(entry.get("last", -1)), last if last is not None else -1)
        except (ValueError, TypeError, KeyError, AttributeError):
            continue  # a torn last line (killed mid-write): nothing to handle in it
    return updates, done, last


def _mark_handled(path: Path, update_id: int, nothing_pending: bool, last_id: int | None) -> None:
    """On the disk thread: the `done` line, or the file rewritten short when nothing else is
    pending and it grew big."""
    try:
        if nothing_pending and path.stat().st_size > COMPACT_BYTES:
            _rewrite(path, [], last_id)
            return
        # No fsync: a kill -9 keeps what was written; a power cut at worst repeats it.
        _append(path, [json.dumps({"done": update_id})], sync=False)
    except OSError as exc:
        log.warning("could not mark update %d handled in %s: %s", update_id, path, exc)


def _nothing() -> None:
    """A marker: done once the disk work asked for before it is."""


def _report_failure(future: Future[None]) -> None:
    """A `done` line's work logs its own OSError; anything else would vanish in its future."""
    exc = None if future.cancelled() else future.exception()
    if exc is not None:
        log.error("could not record a handled update", exc_info=exc)


def _rewrite(path: Path, pending: Sequence[dict[str, Any]], last_id: int | None) -> None:
    """Replace the file with `pending` and the highest id seen (atomically)."""
    lines = [_update_line(u) for u in pending]
    if last_id is not None:
        lines.append(json.dumps({"last": last_id}))
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.unlink(missing_ok=True)
        _append(tmp, lines, sync=True)
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("could not rewrite %s: %s", path, exc)


def _update_line(update: dict[str, Any]) -> str:
    """An update's line: its text as UTF-8, unless it holds a lone surrogate (JSON allows
    "\\ud83d", and Telegram sends what a client sent), which UTF-8 cannot write: escaped
    then, it reads back the same."""
    line = json.dumps({"update": update}, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps({"update": update})
    return line


def _append(path: Path, lines: Sequence[str], *, sync: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = "".join(line + "\n" for line in lines).encode("utf-8")
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.fchmod(fd, 0o600)  # users' texts: for the bot's user only
        size = os.fstat(fd).st_size
        # A kill mid-append leaves a torn line: start on a fresh one so this one stays whole.
        if size and os.pread(fd, 1, size - 1) != b"\n":
            data = b"\n" + data
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)
