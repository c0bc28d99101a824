"""Following orders after they are placed: status, history, refills, cancels, export.

Every panel call uses the asking user's own key, so another account's order ids simply come
back as "not found". With several panels an order goes to the panel it was placed on (its
`panel_slot`); an id the bot never stored (an order placed on the panel's website) is looked up
on the user's default panel; only orders stored for this user get their fresh status saved.

Refill and cancel eligibility is decided here before any write reaches the panel: the stored
status (kept fresh by the poller and the card's Refresh button) and the service's refill/cancel
flags from the user's catalog. When the bot cannot know a flag (an order placed outside the bot,
or a service no longer in the catalog) the panel, which enforces the flags itself, decides.
"""

from __future__ import annotations

import contextlib
import math
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TypeVar

from bot.panel.capabilities import Feature
from bot.panel.client import PanelClient
from bot.panel.errors import (
    ActionUnsupported,
    InvalidApiKey,
    OutcomeUnknown,
    PanelError,
    PanelRejected,
)
from bot.panel.models import (
    TERMINAL_STATUSES,
    CancelResult,
    OrderStatus,
    RefillResult,
    RefillState,
    RefillStatus,
    Status,
)
from bot.services.accounts import NoKey, PanelAccounts
from bot.services.catalog import CatalogService
from bot.storage.models import Order, OrderFilter, Refill, StatusUpdate, SubmitState
from bot.storage.orders import OrdersRepo
from bot.storage.refills import FINAL_REFILL_STATES, RefillsRepo, is_pending

Clock = Callable[[], float]

HISTORY_PAGE_SIZE = 8
# Postgres-style bigint bound: anything longer is a typo, not an order id.
_MAX_ID = 2**63 - 1
_ID_SEPARATORS = re.compile(r"[\s,;]+")
REFILLABLE = frozenset({Status.COMPLETED.value, Status.PARTIAL.value})
_TERMINAL = frozenset(s.value for s in TERMINAL_STATUSES)


class SeveralPanels(Exception):
    """Typed ids that name the user's stored orders (or refills) on more than one of their
    panels: which panel is meant must be asked before anything is sent to any of them."""

    def __init__(self, slots: Mapping[int, Sequence[int]]) -> None:
        super().__init__("ids on several panels")
        # Each ambiguous id, in input order, with the panel accounts that hold it (ascending).
        self.slots: dict[int, list[int]] = {pid: list(s) for pid, s in slots.items()}


# Typed ids pinned to one panel account each (the user's answer to `SeveralPanels`).
Pinned = Mapping[int, int]


class OrderAction(StrEnum):
    """What /refill, /cancelorder and the order card's buttons ask the panel for."""

    REFILL = "refill"
    CANCEL = "cancel"


def status_allows(action: OrderAction, status: str | None) -> bool:
    """The status rule: a refill once the order is Completed or Partial, a cancel until it
    is final. No status yet counts as Pending."""
    status = status or Status.PENDING.value
    if action is OrderAction.REFILL:
        return status in REFILLABLE
    return status not in _TERMINAL


@dataclass(frozen=True, slots=True)
class ParsedIds:
    ids: list[int]
    invalid: list[str]


def parse_ids(text: str) -> ParsedIds:
    """Order ids separated by spaces or commas; duplicates dropped, bad tokens collected."""
    ids: list[int] = []
    invalid: list[str] = []
    seen: set[int] = set()
    for token in _ID_SEPARATORS.split(text.strip()):
        if not token:
            continue
        clean = token.lstrip("#")
        if clean.isascii() and clean.isdigit() and 0 < int(clean) <= _MAX_ID:
            value = int(clean)
            if value not in seen:
                seen.add(value)
                ids.append(value)
        else:
            invalid.append(token)
    return ParsedIds(ids, invalid)


@dataclass(frozen=True, slots=True)
class StatusLine:
    """One looked-up order: `status` None means the panel does not know it (for this key).

    `order` is the user's stored order with that panel id: freshly saved when the panel knew
    it, as last stored when it did not (an order of the account of an earlier key)."""

    panel_id: int
    status: OrderStatus | None
    order: Order | None = None
    slot: int | None = None  # the panel account asked (None: no panel could be asked)

    @property
    def not_found(self) -> bool:
        return self.status is None

    @property
    def not_on_key(self) -> bool:
        """The user has this order stored, but the panel does not know it for the key now
        linked (another account's key): the stored status is not current."""
        return self.status is None and self.order is not None


