"""A fake SMM panel speaking `/work/shared/spec/panel-api-v2.txt` over real HTTP.

Used by the panel client's and the bot's tests and by benchmarks. By hand:

    python -m tests.fakes.panel --port 8080

State lives in plain attributes (`orders`, `refills`, `requests`) so tests can assert on it; all
changes happen on the event loop between awaits, so concurrent requests never see half an order.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from types import TracebackType
from typing import Any, Self, TextIO

from aiohttp import web

from tests.fakes import WAIT_SECONDS
from tests.fakes.panel_catalog import (
    CatalogService,
    default_services,
    make_services,
    parse_service,
)
from tests.fakes.panel_faults import (
    HTML_ERROR_PAGE,
    MALFORMED_BODY,
    OVERSIZED_CHUNK,
    Fault,
    rewrite,
)

__all__ = [
    "DEMO_KEY",
    "FakeOrder",
    "FakePanel",
    "FakeRefill",
    "Fault",
    "RecordedRequest",
    "main",
    "serve",
]

DEMO_KEY = "demo-key-0123456789abcdef"
# The fault target (`inject(action=PROBE)`) of an add_bulk with an empty list: the bot's probe.
PROBE = "add_bulk_probe"
FIRST_ORDER_ID = 23501
FIRST_REFILL_ID = 1
MAX_BATCH = 100

ACTIVE_STATUSES = frozenset({"Pending", "In progress", "Processing"})
REFILLABLE_STATUSES = frozenset({"Completed", "Partial"})
# A refill in any other state (pending, a panel's own wording) still runs.
_FINAL_REFILL = frozenset({"completed", "rejected"})
# Parameters of `add` that are not type-specific; everything else lands in FakeOrder.params.
_CORE_PARAMS = frozenset({"key", "action", "service", "link", "quantity", "runs", "interval"})
# Types billed per line of `comments` (one comment or reply each), whatever `quantity` says.
COUNTED_BY_COMMENTS = frozenset({"Custom Comments", "Comment Replies"})


class _Rejected(Exception):
    """An order the panel refuses; the message is the panel's own error text."""


@dataclass(slots=True)
class FakeOrder:
    id: int
    key: str
    service: int
    link: str
    quantity: int
    charge: Decimal
    status: str = "Pending"
    remains: int = 0
    start_count: int = 0
    params: dict[str, Any] = field(default_factory=dict)
    runs: int | None = None
    interval: int | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def total(self) -> int:
        """Units the order delivers over all drip-feed runs."""
        return self.quantity * (self.runs or 1)


