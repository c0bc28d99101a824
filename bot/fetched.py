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
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SUFFIX = ".updates"
# Rewritten short once it is this big and nothing is pending.
COMPACT_BYTES = 64 * 1024


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
    """The file of fetched updates. Its calls block briefly (one small write) and run on the
    event loop on purpose: no two of them interleave."""

    __slots__ = ("_last_id", "_pending", "path")

    def __init__(self, path: Path) -> None:
        self.path = path
        self._pending: set[int] = set()
        self._last_id: int | None = None

    def __repr__(self) -> str:
        return f"FetchedUpdates({str(self.path)!r})"

    def load(self) -> Unhandled:
        """The updates a stopped process fetched and did not finish, in order; the file is
        rewritten to hold just those (they get their `done` lines when handled again)."""
        try:
            raw = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return Unhandled([], None)
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
        if updates:
            last = max(max(updates), last if last is not None else -1)
        # Updates this process took in already (a webhook answers before start-up ends) are
        # on their way through the queue: not handled a second time from here.
        mine = self._pending
        unhandled = [updates[i] for i in sorted(updates) if i not in done and i not in mine]
        if last is not None and last >= 0:
            self._last_id = max(last, self._last_id if self._last_id is not None else last)
        self._pending = mine | {int(u["update_id"]) for u in unhandled}
        self._rewrite([updates[i] for i in sorted(updates) if i in self._pending])
        return Unhandled(unhandled, self._last_id)

    def fetched(self, updates: Sequence[dict[str, Any]]) -> None:
        """Keep a fetched batch durably, before the next getUpdates confirms it."""
        if not updates:
            return
        lines = [json.dumps({"update": u}, ensure_ascii=False) for u in updates]
        try:
            _append(self.path, lines, sync=True)
        except OSError as exc:
            # The updates are handled all the same; only a crash now would lose them.
            log.error("could not keep fetched updates in %s: %s", self.path, exc)
            return
        ids = [int(u["update_id"]) for u in updates]
        self._pending.update(ids)
        self._last_id = max([*ids, *([self._last_id] if self._last_id is not None else [])])

    def handled(self, update_id: int) -> None:
        """The update's handler finished: it is not handled again after a restart."""
        if update_id not in self._pending:
            return
        self._pending.discard(update_id)
        try:
            if not self._pending and self.path.stat().st_size > COMPACT_BYTES:
                self._rewrite([])
                return
            # No fsync: a kill -9 keeps what was written; a power cut at worst repeats it.
            _append(self.path, [json.dumps({"done": update_id})], sync=False)
        except OSError as exc:
            log.warning("could not mark update %d handled in %s: %s", update_id, self.path, exc)

    def _rewrite(self, pending: Sequence[dict[str, Any]]) -> None:
        """Replace the file with `pending` and the highest id seen (atomically)."""
        lines = [json.dumps({"update": u}, ensure_ascii=False) for u in pending]
        if self._last_id is not None:
            lines.append(json.dumps({"last": self._last_id}))
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            tmp.unlink(missing_ok=True)
            _append(tmp, lines, sync=True)
            os.replace(tmp, self.path)
        except OSError as exc:
            log.warning("could not rewrite %s: %s", self.path, exc)


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