@dataclass(frozen=True, slots=True)
class OpenOrders:
    """/status alone, one group per kind so that a title's count matches what it lists."""

    orders: list[Order]  # still open, as stored after this refresh
    # True when the panel did not answer and the stored statuses are shown instead.
    stale: bool
    # Open when the refresh began, final now (their fresh status is stored).
    finished: list[Order] = field(default_factory=list)
    # The panel answered an error for these ids under the key linked now (an order of another
    # account's key): kept as stored, neither dropped nor shown as if current.
    not_on_key: list[Order] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class HistoryPage:
    orders: list[Order]
    filter: OrderFilter
    page: int
    pages: int
    total: int


@dataclass(frozen=True, slots=True)
class FoundOrders:
    """/orders <query>: the newest matches (as many as a page shows) and how many match."""

    query: str
    orders: list[Order]
    total: int


@dataclass(frozen=True, slots=True)
class Capabilities:
    """Service flags; None when the bot cannot tell (service unknown, catalog unreachable, or
    the panel's catalog does not state it: `listed`). `panel_lacks`: what the order's panel was
    learned not to take through its API at all (bot/panel/capabilities.py)."""

    refill: bool | None
    cancel: bool | None
    listed: bool = False  # the service is in the panel's catalog
    panel_lacks: frozenset[OrderAction] = frozenset()

    def allows(self, action: OrderAction) -> bool | None:
        if action in self.panel_lacks:
            return False
        return self.refill if action is OrderAction.REFILL else self.cancel

    def offers(self, action: OrderAction) -> bool:
        """For the card's buttons: stated, or not stated by a catalog that lists the service
        (the panel's answer then decides, once: after a refusal it lacks the action)."""
        allowed = self.allows(action)
        return allowed is True or (allowed is None and self.listed)


@dataclass(frozen=True, slots=True)
class CardActions:
    """The buttons an order card offers, and the order's refills (oldest first) it shows."""

    refill: bool
    cancel: bool
    refills: tuple[Refill, ...] = ()

    @property
    def pending_refill(self) -> Refill | None:
        """The newest refill the panel has not finished: while there is one, no Refill."""
        return pending_refill(self.refills)


def pending_refill(refills: Sequence[Refill]) -> Refill | None:
    """The newest still-pending refill of `refills` (oldest first), if any."""
    return next((r for r in reversed(refills) if is_pending(r)), None)


class RequestRefusal(StrEnum):
    """Why the bot did not send a refill/cancel for an order."""

    NOT_FOUND = "not_found"
    NOT_SUPPORTED = "not_supported"
    # The order's panel does not take refills (cancels) through its API at all (issue 20).
    PANEL_UNSUPPORTED = "panel_unsupported"
    BAD_STATUS = "bad_status"
    # A refill of this order is still pending: the panel takes one at a time and rejects a
    # second ("rejected"), so the bot does not ask.
    REFILL_PENDING = "refill_pending"


class RequestOutcome(StrEnum):
    REQUESTED = "requested"
    REJECTED = "rejected"  # the panel said no; `error` holds its words
    UNKNOWN = "unknown"  # sent, no trustworthy answer: it may have happened
    NOT_SENT = "not_sent"  # an earlier chunk failed, so this one was never sent
    REFUSED = "refused"  # not eligible; the panel was not asked


@dataclass(frozen=True, slots=True)
class ActionResult:
    panel_id: int
    outcome: RequestOutcome
    refusal: RequestRefusal | None = None
    status: str | None = None  # the status that made the order ineligible
    refill_id: int | None = None  # the new refill, or the pending one (REFILL_PENDING)
    error: str | None = None
    since: float | None = None  # REFILL_PENDING: when the pending refill was requested
    slot: int | None = None  # the panel account of the order


@dataclass(frozen=True, slots=True)
class RefillStatusLine:
    refill_id: int
    status: RefillStatus | None
    error: str | None = None
    slot: int | None = None  # the panel account asked


@dataclass(frozen=True, slots=True)
class OrderRefillsLine:
    """/refillstatus given an order id: that order's refills, oldest first, as fresh as the
    panel answered (pending ones are asked about and saved)."""

    panel_id: int
    refills: list[Refill]
    slot: int | None = None  # the order's panel account


@dataclass(frozen=True, slots=True)
class _Target:
    panel_id: int
    order: Order | None
    status: str


