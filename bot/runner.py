"""The bot as a process: start-up, polling or webhook, and a clean stop on a signal.

This replaces PTB's `run_polling`/`run_webhook`, for three reasons:

* A failing start-up (token refused, Telegram unreachable, a base URL that answers 404) must end
  the process with one line naming the cause. PTB lets the exception escape with a traceback
  whose last line carries the bot token.
* A 401 on getUpdates while running ends PTB's polling task for good but leaves the process
  alive, so neither Docker nor systemd restarts it. Here it stops the bot with a non-zero exit.
* PTB's webhook server reads a whole request body (up to 100 MB) before it checks the secret;
  `bot.webhook.WebhookServer` checks the secret and the size first.

The order of the steps is PTB's: initialize, then the update source, then `app.start()`; on the
way out the source stops first (polling confirms the updates already fetched), then the
application (which handles the updates still queued), then `shutdown()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from telegram import Bot, Update
from telegram.error import (
    BadRequest,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import Application

from bot import excepthooks
from bot.config import Settings
from bot.fetched import FetchedUpdates, updates_path
from bot.leadership import DatabaseUnavailable, Fence, Leadership, SoleInstance
from bot.memory import freeze_startup_heap
from bot.processor import PerUserUpdateProcessor
from bot.ratelimit import retry_seconds

if TYPE_CHECKING:
    # Imported where a server is built: a bot polling without the Mini App needs neither
    # module, nor the web server (tornado) they bring.
    from bot.webapp.server import WebAppServer
    from bot.webhook import WebhookServer

log = logging.getLogger(__name__)

AnyApp = Application[Any, Any, Any, Any, Any, Any]

# Long-poll length, as PTB's run_polling: Telegram holds getUpdates open this long when idle.
POLL_TIMEOUT_SECONDS = 10
# Waits between failed polls grow to this, so a long outage costs one log line per half minute.
MAX_POLL_BACKOFF_SECONDS = 30.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGABRT)


class Stopped(Exception):
    """The bot cannot start or cannot go on; the message is one line naming the cause.

    The caller still redacts it before printing: a cause may quote a URL or an answer.
    """


def _innermost(exc: BaseException, kind: type[BaseException]) -> BaseException:
    """The deepest exception of `kind` in the cause chain (PTB re-raises with the token)."""
    found = exc
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, kind):
            found = current
        current = current.__cause__ or current.__context__
    return found


def _message(exc: BaseException) -> str:
    text = exc.message if isinstance(exc, TelegramError) else str(exc)
    return " ".join(text.split()) or type(exc).__name__


def describe_failure(exc: BaseException, settings: Settings) -> str:
    """One line for a start-up failure: what went wrong and which setting to look at."""
    where = settings.telegram_base_url
    if isinstance(exc, InvalidToken):
        inner = _message(_innermost(exc, InvalidToken))
        if "not found" in inner.lower():
            return (
                f"Telegram answered 404 Not Found at {where}: TELEGRAM_BASE_URL is wrong or "
                "BOT_TOKEN is malformed"
            )
        return f"Telegram refused BOT_TOKEN ({inner}): check the token @BotFather gave you"
    if isinstance(exc, TimedOut):
        return (
            f"Telegram at {where} did not answer in time: check TELEGRAM_BASE_URL and the network"
        )
    if isinstance(exc, NetworkError):
        return (
            f"cannot reach Telegram at {where} ({_message(exc)}): check TELEGRAM_BASE_URL "
            "and the network"
        )
    if isinstance(exc, TelegramError):
        return f"Telegram refused to start the bot: {_message(exc)}"
    if isinstance(exc, OSError):
        return f"{type(exc).__name__}: {_message(exc)}"
    return f"{type(exc).__name__}: {_message(exc)}"


class UpdatePoller:
    """getUpdates in a loop, onto the application's update queue.

    Transient failures (network, 5xx, 409 while another instance runs) are waited out with a
    growing pause and one WARNING line each. A refused token (401, or 404 for a token Telegram
    cannot parse) is final: `run` raises `Stopped`.
    """

    def __init__(
        self,
        bot: Bot,
        queue: asyncio.Queue[Any],
        allowed_updates: Sequence[str],
        *,
        timeout: int = POLL_TIMEOUT_SECONDS,
        fetched: FetchedUpdates | None = None,
    ) -> None:
        self._bot = bot
        self._queue = queue
        self._allowed = list(allowed_updates)
        self._timeout = timeout
        # Where a batch is kept before the next getUpdates confirms it (None: nowhere).
        self._fetched = fetched
        self.offset = 0

    async def run(self, fence: Fence | None = None) -> None:
        pause = 0.0
        while True:
            if fence is not None and fence.closed:
                return  # fetched updates stay unconfirmed: the next leader gets them
            try:
                updates = await self._bot.get_updates(
                    offset=self.offset or None,
                    timeout=self._timeout,
                    allowed_updates=self._allowed,
                )
            except InvalidToken as exc:
                raise Stopped(
                    f"stopped: Telegram refused BOT_TOKEN while polling "
                    f"({_message(_innermost(exc, InvalidToken))}); stopping so that the "
                    "supervisor restarts the bot"
                ) from None
            except RetryAfter as exc:
                pause = retry_seconds(exc)
                log.warning("getUpdates: flood control, waiting %.0f s", pause)
            except TimedOut:
                pause = 0.0  # a long poll cut short by the network: ask again at once
            except TelegramError as exc:
                pause = min(MAX_POLL_BACKOFF_SECONDS, max(1.0, pause * 2))
                log.warning("getUpdates failed (%s); retrying in %.0f s", _message(exc), pause)
            else:
                pause = 0.0
                if self._fetched is not None:
                    await self._fetched.fetched([u.to_dict() for u in updates])
                for update in updates:
                    await self._queue.put(update)
                if updates:
                    self.offset = updates[-1].update_id + 1
                continue
            if pause:
                await asyncio.sleep(pause)

    async def confirm(self) -> None:
        """Tell Telegram the updates fetched so far are handled, so a restart skips them."""
        if not self.offset:
            return
        try:
            await self._bot.get_updates(
                offset=self.offset, timeout=0, allowed_updates=self._allowed
            )
        except TelegramError as exc:
            log.warning("could not confirm the last updates (%s); they may come again", exc)


async def _first(task: asyncio.Task[None], stop: asyncio.Event) -> None:
    """Wait for `task` to end (its exception propagates) or for `stop`; then end `task`."""
    stopper = asyncio.create_task(stop.wait(), name="stop-signal")
    try:
        done, _ = await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
    if task in done:
        task.result()
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _poll(
    app: AnyApp,
    allowed: Sequence[str],
    stop: asyncio.Event,
    fence: Fence,
    fetched: FetchedUpdates | None,
) -> None:
    try:
        # Polling and a webhook exclude each other: a webhook left from webhook mode goes.
        await app.bot.delete_webhook(drop_pending_updates=False)
    except (TelegramError, OSError) as exc:
        raise Stopped(f"cannot start: {describe_failure(exc, _settings(app))}") from None
    poller = UpdatePoller(app.bot, app.update_queue, allowed, fetched=fetched)
    await app.start()
    if fetched is not None:
        await _handle_unfinished(app, fetched, poller)
    task = asyncio.create_task(poller.run(fence), name="get-updates")
    log.info("polling for updates")
    await _first(task, stop)
    if not fence.closed:
        # A process that lost leadership confirms nothing: what it fetched and may not have
        # finished goes to the next leader (at least once; a claim is never made twice).
        await poller.confirm()


def _fetched_updates(app: AnyApp) -> FetchedUpdates | None:
    """The file that keeps fetched updates until handled, told of every finished handler."""
    path = updates_path(_settings(app).database_path)
    processor = app.update_processor
    if path is None or not isinstance(processor, PerUserUpdateProcessor):
        return None
    fetched = FetchedUpdates(path)

    def handled(update: object) -> None:
        if isinstance(update, Update):
            fetched.handled(update.update_id)

    processor.set_handled(handled)
    return fetched


async def _handle_unfinished(
    app: AnyApp, fetched: FetchedUpdates, poller: UpdatePoller | None = None
) -> None:
    """Queue what a stopped (or killed) process received and did not finish, before new
    updates; polling resumes after the highest id it saw, so Telegram's copies of them are
    not handled again (a webhook's were confirmed by the bot's answer)."""
    unfinished = await fetched.load()
    if poller is not None and unfinished.last_id is not None:
        poller.offset = unfinished.last_id + 1
    for data in unfinished.updates:
        update = Update.de_json(data, app.bot)
        if update is not None:
            await app.update_queue.put(update)
    if unfinished.updates:
        log.warning(
            "handling %d update(s) fetched before the last stop and not finished",
            len(unfinished.updates),
        )


def _webhook_server(
    app: AnyApp,
    settings: Settings,
    leading: Callable[[], bool],
    fetched: FetchedUpdates | None,
) -> WebhookServer:
    from bot.webapp.server import context_for, webapp_routes
    from bot.webhook import WebhookServer

    assert settings.webhook_url and settings.webhook_secret is not None
    # One server for the webhook, /leader and the Mini App (when WEBAPP_URL is set).
    extra = webapp_routes(context_for(app, leading)) if settings.webapp_url else []
    return WebhookServer(
        extra_routes=extra,
        fetched=fetched,
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        # Serve on the path Telegram was told to call (reverse proxies usually keep it).
        path=urlsplit(settings.webhook_url).path,
        secret=settings.webhook_secret.get_secret_value(),
        bot=app.bot,
        queue=app.update_queue,
        accepting=leading,
        max_connections=settings.webhook_max_connections,
    )


def _webapp_server(
    app: AnyApp, settings: Settings, leading: Callable[[], bool]
) -> WebAppServer | None:
    """The Mini App's own server: only with WEBAPP_URL and no webhook (whose server serves it)."""
    if not settings.webapp_url or settings.webhook_url:
        return None
    from bot.webapp.server import WebAppServer, context_for

    ctx = context_for(app, leading)
    return WebAppServer(ctx, listen=settings.webapp_listen, port=settings.webapp_port)


