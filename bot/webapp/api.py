"""The Mini App's JSON API: the base handler every endpoint builds on, and its dependencies.

Every request, before anything else, proves who is asking with Telegram's initData in an
`Authorization: tma <initData>` header (bot/webapp/auth.py). Then, in this order: a standby
answers 503 (as its webhook does), a user over the rate limit 429, a body over 64 KB 413, and
someone the chat would refuse (allowlist, pending, denied) 403. Only then does an endpoint run,
with `self.caller` (the stored user, their translator) and `self.deps`.

Errors are JSON `{"error": code, "message": text}`: a code the page understands and, where the
user should read something, a translated text. Never a traceback, an exception's text or a
panel's raw answer.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl

import tornado.web
from pydantic import BaseModel, ValidationError
from telegram import Bot

from bot.config import Settings
from bot.deps import Deps
from bot.i18n import N_, Catalogs, Translator
from bot.services.access import Verdict
from bot.storage.models import User
from bot.webapp.auth import AuthError, WebAppUser, init_data_of, validate_init_data
from bot.webapp.ratelimit import UserRateLimiter
from bot.zones import effective_zone

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
# What the page shows for a refusal, in the language the (unverified) initData names: the
# caller is not known, but their language harms no one.
REFUSAL_TEXTS: Mapping[str, str] = {
    "unauthorized": N_("This session has expired: close the app and open it again."),
    "no_access": N_("You have no access yet: write /start to the bot."),
    "standby": N_("The bot is restarting: try again in a moment."),
    "rate_limited": N_("Too many requests: wait a moment."),
}
STATIC_DIR = Path(__file__).resolve().parent / "static"
Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class WebAppContext:
    """What the Mini App's handlers need, passed in (no module state).

    `deps` is None until the bot is initialised (a standby never is); `accepting` says whether
    this process is the active one (bot/leadership.py).
    """

    settings: Settings
    deps: Callable[[], Deps | None]
    accepting: Callable[[], bool]
    bot: Bot
    # The chat's catalogs, also for a standby (which has no deps): its refusals are texts too.
    catalogs: Catalogs
    limiter: UserRateLimiter = field(default_factory=UserRateLimiter)
    # Wall clock for initData's age (tests move it instead of waiting an hour).
    clock: Callable[[], float] = time.time
    static_dir: Path = STATIC_DIR


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is asking, as the validated initData and the chat's rules say."""

    user: User
    telegram: WebAppUser
    t: Translator
    is_admin: bool

    @property
    def id(self) -> int:
        return self.user.id


class ApiError(tornado.web.HTTPError):
    """Raised by an endpoint: answered as `{"error": code, "message": message}`."""

    def __init__(self, status: HTTPStatus, code: str, message: str | None = None) -> None:
        super().__init__(int(status), reason=status.phrase)
        self.code = code
        self.message = message


