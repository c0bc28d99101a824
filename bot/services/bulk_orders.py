"""Bulk orders: validate a pasted list, keep it as draft rows, place it exactly once.

The preview writes one draft row per valid line under a fresh batch token before the user sees
it. Confirming claims the whole batch with one conditional UPDATE (`OrdersRepo.claim`); only the
caller that won it sends anything to the panel, and the panel call is never retried: an answer
that got lost leaves the rows `unknown` so the user checks the panel instead of paying twice.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from bot.panel.client import PanelClient
from bot.panel.errors import PanelError
from bot.panel.models import Balance, BulkItemResult, NewOrder
from bot.services.accounts import NoKey, PanelAccounts
from bot.services.bulk_lines import BulkLine, BulkPreview, panel_prefix, parse_bulk
from bot.services.catalog import PRICE_CHECK_SECONDS, CatalogService
from bot.services.catalog_index import CatalogIndex
from bot.services.charges import Charge, charge_of, charges_after_add, remember_charges
from bot.services.drafts import DraftRefusal, DraftService, refusal_outcomes
from bot.services.link_guard import OpenOnLink, open_on_links
from bot.services.placements import PlacementRecorder, Unsaved
from bot.services.validation import InputError
from bot.storage.accounts import fold_label
from bot.storage.models import Draft, DraftKind, Order, OrderDraft, SubmitState
from bot.storage.orders import OrdersRepo

log = logging.getLogger(__name__)

MAX_LINES = 1000
NOT_SENT = "not sent"
NO_ANSWER = "no answer from the panel for this order; it may have been placed"
# Stored on the lines a "only the first N" confirmation leaves out; the result view translates it.
NOT_COVERED = f"{NOT_SENT}: not covered by the balance"


@dataclass(frozen=True, slots=True)
class BulkDraft:
    """A validated list; `batch` is None when nothing can be confirmed (no valid lines)."""

    preview: BulkPreview
    batch: str | None
    balance: Balance | None
    # line_no -> an order placed earlier (not in this list) for the same page and the same (or
    # a same-kind) service that is still open or whose outcome is unknown: a warning, the line
    # stays in, and only "Order anyway" places the list.
    already_open: dict[int, OpenOnLink] = field(default_factory=dict)
    # The panel the lines go to, named when the user has several ("" with one).
    panel_name: str = ""

    @property
    def currency(self) -> str | None:
        return None if self.balance is None else self.balance.currency_text

    @property
    def needs_anyway(self) -> bool:
        """Lines with open orders on their link, or twice in the list: only "Order anyway"
        places it."""
        return warns(self.preview, self.already_open)

    @property
    def balance_after(self) -> Decimal | None:
        return None if self.balance is None else self.balance.amount - self.preview.total_cost

    @property
    def short(self) -> bool:
        """The balance we know of does not cover the valid lines."""
        after = self.balance_after
        return after is not None and after < 0

    @property
    def affordable(self) -> int | None:
        """How many valid lines, from the first on in list order, the balance covers.

        None when the balance is unknown. A prefix, not a best fit: "the first N lines" is
        something the user can check against their list, and it is what gets placed.
        """
        return covered_lines(self.preview.valid, self.balance)

    @property
    def affordable_cost(self) -> Decimal:
        """The cost of the first `affordable` valid lines (all of them when unknown)."""
        n = self.affordable
        lines = self.preview.valid if n is None else self.preview.valid[:n]
        return sum((line.cost or Decimal(0) for line in lines), Decimal(0))


def covered_lines(valid: Sequence[BulkLine], balance: Balance | None) -> int | None:
    """How many of the `valid` lines, from the first on, `balance` covers; None unknown."""
    if balance is None:
        return None
    left = balance.amount
    for n, line in enumerate(valid):
        left -= line.cost or Decimal(0)
        if left < 0:
            return n
    return len(valid)


def offered_lines(valid: Sequence[BulkLine], balance: Balance | None) -> int | None:
    """The most lines the preview's Confirm offers: the covered ones when the balance does
    not cover them all ("Confirm the first N", none at all for 0), else None (every line)."""
    covered = covered_lines(valid, balance)
    return covered if covered is not None and covered < len(valid) else None


def warns(preview: BulkPreview, already_open: Mapping[int, OpenOnLink]) -> bool:
    """The list names a link that has an open order, or the same link and service twice."""
    return bool(already_open) or any(line.duplicate_of for line in preview.valid)


def within_offer(offered: int | None, first: int | None, lines: int) -> bool:
    """A Confirm for the `first` lines (None: all `lines`) asks no more than was offered."""
    wanted = lines if first is None else min(first, lines)
    return offered is None or wanted <= offered


class BulkOutcome(StrEnum):
    SUBMITTED = "submitted"  # this call won the claim and talked to the panel
    ALREADY = "already"  # another tap/device won it; `orders` shows where they stand
    MISSING = "missing"  # no such batch for this user: cancelled, or never existed
    # Nothing was sent because the preview's promise no longer holds:
    EXPIRED = "expired"  # older than DRAFT_TTL_SECONDS (or closed over the open-preview cap)
    KEY_CHANGED = "key_changed"  # the stored key changed (or went) after the preview
    REPLACED = "replaced"  # a fresh preview already took its place
    CHANGED = "changed"  # lines are dearer or no longer fit: see `BulkSubmission.repriced`
    CANCELLED = "cancelled"  # the user cancelled the preview
    # More lines than the preview's Confirm offered (a forged `bf:<batch>:N`): refused.
    NOT_OFFERED = "not_offered"
    # The preview warned of links with open orders (or twice in the list) and plain Confirm
    # was tapped: nothing changed, only "Order anyway" places it. Or this Confirm found an
    # open order placed after the preview: the list previewed again (`warned`), with it.
    DUPLICATE = "duplicate"


_REFUSED = refusal_outcomes(BulkOutcome, gone=BulkOutcome.MISSING)


@dataclass(frozen=True, slots=True)
class LineChange:
    """One previewed line the panel's catalog no longer takes as it was shown."""

    line_no: int
    old_cost: Decimal
    new_cost: Decimal | None  # None when the line cannot be ordered any more
    problem: InputError | None = None


