"""The Mini App's bulk editor: rows checked as typed, then the chat's bulk preview and Confirm.

Rows are `panel | service | link | quantity` lines, checked by the chat's own bulk rules
(`bot.services.bulk_lines`, through `BulkOrderService.check`) without storing anything. Review
makes the chat's bulk drafts, one per panel (never one panel's lines sent to another), and
Confirm takes each one's claim, with "only the first N" when the balance covers no more,
exactly as the chat's buttons do. Each placed bulk is also told in the chat.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.deps import Deps
from bot.i18n import Translator
from bot.panel.errors import PanelError
from bot.services.accounts import NoKey
from bot.services.bulk_orders import BulkOutcome, BulkSubmission
from bot.views.bulk import render_already, render_preview, render_repriced, render_result
from bot.views.errors import button_expired
from bot.views.link_guard import anyway_needed
from bot.views.previews import cancelled_text, closed_text, replaced_text
from bot.views.text import esc
from bot.webapp.calls import (
    Asker,
    BulkBatch,
    BulkConfirmRequest,
    ListRequest,
    panel_currency,
    refusal_of,
)
from bot.webapp.order_views import bulk_check_json, bulk_preview_json, plain


@dataclass(slots=True)
class BulkOrders:
    deps: Deps

    async def check(self, caller: Asker, asked: ListRequest) -> dict[str, Any]:
        """Every row's verdict as it is typed, and each panel's total; nothing is stored."""
        try:
            groups = await self.deps.bulk.check(caller.id, asked.text)
        except (NoKey, PanelError) as exc:
            raise refusal_of(caller.t, exc) from None
        currencies = {g.slot: await panel_currency(self.deps, caller.id, g.slot) for g in groups}
        return bulk_check_json(caller.t, groups, currencies)

    async def review(self, caller: Asker, asked: ListRequest) -> dict[str, Any]:
        """The chat's bulk preview of the list: a draft per panel, each with its Confirm."""
        t = caller.t
        previews = []
        try:
            for slot, part in await self.deps.bulk.by_panel(caller.id, asked.text):
                draft = await self.deps.bulk.preview(caller.id, part, slot)
                previews.append(bulk_preview_json(t, draft, render_preview(t, draft), slot))
        except (NoKey, PanelError) as exc:
            raise refusal_of(t, exc) from None
        await self.deps.drafts.opened(caller.id)
        return {"previews": previews}

    async def confirm(self, caller: Asker, asked: BulkConfirmRequest) -> dict[str, Any]:
        """The MainButton under a bulk Review: each preview's Confirm, in turn."""
        return {"results": [await self._confirm_one(caller, item) for item in asked.batches]}

    async def _confirm_one(self, caller: Asker, item: BulkBatch) -> dict[str, Any]:
        batch = item.batch
        try:
            submission = await self.deps.bulk.confirm(
                caller.id, batch, first=item.first, anyway=item.anyway
            )
        except (NoKey, PanelError) as exc:
            raise refusal_of(caller.t, exc) from None
        answer: dict[str, Any] = {"batch": batch, "outcome": submission.outcome.value}
        refused = _refused_text(caller.t, submission)
        if refused is not None:
            repriced = submission.repriced
            if repriced is not None and repriced.fresh.batch is not None:
                # Confirm found changes: the list previewed again, for a new Confirm.
                fresh = repriced.fresh
                answer["review"] = bulk_preview_json(caller.t, fresh, refused, None)
            warned = submission.warned
            if warned is not None and warned.batch is not None:
                # An open order on a line's link since the review: the list again, warning.
                text = render_preview(caller.t, warned)
                answer["review"] = bulk_preview_json(caller.t, warned, text, None)
            return answer | {"text": plain(refused)}
        text = await self._result(caller, submission)
        await self.deps.replies.queue(caller.id, text)
        return answer | {"text": plain(text), "placed": len(submission.placed)}

    async def _result(self, caller: Asker, submission: BulkSubmission) -> str:
        t = caller.t
        text, _ = render_result(t, submission)
        if submission.orders:
            slot = submission.orders[0].panel_slot
            panel = await self.deps.bulk.panel_name(caller.id, slot)
            if panel:
                text = t._("Panel: <b>{panel}</b>", panel=esc(panel)) + "\n" + text
        return text


def _refused_text(t: Translator, submission: BulkSubmission) -> str | None:
    """Nothing was sent by this Confirm: why, in the chat's words; None when it was sent."""
    outcome = submission.outcome
    if outcome is BulkOutcome.ALREADY:
        return render_already(t, submission)
    if outcome is BulkOutcome.CHANGED and submission.repriced is not None:
        return render_repriced(t, submission.repriced)
    texts: dict[BulkOutcome, Callable[[], str]] = {
        BulkOutcome.MISSING: lambda: button_expired(t),
        BulkOutcome.REPLACED: lambda: replaced_text(t),
        BulkOutcome.CANCELLED: lambda: cancelled_text(t, 1),
        BulkOutcome.NOT_OFFERED: lambda: button_expired(t),
        BulkOutcome.DUPLICATE: lambda: anyway_needed(t),
        BulkOutcome.EXPIRED: lambda: closed_text(t, expired=True),
        BulkOutcome.KEY_CHANGED: lambda: closed_text(t, expired=False),
    }
    said = texts.get(outcome)
    return said() if said is not None else None
