"""A fake Telegram Bot API server for driving the real python-telegram-bot over real HTTP.

Point PTB at it with ``ApplicationBuilder().token(fake.token).base_url(fake.base_url)
.base_file_url(fake.base_file_url)``. Requests are decoded the way Telegram decodes them
(form-encoded or multipart, non-string values JSON-encoded) and answered with Telegram's own
envelopes and error wording, so bot code sees the same exceptions it would in production.

Tests act as users through ``fake.user(id)`` (see telegram_users.py) and inspect ``calls``,
``messages(chat_id)``, ``commands`` (or ``menu_for()``, the list a user's client shows),
``descriptions``, ``short_descriptions`` and ``bad_requests()``.
"""

# The spec'd public API takes `timeout=` arguments; callers rely on that shape.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import re
import ssl
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from aiohttp import web
from telegram.request import HTTPXRequest

from tests.fakes import WAIT_SECONDS
from tests.fakes.telegram_html import EntityParseError, parse_html
from tests.fakes.telegram_models import ApiCall, BotMessage, FakeFile, image_size
from tests.fakes.telegram_users import FakeGroup, FakeUser, command_entities

__all__ = [
    "TOKEN",
    "ApiCall",
    "BotMessage",
    "FakeFile",
    "FakeGroup",
    "FakeTelegram",
    "FakeUser",
    "ptb_request",
]

TOKEN = "1234567:TEST-not-a-real-token-just-for-the-fake"

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_BUTTONS = 100
MAX_COPY_TEXT = 256
# An inline button does exactly one of these (Bot API, InlineKeyboardButton).
BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)

# Parameters Telegram treats as strings: never JSON-decode them ("123" must stay a str).
_STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "url",
        "action",
        "language_code",
        "file_id",
        "description",
        "short_description",
        "name",
        "title",
        "document",
        "photo",
        "thumbnail",
        "secret_token",
        "ip_address",
        "certificate",
        "business_connection_id",
        "emoji",
    }
)

PHOTO_MAX_BYTES = 10 * 1024 * 1024

# Methods that count against Telegram's outgoing-message flood limits.
_RATE_LIMITED = frozenset(
    {
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
        "sendDocument",
        "sendPhoto",
        "sendMediaGroup",
        "copyMessage",
        "forwardMessage",
    }
)

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: injected fault",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

# Update types Telegram delivers when allowed_updates was never set (or set to []).
_DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")
_BUTTON_URL_RE = re.compile(r"(https?|tg)://\S+")