async def _listen(server: WebhookServer | WebAppServer) -> None:
    try:
        await server.start()
    except OSError as exc:
        raise Stopped(
            f"cannot start: cannot listen on {server.listen}:{server.port} ({_message(exc)})"
        ) from None


async def _webhook(
    app: AnyApp,
    settings: Settings,
    allowed: Sequence[str],
    stop: asyncio.Event,
    server: WebhookServer,
) -> None:
    assert settings.webhook_url and settings.webhook_secret is not None
    secret = settings.webhook_secret.get_secret_value()
    try:
        await app.bot.set_webhook(
            url=settings.webhook_url, allowed_updates=list(allowed), secret_token=secret
        )
    except BadRequest as exc:
        raise Stopped(f"cannot start: Telegram refused the webhook: {_message(exc)}") from None
    except TelegramError as exc:
        raise Stopped(f"cannot start: {describe_failure(exc, settings)}") from None
    await app.start()
    if server.fetched is not None:
        await _handle_unfinished(app, server.fetched)
    log.info("webhook listening on %s:%d", settings.webhook_listen, settings.webhook_port)
    await stop.wait()


def _settings(app: AnyApp) -> Settings:
    settings = getattr(app, "settings", None)
    assert isinstance(settings, Settings)
    return settings


def _stop_on_signals(loop: asyncio.AbstractEventLoop) -> asyncio.Event:
    """An event set by SIGINT/SIGTERM/SIGABRT (where the loop can catch signals)."""
    loop.set_exception_handler(excepthooks.loop_exception_handler)
    stop = asyncio.Event()
    for sig in STOP_SIGNALS:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    return stop


