"""The Mini App's order calls as its page makes them: real HTTP to the bot's server (issue 23).

`AppClient` signs initData for one user (tests/miniapp.py) and POSTs the pages' JSON to the
server `running_miniapp` serves; `serving` starts the bot and its Mini App on a test's engine.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import database_settings
from tests.harness import Harness, running_bot
from tests.miniapp import WEBAPP_URL, MiniApp, running_miniapp


@asynccontextmanager
async def serving(tmp_path: Path, database: Path | str, **settings: Any) -> AsyncIterator[MiniApp]:
    """The bot on `database` (either engine) with its Mini App on a free port."""
    async with (
        running_bot(
            tmp_path, webapp_url=WEBAPP_URL, **database_settings(database), **settings
        ) as harness,
        running_miniapp(harness) as app,
    ):
        yield app


class Refused(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body


class AppClient:
    """One user's Mini App: the calls its order, bulk and orders pages make."""

    def __init__(self, app: MiniApp, user_id: int, language: str = "en") -> None:
        self.app = app
        self.user_id = user_id
        self.language = language

    @property
    def bot(self) -> Harness:
        return self.app.harness

    async def call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST `body` to `path`; the JSON answer, or `Refused` with the error's."""
        headers = self.app.headers(self.user_id, language_code=self.language)
        async with self.app.client() as client:
            response = await client.post(path, json=body, headers=headers)
        answer = response.json()
        assert isinstance(answer, dict), answer
        if response.status_code != httpx.codes.OK:
            raise Refused(response.status_code, answer)
        return answer

    async def refused(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        try:
            await self.call(path, body)
        except Refused as refusal:
            return refusal.status, refusal.body
        raise AssertionError(f"{path} was not refused")

    async def form(self, service_id: int, slot: int | None = None) -> dict[str, Any]:
        return await self.call("api/order/form", {"service_id": service_id, "slot": slot})

    async def check(
        self, service_id: int, answers: dict[str, Any], *, dripfeed: bool = False
    ) -> dict[str, Any]:
        body = {"service_id": service_id, "answers": answers, "dripfeed": dripfeed}
        return await self.call("api/order/check", body)

    async def review(
        self, service_id: int, answers: dict[str, Any], *, dripfeed: bool = False
    ) -> dict[str, Any]:
        body = {"service_id": service_id, "answers": answers, "dripfeed": dripfeed}
        return await self.call("api/order/review", body)

    async def confirm(self, batch: str, *, anyway: bool = False) -> dict[str, Any]:
        """The MainButton under a review: Confirm, or ⚠️ Order anyway (`anyway`)."""
        return await self.call("api/order/confirm", {"batch": batch, "anyway": anyway})

    async def bulk_check(self, text: str) -> dict[str, Any]:
        return await self.call("api/bulk/check", {"text": text})

    async def bulk_review(self, text: str) -> dict[str, Any]:
        return await self.call("api/bulk/review", {"text": text})

    async def bulk_confirm(self, *batches: str, anyway: bool = False) -> dict[str, Any]:
        items = [{"batch": b, "anyway": anyway} for b in batches]
        return await self.call("api/bulk/confirm", {"batches": items})

    async def orders(self, **query: Any) -> dict[str, Any]:
        return await self.call("api/orders/list", query)

    async def card(self, order_id: int) -> dict[str, Any]:
        return await self.call("api/orders/card", {"id": order_id})

    async def refill(self, order_id: int) -> dict[str, Any]:
        return await self.call("api/orders/refill", {"id": order_id})

    async def cancel(self, order_id: int) -> dict[str, Any]:
        return await self.call("api/orders/cancel", {"id": order_id})

    async def placed(self, link: str = "https://instagram.com/listed") -> dict[str, Any]:
        """One order placed through the app (service 1, 1,000)."""
        review = await self.review(1, {"link": link, "quantity": "1000"})
        return await self.confirm(review["batch"])
