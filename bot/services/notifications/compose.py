"""What a notification says: the composed message (`Notification`), the wording it is written in
(`NotificationWording`: bot/views/notifications.py, handed in by bot/jobs.py, since services sit
below views), and `Composer`, which reads the rows an outbox item names and composes it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from bot.i18n import Translator
from bot.panel.models import Status
from bot.panel.text import PanelText
from bot.storage import Order, OutboxItem, OutboxKind, Storage
from bot.storage.models import Refill
from bot.storage.pricewatch import ChangeKind, PriceChange
from bot.storage.schedules import Schedule

# Pushes the poller queues: held back during the user's quiet hours (and then sent as one
# digest), never about a muted order. The others answer the user or explain a stop: never held.
PUSHES = frozenset(
    {
        OutboxKind.ORDER_STATUS,
        OutboxKind.ORDER_STARTED,
        OutboxKind.REFILL_STATUS,
        OutboxKind.ORDER_DIGEST,
        OutboxKind.PRICE_CHANGES,
    }
)
# The pushes about orders: what quiet hours merge into one digest (a price digest held by
# quiet hours is sent as it is afterwards).
ORDER_PUSHES = PUSHES - {OutboxKind.PRICE_CHANGES}
STARTED = "started"  # a digest entry's status for "the order has started"
# A push about an order reaching one of these offers 🔁 Reorder (and ♻️ Refill when eligible).
FINISHED_DELIVERED = frozenset({Status.COMPLETED.value, Status.PARTIAL.value})


@dataclass(frozen=True, slots=True)
class Notification:
    """A composed notification; `order_id` (local id) gets the order-card and 🔕 buttons,
    `digest_id` (the digest's outbox item) the button listing its orders."""

    text: str
    order_id: int | None = None
    digest_id: int | None = None
    # 🔕 is offered under pushes about an order, not under a delayed result of the user's action.
    mutable: bool = True
    # The order's outcome is unknown: the push offers the buttons that settle it.
    settle: bool = False
    # The order finished: the push offers 🔁 Reorder, and ♻️ Refill when one may be asked now.
    reorder: bool = False
    refill: bool = False
    # A scheduled run held or missed: (schedule id, run) its ✅ Place / ✖️ Skip buttons answer.
    ask: tuple[int, int] | None = None
    # Buttons to services' cards: (panel account slot, service id), the price watch's digest.
    cards: tuple[tuple[int, int], ...] = ()


class NotificationWording(Protocol):
    """The text of each notification (bot/views/notifications.py is one): services sit below
    views, so the wording is handed in rather than imported."""

    def panel_line(self, name: str) -> str: ...
    def low_balance(
        self,
        t: Translator,
        panel: str,
        amount: Decimal,
        currency: PanelText,
        limit: Decimal,
        api_url: str,
    ) -> Notification: ...
    def panel_key_rejected(self, t: Translator) -> Notification: ...
    def key_notice(self, t: Translator, *, unreadable: bool) -> Notification: ...
    def order_started(self, t: Translator, order: Order) -> Notification: ...
    def order_status(self, t: Translator, order: Order, status: str) -> Notification: ...
    def order_unknown(self, t: Translator, order: Order, count: object = None) -> Notification: ...
    def refill_status(
        self, t: Translator, refill: Refill, status: object = None
    ) -> Notification: ...
    def scheduled(
        self, t: Translator, schedule: Schedule, payload: Mapping[str, Any], order: Order | None
    ) -> Notification: ...
    def digest(
        self,
        t: Translator,
        orders: list[tuple[Order, str]],
        refills: list[tuple[Refill, str]],
        digest_id: int,
        panels: Mapping[int, str] | None = None,
    ) -> Notification: ...
    def price_digest(
        self, t: Translator, panel: str, slot: int, changes: Sequence[PriceChange]
    ) -> Notification: ...


# Whether the user's order may be refilled now, as its card would offer (user id, order).
RefillOffered = Callable[[int, Order], Awaitable[bool]]


class CannotCompose(Exception):
    """The item can never be rendered (its order is gone, unknown kind)."""


class AllMuted(CannotCompose):
    """Every order the item is about is muted: nothing to say (not a warning)."""


class Composer:
    """Composes an outbox item from the rows it names, in the wording handed in."""

    def __init__(
        self,
        storage: Storage,
        wording: NotificationWording,
        refill_offered: RefillOffered | None = None,
    ) -> None:
        self._storage = storage
        self._wording = wording
        self._refill_offered = refill_offered

    async def compose(self, item: OutboxItem, t: Translator) -> Notification:
        payload = item.payload
        if item.kind == OutboxKind.REPLY:
            return await self._reply(payload.get("text"), payload.get("order_id"), item.user_id)
        slot, notice = await self._render_notice(item, t)
        return await self._named(item.user_id, slot, notice)

    async def _render_notice(
        self, item: OutboxItem, t: Translator
    ) -> tuple[int | None, Notification]:
        """The notice and the panel account it is about (None: unknown, say nothing)."""
        payload = item.payload
        if item.kind in (OutboxKind.KEY_REJECTED, OutboxKind.KEY_UNREADABLE):
            raw = payload.get("slot")
            slot = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
            unreadable = item.kind == OutboxKind.KEY_UNREADABLE
            several = len(await self._storage.accounts.accounts(item.user_id)) > 1
            if slot is not None and several and not unreadable:
                # /setkey replaces the default panel's key: the card replaces this one's.
                return slot, self._wording.panel_key_rejected(t)
            return slot, self._wording.key_notice(t, unreadable=unreadable)
        if item.kind == OutboxKind.REFILL_STATUS:
            refill = await self._refill(payload.get("refill_id"), item.user_id)
            if await self._muted_refill(refill):
                raise AllMuted("order muted")
            return refill.panel_slot, self._wording.refill_status(t, refill, payload.get("status"))
        if item.kind == OutboxKind.ORDER_DIGEST:
            return None, await self._digest(item, t)
        if item.kind == OutboxKind.LOW_BALANCE:
            return None, await self._low_balance(payload, item.user_id, t)
        if item.kind == OutboxKind.SCHEDULED:
            return await self._scheduled(payload, item.user_id, t)
        if item.kind == OutboxKind.PRICE_CHANGES:
            # Each line names the panel already: no panel line on top.
            return None, await self._price_changes(item, t)
        order = await self._order(payload.get("order_id"), item.user_id)
        if item.kind == OutboxKind.ORDER_UNKNOWN:
            return order.panel_slot, self._wording.order_unknown(t, order, payload.get("count"))
        if order.muted and item.kind in PUSHES:
            raise AllMuted("order muted")
        if item.kind == OutboxKind.ORDER_STATUS:
            status = str(payload.get("status") or order.status)
            notice = self._wording.order_status(t, order, status)
            return order.panel_slot, await self._offers(item.user_id, order, status, notice)
        if item.kind == OutboxKind.ORDER_STARTED:
            return order.panel_slot, self._wording.order_started(t, order)
        raise CannotCompose(f"unknown kind {item.kind!r}")

    async def _digest(self, item: OutboxItem, t: Translator) -> Notification:
        """Several pushes in one message; what is left after muted and vanished orders."""
        orders: list[tuple[Order, str]] = []
        for entry in _pairs(item.payload.get("orders")):
            try:
                order = await self._order(entry[0], item.user_id)
            except CannotCompose:
                continue  # deleted meanwhile: the others are still worth saying
            if not order.muted:
                orders.append((order, entry[1]))
        refills: list[tuple[Refill, str]] = []
        for entry in _pairs(item.payload.get("refills")):
            try:
                refill = await self._refill(entry[0], item.user_id)
            except CannotCompose:
                continue
            if not await self._muted_refill(refill):
                refills.append((refill, entry[1]))
        if len(orders) + len(refills) == 0:
            raise AllMuted("every order muted or gone")
        if len(orders) + len(refills) > 1:
            accounts = await self._storage.accounts.accounts(item.user_id, removed=True)
            names = {a.slot: a.label for a in accounts} if len(accounts) > 1 else None
            return self._wording.digest(t, orders, refills, item.id, names)
        # One left: it reads best as the single push it would have been.
        if refills:
            return self._wording.refill_status(t, refills[0][0], refills[0][1])
        order, status = orders[0]
        if status == STARTED:
            return self._wording.order_started(t, order)
        notice = self._wording.order_status(t, order, status)
        return await self._offers(item.user_id, order, status, notice)

    async def _offers(
        self, user_id: int, order: Order, status: str, notice: Notification
    ) -> Notification:
        """Under a completion push: 🔁 Reorder, and ♻️ Refill when the order's card offers it."""
        if status not in FINISHED_DELIVERED:
            return notice
        # Judged by the status this push is about: a drain whose read answers from before the
        # poller's save (a reader on an older snapshot) sees the row still "In progress".
        pushed = replace(order, status=status)
        refill = self._refill_offered is not None and await self._refill_offered(user_id, pushed)
        return replace(notice, reorder=True, refill=refill)

    async def _muted_refill(self, refill: Refill) -> bool:
        if refill.order_id is None:
            return False
        order = await self._storage.orders.get(refill.order_id)
        return order is not None and order.muted

    async def _named(self, user_id: int, slot: int | None, notice: Notification) -> Notification:
        """With several panels (ever linked), a push says which panel it is about."""
        if slot is None:
            return notice
        accounts = await self._storage.accounts.accounts(user_id, removed=True)
        if len(accounts) < 2:
            return notice
        name = next((a.label for a in accounts if a.slot == slot), "")
        if not name:
            return notice
        return replace(notice, text=self._wording.panel_line(name) + "\n" + notice.text)

    async def _low_balance(
        self, payload: dict[str, Any], user_id: int, t: Translator
    ) -> Notification:
        slot = payload.get("slot")
        accounts = await self._storage.accounts.accounts(user_id, removed=True)
        account = next((a for a in accounts if a.slot == slot), None)
        try:
            amount = Decimal(str(payload.get("amount")))
            limit = Decimal(str(payload.get("threshold")))
        except InvalidOperation:
            raise CannotCompose("bad low-balance payload") from None
        if account is None:
            raise CannotCompose("panel not found")
        # The panel's currency as the balance gave it, kept plain in the payload's JSON.
        currency = PanelText(str(payload.get("currency") or ""))
        return self._wording.low_balance(t, account.label, amount, currency, limit, account.url)

    async def _scheduled(
        self, payload: dict[str, Any], user_id: int, t: Translator
    ) -> tuple[int | None, Notification]:
        raw = payload.get("schedule_id")
        schedule = await self._storage.schedules.get(raw, user_id) if isinstance(raw, int) else None
        if schedule is None:
            raise CannotCompose("schedule not found")
        raw_order = payload.get("order_id")
        order = await self._order(raw_order, user_id) if raw_order is not None else None
        return schedule.panel_slot, self._wording.scheduled(t, schedule, payload, order)

    async def _price_changes(self, item: OutboxItem, t: Translator) -> Notification:
        """The watch's digest for one panel account, without the services muted since."""
        slot = item.payload.get("slot")
        if not isinstance(slot, int) or isinstance(slot, bool):
            raise CannotCompose("bad price payload")
        accounts = await self._storage.accounts.accounts(item.user_id, removed=True)
        account = next((a for a in accounts if a.slot == slot), None)
        if account is None:
            raise CannotCompose("panel not found")
        muted = await self._storage.prices.muted(item.user_id, slot)
        changes = [
            c
            for c in price_entries(item.user_id, slot, item.payload.get("changes"), item.created_at)
            if c.service_id not in muted
        ]
        if not changes:
            raise AllMuted("every service muted")
        # With one panel linked its name says nothing: the lines go without it.
        panel = account.label if len(accounts) > 1 else ""
        return self._wording.price_digest(t, panel, slot, changes)

    async def _reply(self, text: object, raw_id: object, user_id: int) -> Notification:
        """A result rendered when it was due (in the user's language then), sent as it was."""
        if not isinstance(text, str) or not text:
            raise CannotCompose("empty reply")
        order = await self._storage.orders.get(raw_id) if isinstance(raw_id, int) else None
        # The card button only for the user's own order (as for every other notice).
        owned = order is not None and order.user_id == user_id
        return Notification(text, order.id if owned and order is not None else None, mutable=False)

    async def _order(self, raw_id: object, user_id: int) -> Order:
        order = await self._storage.orders.get(raw_id) if isinstance(raw_id, int) else None
        # A payload naming someone else's order would leak it: the owner check is not optional.
        if order is None or order.user_id != user_id:
            raise CannotCompose("order not found")
        return order

    async def _refill(self, raw_pk: object, user_id: int) -> Refill:
        refill = await self._storage.refills.get(raw_pk) if isinstance(raw_pk, int) else None
        if refill is None or refill.user_id != user_id:
            raise CannotCompose("refill not found")
        return refill


def price_entries(user_id: int, slot: int, raw: object, at: float) -> list[PriceChange]:
    """A price digest payload's changes, skipping anything else (a damaged row)."""
    if not isinstance(raw, list):
        return []
    found: list[PriceChange] = []
    for entry in raw:
        if not isinstance(entry, dict):
            continue
        service_id, kind, name = entry.get("service_id"), entry.get("kind"), entry.get("name")
        old, new = entry.get("old"), entry.get("new")
        if not isinstance(service_id, int) or kind not in set(ChangeKind):
            continue
        found.append(
            PriceChange(
                user_id,
                slot,
                service_id,
                ChangeKind(kind),
                str(name or ""),
                old if isinstance(old, str) else None,
                new if isinstance(new, str) else None,
                at,
            )
        )
    return found


def _pairs(raw: object) -> list[tuple[int, str]]:
    """A digest payload's [[id, status], ...], skipping anything else (a damaged row)."""
    if not isinstance(raw, list):
        return []
    return [
        (int(e[0]), str(e[1]))
        for e in raw
        if isinstance(e, list) and len(e) == 2 and isinstance(e[0], int) and isinstance(e[1], str)
    ]


def latest_entries(entries: list[list[object]]) -> list[list[object]]:
    """One entry per id, its latest status ("started" then "Completed" reads "Completed"),
    in the order the ids first came."""
    last: dict[object, object] = {}
    for entry_id, status in entries:
        last[entry_id] = status
    return [[entry_id, status] for entry_id, status in last.items()]


def digest_entries(
    item: OutboxItem, orders: list[list[object]], refills: list[list[object]]
) -> None:
    """Add what one push (or digest) says to a digest's entries."""
    payload = item.payload
    if item.kind == OutboxKind.ORDER_DIGEST:
        orders.extend([i, s] for i, s in _pairs(payload.get("orders")))
        refills.extend([i, s] for i, s in _pairs(payload.get("refills")))
    elif item.kind == OutboxKind.ORDER_STATUS:
        orders.append([payload.get("order_id"), str(payload.get("status") or "")])
    elif item.kind == OutboxKind.ORDER_STARTED:
        orders.append([payload.get("order_id"), STARTED])
    elif item.kind == OutboxKind.REFILL_STATUS:
        refills.append([payload.get("refill_id"), str(payload.get("status") or "")])
