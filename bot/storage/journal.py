"""The placement journal: panel outcomes the database refused, kept in a file beside it.

When the panel has answered `add`/`add_bulk` but SQLite will not take the write (disk full,
another process holding the write lock past the busy timeout, read-only file), the outcome must
not live only in memory: the panel has taken the money. Each outcome becomes one JSON line in
`<DATABASE_PATH>.journal` (mode 0600, fsync'd before the user is told), carrying everything
needed to restore the order row. Start-up (and a periodic job) feeds the entries to
`OrdersRepo.restore_outcomes`; the file is emptied only after that transaction committed, so an
entry is never lost between the two. Nothing secret goes in: a row has no API key.

A full disk refuses the journal's append as well as the database's write. So the journal keeps
`<journal>.reserve` beside it, `RESERVE_BYTES` set aside while there is room: an append that
meets ENOSPC deletes the reserve and tries once more, into the space it freed. The reserve is
set aside again once there is room (start-up and the periodic import).
"""

from __future__ import annotations

import errno
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Self

from bot.storage.models import Order, OrderDraft, SubmitState

log = logging.getLogger(__name__)

SUFFIX = ".journal"
REJECTED_SUFFIX = ".rejected"
RESERVE_SUFFIX = ".reserve"
# Room for the outcomes of a 1,000-line bulk (about 600 bytes each) with a margin.
RESERVE_BYTES = 2 * 1024 * 1024
_DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
FORMAT_VERSION = 1
# The outcomes a journal entry can record (a draft or `submitting` is not an outcome).
OUTCOMES = frozenset({SubmitState.PLACED, SubmitState.FAILED, SubmitState.UNKNOWN})


def journal_path(database_path: Path | str) -> Path | None:
    """`<database>.journal`; None for an in-memory database (there is no "beside")."""
    text = str(database_path)
    if text == ":memory:" or text.startswith("file::memory:"):
        return None
    return Path(text + SUFFIX)


class BadEntry(ValueError):
    """A journal line that is not a complete entry (torn write, edited by hand)."""


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One row's outcome and the row as it was claimed (enough to insert it again)."""

    state: SubmitState
    panel_order_id: int | None
    error: str | None
    recorded_at: float
    # The row, as `orders` holds it.
    order_id: int
    user_id: int
    token: str
    batch: str
    order: OrderDraft  # what it orders: the service, the answers, the price (and its line)
    created_at: float
    submitted_at: float | None
    panel_slot: int = 1  # the user's panel account it went to

    def __post_init__(self) -> None:
        if self.state not in OUTCOMES:
            raise BadEntry(f"not an outcome: {self.state}")
        if self.state is SubmitState.PLACED and self.panel_order_id is None:
            raise BadEntry("a placed entry needs the panel's order id")

    @classmethod
    def of(
        cls,
        order: Order,
        state: SubmitState,
        *,
        panel_order_id: int | None = None,
        error: str | None = None,
        at: float,
    ) -> Self:
        return cls(
            state=state,
            panel_order_id=panel_order_id,
            error=error,
            recorded_at=at,
            order_id=order.id,
            user_id=order.user_id,
            token=order.token,
            batch=order.batch,
            order=_draft_of(order),
            created_at=order.created_at,
            submitted_at=order.submitted_at,
            panel_slot=order.panel_slot,
        )

    def to_json(self) -> str:
        order = self.order
        return json.dumps(
            {
                "v": FORMAT_VERSION,
                "state": self.state.value,
                "panel_order_id": self.panel_order_id,
                "error": self.error,
                "recorded_at": self.recorded_at,
                "order_id": self.order_id,
                "user_id": self.user_id,
                "token": self.token,
                "batch": self.batch,
                "line_no": order.line_no,
                "service_id": order.service_id,
                "service_name": order.service_name_text,
                "service_type": order.service_type,
                "link": order.link,
                "quantity": order.quantity,
                "runs": order.runs,
                "interval": order.interval,
                "cost": str(order.cost),  # money stays a Decimal string, never a float
                "currency": order.currency_text,
                "created_at": self.created_at,
                "submitted_at": self.submitted_at,
                "extra": order.extra,
                "panel_slot": self.panel_slot,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, line: str) -> Self:
        try:
            data = json.loads(line)
            if not isinstance(data, dict) or data.get("v") != FORMAT_VERSION:
                raise BadEntry("unknown journal format")
            return cls(
                state=SubmitState(data["state"]),
                panel_order_id=_opt_int(data.get("panel_order_id")),
                error=_opt_str(data.get("error")),
                recorded_at=float(data["recorded_at"]),
                order_id=int(data["order_id"]),
                user_id=int(data["user_id"]),
                token=str(data["token"]),
                batch=str(data["batch"]),
                order=_order_of(data),
                panel_slot=_opt_int(data.get("panel_slot")) or 1,
                created_at=float(data["created_at"]),
                submitted_at=_opt_float(data.get("submitted_at")),
            )
        except BadEntry:
            raise
        except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
            raise BadEntry(f"{type(exc).__name__} in a journal line") from None


def _draft_of(order: Order) -> OrderDraft:
    """What `order` orders: its row holds every field of the draft it was made from."""
    ordered = {f.name: getattr(order, f.name) for f in fields(OrderDraft)}
    return OrderDraft(**ordered | {"extra": dict(order.extra)})


def _order_of(data: dict[str, Any]) -> OrderDraft:
    """What a journal line's row orders (`to_json` writes it among the row's other columns)."""
    extra = data.get("extra") or {}
    if not isinstance(extra, dict):
        raise BadEntry("extra is not an object")
    return OrderDraft(
        service_id=int(data["service_id"]),
        service_name_text=str(data["service_name"]),
        service_type=str(data["service_type"]),
        link=_opt_str(data.get("link")),
        quantity=_opt_int(data.get("quantity")),
        cost=Decimal(str(data["cost"])),
        currency_text=_opt_str(data.get("currency")),
        runs=_opt_int(data.get("runs")),
        interval=_opt_int(data.get("interval")),
        extra=extra,
        line_no=_opt_int(data.get("line_no")),
    )


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True, slots=True)
class JournalContents:
    entries: list[JournalEntry]
    bad_lines: list[str]
    size: int  # bytes read: `consume` drops exactly these, never a later append


