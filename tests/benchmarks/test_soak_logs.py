"""The soak counts a `python -m bot` process's log records from its stderr file."""

from __future__ import annotations

import logging
from pathlib import Path

from benchmarks.soak_bot import LogCounter, ProcessBot
from bot.logs import LOG_FORMAT
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram


def _format(name: str, level: int, message: str, exc: BaseException | None = None) -> str:
    record = logging.LogRecord(name, level, __file__, 1, message, None, None)
    if exc is not None:
        try:
            raise exc
        except BaseException as raised:
            record.exc_info = (type(raised), raised, raised.__traceback__)
    return logging.Formatter(LOG_FORMAT).format(record) + "\n"


class NetworkError(Exception):
    pass


def test_records_levels_and_exception_types_are_counted() -> None:
    try:
        raise ValueError("inner")
    except ValueError as inner:
        chained = NetworkError("outer: not a level line")
        chained.__cause__ = inner
    text = (
        _format("bot.app", logging.INFO, "started")
        + _format("bot.panel.client", logging.WARNING, "panel balance failed")
        + _format("bot.panel.client", logging.WARNING, "second")
        + _format("bot.handlers.errors", logging.ERROR, "error while handling", chained)
        + _format("bot.x", logging.ERROR, "no traceback")
    )
    logs = LogCounter()
    logs.feed_text(text)
    assert logs.by_level_logger[("INFO", "bot.app")] == 1
    assert logs.by_level_logger[("WARNING", "bot.panel.client")] == 2
    assert logs.warning_samples == {"bot.panel.client": "panel balance failed"}
    # The raised exception (the last of a chain), not the cause.
    assert logs.error_types == {"NetworkError": 1, "-": 1}
    assert logs.error_samples[0] == "bot.handlers.errors: error while handling [NetworkError]"


async def test_process_log_is_read_once_and_only_whole_records(tmp_path: Path) -> None:
    async with FakeTelegram() as telegram, FakePanel() as panel:
        logs = LogCounter()
        bot = ProcessBot(telegram, panel, tmp_path, "k", {}, logs)
        bot.running = True  # as if started: the log may still grow
        log_path = tmp_path / "bot-stderr.log"
        first = _format("bot.a", logging.ERROR, "boom", NetworkError("x"))
        second = _format("bot.b", logging.WARNING, "later")
        # The second record is still being written: its traceback could follow.
        log_path.write_text(first + second)
        bot.collect_logs()
        assert logs.error_types == {"NetworkError": 1}
        assert ("WARNING", "bot.b") not in logs.by_level_logger
        with log_path.open("a") as f:
            f.write(_format("bot.c", logging.INFO, "end"))
        bot.collect_logs()
        bot.collect_logs()
        assert logs.by_level_logger[("WARNING", "bot.b")] == 1
        assert logs.by_level_logger[("ERROR", "bot.a")] == 1
        assert ("INFO", "bot.c") not in logs.by_level_logger


async def test_a_stopped_process_log_is_read_to_the_end(tmp_path: Path) -> None:
    async with FakeTelegram() as telegram, FakePanel() as panel:
        logs = LogCounter()
        bot = ProcessBot(telegram, panel, tmp_path, "k", {}, logs)
        (tmp_path / "bot-stderr.log").write_text(_format("bot.last", logging.INFO, "bye"))
        bot.collect_logs()  # never started, so nothing more will be written
        assert logs.by_level_logger[("INFO", "bot.last")] == 1
