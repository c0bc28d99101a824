"""Logging set-up that keeps secrets (bot token, panel API keys) out of every log line.

The filter sits on the root *handler*, not on a logger: logger filters only see records logged
directly on that logger, while a handler filter also sees records propagated from every library
(python-telegram-bot, httpx, apscheduler, ...).
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Final
from urllib.parse import quote

REDACTED: Final = "***"
# Shorter strings would match ordinary words and numbers and mangle unrelated log text.
MIN_SECRET_LENGTH: Final = 6
HANDLER_NAME: Final = "smm-panel-bot"
LOG_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# httpx logs every request URL at INFO, and Telegram URLs contain the bot token; the others are
# chatty at INFO without telling an operator anything useful.
QUIET_LOGGERS: Final = ("httpx", "httpcore", "apscheduler")


class _TrieNode:
    __slots__ = ("children", "terminal")

    def __init__(self) -> None:
        self.children: dict[str, _TrieNode] = {}
        self.terminal = False


def _trie_regex(words: Iterable[str]) -> str:
    """One regex matching any of `words`, preferring the longest at each position.

    A plain `a|b|c` alternation tries every secret at every character of every log line; a
    trie shares prefixes, so each position costs about one character comparison.
    """
    root = _TrieNode()
    for word in words:
        node = root
        for ch in word:
            node = node.children.setdefault(ch, _TrieNode())
        node.terminal = True
    return _alternation(root)


def _alternation(node: _TrieNode) -> str:
    branches = []
    for ch, child in node.children.items():
        # Collapse single-child chains so recursion happens only where secrets diverge.
        chars = [ch]
        while not child.terminal and len(child.children) == 1:
            ((next_ch, child),) = child.children.items()
            chars.append(next_ch)
        branches.append(re.escape("".join(chars)) + _alternation(child))
    if not branches:
        return ""
    alternatives = "|".join(branches)
    if node.terminal:
        # Greedy "?": try the longer secret first, fall back to the one ending here.
        return f"(?:{alternatives})?"
    return alternatives if len(branches) == 1 else f"(?:{alternatives})"


class SecretRegistry:
    """Thread-safe set of secret strings that must never be written to a log."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        # The pattern is rebuilt lazily on the next redact, so adding many secrets stays linear.
        self._stale = False
        for secret in secrets:
            self.add(secret)

    def __repr__(self) -> str:
        return f"SecretRegistry({len(self)} secrets)"

    def __len__(self) -> int:
        return len(self._secrets)

    def __contains__(self, secret: object) -> bool:
        return secret in self._secrets

    def add(self, secret: str) -> None:
        if len(secret) < MIN_SECRET_LENGTH:
            return
        with self._lock:
            if secret not in self._secrets:
                self._secrets.add(secret)
                self._stale = True

    def discard(self, secret: str) -> None:
        with self._lock:
            if secret in self._secrets:
                self._secrets.discard(secret)
                self._stale = True

    def redact(self, text: str) -> str:
        pattern = self._current_pattern()
        if pattern is None:
            return text
        return pattern.sub(REDACTED, text)

    def _current_pattern(self) -> re.Pattern[str] | None:
        if not self._stale:
            return self._pattern
        with self._lock:
            if self._stale:
                variants: set[str] = set()
                for secret in self._secrets:
                    variants.add(secret)
                    # The same secret URL-encoded, as in query strings and form bodies (a bot
                    # token's ":" becomes "%3A").
                    variants.add(quote(secret, safe=""))
                self._pattern = re.compile(_trie_regex(variants)) if variants else None
                self._stale = False
            return self._pattern


class RedactingFilter(logging.Filter):
    """Rewrites a record so that nothing a handler prints can contain a registered secret."""

    def __init__(self, registry: SecretRegistry) -> None:
        super().__init__()
        self._registry = registry
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        redact = self._registry.redact
        try:
            message = record.getMessage()
        except Exception:  # a bad format/args pair must not crash logging or leak the args
            message = f"{record.msg!s} [unformattable log arguments dropped]"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            # Formatter.format reuses a pre-set exc_text, so the redacted text is what gets printed.
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


