"""Everything the process may print outside the log handler goes through it, so it is redacted.

Python prints an uncaught exception (main thread, other threads, `__del__`), and warnings,
straight to stderr: past the root handler and so past its redaction. An exception whose message
quotes the bot token (PTB's `InvalidToken` does) would be printed in full. `install` routes them
through logging; `loop_exception_handler` does the same for asyncio's unretrieved exceptions.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from types import TracebackType
from typing import Any, Final

UNCAUGHT_LOGGER: Final = "bot.uncaught"


def install() -> None:
    """Route uncaught exceptions (main thread, other threads, unraisable) and warnings through
    logging, where the root handler's filter redacts them. Call after `configure_logging`."""
    log = logging.getLogger(UNCAUGHT_LOGGER)

    def excepthook(
        exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.critical("uncaught %s", exc_type.__name__, exc_info=(exc_type, exc, tb))

    def thread_excepthook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else "?"
        exc_info = (args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback)
        log.critical("uncaught %s in thread %s", args.exc_type.__name__, name, exc_info=exc_info)

    def unraisablehook(args: Any) -> None:
        exc_info = (args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback)
        log.error("unraisable %s: %s", args.exc_type.__name__, args.err_msg, exc_info=exc_info)

    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook
    sys.unraisablehook = unraisablehook
    logging.captureWarnings(True)


def loop_exception_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """asyncio's handler for exceptions nobody awaited: one logged (so redacted) record."""
    message = str(context.get("message") or "unhandled exception in the event loop")
    exc = context.get("exception")
    if isinstance(exc, BaseException):
        logging.getLogger("asyncio").error("%s", message, exc_info=exc)
    else:
        logging.getLogger("asyncio").error("%s", message)
