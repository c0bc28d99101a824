"""Async client for the standard SMM panel API v2 (`PanelClient`).

Transport rules (why they matter: money is at stake on every write):
- Every request has a wall-clock deadline of `timeout` seconds for all of it: connecting,
  sending, reading the answer and, for reads, every retry and backoff. httpx's own timeouts
  are per socket operation, so a panel that trickles one byte a second would never trip them.
- Reads (services, status, refill_status, balance) are retried on `PanelUnavailable` with
  exponential backoff, but only while the deadline leaves room; a panel that answers
  `{"error": …}` or an answer too large is never retried.
- Writes (add, add_bulk, refill, cancel) are never retried. Once the request may have reached
  the panel (its headers started to go out: timeout, deadline, dropped connection, 5xx,
  unreadable or oversized body) the failure is `OutcomeUnknown`; only when it certainly did not
  (connect error, deadline hit while connecting) is it `PanelUnavailable`.
- Answers are read as a stream and capped: `max_catalog_bytes` for `services`,
  `max_answer_bytes` for everything else. Past the cap the body is dropped as it arrives
  (`AnswerTooLarge` for a read, `OutcomeUnknown` for a write).
- The API key travels only in the POST body. It never appears in exceptions (httpx errors are
  not chained: they carry the request), in `repr`, or in log lines.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import ssl
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from decimal import Decimal
from typing import Any, TypeVar

import certifi
import httpx

from bot.closing import AsyncClosing
from bot.panel import parsing
from bot.panel.address_guard import (
    AddressPolicy,
    AddressRefused,
    GuardedHttpClient,
    guarded_client,
)
from bot.panel.capabilities import Capabilities, CapabilityBook, Feature, MemoryBook, Pacer, Support
from bot.panel.decoding import AnswerDecoder
from bot.panel.errors import (
    ActionUnsupported,
    AnswerTooLarge,
    InvalidApiKey,
    OutcomeUnknown,
    PanelError,
    PanelRejected,
    PanelUnavailable,
    UnreadableBalance,
)
from bot.panel.models import (
    Balance,
    BulkItemResult,
    CancelResult,
    NewOrder,
    OrderStatus,
    RefillResult,
    RefillState,
    RefillStatus,
    Service,
)
from bot.panel.observer import CallObserver

logger = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

# Turns a 2xx answer's body into the data its parser takes (`_post`).
Decode = Callable[[bytes | bytearray], Awaitable[Any]]
# Told after each line of a bulk placed line by line: (lines done, lines in all).
Progress = Callable[[int, int], Awaitable[None]]
# Told of each line a line-by-line bulk placed: (its index, the panel's order id).
LinePlaced = Callable[[int, int], Awaitable[None]]

# The spec caps multi queries and add_bulk at 100 items per request.
CHUNK_SIZE = 100

# Type-specific order parameters of the standard API; anything else is a caller bug.
ALLOWED_ORDER_EXTRAS = frozenset(
    {
        "comments",
        "usernames",
        "hashtags",
        "hashtag",
        "username",
        "media",
        "answer_number",
        "groups",
        "min",
        "max",
        "posts",
        "old_posts",
        "delay",
        "expiry",
    }
)

# Caps on an answer's decoded size. A status of 100 orders is ~20 kB and every other answer
# is smaller still; only the catalog grows with the panel (thousands of services).
MAX_ANSWER_BYTES = 1024 * 1024
DEFAULT_MAX_CATALOG_BYTES = 20 * 1024 * 1024

# Keys shorter than this are not redacted from bodies: replacing e.g. "1" would corrupt the JSON.
_MIN_REDACT_LEN = 8


@functools.cache
def panel_ssl_context() -> ssl.SSLContext:
    # Building a verified context loads the CA bundle (~0.2 s); the bot may hold one client per
    # user key, so every owned httpx client shares this one.
    return ssl.create_default_context(cafile=certifi.where())


def _encoded_chunks(payloads: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """Every chunk's `add_bulk` body and size, all encoded before any is sent: a value JSON
    cannot carry must fail up front, not after some orders were placed."""
    return [
        (json.dumps(chunk, ensure_ascii=False, separators=(",", ":")), len(chunk))
        for chunk in _chunks(payloads)
    ]


def _chunks(items: Sequence[T], size: int = CHUNK_SIZE) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _unique_ids(ids: Sequence[int]) -> list[int]:
    out = list(dict.fromkeys(ids))
    for value in out:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError("ids must be positive integers")
    return out


def _bind_ids(parse: Callable[[Any, list[int]], R], ids: list[int]) -> Callable[[Any], R]:
    def bound(data: Any) -> R:
        return parse(data, ids)

    return bound


def _wire_value(value: Any) -> Any:
    """A parameter as the panel expects it: lists are newline-separated (comments, usernames…)."""
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, list | tuple):
        return "\n".join(str(v) for v in value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def _order_params(order: NewOrder) -> dict[str, Any]:
    """The `add` parameters of `order`, as they go on the wire."""
    unknown = sorted(set(order.extra) - ALLOWED_ORDER_EXTRAS)
    if unknown:
        raise ValueError(f"unsupported order parameter(s): {', '.join(unknown)}")
    service = order.service
    if isinstance(service, bool) or not isinstance(service, int) or service <= 0:
        raise ValueError("service must be a positive integer")
    params: dict[str, Any] = {
        "service": service,
        "link": order.link,
        "quantity": order.quantity,
        "runs": order.runs,
        "interval": order.interval,
        **order.extra,
    }
    return {k: _wire_value(v) for k, v in params.items() if v is not None}


def _bulk_results(
    base: int, answers: list[tuple[int | None, str | None] | None]
) -> Iterator[BulkItemResult]:
    """One chunk's parsed add_bulk answer as results numbered from `base`; an item the panel
    said nothing readable about may have been placed, so it is `unknown`."""
    for i, answer in enumerate(answers):
        if answer is None:
            yield BulkItemResult(
                base + i,
                error="no readable answer for this order; it may have been placed",
                unknown=True,
            )
        else:
            order_id, error = answer
            yield BulkItemResult(base + i, order_id=order_id, error=error)


class _NullAnswer(OutcomeUnknown):
    """A write answered `null` where a panel that takes the action answers something."""


def _null_is_unknown(
    count: int, parse: Callable[[Any, int], list[tuple[int | None, str | None] | None]]
) -> Callable[[Any], list[tuple[int | None, str | None] | None]]:
    """add_bulk's parser; a `null` answer is `_NullAnswer` (the orders may or may not exist)."""

    def parse_bulk(data: Any) -> list[tuple[int | None, str | None] | None]:
        if data is None:
            raise _NullAnswer("add_bulk: the panel answered null; it may have been performed")
        return parse(data, count)

    return parse_bulk