@dataclass(frozen=True, slots=True)
class BulkRepriced:
    """Confirm found lines dearer or no longer valid; nothing was sent.

    `fresh` is the same list previewed again against the current catalog (a new draft to
    confirm when it has valid lines).
    """

    changes: list[LineChange]
    old_total: Decimal
    fresh: BulkDraft


@dataclass(frozen=True, slots=True)
class BulkSubmission:
    outcome: BulkOutcome
    orders: list[Order]
    # The database refused the outcomes: they are in the journal; tell the user the ids.
    unsaved: Unsaved | None = None
    repriced: BulkRepriced | None = None
    # Placed rows (by local order id) whose charge the panel reported right after placing.
    charges: dict[int, Charge] = field(default_factory=dict)
    # DUPLICATE found by this Confirm: the same lines previewed again (a new draft), which
    # warns of the open orders on their links; its "Order anyway" places them.
    warned: BulkDraft | None = None

    def in_state(self, state: SubmitState) -> list[Order]:
        return [o for o in self.orders if o.submit_state is state]

    @property
    def placed(self) -> list[Order]:
        return self.in_state(SubmitState.PLACED)

    @property
    def failed(self) -> list[Order]:
        return self.in_state(SubmitState.FAILED)

    @property
    def unknown(self) -> list[Order]:
        return self.in_state(SubmitState.UNKNOWN)

    @property
    def in_flight(self) -> bool:
        return any(o.submit_state is SubmitState.SUBMITTING for o in self.orders)