# Repeated lines: at most this many of one kind per window, then one count when it ends.
REPEAT_BURST: Final = 10
REPEAT_WINDOW_SECONDS: Final = 60.0
# Kinds remembered at once; the oldest is forgotten first (a fault with ever-new call sites
# must not grow memory instead of the log).
_MAX_KINDS: Final = 1024


class _Kind:
    __slots__ = ("count", "started", "suppressed")

    def __init__(self, started: float) -> None:
        self.started = started
        self.count = 0
        self.suppressed = 0


class RepeatLimiter(logging.Filter):
    """Bounds how often one kind of line is written, so that no fault can fill the disk.

    A kind is the logger, the level, the call site, the message's template (before its
    arguments) and the exception's type: a traceback repeated on every turn of the event loop
    is one kind whatever its arguments. Of each kind, `burst` lines per `window` seconds pass;
    the rest are counted, and the first line after the window says how many were dropped.
    """

    def __init__(
        self,
        *,
        burst: int = REPEAT_BURST,
        window: float = REPEAT_WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self._burst = burst
        self._window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._kinds: OrderedDict[tuple[object, ...], _Kind] = OrderedDict()

    @staticmethod
    def _kind_of(record: logging.LogRecord) -> tuple[object, ...]:
        template = record.msg if isinstance(record.msg, str) else type(record.msg).__name__
        exc_type = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else ""
        return (record.name, record.levelno, record.pathname, record.lineno, template, exc_type)

    def filter(self, record: logging.LogRecord) -> bool:
        key, now = self._kind_of(record), self._clock()
        with self._lock:
            kind = self._kinds.get(key)
            if kind is None or now - kind.started >= self._window:
                dropped = kind.suppressed if kind is not None else 0
                kind = self._kinds[key] = _Kind(now)
                while len(self._kinds) > _MAX_KINDS:
                    self._kinds.popitem(last=False)
            else:
                dropped = 0
            self._kinds.move_to_end(key)
            kind.count += 1
            if kind.count > self._burst:
                kind.suppressed += 1
                return False
        if dropped:
            _append(record, f" [{dropped} more like this dropped in the last {self._window:.0f} s]")
        return True


def _append(record: logging.LogRecord, note: str) -> None:
    try:
        message = record.getMessage()
    except Exception:  # the redacting filter reports unformattable arguments itself
        return
    record.msg, record.args = message + note, None


def configure_logging(
    level: str, registry: SecretRegistry, *, clock: Callable[[], float] = time.monotonic
) -> None:
    """Install one redacting stderr handler on the root logger; safe to call again.

    `clock` times the repeat limiter's windows (tests pass a fixed one: a slow machine must not
    open a second window in the middle of a flood)."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if h.get_name() == HANDLER_NAME), None)
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler.set_name(HANDLER_NAME)
        root.addHandler(handler)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    for old in [f for f in handler.filters if isinstance(f, RedactingFilter | RepeatLimiter)]:
        handler.removeFilter(old)
    # The limiter first: it reads the message's template, which redaction replaces.
    handler.addFilter(RepeatLimiter(clock=clock))
    handler.addFilter(RedactingFilter(registry))
    root.setLevel(level.upper())
    quiet_libraries()


# python-telegram-bot logs every Bot API call with its payload at DEBUG, including the text of
# incoming messages: the message carrying a panel key is logged before the bot knows it is a key.
# The whole `telegram` tree: Application logs every processed update in full at DEBUG too.
# aiosqlite logs every statement with its parameters at DEBUG: key ciphertexts, users' links.
PAYLOAD_LOGGERS: tuple[str, ...] = ("telegram", "aiosqlite")


def quiet_libraries() -> None:
    """Library loggers that would print URLs with the token or message payloads stay quiet."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in PAYLOAD_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)
    # Jobs never overlap by design (max one instance): "skipped: maximum number of running
    # instances reached" is the mechanism working, not news worth a line every second.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