def _check_button_action(button: dict[str, Any]) -> None:
    """Like Telegram: an inline button does exactly one thing, and that thing is valid."""
    actions = set(button) & BUTTON_ACTIONS
    if not actions:
        raise _bad(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        raise _bad("can't parse inline keyboard button: a button must have exactly one action")
    if "callback_data" in button:
        data = button["callback_data"]
        size = len(data.encode("utf-8")) if isinstance(data, str) else 0
        if not 1 <= size <= MAX_CALLBACK_DATA:
            raise _bad("BUTTON_DATA_INVALID")
    elif "url" in button:
        if not _BUTTON_URL_RE.fullmatch(str(button["url"])):
            raise _bad("BUTTON_URL_INVALID")
    elif "copy_text" in button:
        copy = button["copy_text"]
        text = copy.get("text") if isinstance(copy, dict) else None
        if not isinstance(text, str) or not 1 <= len(text) <= MAX_COPY_TEXT:
            raise _bad("BUTTON_COPY_TEXT_INVALID")


_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"


class _ApiError(Exception):
    def __init__(
        self, code: int, description: str, retry_after: int | None = None, *, html: bool = False
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        # Answered as the HTML page of a proxy in front of the Bot API (nginx's 502 page).
        self.html = html

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def _bad(description: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {description}")


@dataclass
class _Fault:
    method: str
    error: _ApiError
    chat_id: int | None
    remaining: int | None


@dataclass
class _Chat:
    info: dict[str, Any]
    messages: list[BotMessage] = field(default_factory=list)
    by_id: dict[int, BotMessage] = field(default_factory=dict)
    # ("new" | "edit" | "delete", message) in the order they happened; cursors index into it.
    events: list[tuple[str, BotMessage]] = field(default_factory=list)
    next_message_id: int = 1


_SHARED_SSL: ssl.SSLContext | None = None


def ptb_request(**kwargs: Any) -> HTTPXRequest:
    """A PTB HTTPXRequest that skips re-reading the CA bundle for every client.

    httpx builds a fresh SSL context per client (0.1-0.25 s each, two per Bot), which dominates
    test time; the fake is plain HTTP, so one shared default context is plenty. Use as
    ``ApplicationBuilder().request(ptb_request()).get_updates_request(ptb_request())`` or
    ``Bot(token, request=ptb_request(), get_updates_request=ptb_request(), ...)``.
    """
    global _SHARED_SSL
    if _SHARED_SSL is None:
        _SHARED_SSL = ssl.create_default_context()
    httpx_kwargs = dict(kwargs.pop("httpx_kwargs", None) or {})
    httpx_kwargs.setdefault("verify", _SHARED_SSL)
    return HTTPXRequest(httpx_kwargs=httpx_kwargs, **kwargs)


def _inline(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    # Only inline keyboards belong to a message; reply keyboards live in the client.
    if markup and "inline_keyboard" in markup:
        return {"inline_keyboard": markup["inline_keyboard"]}
    return None


def _decode_param(name: str, value: str) -> Any:
    if name in _STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    return None


def _language_code(params: dict[str, Any]) -> str | None:
    """A two-letter ISO 639-1 code, or None for "every language without its own"."""
    language = params.get("language_code") or None
    if language is not None and not re.fullmatch(r"[a-z]{2}", str(language)):
        raise _bad("invalid language code specified")
    return language


Handler = Callable[[dict[str, Any], dict[str, tuple[str, bytes, str]]], Awaitable[Any]]


class FakeTelegram:
    """In-process Telegram Bot API server on 127.0.0.1 (random port)."""

    def __init__(self, token: str = TOKEN, *, bot_username: str = "smm_test_bot") -> None:
        self.token = token
        self.bot_username = bot_username
        prefix = token.split(":", 1)[0]
        self.bot_id = int(prefix) if prefix.isdigit() else 123456789
        self.base_url = ""
        self.base_file_url = ""
        self.port = 0
        self.calls: list[ApiCall] = []
        self.commands: dict[tuple[str, str | None], list[dict[str, Any]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        # Keyed by language_code, None for the texts without one (every other language).
        self.descriptions: dict[str | None, str] = {}
        self.short_descriptions: dict[str | None, str] = {}
        self.bot_settings: dict[str, dict[str, Any]] = {}  # setMyName: params
        self.webhook: dict[str, Any] | None = None
        self.downloads: list[str] = []  # file paths fetched from /file/bot<token>/...
        # Messages/s over a sliding 1 s window across all chats; excess gets 429 with
        # `rate_limit_retry_after` (Telegram says 1 s or more).
        self.rate_limit: float | None = None
        self.rate_limit_retry_after = 1
        self.clock: Callable[[], float] = time.monotonic  # replaceable for deterministic tests
        self._faults: list[_Fault] = []
        self._resets: dict[str, deque[bool]] = {}
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._allowed_updates: list[str] | None = None
        self._chats: dict[int, _Chat] = {}
        self._users: dict[int, FakeUser] = {}
        self._groups: dict[int, FakeGroup] = {}
        self._files: dict[str, FakeFile] = {}
        self._files_by_path: dict[str, FakeFile] = {}
        self._file_seq = 0
        self._queries: dict[str, bool] = {}  # callback query id -> answered
        self._inline_queries: dict[str, bool] = {}  # inline query id -> answered
        # BotFather's /setinline: off by default, as for a new bot.
        self.inline_mode = False
        self._query_seq = 0
        self._sent_times: deque[float] = deque()
        self._waiters: set[asyncio.Future[None]] = set()
        self._polls_in_flight = 0
        self._poll_generation = 0
        self._stopping = False
        self._runner: web.AppRunner | None = None
        self._methods: dict[str, Handler] = {
            "getMe": self._get_me,
            "logOut": self._true,
            "close": self._true,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "setMyDescription": self._set_description("description", self.descriptions, 512),
            "getMyDescription": self._get_description("description", self.descriptions),
            "setMyShortDescription": self._set_description(
                "short_description", self.short_descriptions, 120
            ),
            "getMyShortDescription": self._get_description(
                "short_description", self.short_descriptions
            ),
            "setMyName": self._store_setting("setMyName"),
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "editMessageCaption": self._edit_message_caption,
            "answerCallbackQuery": self._answer_callback_query,
            "answerInlineQuery": self._answer_inline_query,
            "deleteMessage": self._delete_message,
            "sendChatAction": self._send_chat_action,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "getFile": self._get_file,
        }
        # Telegram matches method names case-insensitively.
        self._canonical = {name.lower(): name for name in self._methods}

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        self._stopping = False
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # Polls are released on stop(), so a short shutdown timeout is only a safety net.
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        self.base_url = f"http://127.0.0.1:{self.port}/bot"
        self.base_file_url = f"http://127.0.0.1:{self.port}/file/bot"

    async def stop(self) -> None:
        self._stopping = True
        self._notify()  # long polls return [] right away instead of holding shutdown
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ inspection

    def count(self, method: str) -> int:
        method = self._canonical.get(method.lower(), method)
        return sum(1 for call in self.calls if call.method == method)

    def calls_to(self, method: str) -> list[ApiCall]:
        method = self._canonical.get(method.lower(), method)
        return [call for call in self.calls if call.method == method]

    def bad_requests(self) -> list[ApiCall]:
        """Every call answered with ok=false (or dropped) that the test did not provoke."""
        return [call for call in self.calls if not call.ok and not call.injected]

    def count_429(self) -> int:
        return sum(1 for call in self.calls if call.status == 429)

    def messages(self, chat_id: int) -> list[BotMessage]:
        chat = self._chats.get(chat_id)
        return list(chat.messages) if chat else []

    @property
    def pending_updates(self) -> int:
        return len(self._updates)

    @property
    def polls_in_flight(self) -> int:
        """getUpdates requests currently held open (long polling)."""
        return self._polls_in_flight

    # ------------------------------------------------------------------ actors

    def user(
        self,
        user_id: int,
        *,
        first_name: str = "Test",
        language_code: str | None = "en",
        username: str | None = None,
    ) -> FakeUser:
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        user = FakeUser(
            self, user_id, first_name=first_name, language_code=language_code, username=username
        )
        self._users[user_id] = user
        self._chats.setdefault(user_id, _Chat(info=user.chat_json()))
        return user

    def group(self, chat_id: int, title: str = "Group") -> FakeGroup:
        existing = self._groups.get(chat_id)
        if existing is not None:
            return existing
        group = FakeGroup(self, chat_id, title)
        self._groups[chat_id] = group
        self._chats.setdefault(chat_id, _Chat(info=group.chat_json()))
        return group

    # ------------------------------------------------------------------ fault control

    def inject(
        self,
        method: str,
        *,
        error_code: int,
        description: str | None = None,
        retry_after: int | None = None,
        chat_id: int | None = None,
        times: int | None = 1,
        html: bool = False,
    ) -> None:
        """Next `times` calls of `method` (to `chat_id` if given) fail; times=None: until clear.

        html=True answers with a proxy's HTML error page instead of Telegram's JSON envelope,
        as the load balancers in front of the Bot API do for 502/504."""
        if error_code == 429 and retry_after is None:
            retry_after = 1  # PTB only raises RetryAfter when retry_after is present
        if description is None:
            if error_code == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            else:
                description = _DEFAULT_DESCRIPTIONS.get(error_code, f"Error {error_code}")
        method = self._canonical.get(method.lower(), method)
        error = _ApiError(error_code, description, retry_after, html=html)
        self._faults.append(_Fault(method, error, chat_id, times))

    def clear_faults(self) -> None:
        self._faults.clear()
        self._resets.clear()

    def reset_connection_once(self, method: str, *, after_processing: bool = False) -> None:
        """Next call of `method`: close the connection without an answer.

        With after_processing=True the call takes effect first (e.g. the message is sent) and
        only the answer is lost: the "outcome unknown" case.
        """
        method = self._canonical.get(method.lower(), method)
        self._resets.setdefault(method, deque()).append(after_processing)

    # ------------------------------------------------------------------ waiting

    def _notify(self) -> None:
        waiters, self._waiters = self._waiters, set()
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def _wait(self, predicate: Callable[[], bool], timeout: float) -> None:
        """Re-check `predicate` on every state change; raises TimeoutError."""
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(timeout):
            while not predicate():
                waiter: asyncio.Future[None] = loop.create_future()
                self._waiters.add(waiter)
                try:
                    await waiter
                finally:
                    self._waiters.discard(waiter)

    async def wait_until(
        self, predicate: Callable[[], bool], timeout: float = WAIT_SECONDS
    ) -> None:
        try:
            await self._wait(predicate, timeout)
        except TimeoutError:
            recent = ", ".join(f"{c.method}:{c.status}" for c in self.calls[-10:])
            raise AssertionError(
                f"condition not met within {timeout}s; last calls: [{recent}]"
            ) from None

    # ------------------------------------------------------------------ updates

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue a raw update (its update_id is assigned here) and return the update_id."""
        update = dict(update)
        update_id = self._next_update_id
        self._next_update_id += 1
        update["update_id"] = update_id
        self._updates.append(update)
        self._notify()
        return update_id

    def _confirm(self, offset: int | None) -> None:
        if offset is None or offset == 0:
            return
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        else:
            self._updates = self._updates[offset:]

    def _deliverable(self) -> list[dict[str, Any]]:
        def allowed(update: dict[str, Any]) -> bool:
            kinds = set(update) - {"update_id"}
            if self._allowed_updates:
                return bool(kinds & set(self._allowed_updates))
            return not kinds <= _DEFAULT_EXCLUDED_UPDATES

        # Telegram drops updates of types the bot did not ask for; it never sends them later.
        self._updates = [u for u in self._updates if allowed(u)]
        return self._updates

    # ------------------------------------------------------------------ HTTP plumbing

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/file/bot"):
            return self._download(path)
        match = re.fullmatch(r"/bot([^/]*)/([^/]+)", path)
        if match is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        token, raw_method = match.groups()
        method = self._canonical.get(raw_method.lower(), raw_method)
        params, files = await self._read_params(request)
        if token != self.token:
            # Never echo the token: it may be a real one pasted by mistake.
            error = _ApiError(401, "Unauthorized")
            return self._answer(method, params, files, error.code, error.body())

        resets = self._resets.get(method)
        after_processing = resets.popleft() if resets else None
        if resets is not None and not resets:
            del self._resets[method]
        if after_processing is False:
            return self._drop(request, method, params, files)

        injected = self._injected_error(method, params)
        if injected is not None and injected.html:
            self._record(method, params, files, injected.code, {}, True)
            page = (
                f"<html><head><title>{injected.code} {injected.description}</title></head>"
                f"<body><center><h1>{injected.code} {injected.description}</h1></center>"
                "<hr><center>nginx</center></body></html>"
            )
            return web.Response(text=page, status=injected.code, content_type="text/html")
        if injected is not None:
            return self._answer(method, params, files, injected.code, injected.body(), True)
        if method in _RATE_LIMITED and self._over_rate_limit():
            wait = self.rate_limit_retry_after
            error = _ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
            return self._answer(method, params, files, 429, error.body(), True)

        handler = self._methods.get(method)
        try:
            if handler is None:
                raise _ApiError(404, "Not Found")
            result = await handler(params, files)
            status, body = 200, {"ok": True, "result": result}
        except _ApiError as error:
            status, body = error.code, error.body()
        if after_processing:
            return self._drop(request, method, params, files)
        return self._answer(method, params, files, status, body)

    async def _read_params(
        self, request: web.Request
    ) -> tuple[dict[str, Any], dict[str, tuple[str, bytes, str]]]:
        params: dict[str, Any] = {k: _decode_param(k, v) for k, v in request.query.items()}
        files: dict[str, tuple[str, bytes, str]] = {}
        if not request.body_exists:
            return params, files
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
            return params, files
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = (value.filename, value.file.read(), value.content_type)
            else:
                params[key] = _decode_param(key, str(value))
        return params, files

    def _record(
        self,
        method: str,
        params: dict[str, Any],
        files: dict[str, tuple[str, bytes, str]],
        status: int,
        body: dict[str, Any],
        injected: bool,
    ) -> None:
        self.calls.append(ApiCall(method, params, self.clock(), status, body, injected, files))
        self._notify()

    def _answer(
        self,
        method: str,
        params: dict[str, Any],
        files: dict[str, tuple[str, bytes, str]],
        status: int,
        body: dict[str, Any],
        injected: bool = False,
    ) -> web.Response:
        self._record(method, params, files, status, body, injected)
        return web.json_response(body, status=status)

    def _drop(
        self,
        request: web.Request,
        method: str,
        params: dict[str, Any],
        files: dict[str, tuple[str, bytes, str]],
    ) -> web.Response:
        self._record(method, params, files, 0, {}, True)
        transport = request.transport
        if transport is not None:
            transport.abort()
        # aiohttp discards a response for an aborted transport; the client sees a reset.
        return web.Response(status=500)

    def _injected_error(self, method: str, params: dict[str, Any]) -> _ApiError | None:
        for fault in self._faults:
            if fault.method != method:
                continue
            if fault.chat_id is not None and str(params.get("chat_id")) != str(fault.chat_id):
                continue
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
            return fault.error
        return None

    def _over_rate_limit(self) -> bool:
        if self.rate_limit is None:
            return False
        now = self.clock()
        while self._sent_times and self._sent_times[0] <= now - 1.0:
            self._sent_times.popleft()
        if len(self._sent_times) >= self.rate_limit:
            return True
        self._sent_times.append(now)
        return False

    def _download(self, path: str) -> web.Response:
        prefix = f"/file/bot{self.token}/"
        file = self._files_by_path.get(path[len(prefix) :]) if path.startswith(prefix) else None
        if file is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        self.downloads.append(file.file_path)
        self._notify()
        return web.Response(
            body=file.content, content_type=file.mime_type or "application/octet-stream"
        )

    # ------------------------------------------------------------------ object builders

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "SMM Test Bot",
            "username": self.bot_username,
        }

    def _message_json(self, message: BotMessage) -> dict[str, Any]:
        chat = self._chats[message.chat_id]
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": dict(chat.info),
        }
        if message.from_bot:
            data["from"] = self._bot_user()
        elif message.from_user_id is not None:
            data["from"] = self._users[message.from_user_id].to_json()
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if message.text is not None:
            data["text"] = message.plain_text if message.plain_text is not None else message.text
            if message.entities:
                data["entities"] = copy.deepcopy(message.entities)
        if message.document is not None:
            data["document"] = message.document.to_document()
        if message.photo is not None:
            data["photo"] = [message.photo.to_photo_size()]
        if (message.document is not None or message.photo is not None) and (
            message.caption is not None
        ):
            shown = message.plain_caption
            data["caption"] = shown if shown is not None else message.caption
            if message.caption_entities:
                data["caption_entities"] = copy.deepcopy(message.caption_entities)
        if message.media:
            data.update(copy.deepcopy(message.media))
        markup = _inline(message.reply_markup)
        if markup is not None:
            data["reply_markup"] = copy.deepcopy(markup)
        return data

    def _store_file(self, file_name: str | None, content: bytes, mime_type: str | None) -> FakeFile:
        self._file_seq += 1
        seq = self._file_seq
        suffix = PurePosixPath(file_name).suffix if file_name else ""
        file = FakeFile(
            file_id=f"BQACAgIAAxkBAAI{seq:06d}fake",
            file_name=file_name,
            content=content,
            mime_type=mime_type,
            file_unique_id=f"AgAD{seq:06d}",
            file_path=f"documents/file_{seq}{suffix}",
        )
        self._files[file.file_id] = file
        self._files_by_path[file.file_path] = file
        return file

    def _add_message(self, chat_id: int, message: BotMessage) -> BotMessage:
        chat = self._chats[chat_id]
        message.message_id = chat.next_message_id
        chat.next_message_id += 1
        message.date = int(time.time())
        chat.messages.append(message)
        chat.by_id[message.message_id] = message
        chat.events.append(("new", message))
        self._notify()
        return message

    def _user_message(
        self,
        user: FakeUser,
        chat_id: int,
        *,
        text: str | None = None,
        document: FakeFile | None = None,
        caption: str | None = None,
        media: dict[str, Any] | None = None,
        photo: FakeFile | None = None,
    ) -> BotMessage:
        message = BotMessage(
            chat_id=chat_id,
            message_id=0,
            from_bot=False,
            text=text,
            plain_text=text,
            entities=command_entities(text) if text is not None else [],
            document=document,
            caption=caption,
            plain_caption=caption,
            from_user_id=user.id,
            media=media,
            photo=photo,
        )
        return self._add_message(chat_id, message)

    def _push_message_update(self, message: BotMessage) -> int:
        return self.push_update({"message": self._message_json(message)})

    def _push_callback(self, user: FakeUser, message: BotMessage, data: str, chat_id: int) -> str:
        self._query_seq += 1
        query_id = str(4_000_000_000_000_000 + self._query_seq)
        self._queries[query_id] = False
        self.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user.to_json(),
                    "message": self._message_json(message),
                    "chat_instance": str(abs(chat_id) * 7919 + 17),
                    "data": data,
                }
            }
        )
        return query_id

    def _push_inline_query(self, user: FakeUser, query: str, chat_type: str) -> str:
        if not self.inline_mode:
            raise AssertionError("Telegram sends no inline queries to a bot without inline mode")
        self._query_seq += 1
        query_id = str(5_000_000_000_000_000 + self._query_seq)
        self._inline_queries[query_id] = False
        self.push_update(
            {
                "inline_query": {
                    "id": query_id,
                    "from": user.to_json(),
                    "query": query,
                    "offset": "",
                    "chat_type": chat_type,
                }
            }
        )
        return query_id

    # ------------------------------------------------------------------ validation helpers

    def _chat_for(self, params: dict[str, Any]) -> _Chat:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise _bad("chat_id is empty")
        chat_id = _as_int(raw)
        chat = self._chats.get(chat_id) if chat_id is not None else None
        if chat is None:
            raise _bad("chat not found")
        return chat

    def _render(
        self, text: str, parse_mode: Any, entities: Any
    ) -> tuple[str, list[dict[str, Any]]]:
        mode = parse_mode.lower() if isinstance(parse_mode, str) and parse_mode else None
        if mode is None:
            return text, list(entities) if isinstance(entities, list) else []
        if mode == "html":
            try:
                return parse_html(text)
            except EntityParseError as error:
                raise _bad(f"can't parse entities: {error}") from None
        if mode in ("markdown", "markdownv2"):
            # Markdown is not validated by the fake; the bot uses HTML.
            return text, []
        raise _bad("unsupported parse_mode")

    def _text(self, params: dict[str, Any]) -> tuple[str, str, list[dict[str, Any]]]:
        raw = params.get("text")
        text = "" if raw is None else str(raw)
        if not text.strip():
            raise _bad("message text is empty")
        plain, entities = self._render(text, params.get("parse_mode"), params.get("entities"))
        if not plain.strip():
            raise _bad("message text is empty")
        if len(plain) > MAX_TEXT:
            raise _bad("message is too long")
        return text, plain, entities

    def _caption(
        self, params: dict[str, Any]
    ) -> tuple[str | None, str | None, list[dict[str, Any]]]:
        raw = params.get("caption")
        if raw is None or raw == "":
            return None, None, []
        caption = str(raw)
        plain, entities = self._render(
            caption, params.get("parse_mode"), params.get("caption_entities")
        )
        if len(plain) > MAX_CAPTION:
            raise _bad("message caption is too long")
        return caption, plain, entities

    def _markup(self, params: dict[str, Any]) -> dict[str, Any] | None:
        markup = params.get("reply_markup")
        if markup is None or markup == "":
            return None
        if isinstance(markup, str):
            try:
                markup = json.loads(markup)
            except ValueError:
                markup = None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            self._check_inline_keyboard(markup["inline_keyboard"])
        return markup

    def _check_inline_keyboard(self, rows: Any) -> None:
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
        buttons = [button for row in rows for button in row]
        if len(buttons) > MAX_BUTTONS:
            raise _bad("reply markup is too long")
        for button in buttons:
            if not isinstance(button, dict):
                raise _bad(
                    "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
                )
            if not isinstance(button.get("text"), str) or not button["text"].strip():
                raise _bad("BUTTON_TEXT_INVALID")
            _check_button_action(button)

    def _message_for(self, params: dict[str, Any], not_found: str) -> BotMessage:
        if params.get("inline_message_id"):
            raise _bad("MESSAGE_ID_INVALID")
        chat = self._chat_for(params)
        message_id = _as_int(params.get("message_id"))
        if message_id is None:
            raise _bad("message identifier is not specified")
        message = chat.by_id.get(message_id)
        if message is None or message.deleted:
            raise _bad(not_found)
        return message

    def _mark_edited(self, message: BotMessage) -> None:
        message.edit_count += 1
        message.edit_date = int(time.time())
        self._chats[message.chat_id].events.append(("edit", message))
        self._notify()

    # ------------------------------------------------------------------ Bot API methods

    async def _true(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return True

    async def _get_me(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": self.inline_mode,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        if self.webhook and self.webhook.get("url"):
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _as_int(params.get("offset"))
        limit = _as_int(params.get("limit")) or 100
        limit = max(1, min(100, limit))
        timeout_raw = params.get("timeout", 0)
        timeout = float(timeout_raw) if isinstance(timeout_raw, int | float) else 0.0
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed] or None
        self._confirm(offset)
        # A newer poll replaces an older one (e.g. one abandoned by a cancelled client task).
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()

        def ready() -> bool:
            return (
                self._stopping or generation != self._poll_generation or bool(self._deliverable())
            )

        if timeout > 0 and not ready():
            self._polls_in_flight += 1
            self._notify()
            try:
                with contextlib.suppress(TimeoutError):
                    await self._wait(ready, timeout)
            finally:
                self._polls_in_flight -= 1
                self._notify()
        if self._stopping or generation != self._poll_generation:
            return []
        return copy.deepcopy(self._deliverable()[:limit])

    async def _set_webhook(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        self.webhook = dict(params) if params.get("url") else None
        return True

    async def _delete_webhook(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _command_key(self, params: dict[str, Any]) -> tuple[str, str | None]:
        """("default" | "all_private_chats" | … | "chat:<chat_id>", language_code or None)."""
        scope = params.get("scope")
        scope_type = str(scope.get("type", "default")) if isinstance(scope, dict) else "default"
        language = _language_code(params)
        if scope_type in ("chat", "chat_administrators", "chat_member"):
            assert isinstance(scope, dict)
            chat_id = _as_int(scope.get("chat_id"))
            if chat_id is None or chat_id not in self._chats:
                raise _bad("chat not found")
            scope_type = f"{scope_type}:{chat_id}"
            if "user_id" in scope:
                scope_type += f":{scope['user_id']}"
        return scope_type, language

    def menu_for(self, chat_id: int, language_code: str | None = None) -> list[dict[str, Any]]:
        """The commands a private chat's client shows, resolved in Telegram's documented order:
        the chat's scope, then all private chats, then the default scope; within each, the
        user's language before the list without a language."""
        language = language_code.split("-", 1)[0].lower() if language_code else None
        for scope in (f"chat:{chat_id}", "all_private_chats", "default"):
            for key in ((scope, language), (scope, None)):
                if key in self.commands:
                    return copy.deepcopy(self.commands[key])
        return []

    async def _set_my_commands(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("too many commands")
        for command in commands:
            if not isinstance(command, dict):
                raise _bad("can't parse BotCommand")
            if not _COMMAND_NAME_RE.fullmatch(str(command.get("command", ""))):
                raise _bad("BOT_COMMAND_INVALID")
            description = command.get("description")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise _bad("command description is empty or too long")
        key = self._command_key(params)
        if commands:
            self.commands[key] = copy.deepcopy(commands)
        else:
            self.commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return copy.deepcopy(self.commands.get(self._command_key(params), []))

    async def _delete_my_commands(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        self.commands.pop(self._command_key(params), None)
        return True

    async def _set_chat_menu_button(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        button = params.get("menu_button")
        chat_id = _as_int(params.get("chat_id"))
        if button is None:
            self.menu_buttons.pop(chat_id, None)
        elif not isinstance(button, dict) or "type" not in button:
            raise _bad("can't parse menu button JSON object")
        else:
            self.menu_buttons[chat_id] = button
        return True

    async def _get_chat_menu_button(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        chat_id = _as_int(params.get("chat_id"))
        return self.menu_buttons.get(chat_id, self.menu_buttons.get(None, {"type": "commands"}))

    def _set_description(
        self, field_name: str, store: dict[str | None, str], limit: int
    ) -> Handler:
        async def handle(params: dict[str, Any], files: dict[str, Any]) -> Any:
            text = params.get(field_name) or ""
            if not isinstance(text, str):
                raise _bad(f"can't parse {field_name}")
            if len(text) > limit:
                raise _bad(f"{field_name} is too long")
            language = _language_code(params)
            if text:
                store[language] = text
            else:  # an empty text removes the one for that language
                store.pop(language, None)
            return True

        return handle

    def _get_description(self, field_name: str, store: dict[str | None, str]) -> Handler:
        async def handle(params: dict[str, Any], files: dict[str, Any]) -> Any:
            return {field_name: store.get(_language_code(params), "")}

        return handle

    def _store_setting(self, method: str) -> Handler:
        async def store(params: dict[str, Any], files: dict[str, Any]) -> Any:
            self.bot_settings[method] = dict(params)
            return True

        return store

    async def _send_message(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        chat = self._chat_for(params)
        text, plain, entities = self._text(params)
        markup = self._markup(params)
        reply_to = params.get("reply_parameters")
        reply_to_id = (
            _as_int(reply_to.get("message_id"))
            if isinstance(reply_to, dict)
            else _as_int(params.get("reply_to_message_id"))
        )
        preview = params.get("link_preview_options")
        message = BotMessage(
            chat_id=int(chat.info["id"]),
            message_id=0,
            from_bot=True,
            text=text,
            parse_mode=params.get("parse_mode") or None,
            reply_markup=markup,
            plain_text=plain,
            entities=entities,
            link_preview_options=preview if isinstance(preview, dict) else None,
            reply_to_message_id=reply_to_id,
        )
        return self._message_json(self._add_message(message.chat_id, message))

    async def _edit_message_text(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        message = self._message_for(params, "message to edit not found")
        if not message.from_bot:
            raise _bad("message can't be edited")
        if message.text is None:
            raise _bad("there is no text in the message to edit")
        text, plain, entities = self._text(params)
        # Omitting reply_markup in an edit removes the keyboard, exactly like Telegram.
        markup = self._markup(params)
        if (plain, entities, _inline(markup)) == (
            message.plain_text,
            message.entities,
            _inline(message.reply_markup),
        ):
            raise _bad(_NOT_MODIFIED.removeprefix("Bad Request: "))
        message.text = text
        message.parse_mode = params.get("parse_mode") or None
        message.plain_text = plain
        message.entities = entities
        message.reply_markup = markup
        preview = params.get("link_preview_options")
        message.link_preview_options = preview if isinstance(preview, dict) else None
        self._mark_edited(message)
        return self._message_json(message)

    async def _edit_message_reply_markup(
        self, params: dict[str, Any], files: dict[str, Any]
    ) -> Any:
        message = self._message_for(params, "message to edit not found")
        if not message.from_bot:
            raise _bad("message can't be edited")
        markup = self._markup(params)
        if _inline(markup) == _inline(message.reply_markup):
            raise _bad(_NOT_MODIFIED.removeprefix("Bad Request: "))
        message.reply_markup = markup
        self._mark_edited(message)
        return self._message_json(message)

    async def _edit_message_caption(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        message = self._message_for(params, "message to edit not found")
        if not message.from_bot:
            raise _bad("message can't be edited")
        if message.document is None:
            raise _bad("there is no caption in the message to edit")
        caption, plain, entities = self._caption(params)
        markup = self._markup(params)
        if (plain, entities, _inline(markup)) == (
            message.plain_caption,
            message.caption_entities,
            _inline(message.reply_markup),
        ):
            raise _bad(_NOT_MODIFIED.removeprefix("Bad Request: "))
        message.caption = caption
        message.plain_caption = plain
        message.caption_entities = entities
        message.parse_mode = params.get("parse_mode") or None
        message.reply_markup = markup
        self._mark_edited(message)
        return self._message_json(message)

    async def _answer_callback_query(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        query_id = str(params.get("callback_query_id", ""))
        if self._queries.get(query_id, True):
            # Unknown, or already answered: Telegram accepts one answer per query.
            raise _bad(_QUERY_INVALID.removeprefix("Bad Request: "))
        text = params.get("text")
        if isinstance(text, str) and len(text) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        self._queries[query_id] = True
        return True

    async def _answer_inline_query(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        query_id = str(params.get("inline_query_id", ""))
        if self._inline_queries.get(query_id, True):
            raise _bad(_QUERY_INVALID.removeprefix("Bad Request: "))
        results = params.get("results")
        if isinstance(results, str):
            results = json.loads(results)
        if not isinstance(results, list) or len(results) > 50:
            raise _bad("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            self._check_inline_result(result, seen)
        self._inline_queries[query_id] = True
        return True

    def _check_inline_result(self, result: Any, seen: set[str]) -> None:
        """What Telegram checks of an article result: a unique id of 1-64 bytes, a title, and
        a message text that parses and fits."""
        if not isinstance(result, dict) or result.get("type") != "article":
            raise _bad("RESULT_TYPE_INVALID")
        result_id = str(result.get("id", ""))
        if not 1 <= len(result_id.encode()) <= 64 or result_id in seen:
            raise _bad("RESULT_ID_INVALID" if result_id not in seen else "RESULT_ID_DUPLICATE")
        seen.add(result_id)
        if not str(result.get("title") or "").strip():
            raise _bad("RESULT_TITLE_EMPTY")
        content = result.get("input_message_content")
        if not isinstance(content, dict):
            raise _bad("MESSAGE_EMPTY")
        text = str(content.get("message_text") or "")
        plain, _ = self._render(text, content.get("parse_mode"), content.get("entities"))
        if not plain.strip():
            raise _bad("MESSAGE_EMPTY")
        if len(plain) > MAX_TEXT:
            raise _bad("MESSAGE_TOO_LONG")
        if "reply_markup" in result:
            self._check_inline_keyboard(result["reply_markup"].get("inline_keyboard"))

    async def _delete_message(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        message = self._message_for(params, "message to delete not found")
        message.deleted = True
        self._chats[message.chat_id].events.append(("delete", message))
        self._notify()
        return True

    async def _send_chat_action(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        self._chat_for(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True

    async def _send_photo(
        self, params: dict[str, Any], files: dict[str, tuple[str, bytes, str]]
    ) -> Any:
        """An uploaded photo, checked as Telegram documents it: at most 10 MB, width + height
        at most 10000, a side ratio of at most 20. PNG and JPEG are decoded far enough to know
        their size; anything else is refused as Telegram refuses an unreadable image."""
        chat = self._chat_for(params)
        photo = params.get("photo")
        upload = files.get("photo")
        if upload is None and isinstance(photo, str) and photo.startswith("attach://"):
            upload = files.get(photo.removeprefix("attach://"))
        if upload is None:
            raise _bad("there is no photo in the request")
        file_name, content, mime_type = upload
        if len(content) > PHOTO_MAX_BYTES:
            raise _bad("PHOTO_SAVE_FILE_INVALID")
        size = image_size(content)
        if size is None:
            raise _bad("IMAGE_PROCESS_FAILED")
        width, height = size
        if width + height > 10000 or max(width, height) > 20 * min(width, height):
            raise _bad("PHOTO_INVALID_DIMENSIONS")
        file = self._store_file(file_name, content, mime_type)
        caption, plain_caption, caption_entities = self._caption(params)
        message = BotMessage(
            chat_id=int(chat.info["id"]),
            message_id=0,
            from_bot=True,
            photo=file,
            caption=caption,
            plain_caption=plain_caption,
            caption_entities=caption_entities,
            parse_mode=params.get("parse_mode") or None,
            reply_markup=self._markup(params),
        )
        return self._message_json(self._add_message(message.chat_id, message))

    async def _send_document(
        self, params: dict[str, Any], files: dict[str, tuple[str, bytes, str]]
    ) -> Any:
        chat = self._chat_for(params)
        document = params.get("document")
        upload = files.get("document")
        if upload is None and isinstance(document, str) and document.startswith("attach://"):
            upload = files.get(document.removeprefix("attach://"))
        if upload is not None:
            file_name, content, mime_type = upload
            if not content:
                raise _bad("file must be non-empty")
            file = self._store_file(file_name, content, mime_type)
        elif isinstance(document, str) and document in self._files:
            file = self._files[document]  # resending by file_id reuses the stored file
        elif isinstance(document, str) and document:
            raise _bad("wrong file identifier/HTTP URL specified")
        else:
            raise _bad("there is no document in the request")
        caption, plain_caption, caption_entities = self._caption(params)
        markup = self._markup(params)
        message = BotMessage(
            chat_id=int(chat.info["id"]),
            message_id=0,
            from_bot=True,
            document=file,
            caption=caption,
            plain_caption=plain_caption,
            caption_entities=caption_entities,
            parse_mode=params.get("parse_mode") or None,
            reply_markup=markup,
        )
        return self._message_json(self._add_message(message.chat_id, message))

    async def _get_file(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        file = self._files.get(str(params.get("file_id", "")))
        if file is None:
            raise _bad("invalid file_id")
        return {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "file_size": len(file.content),
            "file_path": file.file_path,
        }