@dataclass(slots=True)
class FakeRefill:
    id: int
    key: str
    order_id: int
    status: str = "pending"


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as received; `params` keeps the key so tests can tell accounts apart."""

    method: str
    path: str
    action: str | None
    params: dict[str, Any]
    at: float


@dataclass(slots=True)
class _Account:
    balance: Decimal
    currency: str


@dataclass(slots=True)
class _FaultSlot:
    fault: Fault
    action: str | None
    remaining: int | None


@dataclass(slots=True)
class _Draft:
    """A validated order not yet placed: add_bulk prices the whole batch before placing any."""

    service: int
    link: str
    quantity: int
    charge: Decimal
    params: dict[str, Any]
    runs: int | None
    interval: int | None


def money(amount: Decimal, places: int) -> str:
    """Exact decimal text with at least `places` decimals; never rounds money away."""
    text = format(amount.normalize(), "f")
    decimals = len(text.partition(".")[2])
    if decimals < places:
        text = format(amount.quantize(Decimal(1).scaleb(-places)), "f")
    return text


def _six(amount: Decimal) -> str:
    return format(amount.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP), "f")


def _to_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _id_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def _lines(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value if str(v).strip()]
    return [line for line in str(value).splitlines() if line.strip()]


class FakePanel:
    """In-process panel server; see the module docstring and tests/fakes/test_fake_panel.py."""

    def __init__(
        self,
        services: list[dict[str, Any]] | None = None,
        *,
        currency: str = "USD",
        first_order_id: int = FIRST_ORDER_ID,
        first_refill_id: int = FIRST_REFILL_ID,
    ) -> None:
        self.currency = currency
        self.orders: dict[int, FakeOrder] = {}
        self.refills: dict[int, FakeRefill] = {}
        self.requests: list[RecordedRequest] = []
        self.supports_add_bulk = True
        # Services whose `add` refuses drip-feed though their `services` entry says nothing
        # about it (no `dripfeed` field), as panels that list no flag may do.
        self.refuse_dripfeed: set[int] = set()
        self.latency = 0.0
        # How long `stop` lets aiohttp wait for handlers before it cancels them: a test sets it
        # far above its own wait to show that stopping wakes the delayed handlers itself.
        self.shutdown_seconds = 0.5
        # Action → a body sent verbatim (200, application/json) to every key: what a panel
        # sends that no well-formed answer can (`{"balance": 1e308}`, `NaN`).
        self.raw_answers: dict[str, str] = {}
        self._accounts: dict[str, _Account] = {}
        self._services_raw: list[dict[str, Any]] = []
        self._services: dict[int, CatalogService] = {}
        self.set_services(default_services() if services is None else services)
        # Several fakes in one test hand out different order ids, as real panels do.
        self._next_order = first_order_id
        self._next_refill = first_refill_id
        self._faults: list[_FaultSlot] = []
        self._waiters: list[tuple[str | None, int, asyncio.Future[None]]] = []
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._host = "127.0.0.1"
        self._stopping: asyncio.Event | None = None

    make_services = staticmethod(make_services)

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        if self._runner is not None:
            raise RuntimeError("fake panel already started")
        self._stopping = asyncio.Event()
        app = web.Application()
        for path in ("/api/v2", "/api/v2/", "/api", "/api/"):
            app.router.add_route("GET", path, self._handle)
            app.router.add_route("POST", path, self._handle)
        # No access log: it would print request URLs, and GET URLs carry the API key.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=self.shutdown_seconds)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        self._host = host
        self._port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        if self._runner is None:
            return
        assert self._stopping is not None
        # Wakes every delayed handler, which then drops its connection instead of answering.
        self._stopping.set()
        runner, self._runner = self._runner, None
        await runner.cleanup()
        self._port = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        if self._port is None:
            raise RuntimeError("fake panel is not running")
        return f"http://{self._host}:{self._port}/api/v2"

    # -- accounts and catalog ----------------------------------------------------------------

    def add_key(
        self, key: str, balance: Decimal | str = "100", currency: str | None = None
    ) -> None:
        self._accounts[key] = _Account(Decimal(balance), currency or self.currency)

    def balance_of(self, key: str) -> Decimal:
        return self._accounts[key].balance

    def set_balance(self, key: str, amount: Decimal | str) -> None:
        self._accounts[key].balance = Decimal(amount)

    def set_services(self, services: list[dict[str, Any]]) -> None:
        parsed = {s.id: s for s in map(parse_service, services)}
        self._services_raw = [dict(s) for s in services]
        self._services = parsed

    def change_service(self, service_id: int, **fields: Any) -> None:
        """A price or limit change on the panel's side (the price watch's tests): `rate="14.00"`,
        `min=50`; the other services stay as they are."""
        services = [
            {**raw, **fields} if _to_int(raw.get("service")) == service_id else raw
            for raw in self._services_raw
        ]
        if services == self._services_raw:
            raise KeyError(f"the fake panel lists no service {service_id}")
        self.set_services(services)

    def drop_service(self, service_id: int) -> dict[str, Any]:
        """Stop listing a service (returned, for `set_services` to bring it back)."""
        gone = next(r for r in self._services_raw if _to_int(r.get("service")) == service_id)
        self.set_services([r for r in self._services_raw if r is not gone])
        return gone

    def restore_service(self, raw: dict[str, Any]) -> None:
        self.set_services([*self._services_raw, raw])

    # -- direct manipulation -----------------------------------------------------------------

    def create_order(
        self, key: str, service: int, link: str, quantity: int, status: str = "Pending"
    ) -> int:
        """Place an order as if from the panel's website; the balance is left alone."""
        if key not in self._accounts:
            raise KeyError(f"unknown fake key {key!r}; call add_key first")
        svc = self._services.get(service)
        if svc is None:
            raise ValueError(f"fake panel has no service {service}")
        charge = svc.rate if svc.type == "Package" else svc.rate * quantity / 1000
        draft = _Draft(service, link, quantity, charge, {}, None, None)
        order = self._place(key, draft, pay=False)
        self.set_order(order, status=status)
        if status != "Pending":
            self.orders[order].start_count = self._start_count_for(order)
        if status == "Completed":
            self.orders[order].remains = 0
        return order

    def set_order(
        self,
        order_id: int,
        *,
        status: str | None = None,
        remains: int | None = None,
        start_count: int | None = None,
        charge: Decimal | str | None = None,
    ) -> None:
        order = self.orders[order_id]
        if status is not None:
            order.status = status
        if remains is not None:
            order.remains = remains
        if start_count is not None:
            order.start_count = start_count
        if charge is not None:
            order.charge = Decimal(charge)

    def advance(self, order_id: int | None = None) -> None:
        """One step of life: Pending → In progress → Completed; finished orders stay put."""
        targets = list(self.orders.values()) if order_id is None else [self.orders[order_id]]
        for order in targets:
            if order.status == "Pending":
                order.status = "In progress"
                order.start_count = self._start_count_for(order.id)
            elif order.status in {"In progress", "Processing"}:
                order.status = "Completed"
                order.remains = 0

    def set_refill(self, refill_id: int, status: str) -> None:
        self.refills[refill_id].status = status

    @staticmethod
    def _start_count_for(order_id: int) -> int:
        # Deterministic but not constant, so tests notice a field mix-up.
        return 1000 + (order_id * 37) % 9000

    # -- request log -------------------------------------------------------------------------

    def count(self, action: str | None = None) -> int:
        if action is None:
            return len(self.requests)
        return sum(1 for r in self.requests if r.action == action)

    def bulk_calls(self) -> int:
        """add_bulk requests that carried orders: the bot's probe (an empty list) is not one."""
        return sum(
            1
            for r in self.requests
            if r.action == "add_bulk" and str(r.params.get("orders", "")).strip() != "[]"
        )

    def clear_log(self) -> None:
        self.requests.clear()

    # The agreed test API takes a timeout, so ASYNC109 is silenced on purpose.
    async def wait_for_request(
        self,
        action: str | None,
        count: int = 1,
        timeout: float = WAIT_SECONDS,  # noqa: ASYNC109
    ) -> None:
        """Until `count` requests for `action` (None = any) arrived since the last clear_log.

        A request counts on arrival, before latency, faults and the action itself.
        """
        if self.count(action) >= count:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiter = (action, count, future)
        self._waiters.append(waiter)
        try:
            await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"fake panel saw {self.count(action)} {action or 'any'!r} request(s), "
                f"wanted {count} within {timeout}s"
            ) from None
        finally:
            self._waiters.remove(waiter)

    def _record(self, request: web.Request, action: str | None, params: dict[str, Any]) -> None:
        self.requests.append(
            RecordedRequest(request.method, request.path, action, params, time.monotonic())
        )
        for wanted, count, future in self._waiters:
            if not future.done() and self.count(wanted) >= count:
                future.set_result(None)

    # -- faults ------------------------------------------------------------------------------

    def inject(self, fault: Fault, *, action: str | None = None, times: int | None = 1) -> None:
        """Apply `fault` to the next `times` requests for `action` (None: any; forever)."""
        self._faults.append(_FaultSlot(fault, action, times))

    def clear_faults(self) -> None:
        self._faults.clear()

    def _take_fault(self, action: str | None) -> Fault | None:
        for slot in self._faults:
            if slot.action is None or slot.action == action:
                if slot.remaining is not None:
                    slot.remaining -= 1
                    if slot.remaining <= 0:
                        self._faults.remove(slot)
                return slot.fault
        return None

    async def _sleep(self, seconds: float) -> bool:
        """False when stop() cut the wait short."""
        assert self._stopping is not None
        if self._stopping.is_set():
            return False
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except TimeoutError:
            return True
        return False

    async def _fault_response(
        self, request: web.Request, fault: Fault
    ) -> web.StreamResponse | None:
        """The broken answer for `fault`, or None when the request should be answered normally."""
        if fault.delays:
            return None if await self._sleep(fault.seconds) else _dropped(request)
        if fault.kind == "http_500":
            return web.Response(
                status=500, text="<h1>500 Internal Server Error</h1>", content_type="text/html"
            )
        if fault.kind == "html_200":
            return web.Response(text=HTML_ERROR_PAGE, content_type="text/html")
        if fault.kind == "malformed_json":
            return web.Response(text=MALFORMED_BODY, content_type="application/json")
        if fault.kind == "drop_connection":
            return _dropped(request)
        if fault.kind == "null_200":
            return web.Response(text="null", content_type="application/json")
        return None

    async def _stream_answer(
        self, request: web.Request, fault: Fault, payload: Any
    ) -> web.StreamResponse:
        """`payload` sent slowly (trickle) or padded past any cap (oversized). A client that
        gives up mid-answer just ends the stream."""
        body = self.encode(payload).encode()
        response = web.StreamResponse(status=200)
        response.content_type = "application/json"
        total = len(body) if fault.kind == "trickle" else max(fault.size, len(body))
        if fault.kind == "trickle" or fault.declare_length:
            response.content_length = total
        try:
            await response.prepare(request)
            if fault.kind == "trickle":
                for index in range(len(body)):
                    if index and not await self._sleep(fault.seconds):
                        _dropped(request)  # stop(): cut the answer off mid-way
                        return response
                    await response.write(body[index : index + 1])
            else:
                await response.write(body)
                padding = b" " * OVERSIZED_CHUNK
                remaining = total - len(body)
                while remaining > 0:
                    piece = min(remaining, len(padding))
                    await response.write(padding[:piece])
                    remaining -= piece
            await response.write_eof()
        except ConnectionError:
            pass  # the client hung up: what it does about a half answer is under test
        return response

    # -- HTTP --------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        params = await _read_params(request)
        action = params.get("action")
        action = None if action is None else str(action)
        self._record(request, action, params)
        if action in self.raw_answers:
            return web.Response(text=self.raw_answers[action], content_type="application/json")
        if self.latency > 0 and not await self._sleep(self.latency):
            return _dropped(request)
        # The bot's add_bulk probe (an empty list, issue 20) has its own fault target, so a
        # fault meant for the orders of an add_bulk reaches them.
        probe = action == "add_bulk" and str(params.get("orders", "")).strip() == "[]"
        fault = self._take_fault(PROBE if probe else action)
        if fault is not None and fault.streams_answer:
            return await self._stream_answer(request, fault, self.dispatch(params))
        if fault is not None and not fault.after:
            broken = await self._fault_response(request, fault)
            if broken is not None:
                return broken
        payload = self.dispatch(params)
        if fault is not None and fault.after:
            broken = await self._fault_response(request, fault)
            if broken is not None:
                return broken
        if fault is not None and fault.rewrites_payload:
            payload = rewrite(fault, payload)
        return web.json_response(payload, dumps=self.encode)

    def encode(self, payload: Any) -> str:
        """The answer's JSON text (a classic panel writes its numbers bare, see panel_classic)."""
        return json.dumps(payload)

    def dispatch(self, params: Mapping[str, Any]) -> Any:
        """The JSON answer to one API call; synchronous so each action is atomic."""
        key = params.get("key")
        account = self._accounts.get(str(key)) if key is not None else None
        if account is None:
            return {"error": "Invalid API key"}
        key = str(key)
        action = params.get("action")
        if action == "add_bulk" and not self.supports_add_bulk:
            return {"error": "Incorrect request"}
        handlers: dict[str, Callable[[str, Mapping[str, Any]], Any]] = {
            "services": self._act_services,
            "add": self._act_add,
            "add_bulk": self._act_add_bulk,
            "status": self._act_status,
            "refill": self._act_refill,
            "refill_status": self._act_refill_status,
            "cancel": self._act_cancel,
            "balance": self._act_balance,
        }
        handler = handlers.get(str(action))
        if handler is None:
            return {"error": "Incorrect request"}
        return handler(key, params)

    # -- actions -----------------------------------------------------------------------------

    def _act_services(self, key: str, params: Mapping[str, Any]) -> Any:
        return [dict(s) for s in self._services_raw]

    def _act_balance(self, key: str, params: Mapping[str, Any]) -> Any:
        account = self._accounts[key]
        return {"balance": money(account.balance, 2), "currency": account.currency}

    def _act_add(self, key: str, params: Mapping[str, Any]) -> Any:
        try:
            draft = self._validate(params)
        except _Rejected as exc:
            return {"error": str(exc)}
        available = self._accounts[key].balance
        if draft.charge > available:
            return {"error": _insufficient(draft.charge, available)}
        return {"order": self._place(key, draft)}

    def _act_add_bulk(self, key: str, params: Mapping[str, Any]) -> Any:
        raw = params.get("orders")
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                return {"error": "Incorrect request"}
        if raw == []:
            # An error about the orders: what a panel that knows add_bulk says to an empty list
            # (the bot's probe, issue 20), unlike "Incorrect request" for an unknown action.
            return {"error": "Orders list is empty"}
        if not isinstance(raw, list):
            return {"error": "Incorrect request"}
        if len(raw) > MAX_BATCH:
            return {"error": f"Maximum {MAX_BATCH} orders allowed"}
        outcomes: list[_Draft | str] = []
        for item in raw:
            try:
                if not isinstance(item, dict):
                    raise _Rejected("Service not found")
                outcomes.append(self._validate(item))
            except _Rejected as exc:
                outcomes.append(str(exc))
        required = sum((o.charge for o in outcomes if isinstance(o, _Draft)), Decimal(0))
        available = self._accounts[key].balance
        if required > available:
            return {"error": _insufficient(required, available)}
        answer: dict[str, Any] = {}
        for index, outcome in enumerate(outcomes):
            if isinstance(outcome, _Draft):
                answer[str(index)] = {"order": self._place(key, outcome)}
            else:
                answer[str(index)] = {"error": f"Order {index + 1}: {outcome}"}
        return answer

    def _validate(self, params: Mapping[str, Any]) -> _Draft:
        service_id = _to_int(params.get("service"))
        svc = self._services.get(service_id) if service_id is not None else None
        if svc is None or service_id is None:
            raise _Rejected("Service not found")
        extra = {k: v for k, v in params.items() if k not in _CORE_PARAMS}
        link = str(params.get("link") or "").strip()
        if svc.needs_link and not link:
            raise _Rejected("Link is required")
        if svc.type == "Package":
            return _Draft(service_id, link, 1, svc.rate, extra, None, None)
        if svc.type == "Subscriptions":
            return self._validate_subscription(svc, link, extra)
        if svc.type == "Comment Replies" and not str(extra.get("username") or "").strip():
            # The standard API: the replies go under `username`'s comment on the post.
            raise _Rejected("Username is required")
        if svc.type in COUNTED_BY_COMMENTS:
            quantity = len(_lines(params.get("comments", "")))
        else:
            quantity = _to_int(params.get("quantity")) or 0
        if quantity < svc.min:
            raise _Rejected(f"Quantity must be at least {svc.min}")
        if quantity > svc.max:
            raise _Rejected(f"Quantity must be at most {svc.max}")
        runs = interval = None
        if params.get("runs") not in (None, ""):
            runs = _to_int(params.get("runs"))
            if runs is None or runs < 1:
                raise _Rejected("Runs must be at least 1")
            if svc.dripfeed is False or svc.id in self.refuse_dripfeed:
                raise _Rejected("Drip-feed is not available for this service")
            # Minutes between runs; the spec marks it optional, so it is only stored.
            interval = _to_int(params.get("interval"))
        charge = svc.rate * quantity * (runs or 1) / 1000
        return _Draft(service_id, link, quantity, charge, extra, runs, interval)

    def _validate_subscription(
        self, svc: CatalogService, link: str, extra: dict[str, Any]
    ) -> _Draft:
        if not str(extra.get("username") or "").strip():
            raise _Rejected("Username is required")
        low = _to_int(extra.get("min")) or 0
        high = _to_int(extra.get("max")) or 0
        if low < svc.min:
            raise _Rejected(f"Quantity must be at least {svc.min}")
        if high > svc.max:
            raise _Rejected(f"Quantity must be at most {svc.max}")
        if high < low:
            raise _Rejected("Max must be greater than or equal to min")
        posts = _to_int(extra.get("posts")) or 1
        # Reserve the worst case: `max` units on each of `posts` future posts.
        charge = svc.rate * high * posts / 1000
        return _Draft(svc.id, link, high, charge, extra, None, None)

    def _place(self, key: str, draft: _Draft, *, pay: bool = True) -> int:
        order_id = self._next_order
        self._next_order += 1
        if pay:
            self._accounts[key].balance -= draft.charge
        order = FakeOrder(
            id=order_id,
            key=key,
            service=draft.service,
            link=draft.link,
            quantity=draft.quantity,
            charge=draft.charge,
            params=draft.params,
            runs=draft.runs,
            interval=draft.interval,
        )
        order.remains = order.total
        self.orders[order_id] = order
        return order_id

    def _own_order(self, key: str, raw_id: str) -> FakeOrder | None:
        order_id = _to_int(raw_id)
        order = self.orders.get(order_id) if order_id is not None else None
        return order if order is not None and order.key == key else None

    def _status_of(self, order: FakeOrder) -> dict[str, Any]:
        return {
            "charge": money(order.charge, 5),
            "start_count": str(order.start_count),
            "status": order.status,
            "remains": str(order.remains),
            "currency": self._accounts[order.key].currency,
        }

    def _act_status(self, key: str, params: Mapping[str, Any]) -> Any:
        if params.get("orders") not in (None, ""):
            ids = _id_list(params["orders"])
            if len(ids) > MAX_BATCH:
                return {"error": f"Maximum {MAX_BATCH} orders allowed"}
            answer: dict[str, Any] = {}
            for raw_id in ids:
                order = self._own_order(key, raw_id)
                answer[raw_id] = (
                    self._status_of(order) if order else {"error": "Incorrect order ID"}
                )
            return answer
        order = self._own_order(key, str(params.get("order", "")))
        return self._status_of(order) if order else {"error": "Incorrect order ID"}

    def _refill_one(self, key: str, raw_id: str) -> dict[str, Any]:
        order = self._own_order(key, raw_id)
        svc = self._services.get(order.service) if order else None
        if order is None or svc is None or not svc.refill:
            return {"refill": None, "status": "rejected"}
        if order.status not in REFILLABLE_STATUSES:
            return {"refill": None, "status": "rejected"}
        if any(
            r.order_id == order.id and r.status not in _FINAL_REFILL for r in self.refills.values()
        ):
            # Real panels take one refill per order at a time and reject the next one.
            return {"refill": None, "status": "rejected"}
        refill_id = self._next_refill
        self._next_refill += 1
        self.refills[refill_id] = FakeRefill(refill_id, key, order.id)
        # "completed" here means "created"; refill_status reports the real progress.
        return {"refill": str(refill_id), "status": "completed"}

    def _act_refill(self, key: str, params: Mapping[str, Any]) -> Any:
        if params.get("orders") not in (None, ""):
            return [self._refill_one(key, raw_id) for raw_id in _id_list(params["orders"])]
        return self._refill_one(key, str(params.get("order", "")))

    def _refill_state(self, key: str, raw_id: str) -> dict[str, Any]:
        refill_id = _to_int(raw_id)
        if refill_id is None:
            return {"refill": raw_id, "error": "Invalid refill ID"}
        refill = self.refills.get(refill_id)
        if refill is None or refill.key != key:
            return {"refill": raw_id, "error": "Refill not found"}
        return {"refill": str(refill.id), "status": refill.status}

    def _act_refill_status(self, key: str, params: Mapping[str, Any]) -> Any:
        if params.get("refills") not in (None, ""):
            return [self._refill_state(key, raw_id) for raw_id in _id_list(params["refills"])]
        answer = self._refill_state(key, str(params.get("refill", "")).strip())
        if "error" in answer:
            return {"error": answer["error"]}
        return answer

    def _cancel_one(self, key: str, raw_id: str) -> dict[str, Any]:
        as_int = _to_int(raw_id)
        order_ref: int | str = raw_id if as_int is None else as_int
        order = self._own_order(key, raw_id)
        if order is None:
            return {"order": order_ref, "cancel": {"error": "Incorrect order ID"}}
        svc = self._services.get(order.service)
        if svc is None or not svc.cancel or order.status not in ACTIVE_STATUSES:
            return {"order": order_ref, "cancel": {"error": "Order cannot be canceled"}}
        total = order.total or 1
        refund = order.charge * min(order.remains, total) / total
        self._accounts[key].balance += refund
        order.charge -= refund
        order.status = "Canceled"
        return {"order": order_ref, "cancel": 1}

    def _act_cancel(self, key: str, params: Mapping[str, Any]) -> Any:
        raw = params.get("orders")
        if raw in (None, ""):
            raw = params.get("order")
        if raw in (None, ""):
            return {"error": "Incorrect request"}
        return [self._cancel_one(key, raw_id) for raw_id in _id_list(raw)]