class TrackingService:
    """Status, history, refill and cancel for one user at a time; no Telegram in here."""

    __slots__ = ("_accounts", "_catalog", "_clock", "_orders", "_refills")

    def __init__(
        self,
        orders: OrdersRepo,
        refills: RefillsRepo,
        accounts: PanelAccounts,
        catalog: CatalogService,
        *,
        clock: Clock = time.time,
    ) -> None:
        self._orders = orders
        self._refills = refills
        self._accounts = accounts
        self._catalog = catalog
        self._clock = clock

    # --- reads of stored orders -------------------------------------------------------------

    async def order(self, user_id: int, order_id: int) -> Order | None:
        """The local order only if it belongs to `user_id`: callback data can be forged."""
        order = await self._orders.get(order_id)
        if order is None or order.user_id != user_id or order.submit_state is SubmitState.DRAFT:
            return None
        return order

    async def orders_by_panel_id(self, user_id: int, panel_id: int) -> list[Order]:
        """The user's stored orders with this panel id, one per panel account that has it
        (panels number orders themselves, so two may): lowest slot first."""
        return await self._orders.by_panel_ids(user_id, [panel_id])

    async def history(
        self,
        user_id: int,
        filter: OrderFilter,
        page: int,
        size: int = HISTORY_PAGE_SIZE,
        *,
        panel_slot: int | None = None,
    ) -> HistoryPage:
        """A page of /orders; only one panel account's orders with `panel_slot`."""
        total = await self._orders.count_for_user(user_id, filter=filter, panel_slot=panel_slot)
        pages = max(1, math.ceil(total / size))
        page = min(max(page, 0), pages - 1)
        orders = await self._orders.list_for_user(
            user_id, filter=filter, offset=page * size, limit=size, panel_slot=panel_slot
        )
        return HistoryPage(orders, filter, page, pages, total)

    async def search(self, user_id: int, query: str, limit: int = HISTORY_PAGE_SIZE) -> FoundOrders:
        """/orders <query>: the newest `limit` orders with that panel id or a link holding it."""
        orders, total = await self._orders.search_for_user(user_id, query, limit=limit)
        return FoundOrders(query.strip(), orders, total)

    async def capabilities(self, user_id: int, order: Order) -> Capabilities:
        """The order's service flags from the (cached) catalog of the order's panel."""
        try:
            catalog = await self._catalog.get(user_id, slot=order.panel_slot)
        except NoKey:
            return Capabilities(None, None)
        except PanelError:
            return Capabilities(None, None)
        service = catalog.get(order.service_id)
        if service is None:
            return Capabilities(None, None)
        lacks = await self._panel_lacks(user_id, order.panel_slot)
        return Capabilities(service.refill, service.cancel, listed=True, panel_lacks=lacks)

    async def _panel_lacks(self, user_id: int, slot: int) -> frozenset[OrderAction]:
        client = await self._linked_client(user_id, slot)
        if client is None:
            return frozenset()
        learned = await client.capabilities()
        features = {OrderAction.REFILL: Feature.REFILL, OrderAction.CANCEL: Feature.CANCEL}
        return frozenset(a for a, f in features.items() if learned.lacks(f))

    async def card_actions(self, user_id: int, order: Order) -> CardActions:
        """Refill and Cancel on the order card: shown only when the service is known to allow
        them (stricter than the commands, which let the panel decide when the bot cannot tell),
        the panel took the order, and its stored status permits it."""
        caps = await self.capabilities(user_id, order)
        placed = order.submit_state is SubmitState.PLACED and order.panel_order_id is not None
        refills = tuple(await self.order_refills(user_id, order))

        def offered(action: OrderAction) -> bool:
            return caps.offers(action) and placed and status_allows(action, order.status)

        # One refill at a time: while one is pending the panel rejects another.
        refill = offered(OrderAction.REFILL) and pending_refill(refills) is None
        return CardActions(refill, offered(OrderAction.CANCEL), refills)

    async def order_refills(self, user_id: int, order: Order) -> list[Refill]:
        """The refills requested for the order (accepted or rejected), oldest first."""
        if order.panel_order_id is None:
            return []
        return await self._refills.for_order(user_id, order.panel_order_id, order.panel_slot)

    # --- status -----------------------------------------------------------------------------

    async def panels_of(self, user_id: int, panel_ids: Sequence[int]) -> dict[int, list[int]]:
        """The panel accounts on which each typed id is one of the user's stored orders."""
        slots: dict[int, list[int]] = {}
        for order in await self._orders.by_panel_ids(user_id, panel_ids):
            if order.panel_order_id is not None:
                held = slots.setdefault(order.panel_order_id, [])
                if order.panel_slot not in held:
                    held.append(order.panel_slot)
        return {pid: sorted(held) for pid, held in slots.items()}

    async def route(
        self, user_id: int, panel_ids: Sequence[int], pinned: Pinned | None = None
    ) -> dict[int, list[int]]:
        """Typed panel ids grouped by the panel account to ask (input order kept within a
        group): a stored order's own panel, else the default one. Raises NoKey, and
        SeveralPanels (before any panel is asked) for ids stored on several panels that
        `pinned` does not settle."""
        default = await self._accounts.account(user_id)
        if default is None:
            raise NoKey
        held = await self.panels_of(user_id, panel_ids)
        slot_of = settle_panels(_unique(panel_ids), held, pinned or {})
        groups: dict[int, list[int]] = {}
        for pid in _unique(panel_ids):
            groups.setdefault(slot_of.get(pid, default.slot), []).append(pid)
        return groups

    async def statuses(
        self,
        user_id: int,
        panel_ids: Sequence[int],
        *,
        slot: int | None = None,
        pinned: Pinned | None = None,
    ) -> list[StatusLine]:
        """Fresh statuses in input order (the client chunks by 100), each id asked of its
        own panel (of `slot` when given); raises NoKey/PanelError/SeveralPanels."""
        groups = (
            {slot: list(panel_ids)}
            if slot is not None
            else await self.route(user_id, panel_ids, pinned)
        )
        answers: dict[int, OrderStatus | PanelRejected] = {}
        saved: dict[int, Order] = {}
        slot_of: dict[int, int] = {}
        for group_slot, ids in groups.items():
            client = await self._linked_client(user_id, group_slot)
            if client is None:
                continue  # a removed panel: asked of no other panel, its ids are "not found"
            slot_of.update(dict.fromkeys(ids, group_slot))
            group_answers = await client.statuses(ids)
            answers.update(group_answers)
            saved.update(await self._save(user_id, group_answers, group_slot))
        lines: list[StatusLine] = []
        for pid in panel_ids:
            status = _status_or_none(answers.get(pid))
            order = saved.get(pid)
            if status is None and pid in slot_of:
                # Unknown to the panel under this key: the user's stored order (placed with
                # an earlier key), so it is shown as "not on this key", not as "not found".
                order = await self._orders.get_by_panel_id(user_id, pid, slot_of[pid])
            lines.append(StatusLine(pid, status, order, slot_of.get(pid)))
        return lines

    async def open_orders(self, user_id: int) -> OpenOrders:
        """The user's open orders, refreshed with one multi-status call per panel when the
        panels answer."""
        orders = await self._all(user_id, OrderFilter.OPEN)
        by_slot: dict[int, list[int]] = {}
        for o in orders:
            if o.panel_order_id is not None:
                by_slot.setdefault(o.panel_slot, []).append(o.panel_order_id)
        if not by_slot:
            return OpenOrders(orders, stale=False)
        fresh: dict[tuple[int, int], Order] = {}
        rejected: set[tuple[int, int]] = set()
        stale = False
        for slot, panel_ids in by_slot.items():
            try:
                client = await self._accounts.client(user_id, slot)
                answers = await client.statuses(panel_ids)
            except NoKey:
                if slot == (await self._default_slot(user_id)):
                    raise
                stale = True  # a removed panel: its stored statuses are all there is
                continue
            except InvalidApiKey:
                raise
            except PanelError:
                stale = True
                continue
            for pid, answer in answers.items():
                if isinstance(answer, PanelRejected):
                    # Unknown to the panel under this key (an order of an earlier key).
                    rejected.add((slot, pid))
            for pid, order in (await self._save(user_id, answers, slot)).items():
                fresh[(slot, pid)] = order
        still_open: list[Order] = []
        finished: list[Order] = []
        not_on_key: list[Order] = []
        for order in orders:
            key = (order.panel_slot, order.panel_order_id or 0)
            if key in rejected:
                not_on_key.append(order)
                continue
            current = fresh.get(key, order)
            (finished if current.is_terminal else still_open).append(current)
        return OpenOrders(still_open, stale=stale, finished=finished, not_on_key=not_on_key)

    async def _linked_client(self, user_id: int, slot: int) -> PanelClient | None:
        """The client of panel account `slot`; None when it was removed (its orders are
        never sent to another panel: the same id there is someone else's order). NoKey when
        the user has no panel at all."""
        try:
            return await self._accounts.client(user_id, slot)
        except NoKey:
            if await self._accounts.account(user_id) is None:
                raise
            return None

    @staticmethod
    def _not_found(panel_ids: Sequence[int]) -> dict[int, ActionResult]:
        return {
            pid: ActionResult(pid, RequestOutcome.REFUSED, RequestRefusal.NOT_FOUND)
            for pid in panel_ids
        }

    async def _default_slot(self, user_id: int) -> int | None:
        account = await self._accounts.account(user_id)
        return None if account is None else account.slot

    async def refresh(self, user_id: int, order: Order) -> StatusLine | None:
        """Fresh status of one stored order from its own panel (None when it has no panel id
        to ask about), and of its pending refills (saved; a refill_status failure leaves them
        as stored)."""
        if order.panel_order_id is None:
            return None
        lines = await self.statuses(user_id, [order.panel_order_id], slot=order.panel_slot)
        pending = [r for r in await self.order_refills(user_id, order) if is_pending(r)]
        if pending and not lines[0].not_found:
            with contextlib.suppress(PanelError):
                client = await self._accounts.client(user_id, order.panel_slot)
                fresh = await client.refill_statuses([r.refill_id or 0 for r in pending])
                await self._save_refills(
                    pending, {(order.panel_slot, rid): a for rid, a in fresh.items()}
                )
        return lines[0]

    async def _all(self, user_id: int, filter: OrderFilter) -> list[Order]:
        return await self._orders.list_for_user(user_id, filter=filter, limit=-1)

    async def _save(
        self, user_id: int, answers: dict[int, OrderStatus | PanelRejected], slot: int
    ) -> dict[int, Order]:
        """Store fresh statuses of this user's own orders on panel account `slot`; returns the
        updated rows by panel id."""
        updates: list[StatusUpdate] = []
        for pid, answer in answers.items():
            if not isinstance(answer, OrderStatus):
                continue
            order = await self._orders.get_by_panel_id(user_id, pid, slot)
            if order is not None:
                updates.append(StatusUpdate.from_panel(order.id, answer))
        if not updates:
            return {}
        await self._orders.update_statuses(updates, polled_at=self._clock())
        saved: dict[int, Order] = {}
        for update in updates:
            fresh = await self._orders.get(update.order_id)
            if fresh is not None and fresh.panel_order_id is not None:
                saved[fresh.panel_order_id] = fresh
        return saved

    # --- refills ----------------------------------------------------------------------------

    async def refill(
        self, user_id: int, panel_ids: Sequence[int], pinned: Pinned | None = None
    ) -> list[ActionResult]:
        """Eligibility first, then one refill request (multi form for several ids).

        Every answer of the panel (accepted or rejected) is stored in `refills`. Each id goes
        to its own order's panel (`pinned` settles ids stored on several).
        """
        return await self._fan_out(user_id, panel_ids, pinned, OrderAction.REFILL, self._refill_on)

    async def _refill_on(
        self, user_id: int, client: PanelClient, targets: list[_Target], slot: int
    ) -> dict[int, ActionResult]:
        ids = [t.panel_id for t in targets]

        async def ask(ids: list[int]) -> list[RefillResult]:
            return [await client.refill(ids[0])] if len(ids) == 1 else await client.refills(ids)

        def failed(i: int, reason: str, unknown: bool) -> RefillResult:
            state = RefillState.UNKNOWN if unknown else RefillState.REJECTED
            return RefillResult(i, None, state, "", reason, unknown=unknown)

        answers = await _answers(ask, ids, failed)
        if answers is None:
            return _panel_refuses(ids)
        local_ids = {t.panel_id: t.order.id for t in targets if t.order is not None}
        results: dict[int, ActionResult] = {}
        for answer in answers:
            results[answer.order_id] = await self._store_refill(
                user_id, answer, local_ids.get(answer.order_id), slot
            )
        return results

    async def _store_refill(
        self, user_id: int, answer: RefillResult, local_id: int | None, slot: int
    ) -> ActionResult:
        """The outcome of one refill answer; a requested or rejected one is stored."""
        result = _refill_outcome(answer)
        raw: str | None
        if result.outcome is RequestOutcome.REQUESTED:
            # The panel's "completed" on creation only means "created": the refill
            # itself is pending until refill_status says otherwise.
            state, refill_id, raw = (
                RefillState.PENDING,
                answer.refill_id,
                answer.raw_status_text or None,
            )
        elif result.outcome is RequestOutcome.REJECTED:
            state, refill_id, raw = (
                RefillState.REJECTED,
                None,
                answer.raw_status_text or answer.error,
            )
        else:
            return result
        await self._refills.add(
            user_id,
            answer.order_id,
            refill_id,
            state.value,
            local_id,
            raw_status=raw,
            panel_slot=slot,
        )
        return result

    async def refill_statuses(
        self, user_id: int, ids: Sequence[int], pinned: Pinned | None = None
    ) -> list[RefillStatusLine | OrderRefillsLine]:
        """/refillstatus: each id is a refill id or an order id, in input order.

        On its panel (the one that holds it; `pinned` settles an id held on several, else
        SeveralPanels is raised before any panel is asked) a refill id the user has stored
        is a refill; otherwise an id of one of their stored orders (or of an order they
        requested refills for) is an order, answered with its refills; anything else is
        asked of the default panel as a refill id (refills requested on the panel's website).
        One `refill_status` call per panel covers the refill ids and every pending refill of
        the orders; the fresh states of stored refills are saved.
        """
        default = await self._accounts.account(user_id)
        if default is None:
            raise NoKey
        wanted = _unique(ids)
        slot_of = settle_panels(wanted, await self._refill_holders(user_id, wanted), pinned or {})
        named: list[Refill] = []  # stored refills named by their refill id
        orders: dict[int, list[Refill]] = {}
        for rid, slot in slot_of.items():
            stored = await self._refills.by_refill_id(user_id, rid, slot)
            if stored is not None:
                named.append(stored)
            else:
                orders[rid] = await self._refills.for_order(user_id, rid, slot)
        pending = [r for history in orders.values() for r in history if is_pending(r)]
        # Each refill id is asked of the panel it was requested on (the default panel for ids
        # the bot does not know; none for a removed panel's).
        asked = [(r.panel_slot, r.refill_id or 0) for r in [*named, *pending]]
        asked += [(default.slot, rid) for rid in wanted if rid not in slot_of]
        answers = await self._ask_refills(user_id, asked)
        await self._save_refills([*named, *pending], answers)
        lines: list[RefillStatusLine | OrderRefillsLine] = []
        for rid in wanted:
            slot = slot_of.get(rid, default.slot)
            if rid in orders:
                history = await self._refills.for_order(user_id, rid, slot)
                lines.append(OrderRefillsLine(rid, history, slot))
                continue
            answer = answers.get((slot, rid))
            if isinstance(answer, RefillStatus):
                lines.append(RefillStatusLine(rid, answer, slot=slot))
            else:
                error = answer.message_text if isinstance(answer, PanelRejected) else None
                lines.append(RefillStatusLine(rid, None, error, slot))
        return lines

    async def _refill_holders(self, user_id: int, ids: Sequence[int]) -> dict[int, list[int]]:
        """The panel accounts holding each id as a stored order, refill, or refilled order."""
        held = await self._refills.slots_by_id(user_id, ids)
        for pid, slots in (await self.panels_of(user_id, ids)).items():
            held[pid] = sorted({*held.get(pid, []), *slots})
        return held

    async def _ask_refills(
        self, user_id: int, asked: Sequence[tuple[int, int]]
    ) -> dict[tuple[int, int], RefillStatus | PanelRejected]:
        """`refill_status` of (panel account, refill id) pairs, one call per panel (none for
        a removed panel): answers keyed by the same pairs, as refill ids repeat across panels."""
        groups: dict[int, list[int]] = {}
        for slot, rid in dict.fromkeys(asked):
            groups.setdefault(slot, []).append(rid)
        answers: dict[tuple[int, int], RefillStatus | PanelRejected] = {}
        for slot, group in groups.items():
            client = await self._linked_client(user_id, slot)
            if client is not None:
                for rid, answer in (await client.refill_statuses(group)).items():
                    answers[(slot, rid)] = answer
        return answers

    async def _save_refills(
        self,
        refills: Sequence[Refill],
        answers: Mapping[tuple[int, int], RefillStatus | PanelRejected],
    ) -> None:
        """Store the fresh states the panel gave for `refills` (others stay as stored); the
        answers are keyed by (panel account, refill id).

        A final state the user has now seen counts as told: the poller stops asking about a
        final refill, so no push repeats it."""
        now = self._clock()
        for refill in refills:
            answer = answers.get((refill.panel_slot, refill.refill_id or 0))
            if not isinstance(answer, RefillStatus):
                continue
            state = answer.state.value
            await self._refills.update_status(
                refill.id, state, now, raw_status=answer.raw_status_text
            )
            if state in FINAL_REFILL_STATES:
                await self._refills.set_last_notified(refill.id, state)

    # --- cancels ----------------------------------------------------------------------------

    async def check_cancel(
        self, user_id: int, panel_ids: Sequence[int], pinned: Pinned | None = None
    ) -> list[ActionResult]:
        """Eligibility only (for the confirmation): REQUESTED here means "may be cancelled";
        each result's `slot` is the panel its Yes must cancel on."""

        async def may_cancel(
            user_id: int, client: PanelClient, targets: list[_Target], slot: int
        ) -> dict[int, ActionResult]:
            return {t.panel_id: ActionResult(t.panel_id, RequestOutcome.REQUESTED) for t in targets}

        return await self._fan_out(user_id, panel_ids, pinned, OrderAction.CANCEL, may_cancel)

    async def cancel(
        self, user_id: int, panel_ids: Sequence[int], pinned: Pinned | None = None
    ) -> list[ActionResult]:
        """Eligibility, then one `cancel` call per panel; never retried (a lost answer is
        "unknown"), never sent to another panel than the order's."""
        return await self._fan_out(user_id, panel_ids, pinned, OrderAction.CANCEL, self._cancel_on)

    async def _cancel_on(
        self, user_id: int, client: PanelClient, targets: list[_Target], slot: int
    ) -> dict[int, ActionResult]:
        ids = [t.panel_id for t in targets]

        def failed(i: int, reason: str, unknown: bool) -> CancelResult:
            return CancelResult(i, False, reason, unknown=unknown)

        answers = await _answers(client.cancel, ids, failed)
        if answers is None:
            return _panel_refuses(ids)
        results = {answer.order_id: _cancel_outcome(answer) for answer in answers}
        accepted = [a.order_id for a in answers if a.ok]
        if accepted:
            await self._refresh_quietly(user_id, client, accepted, slot)
        return results

    async def _fan_out(
        self,
        user_id: int,
        panel_ids: Sequence[int],
        pinned: Pinned | None,
        action: OrderAction,
        act_on: ActOn,
    ) -> list[ActionResult]:
        """Each id on its own order's panel (`pinned` settles ids stored on several): per
        panel account, the eligibility of `action`, then `act_on(user_id, client, targets,
        slot)` with the orders worth sending. The results in the ids' order, each naming its
        panel."""
        results: dict[int, ActionResult] = {}
        for slot, ids in (await self.route(user_id, panel_ids, pinned)).items():
            client = await self._linked_client(user_id, slot)
            if client is None:
                results.update(_on_slot(self._not_found(ids), slot))
                continue
            refused, targets = await self._eligible(user_id, client, ids, action, slot)
            acted = await act_on(user_id, client, targets, slot) if targets else {}
            results.update(_on_slot(refused | acted, slot))
        return [results[pid] for pid in _unique(panel_ids) if pid in results]

    async def _refresh_quietly(
        self, user_id: int, client: PanelClient, ids: list[int], slot: int
    ) -> None:
        # So the card stops offering Cancel at once; the poller would catch up anyway.
        with contextlib.suppress(PanelError):
            await self._save(user_id, await client.statuses(ids), slot)

    # --- eligibility ------------------------------------------------------------------------

    async def _refills_pending(
        self, user_id: int, panel_ids: Sequence[int], slot: int
    ) -> dict[int, ActionResult]:
        """A refusal for each order that already has a refill request the panel has not
        finished."""
        refused: dict[int, ActionResult] = {}
        for pid in panel_ids:
            pending = pending_refill(await self._refills.for_order(user_id, pid, slot))
            if pending is not None:
                refused[pid] = ActionResult(
                    pid,
                    RequestOutcome.REFUSED,
                    RequestRefusal.REFILL_PENDING,
                    refill_id=pending.refill_id,
                    since=pending.created_at,
                )
        return refused

    async def _eligible(
        self,
        user_id: int,
        client: PanelClient,
        panel_ids: Sequence[int],
        action: OrderAction,
        slot: int,
    ) -> tuple[dict[int, ActionResult], list[_Target]]:
        """Refusals by panel id, and the orders worth sending to the panel (of panel account
        `slot`), in input order."""
        ids = _unique(panel_ids)
        stored = {pid: await self._orders.get_by_panel_id(user_id, pid, slot) for pid in ids}
        # Checked first, and not only by hiding the card's button: an old card, a forged tap
        # or /refill must not send what the panel would only reject, nor ask the panel
        # anything for it.
        refused = (
            await self._refills_pending(user_id, ids, slot) if action is OrderAction.REFILL else {}
        )
        outside = [pid for pid in ids if stored[pid] is None and pid not in refused]
        # Orders placed outside the bot: only the panel knows whether they exist and how far
        # along they are (one read, chunked by the client).
        looked_up = await client.statuses(outside) if outside else {}
        candidates: list[_Target] = []
        for pid in ids:
            if pid in refused:
                continue
            order = stored[pid]
            if order is not None:
                status = order.status or Status.PENDING.value
            else:
                answer = looked_up.get(pid)
                if not isinstance(answer, OrderStatus):
                    refused[pid] = ActionResult(
                        pid, RequestOutcome.REFUSED, RequestRefusal.NOT_FOUND
                    )
                    continue
                status = answer.status.value
            if not status_allows(action, status):
                refused[pid] = ActionResult(
                    pid, RequestOutcome.REFUSED, RequestRefusal.BAD_STATUS, status=status
                )
                continue
            candidates.append(_Target(pid, order, status))
        targets: list[_Target] = []
        for target in candidates:
            if target.order is not None:
                caps = await self.capabilities(user_id, target.order)
                if caps.allows(action) is False:
                    why = (
                        RequestRefusal.PANEL_UNSUPPORTED
                        if action in caps.panel_lacks
                        else RequestRefusal.NOT_SUPPORTED
                    )
                    refused[target.panel_id] = ActionResult(
                        target.panel_id, RequestOutcome.REFUSED, why
                    )
                    continue
            targets.append(target)
        return refused, targets

    # --- export -----------------------------------------------------------------------------

    async def export_orders(self, user_id: int) -> list[Order]:
        """The orders /orders lists (placed or unknown), oldest first: what /export writes."""
        return await self._orders.visible_for_user(user_id)


