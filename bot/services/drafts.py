"""A preview is a promise: may this Confirm still place it? No Telegram in here.

A preview (single or bulk) is kept as draft rows plus one `drafts` row saying which Confirm
button may claim it (its kind), which stored key it was priced with (the user's key version,
never the key), when it expires and which message shows it. `DraftService.check` answers a tap
before anything else happens; `OrdersRepo.claim` checks the same conditions again inside its
conditional UPDATE, so a promise broken between the two still orders nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

from bot.panel.client import PanelClient
from bot.services.accounts import NoKey, PanelAccounts
from bot.storage.drafts import DraftsRepo
from bot.storage.models import Draft, DraftKind, DraftMessage, DraftState, Order, SubmitState
from bot.storage.orders import DEFAULT_DRAFT_TTL, OrdersRepo

# Open previews per user: past either bound the oldest are closed (the newest always stays).
# 20 previews is more than anyone keeps open on purpose; 5,000 rows is five full bulk files.
MAX_OPEN_PREVIEWS = 20
MAX_OPEN_DRAFT_LINES = 5000
# Dead drafts (expired or closed) are purged this long after they died, so a late tap is still
# answered precisely and "Make a new preview" can still rebuild it from the rows.
PURGE_GRACE_SECONDS = 3600.0
PURGE_EVERY_SECONDS = 300.0


class DraftRefusal(StrEnum):
    GONE = "gone"  # no such preview for this user and this button (discarded, purged, forged)
    ALREADY = "already"  # claimed before: a double tap, a second device, a replay
    EXPIRED = "expired"  # older than DRAFT_TTL_SECONDS, or closed over the open-preview cap
    KEY_CHANGED = "key_changed"  # /setkey or /deletekey since the preview
    REPLACED = "replaced"  # Confirm already showed a fresh preview in its place
    CANCELLED = "cancelled"  # the user cancelled it (✖️ Cancel, /cancel)


_Outcome = TypeVar("_Outcome", bound=StrEnum)


def refusal_outcomes(outcomes: type[_Outcome], gone: _Outcome) -> dict[DraftRefusal, _Outcome]:
    """What a Confirm answers for each refusal: the outcome of the same name, `gone` for GONE.

    Each confirm (one order, a bulk list) names its outcomes after the refusals, so a refusal
    added here without its outcome fails at import, not on a user's tap.
    """
    return {
        refusal: gone if refusal is DraftRefusal.GONE else outcomes[refusal.name]
        for refusal in DraftRefusal
    }


_CLOSED: dict[DraftState, DraftRefusal] = {
    DraftState.CLAIMED: DraftRefusal.ALREADY,
    DraftState.KEY_CHANGED: DraftRefusal.KEY_CHANGED,
    DraftState.REPLACED: DraftRefusal.REPLACED,
    DraftState.DROPPED: DraftRefusal.EXPIRED,
}


@dataclass(frozen=True, slots=True)
class Gate:
    """The answer to a Confirm tap before the claim: a refusal, or the draft and its client.

    `rows` are the preview's rows, empty when the tap must learn nothing about them (a
    forged single Confirm aimed at a bulk preview and vice versa).
    """

    rows: list[Order] = field(default_factory=list)
    refusal: DraftRefusal | None = None
    draft: Draft | None = None
    client: PanelClient | None = None
    key_version: int = 0


def _row_kind(rows: list[Order]) -> DraftKind:
    # Bulk rows carry their line number; used only when the `drafts` row was purged.
    return DraftKind.SINGLE if rows[0].line_no is None else DraftKind.BULK


@dataclass(frozen=True, slots=True)
class DraftService:
    drafts: DraftsRepo
    orders: OrdersRepo
    accounts: PanelAccounts
    ttl: float = DEFAULT_DRAFT_TTL
    max_open: int = MAX_OPEN_PREVIEWS
    max_lines: int = MAX_OPEN_DRAFT_LINES
    purge_grace: float = PURGE_GRACE_SECONDS

    async def key_version(self, user_id: int) -> int:
        """Read BEFORE the key is used to price a preview: a key changed after this read
        makes the draft unclaimable instead of pricing it with one key and placing it with
        another."""
        return await self.drafts.key_version(user_id)

    async def check(self, user_id: int, batch: str, kind: DraftKind) -> Gate:
        """May the `kind` Confirm button place preview `batch` now? Changes nothing."""
        rows = [o for o in await self.orders.get_batch(batch) if o.user_id == user_id]
        if not rows:
            return await self._without_rows(user_id, batch, kind)
        draft = await self.drafts.get(batch, user_id)
        if (draft.kind if draft is not None else _row_kind(rows)) is not kind:
            return Gate(refusal=DraftRefusal.GONE)
        if any(o.submit_state is not SubmitState.DRAFT for o in rows):
            return Gate(rows, DraftRefusal.ALREADY, draft)
        if draft is None:
            return Gate(rows, DraftRefusal.GONE)
        closed = _CLOSED.get(draft.state)
        if closed is not None:
            return Gate(rows, closed, draft)
        if draft.expired:
            return Gate(rows, DraftRefusal.EXPIRED, draft)
        version = await self.drafts.key_version(user_id)
        if version != draft.key_version:
            return Gate(rows, DraftRefusal.KEY_CHANGED, draft)
        try:
            # The panel it was priced on, never another (a removed panel moved the version).
            client = await self.accounts.client(user_id, draft.panel_slot)
        except NoKey:
            return Gate(rows, DraftRefusal.KEY_CHANGED, draft)
        return Gate(rows, None, draft, client, version)

    async def _without_rows(self, user_id: int, batch: str, kind: DraftKind) -> Gate:
        """A preview without rows: cancelled by its user (said so), else gone."""
        draft = await self.drafts.get(batch, user_id)
        if draft is not None and draft.cancelled and draft.kind is kind:
            return Gate(refusal=DraftRefusal.CANCELLED, draft=draft)
        return Gate(refusal=DraftRefusal.GONE)

    async def shown(
        self, batch: str, user_id: int, chat_id: int, message_id: int
    ) -> list[DraftMessage]:
        """The preview is on screen: remember where, and close previews over the cap.

        Returns the closed previews' messages, whose buttons should go.
        """
        return await self.drafts.shown(
            batch, user_id, chat_id, message_id, max_open=self.max_open, max_lines=self.max_lines
        )

    async def opened(self, user_id: int) -> list[DraftMessage]:
        """A preview made where no message shows it (the Mini App's Review): the cap on open
        previews holds as for the chat's. Returns the closed previews' messages."""
        return await self.drafts.enforce_cap(
            user_id, max_open=self.max_open, max_lines=self.max_lines
        )

    async def key_changed(self, user_id: int) -> list[DraftMessage]:
        """After /setkey or /deletekey: close every open preview; their messages."""
        return await self.drafts.close_open(user_id, DraftState.KEY_CHANGED)

    async def cancel(self, user_id: int) -> list[DraftMessage]:
        """/cancel: delete every preview still waiting for Confirm; one entry per preview."""
        return await self.drafts.cancel_open(user_id)

    async def purge(self) -> int:
        return await self.drafts.purge(grace=self.purge_grace)
