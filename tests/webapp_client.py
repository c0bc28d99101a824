"""The Mini App's order calls as a test makes them (issue 23)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.i18n import Translator
from bot.services.tracking import OrderAction
from bot.webapp.bulk_actions import BulkOrders
from bot.webapp.calls import (
    AnswersRequest,
    BatchRequest,
    BulkConfirmRequest,
    ListRequest,
    OrderRequest,
    OrdersRequest,
    Refusal,
    ServiceRequest,
)
from bot.webapp.list_actions import OrderList
from bot.webapp.order_actions import SingleOrders
from tests.harness import Harness


@dataclass(frozen=True)
class Caller:
    """What the order calls need of the Mini App's caller."""

    id: int
    t: Translator


class AppClient:
    """One user's Mini App: the calls its order form makes."""

    def __init__(self, bot: Harness, user_id: int, language: str = "en") -> None:
        self.bot = bot
        self.caller = Caller(user_id, bot.deps.catalogs.translator(language))
        self.single = SingleOrders(bot.deps)
        self.bulk = BulkOrders(bot.deps)
        self.list = OrderList(bot.deps)

    async def form(self, service_id: int, slot: int | None = None) -> dict[str, Any]:
        return await self.single.form(self.caller, ServiceRequest(service_id=service_id, slot=slot))

    async def check(
        self, service_id: int, answers: dict[str, Any], *, dripfeed: bool = False
    ) -> dict[str, Any]:
        body = AnswersRequest(service_id=service_id, answers=answers, dripfeed=dripfeed)
        return await self.single.check(self.caller, body)

    async def review(
        self, service_id: int, answers: dict[str, Any], *, dripfeed: bool = False
    ) -> dict[str, Any]:
        body = AnswersRequest(service_id=service_id, answers=answers, dripfeed=dripfeed)
        return await self.single.review(self.caller, body)

    async def review_refused(
        self, service_id: int, answers: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        try:
            await self.review(service_id, answers)
        except Refusal as refusal:
            return int(refusal.status), refusal.body()
        raise AssertionError("the review was not refused")

    async def confirm(self, batch: str) -> dict[str, Any]:
        return await self.single.confirm(self.caller, BatchRequest(batch=batch))

    async def bulk_check(self, text: str) -> dict[str, Any]:
        return await self.bulk.check(self.caller, ListRequest(text=text))

    async def bulk_review(self, text: str) -> dict[str, Any]:
        return await self.bulk.review(self.caller, ListRequest(text=text))

    async def bulk_confirm(self, *batches: str, first: int | None = None) -> dict[str, Any]:
        items = [{"batch": b, "first": first} for b in batches]
        return await self.bulk.confirm(
            self.caller, BulkConfirmRequest.model_validate({"batches": items})
        )

    async def orders(self, **query: Any) -> dict[str, Any]:
        return await self.list.page(self.caller, OrdersRequest.model_validate(query))

    async def card(self, order_id: int) -> dict[str, Any]:
        return await self.list.card(self.caller, OrderRequest(id=order_id))

    async def refill(self, order_id: int) -> dict[str, Any]:
        return await self.list.act(self.caller, OrderRequest(id=order_id), OrderAction.REFILL)

    async def cancel(self, order_id: int) -> dict[str, Any]:
        return await self.list.act(self.caller, OrderRequest(id=order_id), OrderAction.CANCEL)

    async def refresh(self, order_id: int) -> dict[str, Any]:
        return await self.list.refresh(self.caller, OrderRequest(id=order_id))

    async def refused(self, call: Any) -> tuple[int, dict[str, Any]]:
        """The status and body of a call that must be refused."""
        try:
            await call
        except Refusal as refusal:
            return int(refusal.status), refusal.body()
        raise AssertionError("the call was not refused")

    async def review_for_list(self) -> dict[str, Any]:
        """One order placed through the app (service 1), for the list's tests."""
        review = await self.review(1, {"link": "https://instagram.com/listed", "quantity": "1000"})
        return await self.confirm(review["batch"])