def _unique(ids: Sequence[int]) -> list[int]:
    return list(dict.fromkeys(ids))


def settle_panels(
    ids: Sequence[int], held: Mapping[int, Sequence[int]], pinned: Pinned
) -> dict[int, int]:
    """The panel account of each id that is stored or pinned: the one `pinned` names (among
    those that hold the id, when any does), else the only one that holds it. Raises
    SeveralPanels for the ids still open, before anything is sent."""
    slot_of: dict[int, int] = {}
    open_ids: dict[int, Sequence[int]] = {}
    for pid in ids:
        slots = held.get(pid, ())
        if pid in pinned and (not slots or pinned[pid] in slots):
            # Pins come from the bot's own records (the card's order, the user's answer, the
            # panel a confirmation was asked about), never from button data alone.
            slot_of[pid] = pinned[pid]
        elif len(slots) == 1:
            slot_of[pid] = slots[0]
        elif slots:
            open_ids[pid] = slots
    if open_ids:
        raise SeveralPanels(open_ids)
    return slot_of


Answer = TypeVar("Answer", RefillResult, CancelResult)
# What an action does on one panel account: (user id, its client, the orders worth sending,
# slot) -> results by panel id.
ActOn = Callable[[int, PanelClient, list["_Target"], int], Awaitable[dict[int, ActionResult]]]


