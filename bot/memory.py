"""Hands the memory glibc's allocator keeps back to the operating system.

CPython returns freed objects to malloc, and glibc keeps freed chunks inside its arenas unless they
sit at the very top of the heap. In a long-running bot with mixed allocation sizes (HTTP bodies,
JSON, SQLite pages) that retained memory makes RSS creep upward although nothing is alive: the
10-minute soak showed live Python blocks flat, SQLite within its page-cache bound, and about half of
the RSS slope in free-but-kept arena pages. `malloc_trim(0)` releases those pages (madvise); a call
took under a millisecond with 40 MB of fragmented buffers. Other C libraries (musl, macOS) have no
such call: there `find_malloc_trim()` is None and no trim job is scheduled.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

TRIM_SECONDS = 60.0


@functools.cache
def find_malloc_trim() -> Callable[[int], int] | None:
    """glibc's `malloc_trim`, or None where the C library has none. Looked up once per process:
    finding the C library runs `ldconfig -p` (a process, ~2 ms of CPU) at every application
    start otherwise."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def freeze_startup_heap() -> int:
    """Leave everything start-up built out of every later garbage collection; returns how many
    objects that is.

    A full collection looks at every tracked object: the ~100,000 of the modules, classes and
    PTB's application cost 50 ms of CPU on a loaded machine (320 ms of wall time), the event
    loop held all along, and large catalogs coming in trigger such collections (issue 19 item 5).
    Those objects live as long as the process, so looking at them again finds nothing. Called
    once, after start-up: the garbage of start-up itself is collected first, so nothing frozen
    is garbage. Reference counting still frees a frozen object that is dropped; only a frozen
    object in a reference cycle would stay, and start-up's live objects are not dropped.
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


class MemoryTrimmer:
    """Calls `trim(0)` (`find_malloc_trim()`) when asked; `available` is False without one."""

    def __init__(self, trim: Callable[[int], int] | None) -> None:
        self._trim = trim

    @property
    def available(self) -> bool:
        return self._trim is not None

    def trim(self) -> bool:
        """True when the allocator released memory."""
        if self._trim is None:
            return False
        started = time.perf_counter()
        released = bool(self._trim(0))
        log.debug(
            "malloc_trim: released=%s in %.1f ms", released, (time.perf_counter() - started) * 1e3
        )
        return released