def new_batch() -> str:
    # 16 url-safe characters: unguessable, no ':' (callback separator), short enough for 64 bytes.
    return secrets.token_urlsafe(12)


def classify(
    rows: Sequence[Order], results: Sequence[BulkItemResult]
) -> tuple[list[tuple[int, int]], list[tuple[int, str]], list[tuple[int, str]]]:
    """(placed, failed, unknown) updates for `rows` from `add_orders` results in input order.

    A row without a result is counted as unknown: we cannot prove it was not sent.
    """
    by_index = {r.index: r for r in results}
    placed: list[tuple[int, int]] = []
    failed: list[tuple[int, str]] = []
    unknown: list[tuple[int, str]] = []
    for index, row in enumerate(rows):
        result = by_index.get(index)
        if result is None:
            unknown.append((row.id, NO_ANSWER))
        elif result.order_id is not None:
            placed.append((row.id, result.order_id))
        elif result.unknown:
            unknown.append((row.id, result.error or NO_ANSWER))
        elif result.not_sent:
            error = result.error or NOT_SENT
            failed.append((row.id, error if error.startswith(NOT_SENT) else f"{NOT_SENT}: {error}"))
        else:
            failed.append((row.id, result.error or "refused by the panel"))
    return placed, failed, unknown


def panel_column(line: str, slots: dict[str, int]) -> tuple[int | None, str]:
    """(slot, the rest of the line) when the line starts with one of the user's panel
    names (folded) followed by a separator; (None, line) otherwise."""
    split = panel_prefix(line)
    slot = None if split is None else slots.get(fold_label(split[0]))
    return (slot, split[1]) if slot is not None and split is not None else (None, line)


def list_text(rows: Sequence[Order]) -> str:
    """A stored bulk preview as the list the user sent, each order on its original line."""
    lines: list[str] = []
    for index, row in enumerate(rows, start=1):
        line_no = row.line_no if row.line_no is not None else index
        while len(lines) < line_no:
            lines.append("")
        lines[line_no - 1] = f"{row.service_id} | {row.link or ''} | {row.quantity or 0}"
    return "\n".join(lines)


def _line_change(row: Order, line: BulkLine | None) -> LineChange | None:
    """None when the line still parses to the same order at no higher cost."""
    line_no = row.line_no or 0
    if line is None or line.error is not None or line.service is None or line.cost is None:
        return LineChange(line_no, row.cost, None, None if line is None else line.error)
    if (
        line.service.type != row.service_type
        or line.link != row.link
        or line.quantity != row.quantity
    ):
        return LineChange(line_no, row.cost, line.cost)
    if line.cost > row.cost:
        return LineChange(line_no, row.cost, line.cost)
    return None


@dataclass(frozen=True, slots=True)
class PanelLines:
    """A list's lines for one panel account, checked against that panel's catalog; the panel
    is named ("" when the user has a single one)."""

    slot: int
    panel_name: str
    preview: BulkPreview