def _release_signals(loop: asyncio.AbstractEventLoop) -> None:
    for sig in STOP_SIGNALS:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(sig)


async def _initialize(app: AnyApp, settings: Settings) -> None:
    try:
        await app.initialize()
    except Exception as exc:
        log.debug("start-up failed", exc_info=True)  # the traceback only at LOG_LEVEL=DEBUG
        raise Stopped(f"cannot start: {describe_failure(exc, settings)}") from None
    # Start-up is over: what it built lives as long as the process (issue 19 item 5).
    frozen = freeze_startup_heap()
    log.debug("%d objects of start-up left out of garbage collections", frozen)


async def _stop_when_lost(fence: Fence, stop: asyncio.Event) -> None:
    await fence.wait_closed()
    stop.set()


async def _stop_app(app: AnyApp, fetched: FetchedUpdates | None, *, initialized: bool) -> None:
    """The application stops (its handlers finish what is queued), then the fetched-updates
    file their `done` lines go to, then the application's resources."""
    if app.running:
        await app.stop()
    if fetched is not None:
        await fetched.aclose()
    if initialized:
        await app.shutdown()


async def serve(
    app: AnyApp, allowed_updates: Sequence[str], leadership: Leadership | None = None
) -> None:
    """Run `app` until SIGINT/SIGTERM/SIGABRT; raises `Stopped` when it cannot start or go on.

    With several processes on one PostgreSQL database, this one first waits to be the leader
    (bot/leadership.py): a standby opens nothing but its webhook's or Mini App's port, answering
    503 so that Telegram (or the page) retries there or elsewhere. Losing leadership stops
    everything and raises `Stopped` (exit code 1): the supervisor restarts the process, which
    comes back a standby.
    """
    settings = _settings(app)
    leadership = leadership if leadership is not None else SoleInstance()
    fence = leadership.fence
    loop = asyncio.get_running_loop()
    stop = _stop_on_signals(loop)
    leading = False

    def accepting() -> bool:
        return leading and not fence.closed

    # Owned here, not by the update source: handlers finishing in app.stop() still write to it.
    fetched = _fetched_updates(app)
    server = _webhook_server(app, settings, accepting, fetched) if settings.webhook_url else None
    webapp = _webapp_server(app, settings, accepting)
    initialized = False
    watcher: asyncio.Task[None] | None = None
    try:
        for listener in (server, webapp):
            if listener is not None:
                await _listen(listener)
        try:
            if not await leadership.acquire(stop):
                return
        except DatabaseUnavailable as exc:
            raise Stopped(f"cannot start: {exc}") from None
        leading = True
        watcher = asyncio.create_task(_stop_when_lost(fence, stop), name="leadership-fence")
        initialized = True
        await _initialize(app, settings)
        if stop.is_set():
            return
        if server is not None:
            await _webhook(app, settings, allowed_updates, stop, server)
        else:
            await _poll(app, allowed_updates, stop, fence, fetched)
    finally:
        leading = False
        for listener in (server, webapp):
            if listener is not None:
                await listener.stop()
        await _stop_app(app, fetched, initialized=initialized)
        if watcher is not None:
            watcher.cancel()
        await leadership.release()
        _release_signals(loop)
    if fence.closed:
        raise Stopped(f"stopped: this instance lost leadership ({fence.reason})")
