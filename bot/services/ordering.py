"""Single orders: preview → draft row → confirm, placed at most once. No Telegram in here.

The money rule: a preview writes a `draft` row under a fresh idempotency token (the batch);
confirming moves it to `submitting` with one conditional UPDATE (`OrdersRepo.claim`) and only
the caller that won that update talks to the panel. `add` is never retried: a timeout after
sending leaves the row `unknown` and the user is told to check the panel; a crash mid-call is
turned into `unknown` at the next start-up by `recover_submitting`. The panel's answer is
written by the `PlacementRecorder`, which retries a refused write and then journals it.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any

from bot.i18n import N_
from bot.panel.client import PanelClient
from bot.panel.errors import OutcomeUnknown, PanelError, PanelRejected
from bot.panel.models import Balance, NewOrder, Service
from bot.services.accounts import NoKey, PanelAccounts
from bot.services.catalog import PRICE_CHECK_SECONDS, CatalogService
from bot.services.catalog_index import CatalogIndex
from bot.services.charges import Charge, charge_after_add, charge_of, remember_charges
from bot.services.currency import CurrencyService
from bot.services.drafts import DraftRefusal, DraftService, Gate, refusal_outcomes
from bot.services.link_guard import OpenOnLink, closest, open_on_links
from bot.services.order_types import (
    OrderKind,
    OrderPlan,
    build_params,
    order_cost,
    order_kind,
    plan_for,
)
from bot.services.placements import PlacementRecorder, Recorded, Unsaved, journal_for
from bot.services.progress import Duration, expected_duration
from bot.services.validation import InputError, service_available
from bot.storage import Storage
from bot.storage.models import (
    Draft,
    DraftKind,
    LinkCheck,
    Order,
    OrderDraft,
    OutboxKind,
    SubmitState,
)

log = logging.getLogger(__name__)

# A preview re-fetches a catalog older than this even if the cache would still serve it: the
# price and limits shown right before money moves must be recent.
PREVIEW_MAX_CATALOG_AGE = 60.0
# Links offered as buttons at the link question: the last ones used for the service.
RECENT_LINKS = 3

Clock = Callable[[], float]


class UnknownServiceType(InputError):
    """The service's type is not one the bot knows how to order."""


class AnswerRejected(Exception):
    """A stored answer no longer fits the service (reorder, catalog change): ask it again,
    and the `dependents` (`OrderPlan.dependents`) too: they were checked against it."""

    def __init__(self, field: str, error: InputError, dependents: tuple[str, ...] = ()) -> None:
        super().__init__(error.english)
        self.field = field
        self.error = error
        self.dependents = dependents


def unknown_type_error(service: Service) -> UnknownServiceType:
    return UnknownServiceType(
        N_(
            "Service {id} has the type “{type}”, which I cannot order yet. "
            "Please choose another service."
        ),
        id=service.id,
        type=service.type,
    )


def plan_or_refuse(service: Service) -> OrderPlan:
    plan = plan_for(service)
    if plan is None:
        raise unknown_type_error(service)
    return plan


def answer_text(value: Any) -> str:
    """A stored answer as the user would have typed it, so its parser can check it again."""
    if isinstance(value, list | tuple):
        return "\n".join(str(v) for v in value)
    return str(value)


def revalidate(plan: OrderPlan, values: Mapping[str, Any]) -> dict[str, Any]:
    """Run every answer through its field's parser again, against the service as it is now.

    Answers for fields the plan no longer has (drip-feed withdrawn) are dropped. Raises
    `AnswerRejected` naming the first answer that no longer fits.
    """
    checked: dict[str, Any] = {}
    for spec in plan.fields:
        value = values.get(spec.name)
        if value is None or not spec.applies(checked):
            continue
        try:
            checked[spec.name] = spec.parse(answer_text(value), plan.service, checked)
        except InputError as exc:
            raise AnswerRejected(spec.name, exc, plan.dependents(spec.name)) from None
    return checked