async def _answers(
    ask: Callable[[list[int]], Awaitable[list[Answer]]],
    ids: list[int],
    failed: Callable[[int, str, bool], Answer],
) -> list[Answer] | None:
    """The panel's answer for each id; after a lost answer or a refusal of the whole call,
    `failed(id, reason, unknown)` for each (never asked again: the action is not idempotent).
    None: the panel does not offer the action."""
    try:
        return await ask(ids)
    except OutcomeUnknown as exc:
        return [failed(i, str(exc), True) for i in ids]
    except ActionUnsupported:
        return None
    except InvalidApiKey:
        raise
    except PanelRejected as exc:
        return [failed(i, exc.message_text, False) for i in ids]


def _on_slot(results: Mapping[int, ActionResult], slot: int) -> dict[int, ActionResult]:
    return {pid: replace(result, slot=slot) for pid, result in results.items()}


def _status_or_none(answer: OrderStatus | PanelRejected | None) -> OrderStatus | None:
    # Per-order errors on a status lookup all mean the same to the user: the panel does not
    # know this id for their key ("Incorrect order ID", or someone else's order).
    return answer if isinstance(answer, OrderStatus) else None


def _panel_refuses(ids: Sequence[int]) -> dict[int, ActionResult]:
    """The panel does not take the action through its API (answered null or "unknown
    action", or was learned to): nothing happened, and nothing is stored."""
    return {
        i: ActionResult(i, RequestOutcome.REFUSED, RequestRefusal.PANEL_UNSUPPORTED) for i in ids
    }


