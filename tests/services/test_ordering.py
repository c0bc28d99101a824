"""OrderingService against the fake panel over real HTTP and a real SQLite database."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

from bot.logs import SecretRegistry
from bot.panel.errors import OutcomeUnknown, PanelRejected, PanelUnavailable
from bot.panel.models import Service
from bot.services.accounts import PanelAccounts
from bot.services.catalog import CatalogService
from bot.services.catalog_index import CatalogCache
from bot.services.currency import CurrencyService
from bot.services.order_types import plan_for
from bot.services.ordering import (
    AnswerRejected,
    OrderingService,
    OrderOutcome,
    UnknownServiceType,
    revalidate,
)
from bot.services.panel_clients import PanelClients
from bot.services.validation import ServiceGone
from bot.storage import KeyCipher, Storage
from bot.storage.models import Order, OrderDraft, SubmitState
from tests.fakes.panel import FakePanel, Fault
from tests.fakes.panel_catalog import default_services

KEY = "pk_service_0123456789abcdef"
UID = 7001
LINK = "https://instagram.com/a"


@dataclass
class World:
    panel: FakePanel
    storage: Storage
    ordering: OrderingService
    currencies: CurrencyService


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    storage = await Storage.open(tmp_path / "db.sqlite3", KeyCipher([Fernet.generate_key()]))
    async with FakePanel() as panel, httpx.AsyncClient() as http:
        panel.add_key(KEY, balance="100")
        keys = PanelAccounts(storage.accounts, PanelClients(panel.url, http, 0.5), SecretRegistry())
        catalog = CatalogService(CatalogCache(600), keys)
        await storage.users.touch(UID, username=None, first_name=None)
        await keys.link(UID, KEY)
        currencies = CurrencyService(keys)
        ordering = OrderingService(storage, keys, catalog, currencies=currencies)
        yield World(panel, storage, ordering, currencies)
    await storage.close()


async def test_prepare_stores_a_priced_draft_with_a_token(world: World) -> None:
    preview = await world.ordering.prepare(UID, 1, {"link": "instagram.com/a", "quantity": 1000})
    assert preview.cost == Decimal("12.5")
    assert preview.balance is not None and preview.balance.amount == Decimal("100")
    assert preview.balance_after == Decimal("87.5") and not preview.balance_short
    assert preview.params == {"link": LINK, "quantity": 1000}
    order = preview.order
    assert order.submit_state is SubmitState.DRAFT and order.token == order.batch
    assert len(order.batch) == 16 and ":" not in order.batch
    assert (order.link, order.quantity, order.currency_text) == (LINK, 1000, "USD")
    assert world.panel.count("add") == 0


async def test_confirm_places_once_then_reports_already(world: World) -> None:
    preview = await world.ordering.prepare(UID, 1, {"link": LINK, "quantity": 1000})
    claimed: list[Order] = []

    async def hook(order: Order) -> None:
        claimed.append(order)
        assert world.panel.count("add") == 0  # runs before the panel call

    first = await world.ordering.confirm(UID, preview.batch, hook)
    assert first.outcome is OrderOutcome.PLACED and first.panel_order_id == 23501
    assert first.order is not None and first.order.submit_state is SubmitState.PLACED
    assert [o.submit_state for o in claimed] == [SubmitState.SUBMITTING]
    again = await world.ordering.confirm(UID, preview.batch, hook)
    assert again.outcome is OrderOutcome.ALREADY and again.panel_order_id == 23501
    assert len(claimed) == 1
    assert world.panel.count("add") == 1


async def test_truly_concurrent_confirms_call_the_panel_once(world: World) -> None:
    preview = await world.ordering.prepare(UID, 1, {"link": LINK, "quantity": 1000})
    world.panel.inject(Fault.latency(0.1), action="add")
    results = await asyncio.gather(*(world.ordering.confirm(UID, preview.batch) for _ in range(5)))
    outcomes = sorted(r.outcome.value for r in results)
    assert outcomes == ["already"] * 4 + ["placed"]
    assert world.panel.count("add") == 1


async def test_failing_hook_does_not_stop_the_order(world: World) -> None:
    preview = await world.ordering.prepare(UID, 1, {"link": LINK, "quantity": 1000})

    async def broken(order: Order) -> None:
        raise RuntimeError("telegram is down")

    result = await world.ordering.confirm(UID, preview.batch, broken)
    assert result.outcome is OrderOutcome.PLACED


async def test_other_users_and_unknown_tokens_are_gone(world: World) -> None:
    preview = await world.ordering.prepare(UID, 1, {"link": LINK, "quantity": 1000})
    await world.storage.users.touch(UID + 1, username=None, first_name=None)
    world.panel.add_key("pk_second_0123456789abcdef")
    await world.ordering.accounts.link(UID + 1, "pk_second_0123456789abcdef")
    stolen = await world.ordering.confirm(UID + 1, preview.batch)
    assert stolen.outcome is OrderOutcome.GONE
    assert (await world.ordering.confirm(UID, "nosuchtoken")).outcome is OrderOutcome.GONE
    assert await world.ordering.discard(UID + 1, preview.batch) is False
    assert world.panel.count("add") == 0


async def test_no_key_refuses_before_claiming(world: World) -> None:
    preview = await world.ordering.prepare(UID, 1, {"link": LINK, "quantity": 1000})
    await world.ordering.accounts.unlink(UID)
    # The preview was priced with a key that is gone: "key changed", never NoKey-and-retry.
    result = await world.ordering.confirm(UID, preview.batch)
    assert result.outcome is OrderOutcome.KEY_CHANGED
    [row] = await world.ordering.batch_of(UID, preview.batch)
    assert row.submit_state is SubmitState.DRAFT


async def test_timeout_after_sending_is_unknown(world: World) -> None:
    preview = await world.ordering.prepare(UID, 1, {"link": LINK, "quantity": 1000})
    world.panel.inject(Fault.drop_connection(after=True), action="add")
    result = await world.ordering.confirm(UID, preview.batch)
    assert result.outcome is OrderOutcome.UNKNOWN and isinstance(result.error, OutcomeUnknown)
    assert result.order is not None and result.order.submit_state is SubmitState.UNKNOWN
    assert len(world.panel.orders) == 1 and world.panel.count("add") == 1


async def test_refusal_is_failed_with_the_panels_message(world: World) -> None:
    preview = await world.ordering.prepare(UID, 1, {"link": LINK, "quantity": 10000})
    world.panel.set_balance(KEY, "1")
    result = await world.ordering.confirm(UID, preview.batch)
    assert result.outcome is OrderOutcome.FAILED and isinstance(result.error, PanelRejected)
    assert result.order is not None and "Insufficient balance" in (result.order.error_text or "")


async def test_connect_error_is_failed_and_nothing_placed(world: World) -> None:
    preview = await world.ordering.prepare(UID, 1, {"link": LINK, "quantity": 1000})
    await world.panel.stop()
    result = await world.ordering.confirm(UID, preview.batch)
    assert result.outcome is OrderOutcome.FAILED and isinstance(result.error, PanelUnavailable)
    assert result.order is not None and result.order.submit_state is SubmitState.FAILED


async def test_prepare_refuses_gone_unknown_type_and_stale_answers(world: World) -> None:
    with pytest.raises(ServiceGone):
        await world.ordering.prepare(UID, 999, {"link": LINK, "quantity": 1000})
    services = default_services()
    services.append({**services[0], "service": 60, "type": "Teleport"})
    services[0]["min"] = 5000
    world.panel.set_services(services)
    world.ordering.preview_max_age = 0  # forces the refetch a stale cache would get
    with pytest.raises(UnknownServiceType):
        await world.ordering.prepare(UID, 60, {"link": LINK, "quantity": 1000})
    with pytest.raises(AnswerRejected) as info:
        await world.ordering.prepare(UID, 1, {"link": LINK, "quantity": 1000})
    assert info.value.field == "quantity"
    assert await world.storage.db.fetchall("SELECT id FROM orders") == []


async def test_balance_unavailable_still_previews(world: World) -> None:
    await world.ordering.catalog.get(UID)
    world.panel.inject(Fault.http_500(), action="balance", times=None)
    preview = await world.ordering.prepare(UID, 1, {"link": LINK, "quantity": 1000})
    assert preview.balance is None and preview.balance_after is None
    assert preview.order.currency is None


def test_revalidate_drops_dripfeed_the_service_no_longer_offers() -> None:
    base = Service(1, "x", "Default", "c", Decimal("1"), 10, 1000, False, False, True, None)
    values = {"link": "instagram.com/a", "quantity": "100", "runs": 5, "interval": 3}
    plan = plan_for(base)
    assert plan is not None
    assert revalidate(plan, values) == {"link": LINK, "quantity": 100, "runs": 5, "interval": 3}
    no_drip = Service(1, "x", "Default", "c", Decimal("1"), 10, 1000, False, False, False, None)
    plan = plan_for(no_drip)
    assert plan is not None
    assert revalidate(plan, values) == {"link": LINK, "quantity": 100}


async def test_recover_submitting_marks_unknown_and_queues_one_notice(world: World) -> None:
    preview = await world.ordering.prepare(UID, 1, {"link": LINK, "quantity": 1000})
    claim = await world.storage.orders.claim(preview.batch, UID)
    assert claim.won
    [recovered] = await world.ordering.recover_submitting()
    assert recovered.submit_state is SubmitState.UNKNOWN
    assert await world.ordering.recover_submitting() == []
    rows = await world.storage.db.fetchall("SELECT user_id, kind, dedupe_key FROM outbox")
    assert [tuple(r) for r in rows] == [(UID, "order_unknown", f"order_unknown:{recovered.id}")]


async def test_recover_submitting_queues_one_notice_per_bulk_batch(world: World) -> None:
    drafts = [
        OrderDraft(
            1,
            "Instagram Takipçi",
            "Default",
            f"https://instagram.com/u{i}",
            1000,
            Decimal("12.5"),
            "USD",
            line_no=i + 1,
        )
        for i in range(3)
    ]
    rows = await world.storage.orders.create_drafts(UID, "bulkbatch001", drafts)
    assert (await world.storage.orders.claim("bulkbatch001", UID)).won
    recovered = await world.ordering.recover_submitting()
    assert sorted(o.id for o in recovered) == sorted(r.id for r in rows)
    outbox = await world.storage.db.fetchall("SELECT kind, payload FROM outbox")
    assert [(r[0], json.loads(r[1])["count"]) for r in outbox] == [("order_unknown", 3)]


async def test_reorder_values_only_for_the_owner(world: World) -> None:
    preview = await world.ordering.prepare(UID, 1, {"link": LINK, "quantity": 1000})
    assert await world.ordering.reorder_values(UID, preview.order.id) == (
        1,
        {"link": LINK, "quantity": 1000},
    )
    assert await world.ordering.reorder_values(UID + 5, preview.order.id) is None
    assert await world.ordering.reorder_values(UID, 424242) is None


async def test_currency_is_cached_per_user(world: World) -> None:
    world.panel.clear_log()
    assert await world.currencies.currency(UID) == "USD"
    assert await world.currencies.currency(UID) == "USD"
    assert world.panel.count("balance") == 1
    assert await world.currencies.currency(UID, force=True) == "USD"
    assert world.panel.count("balance") == 2


async def test_a_preview_tells_the_currency_cache(world: World) -> None:
    await world.ordering.prepare(UID, 1, {"link": LINK, "quantity": 1000})
    world.panel.clear_log()
    assert await world.currencies.currency(UID) == "USD"
    assert world.panel.count("balance") == 0