@dataclass(frozen=True, slots=True)
class BulkOrderService:
    orders: OrdersRepo
    accounts: PanelAccounts
    catalog: CatalogService
    recorder: PlacementRecorder
    drafts: DraftService
    max_lines: int = MAX_LINES
    # Confirm compares the preview with prices at most this old (PRICE_CHECK_SECONDS).
    price_check_age: float = PRICE_CHECK_SECONDS

    async def _panel(self, user_id: int, slot: int | None) -> tuple[int, list[str]]:
        """The slot the lines go to and the user's panel names, that one's first, the others
        in their order (none with a single panel: nothing to name)."""
        accounts = await self.accounts.accounts(user_id)
        chosen = next(
            (a for a in accounts if (a.slot == slot if slot is not None else a.is_default)), None
        )
        if chosen is None:
            raise NoKey
        others = [a.label for a in accounts if a is not chosen]
        return chosen.slot, ([chosen.label, *others] if others else [])

    async def by_panel(self, user_id: int, text: str) -> list[tuple[int | None, str]]:
        """The list split by its optional first column, a panel's name
        (`panel | service | link | quantity`): one text per panel, in the order the panels
        first appear, each keeping every line at its place (the others blank) so line numbers
        stay those of the list. Lines without a panel name go to the default panel."""
        accounts = await self.accounts.accounts(user_id)
        if len(accounts) < 2:
            return [(None, text)]
        slots = {fold_label(a.label): a.slot for a in accounts}
        default = next(a.slot for a in accounts if a.is_default)
        lines = text.splitlines()
        groups: dict[int | None, list[str]] = {}
        for n, line in enumerate(lines):
            slot, rest = panel_column(line, slots)
            group = groups.setdefault(default if slot is None else slot, [""] * len(lines))
            group[n] = rest
        return [(slot, "\n".join(group)) for slot, group in groups.items()]

    async def panel_name(self, user_id: int, slot: int) -> str:
        """The panel's name for a result, "" when the user has only one panel."""
        accounts = await self.accounts.accounts(user_id, removed=True)
        if len(accounts) < 2:
            return ""
        return next((a.label for a in accounts if a.slot == slot), "")

    async def _parsed(self, user_id: int, text: str, slot: int | None) -> PanelLines:
        slot, panels = await self._panel(user_id, slot)
        catalog = await self.catalog.get(user_id, slot=slot)
        preview = parse_bulk(text, catalog, max_lines=self.max_lines, panels=panels)
        return PanelLines(slot, panels[0] if panels else "", preview)

    async def check(self, user_id: int, text: str) -> list[PanelLines]:
        """The list checked as it is typed (the Mini App's bulk editor): split by its panel
        column and every line validated exactly as `preview` would, storing nothing and asking
        the panels for nothing but their (cached) catalogs. Raises NoKey or the panel client's
        errors when a catalog cannot be fetched."""
        return [
            await self._parsed(user_id, part, slot)
            for slot, part in await self.by_panel(user_id, text)
        ]

    async def preview(self, user_id: int, text: str, slot: int | None = None) -> BulkDraft:
        """Validate every line against the catalog of panel account `slot` (the default one
        without) and store the valid ones as drafts of that panel.

        Raises NoKey or the panel client's errors when the catalog cannot be fetched. The
        balance is only informative: when it cannot be read the preview goes without it.
        """
        key_version = await self.drafts.key_version(user_id)
        checked = await self._parsed(user_id, text, slot)
        slot, panel_name, preview = checked.slot, checked.panel_name, checked.preview
        if preview.too_many or not preview.valid:
            return BulkDraft(preview, None, None)
        balance: Balance | None
        try:
            balance = await self.accounts.balance(user_id, slot)
        except PanelError as exc:
            log.info("bulk preview without balance: %s", type(exc).__name__)
            balance = None
        currency = None if balance is None else balance.currency_text
        # The catalog `_parsed` just read (cached): the kinds of the open orders' services.
        catalog = await self.catalog.get(user_id, slot=slot)
        already_open = await self._already_open(user_id, slot, catalog, preview.valid)
        drafts = [
            OrderDraft(
                service_id=line.service.id,
                service_name_text=line.service.name_text,
                service_type=line.service.type,
                link=line.link,
                quantity=line.quantity,
                cost=line.cost if line.cost is not None else Decimal(0),
                currency_text=currency,
                line_no=line.line_no,
            )
            for line in preview.valid
            if line.service is not None
        ]
        batch = new_batch()
        await self.orders.create_drafts(
            user_id,
            batch,
            drafts,
            kind=DraftKind.BULK,
            key_version=key_version,
            ttl=self.drafts.ttl,
            panel_slot=slot,
            offered=offered_lines(preview.valid, balance),
            duplicates=warns(preview, already_open),
        )
        return BulkDraft(preview, batch, balance, already_open, panel_name)

    async def _already_open(
        self, user_id: int, slot: int, catalog: CatalogIndex, valid: Sequence[BulkLine]
    ) -> dict[int, OpenOnLink]:
        """line_no -> the open order on the same page for the same (or same-kind) service."""
        lines = [(line.line_no, line.service, line.link) for line in valid if line.service]
        found = await open_on_links(
            self.orders, user_id, slot, catalog, [(service, link) for _, service, link in lines]
        )
        return {n: match for (n, _, _), match in zip(lines, found, strict=True) if match}

    async def again(self, user_id: int, batch: str) -> BulkDraft | None:
        """ "Make a new preview" of a stored (expired, closed) bulk preview; None if gone."""
        rows = [o for o in await self.orders.get_batch(batch) if o.user_id == user_id]
        if not rows or rows[0].line_no is None:
            return None
        # Its own panel while linked; else the default one (a new preview, confirmed anew).
        slot: int | None = rows[0].panel_slot
        if await self.accounts.account(user_id, slot) is None:
            slot = None
        return await self.preview(user_id, list_text(rows), slot)

    async def discard(self, user_id: int, batch: str) -> int:
        """Drop a preview that was not confirmed; 0 when it was already submitted or gone."""
        return await self.orders.discard_draft(batch, user_id)

    async def submitted(self, user_id: int, batch: str) -> bool:
        """Whether the user has rows under `batch`: after `discard` dropped nothing, that means
        the batch was confirmed already (rather than gone)."""
        return any(o.user_id == user_id for o in await self.orders.get_batch(batch))

    async def keep_first(self, user_id: int, batch: str, n: int) -> int:
        """Before confirming "only the first n": the batch's later drafts become not sent.

        They are marked failed (never sent), so no later claim can place them. Returns how
        many were voided; 0 when the batch was already claimed (the claim then decides).
        """
        voided = await self.orders.void_drafts_after(batch, user_id, n, NOT_COVERED)
        if voided:
            log.info("bulk batch limited to its first %d lines; %d not sent", n, voided)
        return voided

    async def confirm(
        self,
        user_id: int,
        batch: str,
        *,
        first: int | None = None,
        on_claimed: Callable[[int], Awaitable[None]] | None = None,
        on_progress: Callable[[int, int], Awaitable[None]] | None = None,
        anyway: bool = False,
    ) -> BulkSubmission:
        """Place the batch's orders once, whoever else taps Confirm at the same time.

        `first`: "only the first n" (the balance covers no more). Those lines are checked, the
        later ones become not sent, then the usual claim takes exactly the first n.

        `on_claimed(n)` runs after this call won the claim and before the panel is called (the
        handler shows "Submitting…" there). Nothing is claimed when the preview is not a bulk
        one, expired, was made with another key, or any line is dearer or no longer valid
        (`CHANGED`, with the list previewed again), or it warned of links with open orders
        (or twice in the list) and this is not "Order anyway" (`anyway`; `DUPLICATE`), nor
        when a line's link has an open order placed since (`DUPLICATE` with the list previewed
        again, warning of it).
        """
        gate = await self.drafts.check(user_id, batch, DraftKind.BULK)
        if gate.refusal is not None or gate.client is None or gate.draft is None:
            return self._refused(gate.refusal, gate.rows)
        refused = _not_this_button(gate.draft, first, len(gate.rows), anyway=anyway)
        if refused is not None:
            return refused
        slot = gate.draft.panel_slot
        rows = gate.rows if first is None else gate.rows[:first]  # rows come in line order
        stopped = await self._recheck(user_id, batch, rows, slot)
        if stopped is None and not anyway:
            stopped = await self._open_since_preview(user_id, batch, rows, slot)
        if stopped is not None:
            return stopped
        if first is not None:
            await self.keep_first(user_id, batch, first)
        client = gate.client
        claim = await self.orders.claim(
            batch,
            user_id,
            kind=DraftKind.BULK,
            key_version=gate.key_version,
            panel_slot=slot,
            anyway=anyway,
        )
        if not claim.orders:
            return BulkSubmission(BulkOutcome.MISSING, [])
        if not claim.won:
            return await self._lost(user_id, batch, claim.orders)
        rows = [o for o in claim.orders if o.submit_state is SubmitState.SUBMITTING]
        if on_claimed is not None:
            try:
                await on_claimed(len(rows))
            except Exception:
                # Cosmetic: the orders must still go out, or they would sit in `submitting`.
                log.warning("could not announce a bulk submit", exc_info=True)
        return await self._submit(client, claim.orders, rows, on_progress)

    async def _open_since_preview(
        self, user_id: int, batch: str, rows: list[Order], slot: int
    ) -> BulkSubmission | None:
        """DUPLICATE when a line to place has an open order on its link now (placed after a
        preview that did not warn; the rules of `preview`); None when none has, or the draft
        is no longer open (its claim decides). The draft is closed and the same lines
        previewed again, warning of it, so only "Order anyway" places them from here.

        Checked before the claim, not in it as a single order's is: a 1,000-line lookup would
        hold the write lock (every other writer) that long. So two lists naming one link
        confirmed at the very same instant can still both pass it.
        """
        # The catalog `_recheck` just read (cached): the kinds of the open orders' services.
        index = await self.catalog.get(user_id, slot=slot, max_age=self.price_check_age)
        wanted = [(service, row.link) for row in rows if (service := index.get(row.service_id))]
        if not any(await open_on_links(self.orders, user_id, slot, index, wanted)):
            return None
        if not await self.drafts.drafts.replace(batch, user_id):
            return None
        fresh = await self.preview(user_id, list_text(rows), slot)  # the same panel, never another
        return BulkSubmission(BulkOutcome.DUPLICATE, rows, warned=fresh)

    async def _lost(self, user_id: int, batch: str, orders: list[Order]) -> BulkSubmission:
        """The answer when another Confirm (or the expiry) got to the claim first."""
        if all(o.submit_state is SubmitState.DRAFT for o in orders):
            # The promise broke between the check and the claim (it expired just now).
            again = await self.drafts.check(user_id, batch, DraftKind.BULK)
            return self._refused(again.refusal, again.rows)
        return BulkSubmission(BulkOutcome.ALREADY, orders)

    async def _submit(
        self,
        client: PanelClient,
        claimed: list[Order],
        rows: list[Order],
        on_progress: Callable[[int, int], Awaitable[None]] | None = None,
    ) -> BulkSubmission:
        """Send the claimed `rows` in one add_orders call and record every answer.

        On a panel without add_bulk the client places them line by line, and `on_progress`
        hears of each line (a failure to show progress never stops the placing)."""
        new_orders = [
            NewOrder(service=o.service_id, link=o.link, quantity=o.quantity) for o in rows
        ]

        async def progress(done: int, total: int) -> None:
            if on_progress is None:
                return
            try:
                await on_progress(done, total)
            except Exception:
                log.warning("could not show a bulk's progress", exc_info=True)

        async def line_placed(index: int, panel_id: int) -> None:
            await self._record_line(claimed, rows[index], panel_id)

        try:
            results = await client.add_orders(new_orders, progress, line_placed)
        except Exception:
            # add_orders reports per item and should not raise; if it does, anything may have
            # been sent, so nothing may be resubmitted blindly.
            log.exception("add_orders failed as a whole")
            results = []
        placed, failed, unknown = classify(rows, results)
        log.info(
            "bulk batch submitted: %d placed, %d failed, %d unknown",
            len(placed),
            len(failed),
            len(unknown),
        )
        # The panel has spent the money: the recorder retries a refused write, then journals
        # it, and answers from memory so the user still learns every placed id.
        by_id = {o.id: o for o in rows}
        recorded = await self.recorder.record(
            claimed,
            placed=[(by_id[oid], pid) for oid, pid in placed],
            failed=[(by_id[oid], err) for oid, err in failed],
            unknown=[(by_id[oid], err) for oid, err in unknown],
        )
        charges = await self._charged(client, recorded.orders)
        return BulkSubmission(
            BulkOutcome.SUBMITTED, recorded.orders, recorded.unsaved, charges=charges
        )

    async def _record_line(self, claimed: list[Order], row: Order, panel_id: int) -> None:
        """A line placed on its own (a panel without add_bulk) is recorded at once, like a
        single order: a crash later in the list then loses no id the panel returned. The
        batch's final record finds it placed already (recording is idempotent)."""
        try:
            await self.recorder.record(claimed, placed=[(row, panel_id)])
        except Exception:
            # The recorder journals what the database refused; the final record retries.
            log.warning("could not record a placed line of a bulk at once", exc_info=True)

    async def _charged(self, client: PanelClient, orders: list[Order]) -> dict[int, Charge]:
        """What the panel says it charged for the orders just placed: one multi-status call
        per 100 placed orders; the orders it said nothing about are left out."""
        placed = {
            o.panel_order_id: o
            for o in orders
            if o.submit_state is SubmitState.PLACED and o.panel_order_id is not None
        }
        statuses = await charges_after_add(client, list(placed))
        charges: dict[int, Charge] = {}
        for panel_id, status in statuses.items():
            order = placed.get(panel_id)
            charge = None if order is None else charge_of(order.cost, status)
            if order is not None and charge is not None:
                charges[order.id] = charge
        await remember_charges(self.orders, ((oid, c.charged) for oid, c in charges.items()))
        return charges

    @staticmethod
    def _refused(refusal: DraftRefusal | None, rows: list[Order]) -> BulkSubmission:
        outcome = _REFUSED[refusal] if refusal is not None else BulkOutcome.MISSING
        return BulkSubmission(outcome, [] if outcome is BulkOutcome.MISSING else rows)

    async def _recheck(
        self, user_id: int, batch: str, rows: list[Order], slot: int
    ) -> BulkSubmission | None:
        """None when every line is still orderable as previewed at no higher cost.

        The prices are at most PRICE_CHECK_SECONDS old, whatever SERVICES_CACHE_SECONDS
        would allow (one `services` call when older, shared by concurrent confirms on the same
        panel and key). Otherwise the draft is closed and the same list is
        previewed again; a caller that finds it already replaced gets `REPLACED`.
        """
        index = await self.catalog.get(user_id, slot=slot, max_age=self.price_check_age)
        text = list_text(rows)
        checked = parse_bulk(text, index, max_lines=max(self.max_lines, len(rows)))
        by_line = {line.line_no: line for line in checked.lines}
        changes = [
            change
            for row in rows
            if (change := _line_change(row, by_line.get(row.line_no or 0))) is not None
        ]
        if not changes:
            return None
        if not await self.drafts.drafts.replace(batch, user_id):
            return BulkSubmission(BulkOutcome.REPLACED, rows)
        fresh = await self.preview(user_id, text, slot)  # the same panel, never another
        old_total = sum((row.cost for row in rows), Decimal(0))
        return BulkSubmission(
            BulkOutcome.CHANGED, rows, repriced=BulkRepriced(changes, old_total, fresh)
        )


def _not_this_button(
    draft: Draft, first: int | None, lines: int, *, anyway: bool
) -> BulkSubmission | None:
    """Why this Confirm may not claim the preview at all (nothing changes), else None."""
    if not within_offer(draft.offered, first, lines):
        # Forged data: the preview never offered that many lines.
        log.warning("bulk confirm for more lines than the preview offered; refused")
        return BulkSubmission(BulkOutcome.NOT_OFFERED, [])
    if draft.duplicates and not anyway:
        return BulkSubmission(BulkOutcome.DUPLICATE, [])
    return None
