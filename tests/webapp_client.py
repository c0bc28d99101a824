"""The Mini App's order calls as a test makes them (issue 23)."""

from __future__ import annotations

from typing import Any

from bot.webapp.calls import Caller, Refusal
from bot.webapp.order_actions import SingleOrders
from tests.harness import Harness


class AppClient:
    """One user's Mini App: the calls its order form makes."""

    def __init__(self, bot: Harness, user_id: int, language: str = "en") -> None:
        self.bot = bot
        self.caller = Caller(user_id, bot.deps.catalogs.translator(language))
        self.single = SingleOrders(bot.deps)

    async def form(self, service_id: int, slot: int | None = None) -> dict[str, Any]:
        return await self.single.form(self.caller, {"service_id": service_id, "slot": slot})

    async def check(
        self, service_id: int, answers: dict[str, Any], *, dripfeed: bool = False
    ) -> dict[str, Any]:
        body = {"service_id": service_id, "answers": answers, "dripfeed": dripfeed}
        return await self.single.check(self.caller, body)

    async def review(
        self, service_id: int, answers: dict[str, Any], *, dripfeed: bool = False
    ) -> dict[str, Any]:
        body = {"service_id": service_id, "answers": answers, "dripfeed": dripfeed}
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
        return await self.single.confirm(self.caller, {"batch": batch})