def _insufficient(required: Decimal, available: Decimal) -> str:
    return f"Insufficient balance. Required: {_six(required)}, Available: {_six(available)}"


def _dropped(request: web.Request) -> web.StreamResponse:
    """Close the socket with no response bytes; aiohttp then skips writing what we return."""
    transport = request.transport
    if transport is not None:
        transport.abort()
    return web.Response(status=499)


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Query string merged with the body (form, multipart or JSON), like PHP's $_REQUEST."""
    params: dict[str, Any] = dict(request.query)
    if request.method != "POST" or not request.body_exists:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            return params
        if isinstance(body, dict):
            params.update({str(k): v for k, v in body.items()})
        return params
    form = await request.post()
    for name, value in form.items():
        # Multipart file parts arrive as FileField; panels read them as plain text.
        if isinstance(value, str):
            params[name] = value
        elif isinstance(value, bytes | bytearray):
            params[name] = bytes(value).decode()
        else:
            params[name] = value.file.read().decode()
    return params


# -- command line ------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fakes.panel", description="Run the fake SMM panel."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    parser.add_argument("--key", default=DEMO_KEY, help="API key to accept")
    parser.add_argument("--balance", default="1000.00")
    parser.add_argument("--currency", default="USD")
    parser.add_argument("--services", type=int, default=0, help="generate N services")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per request")
    return parser.parse_args(argv)


async def serve(
    args: argparse.Namespace,
    *,
    stop: asyncio.Event | None = None,
    on_ready: Callable[[FakePanel], None] | None = None,
    out: TextIO | None = None,
) -> None:
    """Run a panel for `args` until `stop` is set (forever when None, i.e. until Ctrl-C)."""
    out = out or sys.stdout
    services = make_services(args.services) if args.services > 0 else None
    panel = FakePanel(services, currency=args.currency)
    panel.latency = args.latency
    panel.add_key(args.key, args.balance)
    async with panel:
        print(f"Fake panel listening on {panel.url} (also /api)", file=out)
        print(f"Demo API key: {args.key}  balance: {args.balance} {args.currency}", file=out)
        print(
            f'Try: curl "{panel.url}?key={args.key}&action=balance"  (Ctrl-C to stop)',
            file=out,
            flush=True,
        )
        if on_ready is not None:
            on_ready(panel)
        await (stop or asyncio.Event()).wait()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