@dataclass(frozen=True, slots=True)
class Preview:
    """What the user is asked to confirm; `order` is the stored draft row."""

    order: Order
    service: Service
    plan: OrderPlan
    params: dict[str, Any]
    cost: Decimal | None
    balance: Balance | None
    # An open order on the same page (same or same-kind service): Confirm needs "Order anyway".
    duplicate: OpenOnLink | None
    # The panel it goes to, named in the preview when the user has several ("" with one).
    panel_name: str = ""
    # How long such an order should take (the user's own history, else the panel's average).
    expected: Duration | None = None
    # Its draft is marked (`drafts.duplicates`): it warned, so only "Order anyway" places it,
    # even once the open order it warned of has finished (`duplicate` is then None).
    marked: bool = False

    @property
    def needs_anyway(self) -> bool:
        """Its Confirm places nothing: only "Order anyway" does."""
        return self.duplicate is not None or self.marked

    @property
    def batch(self) -> str:
        return self.order.batch

    @property
    def currency(self) -> str | None:
        return self.balance.currency_text if self.balance is not None else None

    @property
    def balance_after(self) -> Decimal | None:
        if self.balance is None or self.cost is None:
            return None
        return self.balance.amount - self.cost

    @property
    def balance_short(self) -> bool:
        after = self.balance_after
        return after is not None and after < 0


class OrderOutcome(StrEnum):
    PLACED = "placed"
    FAILED = "failed"  # the panel certainly did not create the order
    UNKNOWN = "unknown"  # it may have: the user must check the panel
    ALREADY = "already"  # someone else won the claim (double tap, second device, replay)
    GONE = "gone"  # no draft under this token for this user (discarded, forged)
    # Nothing was ordered because the preview's promise no longer holds:
    EXPIRED = "expired"  # older than DRAFT_TTL_SECONDS (or closed over the open-preview cap)
    KEY_CHANGED = "key_changed"  # the stored key changed (or went) after the preview
    REPLACED = "replaced"  # a fresh preview already took its place
    CHANGED = "changed"  # the service changed on the panel: see `SubmitResult.repriced`
    CANCELLED = "cancelled"  # the user cancelled the preview
    # The preview warned of an open order on the same link (or this Confirm found one placed
    # since: `SubmitResult.warned`) and plain Confirm was tapped: nothing was ordered, only
    # "Order anyway" places it.
    DUPLICATE = "duplicate"


_REFUSED = refusal_outcomes(OrderOutcome, gone=OrderOutcome.GONE)


def refusal_outcome(refusal: DraftRefusal) -> OrderOutcome:
    """What a Confirm answers when the preview's promise no longer holds."""
    return _REFUSED[refusal]


@dataclass(frozen=True, slots=True)
class Repriced:
    """Confirm found the service dearer or different than previewed; nothing was ordered.

    `fresh` is a new preview (a new draft the user may confirm) when the stored answers
    still fit the service; otherwise `problem` says why not (service gone, limits changed).
    """

    old: Order
    old_rate: Decimal | None
    fresh: Preview | None
    problem: InputError | None = None


@dataclass(frozen=True, slots=True)
class SubmitResult:
    outcome: OrderOutcome
    order: Order | None = None
    panel_order_id: int | None = None
    error: PanelError | None = None
    # The database refused the outcome: the user must be told the panel ids (see placements).
    unsaved: Unsaved | None = None
    repriced: Repriced | None = None
    # Placed: what the panel said it charged, beside the cost shown (None: it did not say).
    charge: Charge | None = None
    # DUPLICATE found by this Confirm (an order on the link was placed after the preview was
    # made): the same preview again, now with its warning; its "Order anyway" places it.
    warned: Preview | None = None


@dataclass(frozen=True, slots=True)
class Reopened:
    """An Edit tap: the closed preview's answers (`values`), or why it cannot be edited."""

    refusal: DraftRefusal | None = None
    order: Order | None = None
    values: dict[str, Any] | None = None