def _chunk_failure(answer: RefillResult | CancelResult) -> ActionResult | None:
    """The outcome of an item whose chunk of a multi call failed as a whole, else None."""
    if answer.not_sent:
        return ActionResult(answer.order_id, RequestOutcome.NOT_SENT, error=answer.error)
    if answer.unknown:
        return ActionResult(answer.order_id, RequestOutcome.UNKNOWN, error=answer.error)
    return None


def _refill_outcome(answer: RefillResult) -> ActionResult:
    pid = answer.order_id
    if (failure := _chunk_failure(answer)) is not None:
        return failure
    if answer.ok:
        return ActionResult(pid, RequestOutcome.REQUESTED, refill_id=answer.refill_id)
    if answer.state is RefillState.UNKNOWN and answer.refill_id is None:
        # No readable answer for this order: a refill may exist.
        return ActionResult(pid, RequestOutcome.UNKNOWN, error=answer.error)
    return ActionResult(
        pid, RequestOutcome.REJECTED, error=answer.error or answer.raw_status_text or None
    )


def _cancel_outcome(answer: CancelResult) -> ActionResult:
    pid = answer.order_id
    if (failure := _chunk_failure(answer)) is not None:
        return failure
    if answer.ok:
        return ActionResult(pid, RequestOutcome.REQUESTED)
    return ActionResult(pid, RequestOutcome.REJECTED, error=answer.error)