@tornado.web.stream_request_body
class ApiHandler(tornado.web.RequestHandler):
    """Base of every endpoint: authenticates in `prepare`, then `get`/`post` run."""

    SUPPORTED_METHODS = ("GET", "POST")

    def initialize(self, ctx: WebAppContext) -> None:
        self.ctx = ctx
        self._body = bytearray()
        self._caller: Caller | None = None
        self._deps: Deps | None = None

    @property
    def caller(self) -> Caller:
        assert self._caller is not None, "prepare() refused the request"
        return self._caller

    @property
    def deps(self) -> Deps:
        assert self._deps is not None, "prepare() refused the request"
        return self._deps

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")

    def refuse(self, status: HTTPStatus, code: str, language: str | None = None) -> None:
        """Answer an error before the body is read; the connection closes after it."""
        self._body.clear()
        settings = self.ctx.settings
        lang = self.ctx.catalogs.pick(None, language, settings.default_language)
        source = REFUSAL_TEXTS.get(code)
        message = self.ctx.catalogs.translator(lang).gettext(source) if source else None
        # Finished before the body was read: tornado closes the connection after the answer
        # instead of draining the body; a client must not send its next request on it.
        self.set_header("Connection", "close")
        self.set_status(status)
        self.finish(_error_body(code, message))

    async def prepare(self) -> None:
        raw_header = self.request.headers.get("Authorization")
        try:
            raw = init_data_of(raw_header)
            settings = self.ctx.settings
            init = validate_init_data(
                raw,
                settings.bot_token.get_secret_value(),
                now=self.ctx.clock(),
                max_age=settings.webapp_auth_max_age_seconds,
            )
        except AuthError as exc:
            log.info("mini app: refused a request: %s", exc)
            self.refuse(HTTPStatus.UNAUTHORIZED, "unauthorized", claimed_language(raw_header))
            return
        language = init.user.language_code
        deps = self.ctx.deps() if self.ctx.accepting() else None
        if deps is None:
            self.set_header("Retry-After", "1")
            self.refuse(HTTPStatus.SERVICE_UNAVAILABLE, "standby", language)
            return
        if not self.ctx.limiter.allow(init.user.id):
            self.set_header("Retry-After", "2")
            self.refuse(HTTPStatus.TOO_MANY_REQUESTS, "rate_limited", language)
            return
        if _declared_size(self.request.headers.get("Content-Length")) > MAX_BODY_BYTES:
            self.refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "too_large")
            return
        caller = await _caller_of(deps, init.user)
        if caller is None:
            self.refuse(HTTPStatus.FORBIDDEN, "no_access", language)
            return
        self._caller, self._deps = caller, deps

    def data_received(self, chunk: bytes) -> None:
        if self._finished:
            return
        if len(self._body) + len(chunk) > MAX_BODY_BYTES:
            # A chunked body declares no size up front: it is cut off at the cap.
            self.refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "too_large")
            return
        self._body += chunk

    def parse(self, model: type[Model]) -> Model:
        """The request's JSON body as `model`; 400 when it is not one."""
        try:
            return model.model_validate_json(bytes(self._body) or b"{}")
        except ValidationError:
            raise ApiError(HTTPStatus.BAD_REQUEST, "bad_request") from None

    def reply(self, answer: BaseModel) -> None:
        self.finish(answer.model_dump_json())

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, ApiError):
            self.finish(_error_body(exc.code, exc.message))
            return
        if status_code >= 500:
            self.finish(_error_body("internal"))
            return
        self.finish(_error_body(HTTPStatus(status_code).phrase.lower().replace(" ", "_")))

    def log_exception(self, typ: Any, value: BaseException | None, tb: Any) -> None:
        if isinstance(value, tornado.web.HTTPError) and value.status_code < 500:
            return  # an answer (ApiError, 405), not a failure
        # The type only: a panel's or the database's message may quote what must not be logged.
        log.error("mini app: %s failed (%s)", self.request.path, type(value).__name__)
        log.debug("mini app: traceback (LOG_LEVEL=DEBUG only)", exc_info=value)


def _error_body(code: str, message: str | None = None) -> str:
    body: dict[str, str] = {"error": code}
    if message:
        body["message"] = message
    return json.dumps(body)


def claimed_language(header: str | None) -> str | None:
    """The language_code an unverified initData claims (only to word its refusal)."""
    try:
        fields = dict(parse_qsl(init_data_of(header)))
        user = json.loads(fields.get("user", "{}"))
    except (AuthError, ValueError):
        return None
    code = user.get("language_code") if isinstance(user, dict) else None
    return code if isinstance(code, str) else None


def _declared_size(header: str | None) -> int:
    if header is None:
        return 0
    try:
        return int(header)
    except ValueError:
        return MAX_BODY_BYTES + 1  # malformed: refused like an oversized one


async def _caller_of(deps: Deps, tg: WebAppUser) -> Caller | None:
    """The caller under the chat's rules, or None when the chat would refuse them."""
    user = await deps.users.get(tg.id)
    settings = deps.settings
    if user is None:
        # Open mode lets anyone in, even before their first message to the bot.
        first = deps.catalogs.pick(None, tg.language_code, settings.default_language)
        user = await deps.users.arrive(
            tg.id, username=tg.username, first_name=tg.first_name, language=first
        )
    if deps.access.verdict(user) is not Verdict.ALLOWED:
        return None
    language = deps.catalogs.pick(user.language, tg.language_code, settings.default_language)
    zone = effective_zone(user.time_zone, settings.timezone, language)
    t = deps.catalogs.translator(language).with_zone(zone)
    return Caller(user, tg, t, deps.access.is_admin(user.id))