OnClaimed = Callable[[Order], Awaitable[None]]


def _result(
    outcome: OrderOutcome,
    recorded: Recorded,
    *,
    panel_id: int | None = None,
    error: PanelError | None = None,
) -> SubmitResult:
    return SubmitResult(outcome, recorded.orders[0], panel_id, error, recorded.unsaved)


@dataclass(slots=True)
class OrderingService:
    storage: Storage
    accounts: PanelAccounts
    catalog: CatalogService
    clock: Clock = time.monotonic
    preview_max_age: float = PREVIEW_MAX_CATALOG_AGE
    # Confirm compares the preview with prices at most this old (PRICE_CHECK_SECONDS).
    price_check_age: float = PRICE_CHECK_SECONDS
    # Shared with the bulk service (one journal file); by default beside the database.
    recorder: PlacementRecorder | None = None
    # Kind, key version, expiry and cap of previews; built from `storage` and `accounts` if None.
    drafts: DraftService | None = None
    # Told the currency each preview's balance call brings (shared with the catalog views).
    currencies: CurrencyService | None = None

    def __post_init__(self) -> None:
        if self.recorder is None:
            self.recorder = PlacementRecorder(
                self.storage.orders, journal_for(self.storage.db.path)
            )
        if self.drafts is None:
            self.drafts = DraftService(self.storage.drafts, self.storage.orders, self.accounts)
        if self.currencies is None:
            self.currencies = CurrencyService(self.accounts, clock=self.clock)

    @property
    def _placements(self) -> PlacementRecorder:
        assert self.recorder is not None  # set in __post_init__
        return self.recorder

    @property
    def _drafts(self) -> DraftService:
        assert self.drafts is not None  # set in __post_init__
        return self.drafts

    @property
    def _currencies(self) -> CurrencyService:
        assert self.currencies is not None  # set in __post_init__
        return self.currencies

    # --- catalog helpers ------------------------------------------------------------------

    async def _recent_catalog(self, user_id: int, slot: int | None) -> CatalogIndex:
        index = await self.catalog.get(user_id, slot=slot)
        if self.clock() - index.fetched_at >= self.preview_max_age:
            index = await self.catalog.get(user_id, force=True, slot=slot)
        return index

    async def panel_for(self, user_id: int, slot: int | None = None) -> tuple[int, str]:
        """The panel account an order goes to (the default without `slot`) and the name the
        preview shows: "" when it is the user's only panel. Raises NoKey."""
        accounts = await self.accounts.accounts(user_id)
        chosen = next(
            (a for a in accounts if (a.slot == slot if slot is not None else a.is_default)), None
        )
        if chosen is None:
            raise NoKey
        return chosen.slot, (chosen.label if len(accounts) > 1 else "")

    # --- preview --------------------------------------------------------------------------

    async def prepare(
        self,
        user_id: int,
        service_id: int,
        values: Mapping[str, Any],
        slot: int | None = None,
    ) -> Preview:
        """Check everything again, price it, and store the draft the Confirm button refers to.

        `slot` is the panel account (the default one without): the draft records it and its
        Confirm places the order there and nowhere else. Raises `ServiceGone`,
        `UnknownServiceType`, `AnswerRejected`, `InputError` (an answer is missing), `NoKey`
        or the panel client's errors (catalog fetch).
        """
        key_version = await self._drafts.key_version(user_id)
        slot, panel_name = await self.panel_for(user_id, slot)
        catalog = await self._recent_catalog(user_id, slot)
        service = service_available(catalog, service_id)
        plan = plan_or_refuse(service)
        checked = revalidate(plan, values)
        params = build_params(plan, checked)
        cost = order_cost(service, checked)
        balance = await self._preview_balance(user_id, slot, default_panel=not panel_name)
        (duplicate,) = await open_on_links(
            self.storage.orders, user_id, slot, catalog, [(service, params.get("link"))]
        )
        expected = await expected_duration(self.storage.orders, user_id, slot, service.id, service)
        draft = _draft(service, params, cost, balance)
        # URL-safe base64 has no ':' and 16 characters keep the callback data short.
        batch = secrets.token_urlsafe(12)
        rows = await self.storage.orders.create_drafts(
            user_id,
            batch,
            [draft],
            kind=DraftKind.SINGLE,
            key_version=key_version,
            ttl=self._drafts.ttl,
            rate=service.rate,
            panel_slot=slot,
            duplicates=duplicate is not None,
        )
        return Preview(
            order=rows[0],
            service=service,
            plan=plan,
            params=params,
            cost=cost,
            balance=balance,
            duplicate=duplicate,
            panel_name=panel_name,
            expected=expected,
        )

    async def _preview_balance(
        self, user_id: int, slot: int, *, default_panel: bool
    ) -> Balance | None:
        try:
            balance = await self.accounts.balance(user_id, slot)
        except PanelError as exc:
            # The preview is still useful without it; the panel checks the balance anyway.
            log.info("no balance for the preview: %s", exc)
            return None
        if default_panel:
            # The catalog views' currency is the default panel's.
            self._currencies.remember(user_id, balance.currency_text)
        return balance

    async def open_preview(self, user_id: int, batch: str) -> Preview | DraftRefusal:
        """The user's open single-order preview `batch` as it was made, for another place to
        show it (the Mini App opening the chat's preview); or why it can no longer be
        confirmed. Changes nothing and asks no panel for more than its (cached) catalog."""
        gate = await self._drafts.check(user_id, batch, DraftKind.SINGLE)
        if gate.refusal is not None or gate.draft is None or not gate.rows:
            return gate.refusal or DraftRefusal.GONE
        order = gate.rows[0]
        index = await self.catalog.get(user_id, slot=gate.draft.panel_slot)
        service = index.get(order.service_id)
        plan = plan_for(service) if service is not None else None
        if service is None or plan is None:
            return DraftRefusal.GONE  # its Confirm would find it changed: nothing to show
        _, panel_name = await self.panel_for(user_id, gate.draft.panel_slot)
        values = answers_of(order)
        marked = gate.draft.duplicates
        return Preview(
            order, service, plan, values, order.cost, None, None, panel_name, marked=marked
        )

    async def discard(self, user_id: int, batch: str) -> bool:
        return await self.storage.orders.discard_draft(batch, user_id) > 0

    async def batch_of(self, user_id: int, batch: str) -> list[Order]:
        return [o for o in await self.storage.orders.get_batch(batch) if o.user_id == user_id]

    # --- confirm --------------------------------------------------------------------------

    async def confirm(
        self,
        user_id: int,
        batch: str,
        on_claimed: OnClaimed | None = None,
        *,
        anyway: bool = False,
    ) -> SubmitResult:
        """Place the draft `batch` at most once, and only as previewed.

        `on_claimed` runs after this caller won the claim and before the panel is called (the
        bot removes the Confirm button there); its failure does not stop the order. Nothing
        is claimed when the preview is not a single order's, expired, was made with another
        key, or the service is dearer or different now (`OrderOutcome.CHANGED` with a fresh
        preview). A preview that warned of an open order on the same link is placed only
        with `anyway` (its "Order anyway" button): its plain Confirm changes nothing
        (`OrderOutcome.DUPLICATE`). Nor does a plain Confirm that finds an open order on the
        link now, placed after the preview (another preview, another device): the preview then
        warns as a fresh one would (`SubmitResult.warned`).
        """
        gate = await self._drafts.check(user_id, batch, DraftKind.SINGLE)
        if gate.refusal is not None or gate.client is None or gate.draft is None:
            return _refused(gate)
        if gate.draft.duplicates and not anyway:
            return SubmitResult(OrderOutcome.DUPLICATE, gate.rows[0])
        repriced = await self._recheck(user_id, gate.rows[0], gate.draft)
        if repriced is not None:
            if repriced.fresh is None and repriced.problem is None:
                return SubmitResult(OrderOutcome.REPLACED, repriced.old)
            return SubmitResult(OrderOutcome.CHANGED, repriced.old, repriced=repriced)
        client = gate.client
        claim = await self.storage.orders.claim(
            batch,
            user_id,
            kind=DraftKind.SINGLE,
            key_version=gate.key_version,
            panel_slot=gate.draft.panel_slot,
            anyway=anyway,
            link_check=None if anyway else await self._link_check(user_id, gate.rows[0]),
        )
        if not claim.orders:
            return SubmitResult(OrderOutcome.GONE)
        order = claim.orders[0]
        if not claim.won:
            if order.submit_state is SubmitState.DRAFT:
                return await self._not_claimed(user_id, order, gate.draft, anyway=anyway)
            return SubmitResult(OrderOutcome.ALREADY, order, order.panel_order_id)
        if on_claimed is not None:
            try:
                await on_claimed(order)
            except Exception:
                log.warning("on_claimed hook failed; submitting anyway", exc_info=True)
        return await self._submit(client, order)

    async def _link_check(self, user_id: int, order: Order) -> LinkCheck | None:
        """The claim's duplicate-link guard for a plain Confirm: no open order on the draft's
        page that a fresh preview would warn of (`prepare`'s rules: this user, this panel
        account, the same page, the same or a same-kind service). Checked inside the claim, so
        of two previews of one page confirmed at the same instant only one is placed."""
        if order.link is None:
            return None
        # The catalog `_recheck` just read (cached): the kinds of the open orders' services.
        index = await self._check_catalog(user_id, order.panel_slot)
        service = index.get(order.service_id)
        if service is None:
            return None  # `_recheck` found it unchanged a moment ago

        def clear(open_orders: Sequence[Order]) -> bool:
            return closest(service, open_orders, index) is None

        return LinkCheck(order.panel_slot, order.link, clear)

    async def _check_catalog(self, user_id: int, slot: int) -> CatalogIndex:
        return await self.catalog.get(user_id, slot=slot, max_age=self.price_check_age)

    async def _not_claimed(
        self, user_id: int, order: Order, draft: Draft, *, anyway: bool
    ) -> SubmitResult:
        """Why the claim took nothing although the rows are still drafts: the promise broke
        between the check and the claim (it expired just now), or the link's page got an open
        order since the preview (`_link_check`)."""
        gate = await self._drafts.check(user_id, order.batch, DraftKind.SINGLE)
        if gate.refusal is None and not anyway:
            opened = await self._open_since_preview(user_id, order, draft)
            if opened is not None:
                return opened
        return _refused(gate)

    async def _open_since_preview(
        self, user_id: int, order: Order, draft: Draft
    ) -> SubmitResult | None:
        """DUPLICATE when the draft's link has an open order now that its preview did not warn
        of (`_link_check`); None when it has none, or the draft is no longer open. The draft is
        marked, so only "Order anyway" places it from here, and shown again, warning."""
        slot = draft.panel_slot
        index = await self._check_catalog(user_id, slot)
        service = index.get(order.service_id)
        if service is None:
            return None
        (opened,) = await open_on_links(
            self.storage.orders, user_id, slot, index, [(service, order.link)]
        )
        if opened is None or not await self._drafts.drafts.warn_duplicates(order.batch, user_id):
            return None
        shown = await self.open_preview(user_id, order.batch)
        if isinstance(shown, DraftRefusal):
            return SubmitResult(OrderOutcome.DUPLICATE, order)
        warned = await self._warned(user_id, shown, opened)
        return SubmitResult(OrderOutcome.DUPLICATE, order, warned=warned)

    async def later_link_check(self, user_id: int, batch: str) -> LinkCheck | None:
        """The claim's duplicate-link guard (`_link_check`) for making a schedule of the open
        preview `batch`, checked in the schedule's transaction; None: nothing to check."""
        rows = await self.batch_of(user_id, batch)
        return await self._link_check(user_id, rows[0]) if len(rows) == 1 else None

    async def stopped_for_later(self, user_id: int, batch: str) -> SubmitResult | None:
        """🕒 Later on an open preview that did not warn: what its plain Confirm would answer
        when its link has an open order now (DUPLICATE, the preview again, warning; only ⚠️
        Order anyway places it from here), else None. A schedule is placed without a Confirm,
        so it must not start from a preview its Confirm would stop."""
        gate = await self._drafts.check(user_id, batch, DraftKind.SINGLE)
        if gate.refusal is not None or gate.draft is None:
            return None
        if gate.draft.duplicates:
            # It warned already (perhaps in the Mini App): its Confirm would stop too.
            return SubmitResult(OrderOutcome.DUPLICATE, gate.rows[0])
        return await self._open_since_preview(user_id, gate.rows[0], gate.draft)

    async def warned_again(self, user_id: int, batch: str) -> Preview | None:
        """The open preview `batch` as a fresh preview would show it now, with its warning of
        the open order on its link; None when it is not open, or the link has none now and the
        draft is not marked (a marked one warns even when that order has finished since).

        For a chat preview whose message does not show the warning yet: its Confirm was
        stopped elsewhere (the Mini App) by an order placed after it was made.
        """
        shown = await self.open_preview(user_id, batch)
        if isinstance(shown, DraftRefusal):
            return None
        slot = shown.order.panel_slot
        index = await self.catalog.get(user_id, slot=slot)
        (opened,) = await open_on_links(
            self.storage.orders, user_id, slot, index, [(shown.service, shown.order.link)]
        )
        if opened is None and not shown.marked:
            return None
        return await self._warned(user_id, shown, opened)

    async def _warned(self, user_id: int, shown: Preview, opened: OpenOnLink | None) -> Preview:
        """A stored preview (`open_preview`) with what a fresh one adds: the balance, the
        expected duration, and the open order on its link."""
        slot, service = shown.order.panel_slot, shown.service
        balance = await self._preview_balance(user_id, slot, default_panel=not shown.panel_name)
        expected = await expected_duration(self.storage.orders, user_id, slot, service.id, service)
        return replace(shown, balance=balance, duplicate=opened, expected=expected)

    async def submit_claimed(self, client: PanelClient, order: Order) -> SubmitResult:
        """Place an order someone else claimed (a scheduled run): exactly Confirm's call."""
        return await self._submit(client, order)

    async def _submit(self, client: PanelClient, order: Order) -> SubmitResult:
        """Call the panel once for the claimed `order` and record whatever it answered."""
        try:
            panel_id = await client.add_order(
                NewOrder(
                    order.service_id,
                    order.link,
                    order.quantity,
                    runs=order.runs,
                    interval=order.interval,
                    extra=order.extra,
                )
            )
        except OutcomeUnknown as exc:
            recorded = await self._placements.record([order], unknown=[(order, str(exc))])
            return _result(OrderOutcome.UNKNOWN, recorded, error=exc)
        except PanelRejected as exc:
            recorded = await self._placements.record([order], failed=[(order, exc.message_text)])
            return _result(OrderOutcome.FAILED, recorded, error=exc)
        except PanelError as exc:
            # Not sent at all (connect error): nothing was placed.
            recorded = await self._placements.record([order], failed=[(order, str(exc))])
            return _result(OrderOutcome.FAILED, recorded, error=exc)
        except Exception as exc:
            # A bug after the request may have left: treat it like a timeout, never resend.
            reason = f"internal error: {type(exc).__name__}"
            await self._placements.record([order], unknown=[(order, reason)])
            raise
        # The panel took the money: the recorder retries, then journals, never drops the id.
        recorded = await self._placements.record([order], placed=[(order, panel_id)])
        result = _result(OrderOutcome.PLACED, recorded, panel_id=panel_id)
        return replace(result, charge=await self._charged(client, order, panel_id))

    async def _charged(self, client: PanelClient, order: Order, panel_id: int) -> Charge | None:
        """What the panel says it charged for the order just placed (one `status` call)."""
        if order_kind(order.service_type) is OrderKind.SUBSCRIPTIONS:
            return None  # billed per future post: nothing to compare with yet
        charge = charge_of(order.cost, await charge_after_add(client, panel_id))
        if charge is not None:
            await remember_charges(self.storage.orders, [(order.id, charge.charged)])
        return charge

    async def _recheck(self, user_id: int, order: Order, draft: Draft) -> Repriced | None:
        """None when the service still takes exactly the previewed order at no higher price.

        The prices are at most PRICE_CHECK_SECONDS old, whatever SERVICES_CACHE_SECONDS
        would allow: one `services` call when the cached catalog is older, shared with every
        concurrent confirm on the same panel and key. Otherwise the draft is closed and a fresh
        preview made from the same answers (`Repriced.fresh`), or the reason there is none.
        A second caller that finds the draft already replaced gets `Repriced(fresh=None,
        problem=None)`.
        """
        index = await self.catalog.get(user_id, slot=draft.panel_slot, max_age=self.price_check_age)
        service = index.get(order.service_id)
        values = answers_of(order)
        if (
            service is not None
            and service.type == order.service_type
            and _same_order(service, order, values, draft)
        ):
            return None
        if not await self._drafts.drafts.replace(order.batch, user_id):
            return Repriced(order, draft.rate, None)
        try:
            # The same panel again: never moved to another one behind the user's back.
            fresh = await self.prepare(user_id, order.service_id, values, draft.panel_slot)
        except AnswerRejected as exc:
            return Repriced(order, draft.rate, None, exc.error)
        except InputError as exc:  # ServiceGone, UnknownServiceType
            return Repriced(order, draft.rate, None, exc)
        except PanelError:
            # Pricing the fresh preview needed the panel and it did not answer: still nothing
            # is ordered, and "Make a new preview" tries again later.
            busy = InputError(
                N_("The panel is not answering right now. Please try again in a minute.")
            )
            return Repriced(order, draft.rate, None, busy)
        return Repriced(order, draft.rate, fresh)

    # --- reorder and recovery -------------------------------------------------------------

    async def reorder_values(
        self, user_id: int, order_id: int
    ) -> tuple[int, dict[str, Any]] | None:
        """Service id and dialog answers of the user's stored order; None if not theirs."""
        order = await self.storage.orders.get(order_id)
        if order is None or order.user_id != user_id:
            return None
        return order.service_id, answers_of(order)

    async def reopen(self, user_id: int, batch: str) -> Reopened:
        """✏️ Edit on a single-order preview: close it and give its answers back.

        A preview is a promise, so an edit ends it: its draft is closed as replaced (its
        Confirm then orders nothing) and the edited answers make a fresh draft later. Only
        an open preview of this user can be edited, by one caller; anything else (claimed,
        expired, closed, cancelled, another key's, someone else's) changes nothing.
        """
        gate = await self._drafts.check(user_id, batch, DraftKind.SINGLE)
        order = gate.rows[0] if gate.rows else None
        if gate.refusal is not None or order is None:
            return Reopened(refusal=gate.refusal or DraftRefusal.GONE, order=order)
        if not await self._drafts.drafts.replace(batch, user_id):
            return Reopened(refusal=DraftRefusal.ALREADY, order=order)
        return Reopened(order=order, values=answers_of(order))

    async def recent_links(self, user_id: int, service_id: int) -> list[tuple[int, str]]:
        """(order id, link) of the user's last distinct links for the service, newest first."""
        return await self.storage.orders.recent_links(user_id, service_id, limit=RECENT_LINKS)

    async def link_of(self, user_id: int, order_id: int, service_id: int) -> str | None:
        """The link of the user's own order for this service (a button names it by id only)."""
        order = await self.storage.orders.get(order_id)
        if order is None or order.user_id != user_id or order.service_id != service_id:
            return None
        return order.link

    async def order_panel(self, user_id: int, order_id: int) -> int | None:
        """The panel account a Reorder of the user's order goes to: the order's own (its
        service id means nothing on another panel); None once that panel was removed."""
        order = await self.storage.orders.get(order_id)
        if order is None or order.user_id != user_id:
            return None
        account = await self.accounts.account(user_id, order.panel_slot)
        return None if account is None else account.slot

    async def recover_submitting(self) -> list[Order]:
        """Start-up: rows a crash left in `submitting` become `unknown`, and each user is told."""
        recovered = await self.storage.orders.recover_submitting()
        # One notice per preview: an interrupted 1,000-line bulk is one message, not 1,000.
        batches: dict[str, list[Order]] = {}
        for order in recovered:
            batches.setdefault(order.batch, []).append(order)
        for rows in batches.values():
            first = rows[0]
            await self.storage.outbox.enqueue(
                first.user_id,
                OutboxKind.ORDER_UNKNOWN,
                {"order_id": first.id, "count": len(rows)},
                dedupe_key=f"{OutboxKind.ORDER_UNKNOWN}:{first.id}",
            )
        if recovered:
            log.warning("%d order(s) were mid-submit at shutdown; marked unknown", len(recovered))
        return recovered