class PlacementJournal:
    """Append-only JSON lines file. The calls block briefly (one small write and an fsync);
    they run on the event loop on purpose, so an append never interleaves with a `consume`.
    """

    __slots__ = ("_reserve_failed", "path", "reserve_bytes")

    def __init__(self, path: Path | str, *, reserve_bytes: int = RESERVE_BYTES) -> None:
        self.path = Path(path)
        self.reserve_bytes = reserve_bytes
        self._reserve_failed = False  # said once per streak, not at every periodic import

    def __repr__(self) -> str:
        return f"PlacementJournal({str(self.path)!r})"

    @property
    def rejected_path(self) -> Path:
        return self.path.with_name(self.path.name + REJECTED_SUFFIX)

    def pending(self) -> bool:
        """Anything to import? A stat call: cheap enough for a periodic check."""
        try:
            return self.path.stat().st_size > 0
        except FileNotFoundError:
            return False

    @property
    def reserve_path(self) -> Path:
        return self.path.with_name(self.path.name + RESERVE_SUFFIX)

    def append(self, entries: Sequence[JournalEntry]) -> None:
        """Add entries durably: written, fsync'd (and the new file's directory entry too).

        On a full disk the reserve is given up for them (one more try)."""
        if not entries:
            return
        data = "".join(e.to_json() + "\n" for e in entries).encode("utf-8")
        try:
            _append_private(self.path, data)
        except OSError as exc:
            if exc.errno not in _DISK_FULL or not self._release_reserve():
                raise
            log.warning("the disk is full: the journal's reserve was given up for its entries")
            _append_private(self.path, data)  # a torn first try is skipped as a bad line

    def keep_reserve(self) -> bool:
        """Set the reserve aside unless it is there; False when the disk has no room."""
        reserve = self.reserve_path
        try:
            if reserve.stat().st_size >= self.reserve_bytes:
                return True
        except FileNotFoundError:
            pass
        tmp = reserve.with_name(reserve.name + ".tmp")
        try:
            reserve.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                _fill(fd, self.reserve_bytes)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, reserve)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            if not self._reserve_failed:
                log.warning("could not set aside the journal's reserve %s: %s", reserve, exc)
            self._reserve_failed = True
            return False
        self._reserve_failed = False
        return True

    def _release_reserve(self) -> bool:
        try:
            self.reserve_path.unlink()
        except FileNotFoundError:
            return False
        return True

    def read(self) -> JournalContents:
        """Every complete entry; lines that do not parse are returned apart (never guessed at)."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return JournalContents([], [], 0)
        entries: list[JournalEntry] = []
        bad: list[str] = []
        for line in raw.decode("utf-8", errors="replace").splitlines():
            if not line.strip():
                continue
            try:
                entries.append(JournalEntry.from_json(line))
            except BadEntry:
                bad.append(line)
        return JournalContents(entries, bad, len(raw))

    def consume(self, read: JournalContents, rejected: Sequence[JournalEntry] = ()) -> None:
        """After an import of `read` committed: drop what it read from the journal.

        Entries the database contradicted and unreadable lines move to `.rejected` for a person
        to look at (they are logged too), instead of tripping every later import. Whatever was
        appended after `read` stays in the journal.
        """
        set_aside = [*read.bad_lines, *(e.to_json() for e in rejected)]
        if set_aside:
            data = "".join(line + "\n" for line in set_aside).encode("utf-8")
            _append_private(self.rejected_path, data)
        try:
            later = self.path.read_bytes()[read.size :]
        except FileNotFoundError:
            later = b""
        if not later.strip():
            try:
                self.path.unlink()
            except FileNotFoundError:
                return
            _fsync_dir(self.path.parent)
            return
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.fchmod(fd, 0o600)
            _write_all(fd, later.lstrip(b"\n"))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.path)
        _fsync_dir(self.path.parent)


def _append_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    created = not path.exists()
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        # Also for a file someone else created: it holds users' orders.
        os.fchmod(fd, 0o600)
        size = os.fstat(fd).st_size
        # A crash mid-append can leave a torn last line; start on a fresh line so the torn
        # fragment does not swallow this entry.
        if size > 0 and os.pread(fd, 1, size - 1) != b"\n":
            data = b"\n" + data
        _write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        _fsync_dir(path.parent)


def _fill(fd: int, size: int) -> None:
    """Allocate `size` bytes for real (a sparse file would free nothing when deleted)."""
    try:
        os.posix_fallocate(fd, 0, size)
    except OSError as exc:
        if exc.errno not in {errno.EOPNOTSUPP, errno.EINVAL}:
            raise
        block = b"\0" * 65536
        for start in range(0, size, len(block)):
            _write_all(fd, block[: size - start])


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_dir(directory: Path) -> None:
    """Make a created, renamed or removed directory entry durable (POSIX; best effort)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        log.debug("could not fsync %s", directory)
    finally:
        os.close(fd)