def _unsupported_if_null(action: str, parse: Callable[[Any], R]) -> Callable[[Any], R]:
    """`parse`, except that `null` or an unknown-action error means the panel does not take
    `action` through its API (the classic script's answer to refill, refill_status, cancel)."""

    def parse_or_refuse(data: Any) -> R:
        error = parsing.error_of(data)
        if data is None or (error is not None and parsing.is_unknown_action(error)):
            raise ActionUnsupported(action)
        return parse(data)

    return parse_or_refuse


def _bulk_probe_answer(data: Any) -> Support:
    """How a panel answered an add_bulk of no orders (see `PanelClient.probe_bulk`)."""
    error = parsing.error_of(data)
    if error is not None:
        if isinstance(error, InvalidApiKey):
            return Support.UNKNOWN
        return Support.NO if parsing.is_unknown_action(error) else Support.YES
    return Support.YES if isinstance(data, dict | list) else Support.NO


async def _read_capped(response: httpx.Response, cap: int) -> bytearray | None:
    """The decoded body, or None as soon as it is known to exceed `cap` bytes (what was read so
    far is dropped: a panel must not be able to fill our memory)."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        return None
    # Grown as the chunks come, not joined at the end: joining a 19 MB catalog faulted its
    # ~4,700 fresh pages in at once, ~15 ms of CPU in one step of the event loop (issue 19
    # item 5); each chunk now brings in its own few.
    body = bytearray()
    async for chunk in response.aiter_bytes():
        if len(body) + len(chunk) > cap:
            return None
        body += chunk
    return body


def _decoded_services(data: Any) -> list[Service]:
    """The parse step of `services`: `AnswerDecoder.services` has already parsed the answer."""
    if not isinstance(data, list):
        raise TypeError("services: expected the decoder's list of services")
    return data


def _http_for(
    http: httpx.AsyncClient | None, policy: AddressPolicy | None, timeout: httpx.Timeout
) -> httpx.AsyncClient:
    """The HTTP client a panel is called through. Under an address policy (a user's own URL)
    only a `GuardedHttpClient` of that very policy will do: given any other client, even the
    bot's shared one, the guard would be silently bypassed, so that is a programming error."""
    if policy is not None:
        if http is None:
            return guarded_client(policy, panel_ssl_context(), timeout)
        if not isinstance(http, GuardedHttpClient) or http.policy != policy:
            raise TypeError("a guarded panel must be called through a GuardedHttpClient")
        return http
    # No redirects: httpx (like curl) would turn the POST into a GET and drop the key/body.
    return http or httpx.AsyncClient(timeout=timeout, verify=panel_ssl_context())


# How often a read (never an order) is sent again after a network fault or a 5xx.
READ_RETRIES = 2


class PanelClient(AsyncClosing):
    def __init__(
        self,
        api_url: str,
        api_key: str,
        *,
        http: httpx.AsyncClient | None = None,
        timeout: float = 30.0,
        read_retries: int = READ_RETRIES,
        retry_backoff: float = 0.5,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
        max_catalog_bytes: int = DEFAULT_MAX_CATALOG_BYTES,
        observer: CallObserver | None = None,
        address_policy: AddressPolicy | None = None,
        gate: Callable[[], None] | None = None,
        book: CapabilityBook | None = None,
        pacer: Pacer | None = None,
        decoder: AnswerDecoder | None = None,
    ) -> None:
        """`timeout` is the wall-clock budget of one call, retries included (see module doc).

        `address_policy` is for panels a user added by URL: every connection then goes only to
        public addresses (bot/panel/address_guard.py), and `http`, when given, must be a
        `GuardedHttpClient` of that policy (TypeError otherwise). Operator-configured panels
        are trusted.
        `gate` runs before every request and may raise to stop it (a process that is no longer
        the active one, bot/leadership.py): nothing leaves once it refuses.
        `book` remembers what this panel's API takes (bot/panel/capabilities.py; without one,
        each client learns for itself); `pacer` spreads the requests it gets one at a time.
        `decoder` decodes `services` answers, a large one in the application's child process
        (bot/panel/decoding.py); without one, every answer is decoded in-process.
        """
        if not api_url.startswith(("http://", "https://")):
            raise ValueError("api_url must start with http:// or https://")
        if read_retries < 0 or retry_backoff < 0 or timeout <= 0:
            raise ValueError("timeout must be positive, retries and backoff not negative")
        if max_answer_bytes <= 0 or max_catalog_bytes <= 0:
            raise ValueError("answer size caps must be positive")
        self._url = api_url
        self._key = api_key
        self._key_bytes = api_key.encode()
        self._deadline = float(timeout)
        self._timeout = httpx.Timeout(timeout)
        self._read_retries = read_retries
        self._retry_backoff = retry_backoff
        self._max_answer = max_answer_bytes
        self._max_catalog = max_catalog_bytes
        self._observer = observer
        self._gate = gate
        self._book = book if book is not None else MemoryBook()
        self._pacer = pacer
        self._decoder = decoder if decoder is not None else AnswerDecoder(offload_bytes=None)
        self._owns_http = http is None
        self._http = _http_for(http, address_policy, self._timeout)

    def __repr__(self) -> str:
        return f"PanelClient(api_url={self._url!r})"

    @property
    def api_url(self) -> str:
        return self._url

    async def close(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    aclose = close  # httpx's spelling, kept for callers that use it

    # ------------------------------------------------------------------ transport

    def _redact(self, body: bytearray) -> bytearray:
        # A panel that echoes the key in an error text must not smuggle it into our exceptions.
        if len(self._key_bytes) >= _MIN_REDACT_LEN and self._key_bytes in body:
            return body.replace(self._key_bytes, b"***")
        return body

    def _cap(self, action: str) -> int:
        return self._max_catalog if action == "services" else self._max_answer

    def _observe(self, action: str, *, idempotent: bool) -> AbstractContextManager[None]:
        if self._observer is None:
            return nullcontext()
        return self._observer.panel_call(action, idempotent=idempotent)

    async def _post(
        self,
        action: str,
        params: dict[str, Any],
        *,
        write: bool,
        deadline: float,
        decode: Decode | None = None,
    ) -> Any:
        """One POST that must be over by `deadline` (event-loop time); returns decoded JSON or
        raises a `PanelError` with no context chained.

        Every raise happens outside the `except` blocks so `__context__` stays empty: httpx
        exceptions reference the request, whose body holds the key.
        """
        if self._gate is not None:
            self._gate()
        form = {"key": self._key, "action": action}
        form.update({k: str(v) for k, v in params.items() if v is not None})
        cap = self._cap(action)
        status, body, failure, maybe_sent = await self._exchange(form, cap, deadline)

        data: Any = None
        rejection: PanelRejected | None = None
        too_large = False
        if status is not None and failure is None:
            if body is None:
                too_large = True
                failure, maybe_sent = f"answer larger than {cap} bytes", True
            elif status >= 500:
                failure, maybe_sent = f"HTTP {status} from the panel", True
            elif status >= 300:
                # A redirect or client error means the panel did not process the request, unless
                # it says why in the standard error shape.
                rejection = self._error_in(self._redact(body))
                if rejection is None:
                    failure = f"HTTP {status} from the panel"
            else:
                try:
                    body = self._redact(body)
                    data = parsing.decode_json(body) if decode is None else await decode(body)
                except PanelRejected as exc:
                    rejection = exc
                except PanelUnavailable as exc:
                    failure, maybe_sent = str(exc), True
        body = None

        if rejection is not None:
            self._log_rejection(action, rejection)
            raise rejection
        if failure is not None:
            logger.warning("panel %s failed: %s", action, failure)
            if write and maybe_sent:
                raise OutcomeUnknown(f"{action}: {failure}; the panel may have performed it")
            if too_large:
                raise AnswerTooLarge(f"{action}: the panel sent an answer too large", cap)
            raise PanelUnavailable(f"{action}: {failure}")
        return data

    async def _exchange(
        self, form: dict[str, str], cap: int, deadline: float
    ) -> tuple[int | None, bytearray | None, str | None, bool]:
        """The HTTP exchange of `_post`: (status, body capped at `cap` or None when larger,
        failure text, maybe_sent). Transport errors come back as text, never raised, so `_post`
        raises with no httpx exception (whose request holds the key) in its context.
        """
        failure: str | None = None
        maybe_sent = False
        status: int | None = None
        body: bytearray | None = None
        # Set by httpcore as the request's first byte is about to go out: from then on the panel
        # may act on it, so a write that fails afterwards has an unknown outcome.
        sent = False

        async def trace(event: str, info: dict[str, Any]) -> None:
            nonlocal sent
            if event.endswith(".send_request_headers.started"):
                sent = True

        try:
            async with (
                asyncio.timeout_at(deadline),
                self._http.stream(
                    "POST",
                    self._url,
                    data=form,
                    timeout=self._timeout,
                    extensions={"trace": trace},
                ) as response,
            ):
                status = response.status_code
                body = await _read_capped(response, cap)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout):
            failure = "could not connect to the panel"
        except httpx.UnsupportedProtocol:
            failure = "unsupported API URL scheme"
        except httpx.TimeoutException:
            failure = "the panel did not answer in time"
            maybe_sent = True
        except httpx.HTTPError as exc:
            failure = f"connection failed ({type(exc).__name__})"
            maybe_sent = True
        except httpx.InvalidURL:
            failure = "invalid API URL"
        except TimeoutError:
            # Our own deadline (asyncio.timeout_at): the whole call took too long.
            failure = f"the panel did not answer within {self._deadline:g}s"
            maybe_sent = sent

        return status, body, failure, maybe_sent

    @staticmethod
    def _error_in(body: bytes | bytearray) -> PanelRejected | None:
        try:
            return parsing.error_of(parsing.decode_json(body))
        except PanelError:
            return None

    @staticmethod
    def _log_rejection(action: str, exc: PanelRejected) -> None:
        level = logging.WARNING if isinstance(exc, InvalidApiKey) else logging.INFO
        logger.log(level, "panel rejected %s: %s", action, exc.message_text)

    def _parse(self, action: str, parse: Callable[[Any], T], data: Any) -> T:
        try:
            return parse(data)
        except PanelRejected as exc:
            self._log_rejection(action, exc)
            raise

    async def _read(
        self,
        action: str,
        params: dict[str, Any],
        parse: Callable[[Any], T],
        decode: Decode | None = None,
    ) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._deadline
        attempt = 0
        with self._observe(action, idempotent=True):
            while True:
                try:
                    data = await self._post(
                        action, params, write=False, deadline=deadline, decode=decode
                    )
                    return self._parse(action, parse, data)
                except (AnswerTooLarge, AddressRefused, UnreadableBalance):
                    raise  # the same panel would send the same answer (or live at the same place)
                except PanelUnavailable as exc:
                    delay = self._retry_backoff * 2**attempt
                    # Retries live inside the same budget: the user waits `timeout`, not a
                    # multiple of it.
                    if attempt >= self._read_retries or loop.time() + delay >= deadline:
                        raise
                    logger.info("retrying panel %s in %.2fs: %s", action, delay, exc)
                attempt += 1
                await asyncio.sleep(delay)

    async def _write(self, action: str, params: dict[str, Any], parse: Callable[[Any], T]) -> T:
        deadline = asyncio.get_running_loop().time() + self._deadline
        with self._observe(action, idempotent=False):
            data = await self._post(action, params, write=True, deadline=deadline)
        failure: str | None = None
        try:
            return self._parse(action, parse, data)
        except PanelUnavailable as exc:
            failure = str(exc)
        # The panel answered 200 with something we cannot read: it may well have acted.
        logger.warning("panel %s answer unreadable: %s", action, failure)
        raise OutcomeUnknown(f"{action}: unreadable answer ({failure}); it may have been performed")

    # ------------------------------------------------------------------ reads

    async def services(self) -> list[Service]:
        # Decoded and validated by the decoder (a large catalog in a child process): what comes
        # back is already the list of services.
        return await self._read("services", {}, _decoded_services, self._decoder.services)

    async def status(self, order_id: int) -> OrderStatus:
        return await self._read("status", {"order": order_id}, parsing.parse_status)

    async def statuses(self, order_ids: Sequence[int]) -> dict[int, OrderStatus | PanelRejected]:
        """Statuses of many orders, 100 per request; every distinct id gets a value, in input
        order. A per-order panel error (e.g. "Incorrect order ID") is a `PanelRejected` value;
        a request that still fails after the read retries raises for the whole call.

        On a panel that knows only `order=` (learned: see `_learn_single_status`) they are
        asked one at a time, paced, and the first failure raises for the whole call.
        """
        ids = _unique_ids(order_ids)
        if await self._lacks(Feature.MULTI_STATUS):
            return await self._statuses_one_by_one(ids)
        out: dict[int, OrderStatus | PanelRejected] = {}
        for chunk in _chunks(ids):
            try:
                answers = await self._read(
                    "status",
                    {"orders": ",".join(map(str, chunk))},
                    functools.partial(parsing.parse_statuses, order_ids=chunk),
                )
            except (PanelRejected, parsing.Malformed) as exc:
                if isinstance(exc, InvalidApiKey) or not await self._learn_single_status(chunk):
                    raise
                return await self._statuses_one_by_one(ids)
            out.update(answers)
        await self._learned(Feature.MULTI_STATUS, Support.YES)
        return out

    async def _learn_single_status(self, ids: Sequence[int]) -> bool:
        """`orders=` answered an error or no map of ids: when `order=` answers a status for one
        of them, the panel is single-status (the classic script). True when so learned."""
        try:
            await self.status(ids[0])
        except PanelError:
            return False
        logger.info("panel %s answers status one order at a time", self._url)
        await self._learned(Feature.MULTI_STATUS, Support.NO)
        return True

    async def _statuses_one_by_one(
        self, ids: Sequence[int]
    ) -> dict[int, OrderStatus | PanelRejected]:
        out: dict[int, OrderStatus | PanelRejected] = {}
        for order_id in ids:
            await self._pace()
            try:
                out[order_id] = await self.status(order_id)
            except InvalidApiKey:
                raise
            except PanelRejected as exc:
                out[order_id] = exc
        return out

    async def capabilities(self) -> Capabilities:
        """What this panel's API was learned to take (still fresh)."""
        return await self._book.get(self._url)

    async def _lacks(self, feature: Feature) -> bool:
        return (await self._book.get(self._url)).lacks(feature)

    async def _learned(self, feature: Feature, support: Support) -> None:
        if (await self._book.get(self._url)).of(feature) is not support:
            await self._book.learn(self._url, feature, support)

    async def _pace(self) -> None:
        if self._pacer is not None:
            await self._pacer.turn(self._url)

    async def _guarded(self, feature: Feature, run: Callable[[], Awaitable[T]]) -> T:
        """`run()` unless the panel was learned not to take `feature` (then ActionUnsupported
        without asking it); what the answer shows is learned."""
        if await self._lacks(feature):
            raise ActionUnsupported(feature.value)
        try:
            result = await run()
        except ActionUnsupported:
            await self._learned(feature, Support.NO)
            raise
        await self._learned(feature, Support.YES)
        return result

    async def refill_status(self, refill_id: int) -> RefillStatus:
        return await self._guarded(
            Feature.REFILL_STATUS,
            lambda: self._read(
                "refill_status",
                {"refill": refill_id},
                _unsupported_if_null(
                    "refill_status", lambda data: parsing.parse_refill_status(data, refill_id)
                ),
            ),
        )

    async def refill_statuses(
        self, refill_ids: Sequence[int]
    ) -> dict[int, RefillStatus | PanelRejected]:
        """Uses `refills=` (which the spec says wins over `refill=`), 100 per request."""
        ids = _unique_ids(refill_ids)

        async def run() -> dict[int, RefillStatus | PanelRejected]:
            out: dict[int, RefillStatus | PanelRejected] = {}
            for chunk in _chunks(ids):
                parse = functools.partial(parsing.parse_refill_statuses, refill_ids=chunk)
                out.update(
                    await self._read(
                        "refill_status",
                        {"refills": ",".join(map(str, chunk))},
                        _unsupported_if_null("refill_status", parse),
                    )
                )
            return out

        return await self._guarded(Feature.REFILL_STATUS, run)

    async def balance(self) -> Balance:
        return await self._read("balance", {}, parsing.parse_balance)

    # ------------------------------------------------------------------ writes

    async def add_order(self, order: NewOrder) -> int:
        """Place one order; returns the panel's order id. Never retried (see module doc)."""
        return await self._write("add", _order_params(order), parsing.parse_order_id)

    async def add_orders(
        self,
        orders: Sequence[NewOrder],
        progress: Progress | None = None,
        placed: LinePlaced | None = None,
    ) -> list[BulkItemResult]:
        """Place many orders with `add_bulk`, 100 per request; one result per input item.

        Per item: `order_id` on success; `error` with the panel's text when refused;
        `unknown=True` (plus `error`) when it was sent but the answer was lost, so it may exist;
        `not_sent=True` (plus `error`) when it was never sent. After a chunk fails as a whole
        (refused, unknown or unreachable) later chunks are not sent.

        Real orders go in `add_bulk` only to a panel known to take it (`probe_bulk`), else line
        by line with `add`, paced; `progress(placed, total)` hears after each line, `placed(index,
        order id)` of each line the panel took, the moment it took it."""
        payloads = [_order_params(order) for order in orders]
        bodies = _encoded_chunks(payloads)
        if await self._bulk_support() is not Support.YES:
            return await self._add_one_by_one(payloads, progress, placed)
        results: list[BulkItemResult] = []
        stop_reason: str | None = None
        for chunk_no, (body, n) in enumerate(bodies):
            base = chunk_no * CHUNK_SIZE
            if stop_reason is not None:
                results.extend(
                    BulkItemResult(base + i, error=stop_reason, not_sent=True) for i in range(n)
                )
                continue
            try:
                answers = await self._write(
                    "add_bulk", {"orders": body}, _null_is_unknown(n, parsing.parse_bulk)
                )
            except PanelRejected as exc:
                if chunk_no == 0 and parsing.is_unknown_action(exc):
                    # Nothing was placed: the panel refused the action as a whole.
                    await self._learned(Feature.ADD_BULK, Support.NO)
                    return await self._add_one_by_one(payloads, progress, placed)
                results.extend(BulkItemResult(base + i, error=exc.message_text) for i in range(n))
                stop_reason = f"not sent: an earlier chunk was refused ({exc.message_text})"
            except OutcomeUnknown as exc:
                if isinstance(exc, _NullAnswer):
                    # It contradicts what was learned; these stay unknown, never resent.
                    await self._learned(Feature.ADD_BULK, Support.NO)
                results.extend(
                    BulkItemResult(base + i, error=str(exc), unknown=True) for i in range(n)
                )
                stop_reason = "not sent: the outcome of an earlier chunk is unknown"
            except PanelUnavailable as exc:
                results.extend(
                    BulkItemResult(base + i, error=str(exc), not_sent=True) for i in range(n)
                )
                stop_reason = "not sent: the panel was unreachable"
            else:
                results.extend(_bulk_results(base, answers))
        return results

    async def _bulk_support(self) -> Support:
        known = (await self._book.get(self._url)).of(Feature.ADD_BULK)
        return known if known is not Support.UNKNOWN else await self.probe_bulk()

    async def probe_bulk(self) -> Support:
        """Whether the panel takes `add_bulk`, asked with an empty list, which cannot place
        anything: an error about the orders means yes; `null`, an unknown-action error or
        non-JSON means no. Learned unless the panel could not be asked (then UNKNOWN)."""
        deadline = asyncio.get_running_loop().time() + self._deadline
        try:
            with self._observe("add_bulk", idempotent=True):
                data = await self._post(
                    "add_bulk", {"orders": "[]"}, write=False, deadline=deadline
                )
        except InvalidApiKey:
            return Support.UNKNOWN
        except PanelRejected as exc:
            data = {"error": exc.message_text}
        except AnswerTooLarge:
            return Support.UNKNOWN
        except PanelUnavailable as exc:
            if "non-JSON" not in str(exc):
                return Support.UNKNOWN
            data = None
        support = _bulk_probe_answer(data)
        if support is not Support.UNKNOWN:
            await self._learned(Feature.ADD_BULK, support)
        return support

    async def _add_one_by_one(
        self,
        payloads: list[dict[str, Any]],
        progress: Progress | None = None,
        placed: LinePlaced | None = None,
    ) -> list[BulkItemResult]:
        results: list[BulkItemResult] = []
        stop_reason: str | None = None
        for index, params in enumerate(payloads):
            if stop_reason is not None:
                results.append(BulkItemResult(index, error=stop_reason, not_sent=True))
                continue
            await self._pace()
            try:
                order_id = await self._write("add", params, parsing.parse_order_id)
            except InvalidApiKey as exc:
                results.append(BulkItemResult(index, error=exc.message_text))
                stop_reason = f"not sent: {exc.message_text}"
            except PanelRejected as exc:
                # Per-order refusals (bad link, low balance for this one) do not stop the rest.
                results.append(BulkItemResult(index, error=exc.message_text))
            except OutcomeUnknown as exc:
                results.append(BulkItemResult(index, error=str(exc), unknown=True))
                stop_reason = "not sent: the outcome of an earlier order is unknown"
            except PanelUnavailable as exc:
                results.append(BulkItemResult(index, error=str(exc), not_sent=True))
                stop_reason = "not sent: the panel was unreachable"
            else:
                results.append(BulkItemResult(index, order_id=order_id))
                if placed is not None:
                    await placed(index, order_id)
            if progress is not None:
                # "3 of 40 placed…" counts placed orders only: a refused or unknown line is not.
                await progress(sum(r.order_id is not None for r in results), len(payloads))
        return results

    async def _chunked_write(
        self,
        action: str,
        ids: list[int],
        parse: Callable[[Any, list[int]], list[R]],
        failed: Callable[[int, str, bool, bool], R],
    ) -> list[R]:
        """Multi-id write, 100 ids per request. A whole-request failure of the first chunk
        raises (nothing happened yet); of a later chunk, it is marked on that chunk's items
        (`failed(id, error, unknown, not_sent)`) and the remaining chunks are not sent."""
        out: list[R] = []
        chunks = list(_chunks(ids))
        for chunk_no, chunk in enumerate(chunks):
            try:
                out.extend(
                    await self._write(
                        action,
                        {"orders": ",".join(map(str, chunk))},
                        _unsupported_if_null(action, _bind_ids(parse, chunk)),
                    )
                )
                continue
            except PanelError as exc:
                if chunk_no == 0:
                    raise
                message = exc.message_text if isinstance(exc, PanelRejected) else str(exc)
                unknown = isinstance(exc, OutcomeUnknown)
                not_sent = isinstance(exc, PanelUnavailable)
            out.extend(failed(i, message, unknown, not_sent) for i in chunk)
            later = [i for rest in chunks[chunk_no + 1 :] for i in rest]
            out.extend(failed(i, "not sent: an earlier chunk failed", False, True) for i in later)
            break
        return out

    async def refill(self, order_id: int) -> RefillResult:
        """Request a refill. A panel refusal (`{"refill": null, "status": "rejected"}` or
        `{"error": …}`) is a result with `ok == False`; a bad key raises `InvalidApiKey`."""
        return await self._guarded(
            Feature.REFILL,
            lambda: self._write(
                "refill",
                {"order": order_id},
                _unsupported_if_null("refill", lambda data: parsing.parse_refill(data, order_id)),
            ),
        )

    async def refills(self, order_ids: Sequence[int]) -> list[RefillResult]:
        """One result per distinct id in input order (the panel's array is paired by position)."""

        def failed(order_id: int, error: str, unknown: bool, not_sent: bool) -> RefillResult:
            return RefillResult(
                order_id, None, RefillState.UNKNOWN, "", error, unknown=unknown, not_sent=not_sent
            )

        ids = _unique_ids(order_ids)
        return await self._guarded(
            Feature.REFILL,
            lambda: self._chunked_write("refill", ids, parsing.parse_refills, failed),
        )

    async def cancel(self, order_ids: Sequence[int]) -> list[CancelResult]:
        """One result per distinct id in input order; `ok` when the panel answered `cancel: 1`."""

        def failed(order_id: int, error: str, unknown: bool, not_sent: bool) -> CancelResult:
            return CancelResult(order_id, False, error, unknown=unknown, not_sent=not_sent)

        ids = _unique_ids(order_ids)
        return await self._guarded(
            Feature.CANCEL,
            lambda: self._chunked_write("cancel", ids, parsing.parse_cancel, failed),
        )