def answers_of(order: Order | OrderDraft) -> dict[str, Any]:
    """The dialog answers a stored order was made from (what Reorder and re-checks use)."""
    values: dict[str, Any] = {
        "link": order.link,
        "quantity": order.quantity,
        "runs": order.runs,
        "interval": order.interval,
        **order.extra,
    }
    return {k: v for k, v in values.items() if v is not None}


def _canonical(params: Mapping[str, Any]) -> dict[str, str]:
    return {k: answer_text(v) for k, v in params.items() if v is not None}


def unchanged_cost(service: Service, values: Mapping[str, Any]) -> tuple[bool, Decimal | None]:
    """Whether the service takes the stored answers exactly as they are, and what they cost
    now (None: billed later, e.g. subscriptions)."""
    plan = plan_for(service)
    if plan is None:
        return False, None
    try:
        checked = revalidate(plan, values)
        params = build_params(plan, checked)
    except (AnswerRejected, InputError):
        return False, None
    # What confirm would send must be what the preview showed (a withdrawn drip-feed, a
    # changed type's fields): compared as text, the way it goes to the panel.
    if _canonical(params) != _canonical(values):
        return False, None
    return True, order_cost(service, checked)


def _same_order(service: Service, order: Order, values: Mapping[str, Any], draft: Draft) -> bool:
    """The service takes the stored answers unchanged and costs no more than previewed."""
    fits, cost = unchanged_cost(service, values)
    if not fits:
        return False
    if draft.rate is not None:
        return service.rate <= draft.rate
    return cost is None or cost <= order.cost


def _refused(gate: Gate) -> SubmitResult:
    outcome = _REFUSED[gate.refusal] if gate.refusal is not None else OrderOutcome.GONE
    order = gate.rows[0] if gate.rows else None
    if outcome is OrderOutcome.GONE:
        order = None
    panel_id = order.panel_order_id if order is not None else None
    return SubmitResult(outcome, order, panel_id)


def _draft(
    service: Service, params: Mapping[str, Any], cost: Decimal | None, balance: Balance | None
) -> OrderDraft:
    """The draft row of one previewed order (its Confirm places exactly this)."""
    extra = {k: v for k, v in params.items() if k not in {"link", "quantity", "runs", "interval"}}
    return OrderDraft(
        service_id=service.id,
        service_name_text=service.name_text,
        service_type=service.type,
        link=params.get("link"),
        quantity=params.get("quantity"),
        # Subscriptions are billed per future post: nothing is known upfront.
        cost=cost if cost is not None else Decimal(0),
        currency_text=balance.currency_text if balance is not None else None,
        runs=params.get("runs"),
        interval=params.get("interval"),
        extra=extra,
    )
