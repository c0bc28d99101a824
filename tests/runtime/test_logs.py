"""Secrets never reach log output, whatever path a record takes."""

from __future__ import annotations

import io
import logging
import re
import threading
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from aiohttp import web
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.logs import (
    HANDLER_NAME,
    REDACTED,
    RedactingFilter,
    RepeatLimiter,
    SecretRegistry,
    configure_logging,
)

TOKEN = "123456789:AAHsecretTokenValue_xyz"
API_KEY = "a1b2c3d4e5f6a7b8c9d0"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """configure_logging changes process-wide state; put it back for the other tests."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    quiet = {n: logging.getLogger(n).level for n in ("httpx", "httpcore", "apscheduler")}
    yield
    for h in root.handlers:
        if h not in handlers:
            root.removeHandler(h)
    root.setLevel(level)
    for name, lvl in quiet.items():
        logging.getLogger(name).setLevel(lvl)


@pytest.fixture
def output(restore_logging: None) -> tuple[SecretRegistry, io.StringIO]:
    """The real configured handler, writing to a buffer instead of stderr. Its repeat limiter's
    clock stands still: on a loaded machine a flood of 20,000 records took over a minute, longer
    than one window, and the second window let ten more through."""
    registry = SecretRegistry([TOKEN])
    configure_logging("DEBUG", registry, clock=lambda: 0.0)
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == HANDLER_NAME)
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    handler.setStream(buffer)
    return registry, buffer


# --- SecretRegistry ---------------------------------------------------------------------------


def test_redact_replaces_every_occurrence() -> None:
    registry = SecretRegistry([TOKEN])
    assert registry.redact(f"a {TOKEN} b {TOKEN}") == f"a {REDACTED} b {REDACTED}"


def test_longest_secret_wins_when_one_contains_another() -> None:
    registry = SecretRegistry(["abcdef", "abcdef-and-more"])
    assert registry.redact("x abcdef-and-more y abcdef") == f"x {REDACTED} y {REDACTED}"


def test_short_secrets_are_ignored_and_discard_works() -> None:
    registry = SecretRegistry(["abc", API_KEY])
    assert len(registry) == 1
    assert registry.redact("abc") == "abc"
    registry.discard(API_KEY)
    assert registry.redact(API_KEY) == API_KEY


def test_url_encoded_form_is_redacted_and_repr_is_safe() -> None:
    registry = SecretRegistry([TOKEN])
    assert registry.redact("bot123456789%3AAAHsecretTokenValue_xyz/getMe") == f"bot{REDACTED}/getMe"
    assert TOKEN not in repr(registry)


def test_regex_metacharacters_are_literal() -> None:
    registry = SecretRegistry(["a.b*c+d(e)"])
    assert registry.redact("a.b*c+d(e) aXbbbcd") == f"{REDACTED} aXbbbcd"


def test_hundreds_of_secrets_and_concurrent_updates() -> None:
    registry = SecretRegistry(f"secret-{i:05d}" for i in range(500))
    assert registry.redact("x secret-00499 y secret-00000") == f"x {REDACTED} y {REDACTED}"

    def add_more(start: int) -> None:
        for i in range(start, start + 200):
            registry.add(f"other-{i:05d}")

    threads = [threading.Thread(target=add_more, args=(n * 200,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(registry) == 1300
    assert registry.redact("other-00799") == REDACTED


@settings(max_examples=60, deadline=None)
@given(
    secrets=st.lists(st.text(alphabet="ab:%3A", min_size=6, max_size=10), max_size=8),
    text=st.text(alphabet="ab:%3A ", max_size=60),
)
def test_trie_matches_a_plain_longest_first_alternation(secrets: list[str], text: str) -> None:
    registry = SecretRegistry(secrets)
    variants = set(secrets) | {quote(s, safe="") for s in secrets}
    ordered = sorted(variants, key=len, reverse=True)
    expected = re.sub("|".join(map(re.escape, ordered)), REDACTED, text) if ordered else text
    assert registry.redact(text) == expected


# --- RedactingFilter via caplog ---------------------------------------------------------------


def test_caplog_sees_redacted_args_fstring_and_exception(caplog: pytest.LogCaptureFixture) -> None:
    registry = SecretRegistry([TOKEN])
    caplog.handler.addFilter(RedactingFilter(registry))
    log = logging.getLogger("smm.test.caplog")

    with caplog.at_level(logging.DEBUG):
        log.info("calling %s/getMe", f"https://api.telegram.org/bot{TOKEN}")
        log.warning(f"inline token {TOKEN}")
        try:
            raise RuntimeError(f"request to bot{TOKEN} failed")
        except RuntimeError:
            log.exception("panel call failed")

    assert len(caplog.records) == 3
    assert TOKEN not in caplog.text
    assert caplog.text.count(REDACTED) == 3
    assert "RuntimeError: request to bot*** failed" in caplog.text
    assert caplog.records[0].args is None


# --- configure_logging: the real handler ------------------------------------------------------


def test_child_logger_records_are_redacted_at_the_root_handler(
    output: tuple[SecretRegistry, io.StringIO],
) -> None:
    _, buffer = output
    child = logging.getLogger("telegram.ext.some.child")
    child.error("token=%s", TOKEN)
    child.info(f"token={TOKEN}")
    text = buffer.getvalue()
    assert TOKEN not in text
    assert text.count("token=***") == 2
    assert "ERROR telegram.ext.some.child: token=***" in text


def test_exception_traceback_and_stack_info_are_redacted(
    output: tuple[SecretRegistry, io.StringIO],
) -> None:
    _, buffer = output
    log = logging.getLogger("bot.somewhere")

    def fail() -> None:
        secret_local = TOKEN
        raise ValueError(f"bad {secret_local}")

    try:
        fail()
    except ValueError:
        log.exception("boom", stack_info=True)
    text = buffer.getvalue()
    assert "Traceback (most recent call last)" in text
    assert "Stack (most recent call last)" in text
    assert "ValueError: bad ***" in text
    assert TOKEN not in text


def test_secrets_added_later_are_redacted(output: tuple[SecretRegistry, io.StringIO]) -> None:
    registry, buffer = output
    log = logging.getLogger("bot.panel")
    log.warning("key %s", API_KEY)
    registry.add(API_KEY)
    log.warning("key %s", API_KEY)
    lines = buffer.getvalue().splitlines()
    assert lines[0].endswith(f"key {API_KEY}")
    assert lines[1].endswith("key ***")


def test_configure_is_idempotent(output: tuple[SecretRegistry, io.StringIO]) -> None:
    registry, buffer = output
    configure_logging("INFO", registry)
    root = logging.getLogger()
    ours = [h for h in root.handlers if h.get_name() == HANDLER_NAME]
    assert len(ours) == 1
    assert sum(isinstance(f, RedactingFilter) for f in ours[0].filters) == 1
    assert root.level == logging.INFO
    logging.getLogger("x").info("once")
    assert buffer.getvalue().count("once") == 1


async def test_httpx_request_lines_are_not_emitted(
    output: tuple[SecretRegistry, io.StringIO],
) -> None:
    _, buffer = output

    async def get_me(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_get("/bot{token}/getMe", get_me)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        url = f"http://127.0.0.1:{port}/bot{TOKEN}/getMe"

        # Control: httpx really does log the URL at INFO, so the assertion below can fail.
        seen: list[str] = []

        class Collect(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                seen.append(record.getMessage())

        collector = Collect(logging.INFO)
        httpx_logger = logging.getLogger("httpx")
        httpx_logger.addHandler(collector)
        try:
            async with httpx.AsyncClient() as client:
                assert (await client.get(url)).status_code == 200
                httpx_logger.setLevel(logging.INFO)
                assert (await client.get(url)).status_code == 200
        finally:
            httpx_logger.removeHandler(collector)
            httpx_logger.setLevel(logging.WARNING)
    finally:
        await runner.cleanup()

    assert len(seen) == 1 and "HTTP Request: GET" in seen[0]
    # The one INFO line let through by the control was still redacted by the root handler.
    text = buffer.getvalue()
    assert TOKEN not in text
    assert text.count("HTTP Request") == 1


# --- repeated lines (issue 19 item 7) ---------------------------------------------------------


def test_a_flood_of_identical_errors_writes_a_bounded_number_of_lines(
    output: tuple[SecretRegistry, io.StringIO],
) -> None:
    """The configured handler: 20,000 tracebacks of one kind (an accept loop failing on every
    turn) are 10 records, and other lines still pass."""
    _, buffer = output
    log = logging.getLogger("bot.test.flood")
    # The configured handler itself, on this logger instead of the root: pytest's own three
    # capture handlers on the root would format all 20,000 tracebacks (most of this test's CPU).
    [handler] = [h for h in logging.getLogger().handlers if h.get_name() == HANDLER_NAME]
    log.addHandler(handler)
    log.propagate = False
    try:
        for n in range(20_000):
            try:
                raise OSError(24, "Too many open files")
            except OSError:
                log.exception("accept failed on fd %d", n)
        log.warning("another kind of line")
    finally:
        log.removeHandler(handler)
        log.propagate = True
    text = buffer.getvalue()
    assert text.count("accept failed") == 10
    assert text.count("Traceback") == 10
    assert "another kind of line" in text
    assert len(text) < 20_000  # not 20,000 tracebacks


def test_after_the_window_the_first_line_says_how_many_were_dropped() -> None:
    now = [0.0]
    limiter = RepeatLimiter(burst=2, window=60, clock=lambda: now[0])
    log = logging.getLogger("bot.test.window")
    passed: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            passed.append(record.getMessage())

    handler = Keep()
    handler.addFilter(limiter)
    log.addHandler(handler)
    log.propagate = False
    try:
        # One call site (a kind is a place in the code, not a text), the clock moved last.
        for at, n in [
            (0.0, 0),
            (1.0, 1),
            (2.0, 2),
            (3.0, 3),
            (4.0, 4),
            (5.0, 5),
            (6.0, 6),
            (61.0, 99),
        ]:
            now[0] = at
            log.error("panel %s is down", n)
    finally:
        log.removeHandler(handler)
        log.propagate = True
    assert passed == [
        "panel 0 is down",
        "panel 1 is down",
        "panel 99 is down [5 more like this dropped in the last 60 s]",
    ]
