"""The Mini App's order form, bulk editor and orders list: what each API call does.

Every call goes through the very services the chat's buttons use, so the app keeps the chat's
promises by construction: Review makes the same draft (key version, panel, price, expiry) as
the chat's preview, Confirm takes the same claim (`OrdersRepo.claim`: one order, whoever taps
twice, on two devices or in the chat at the same time), Refill and Cancel address an order by
our row id on its own panel. A placed order is also told in the chat, through the outbox that
carries every result there (`ReplyQueue`), so the chat's history stays whole.

Nothing here knows HTTP: `api_orders` turns a `Refusal` into a JSON error and a dict into a
JSON answer. The caller (user id and translator) comes from the validated initData only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from bot.deps import Deps
from bot.i18n import Translator
from bot.panel.errors import PanelError
from bot.panel.models import Balance, Service
from bot.services.accounts import NoKey
from bot.services.drafts import DraftRefusal
from bot.services.order_form import OrderForm, check_answers, order_form
from bot.services.ordering import (
    AnswerRejected,
    OrderOutcome,
    SubmitResult,
    refusal_outcome,
    unknown_type_error,
)
from bot.services.validation import InputError, ServiceGone, service_available
from bot.storage.models import Order
from bot.views.link_guard import anyway_needed
from bot.views.new_order import (
    already_text,
    render_preview,
    render_repriced,
    render_result,
)
from bot.views.order_history import panel_names
from bot.views.previews import cancelled_text, closed_text, replaced_text
from bot.webapp.calls import (
    AnswersRequest,
    Asker,
    BatchRequest,
    ConfirmRequest,
    Refusal,
    ServiceRequest,
    panel_currency,
    refusal_of,
)
from bot.webapp.order_views import (
    check_json,
    error_json,
    form_json,
    plain,
    preview_json,
)

log = logging.getLogger(__name__)

# Outcomes after which this Confirm talked to the panel: the chat is told, as after its own.
_TOLD_IN_CHAT = frozenset({OrderOutcome.PLACED, OrderOutcome.FAILED, OrderOutcome.UNKNOWN})


@dataclass(slots=True)
class SingleOrders:
    """Form, live check, Review and Confirm of one order."""

    deps: Deps

    async def _service(self, caller: Asker, asked: ServiceRequest) -> tuple[int, str, Service]:
        try:
            slot, panel = await self.deps.ordering.panel_for(caller.id, asked.slot)
            index = await self.deps.catalog.get(caller.id, slot=slot)
        except (NoKey, PanelError) as exc:
            raise refusal_of(caller.t, exc) from None
        try:
            return slot, panel, service_available(index, asked.service_id)
        except ServiceGone as gone:
            raise Refusal(HTTPStatus.NOT_FOUND, "gone", error_json(caller.t, gone)) from None

    def _form(self, caller: Asker, service: Service) -> OrderForm:
        form = order_form(service)
        if form is None:
            refused = unknown_type_error(service)
            raise Refusal(HTTPStatus.UNPROCESSABLE_ENTITY, "type", error_json(caller.t, refused))
        return form

    async def form(self, caller: Asker, asked: ServiceRequest) -> dict[str, Any]:
        slot, panel, service = await self._service(caller, asked)
        form = self._form(caller, service)
        links = await self.deps.ordering.recent_links(caller.id, service.id)
        currency = await panel_currency(self.deps, caller.id, slot)
        return form_json(
            caller.t,
            form,
            slot=slot,
            panel=panel,
            currency=currency,
            recent_links=[link for _, link in links],
        )

    async def check(self, caller: Asker, asked: AnswersRequest) -> dict[str, Any]:
        """The answers as typed, through the chat's parsers; the cost once it is known."""
        slot, _, service = await self._service(caller, asked)
        form = self._form(caller, service)
        checked = check_answers(form, asked.texts(), dripfeed=asked.dripfeed)
        return check_json(caller.t, checked, await panel_currency(self.deps, caller.id, slot))

    async def review(self, caller: Asker, asked: AnswersRequest) -> dict[str, Any]:
        """The chat's preview: a draft with key version, panel, price check and expiry."""
        t = caller.t
        slot, _, service = await self._service(caller, asked)
        answers: dict[str, Any] = asked.texts()
        if not asked.dripfeed:
            answers = {k: v for k, v in answers.items() if k not in ("runs", "interval")}
        try:
            preview = await self.deps.ordering.prepare(caller.id, service.id, answers, slot)
        except AnswerRejected as exc:
            raise Refusal(
                HTTPStatus.UNPROCESSABLE_ENTITY, "answer", error_json(t, exc.error), field=exc.field
            ) from None
        except InputError as exc:
            raise Refusal(
                HTTPStatus.UNPROCESSABLE_ENTITY,
                "answer",
                error_json(t, exc),
                field=exc.params.get("field"),
            ) from None
        except (NoKey, PanelError) as exc:
            raise refusal_of(t, exc) from None
        # No message shows it, but it counts towards the cap on open previews all the same.
        await self.deps.drafts.opened(caller.id)
        return preview_json(t, preview, render_preview(t, preview))

    async def preview(self, caller: Asker, asked: BatchRequest) -> dict[str, Any]:
        """An open preview made elsewhere (the chat's), to confirm here: the same draft."""
        t = caller.t
        try:
            found = await self.deps.ordering.open_preview(caller.id, asked.batch)
        except (NoKey, PanelError) as exc:
            raise refusal_of(t, exc) from None
        if isinstance(found, DraftRefusal):
            text = refused_text(t, refusal_outcome(found), None) or already_text(t, None)
            raise Refusal(HTTPStatus.CONFLICT, found.value, plain(text))
        # A stored preview does not say it warned: shown with the open order on its link (if
        # any), as its Confirm would stop and warn, so the app offers ⚠️ Order anyway at once.
        found = await self.deps.ordering.warned_again(caller.id, asked.batch) or found
        answer = preview_json(t, found, render_preview(t, found))
        return answer | {"service_id": found.service.id, "slot": found.order.panel_slot}

    async def discard(self, caller: Asker, asked: BatchRequest) -> dict[str, Any]:
        """Back to the form from a review: the chat's ✖️ Cancel, so its Confirm can no longer
        place it (a new review makes a new draft)."""
        return {"discarded": await self.deps.ordering.discard(caller.id, asked.batch)}

    async def confirm(self, caller: Asker, asked: ConfirmRequest) -> dict[str, Any]:
        """The MainButton: the chat's Confirm, with its claim; under a review that warned, the
        chat's ⚠️ Order anyway (`anyway`), which the service takes for the caller's own draft."""
        try:
            result = await self.deps.ordering.confirm(caller.id, asked.batch, anyway=asked.anyway)
        except (NoKey, PanelError) as exc:
            # A price check the panel did not answer: nothing was claimed, nothing ordered.
            raise refusal_of(caller.t, exc) from None
        if result.outcome is OrderOutcome.DUPLICATE:
            return await self._duplicate(caller, asked.batch, result)
        refused = self._refused(caller.t, result)
        if refused is not None:
            return refused
        return await self._placed(caller, result)

    def _refused(self, t: Translator, result: SubmitResult) -> dict[str, Any] | None:
        """Nothing was ordered by this Confirm: say why, as the chat does."""
        outcome = result.outcome
        if outcome is OrderOutcome.CHANGED and result.repriced is not None:
            fresh = result.repriced.fresh
            answer: dict[str, Any] = {"outcome": outcome.value}
            answer["text"] = plain(render_repriced(t, result.repriced))
            if fresh is not None:
                answer["review"] = preview_json(t, fresh, render_preview(t, fresh))
            return answer
        text = refused_text(t, outcome, result.order)
        if text is None:
            return None
        order = result.order
        return {
            "outcome": outcome.value,
            "text": plain(text),
            "order_id": order.id if order is not None else None,
        }

    async def _duplicate(self, caller: Asker, batch: str, result: SubmitResult) -> dict[str, Any]:
        """A plain Confirm stopped by an open order on the link: the review again, warning, so
        the app's MainButton becomes ⚠️ Order anyway. The order was placed after the review
        (`warned`), or the review warned and the page still showed plain Confirm (a chat
        preview opened here, a page older than the warning): then it is looked up again."""
        t = caller.t
        warned = result.warned or await self.deps.ordering.warned_again(caller.id, batch)
        order = result.order
        answer: dict[str, Any] = {
            "outcome": OrderOutcome.DUPLICATE.value,
            "text": plain(anyway_needed(t)),
            "order_id": order.id if order is not None else None,
        }
        if warned is not None:
            answer["review"] = preview_json(t, warned, render_preview(t, warned))
        return answer

    async def _placed(self, caller: Asker, result: SubmitResult) -> dict[str, Any]:
        """This Confirm talked to the panel: the answer, and the same result in the chat."""
        t = caller.t
        order = result.order
        slot = order.panel_slot if order is not None else None
        balance = await self._balance(caller.id, slot) if result.panel_order_id else None
        names = panel_names(await self.deps.accounts.names(caller.id))
        panel = names.get(slot, "") if slot is not None else ""
        text = render_result(t, result, balance, None, panel)
        if result.outcome in _TOLD_IN_CHAT:
            order_id = order.id if order is not None else None
            # The outbox's drain (every second) sends it, and again once Telegram is back.
            await self.deps.replies.queue(caller.id, text, order_id=order_id)
        return {
            "outcome": result.outcome.value,
            "text": plain(text),
            "order_id": order.id if order is not None else None,
            "panel_order_id": result.panel_order_id,
        }

    async def _balance(self, user_id: int, slot: int | None) -> Balance | None:
        try:
            return await self.deps.accounts.balance(user_id, slot)
        except (NoKey, PanelError) as exc:
            log.info("no balance after an app order: %s", type(exc).__name__)
            return None


def refused_text(t: Translator, outcome: OrderOutcome, order: Order | None) -> str | None:
    """Why a Confirm ordered nothing, in the chat's words; None when it reached the panel."""
    if outcome in (OrderOutcome.ALREADY, OrderOutcome.GONE):
        return already_text(t, order)
    if outcome is OrderOutcome.REPLACED:
        return replaced_text(t)
    if outcome is OrderOutcome.CANCELLED:
        return cancelled_text(t, 1)
    if outcome is OrderOutcome.DUPLICATE:
        # The chat's preview carries the ⚠️ Order anyway button (issue 24 item 3).
        return anyway_needed(t)
    if outcome in (OrderOutcome.EXPIRED, OrderOutcome.KEY_CHANGED):
        return closed_text(t, expired=outcome is OrderOutcome.EXPIRED)
    return None
