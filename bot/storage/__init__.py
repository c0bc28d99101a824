"""Storage on SQLite or PostgreSQL: the only place in the project that speaks SQL."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path

from bot.closing import AsyncClosing
from bot.storage.accounts import AccountsRepo
from bot.storage.capabilities import CapabilitiesRepo
from bot.storage.crypto import KeyCipher, UndecryptableKey, load_cipher
from bot.storage.db import Database, MigrationError
from bot.storage.drafts import DraftsRepo
from bot.storage.engines import open_database
from bot.storage.favourites import FavouritesRepo
from bot.storage.models import (
    AccessState,
    ClaimResult,
    Order,
    OrderDraft,
    OrderFilter,
    OutboxItem,
    OutboxKind,
    Refill,
    Starred,
    StatusUpdate,
    SubmitState,
    User,
)
from bot.storage.orders import OrdersRepo
from bot.storage.outbox import OutboxRepo
from bot.storage.pricewatch import PriceWatchRepo
from bot.storage.refills import RefillsRepo
from bot.storage.schedules import SchedulesRepo
from bot.storage.spending import SpendingRepo, SpendRow
from bot.storage.state import StateRepo
from bot.storage.users import UsersRepo

__all__ = [
    "AccessState",
    "AccountsRepo",
    "CapabilitiesRepo",
    "ClaimResult",
    "Database",
    "DraftsRepo",
    "FavouritesRepo",
    "KeyCipher",
    "MigrationError",
    "Order",
    "OrderDraft",
    "OrderFilter",
    "OrdersRepo",
    "OutboxItem",
    "OutboxKind",
    "OutboxRepo",
    "PriceWatchRepo",
    "Refill",
    "RefillsRepo",
    "SpendRow",
    "SpendingRepo",
    "Starred",
    "StateRepo",
    "StatusUpdate",
    "Storage",
    "SubmitState",
    "UndecryptableKey",
    "User",
    "UsersRepo",
    "load_cipher",
    "open_database",
]


@dataclass(frozen=True, slots=True)
class Storage(AsyncClosing):
    db: Database
    users: UsersRepo
    accounts: AccountsRepo
    orders: OrdersRepo
    refills: RefillsRepo
    outbox: OutboxRepo
    state: StateRepo
    drafts: DraftsRepo
    spending: SpendingRepo
    favourites: FavouritesRepo
    capabilities: CapabilitiesRepo
    schedules: SchedulesRepo
    prices: PriceWatchRepo

    @classmethod
    async def open(
        cls,
        target: Path | str,
        cipher: KeyCipher,
        *,
        migrations_dir: Path | Traversable | None = None,
        clock: Callable[[], float] = time.time,
        local_path: Path | str | None = None,
        busy_seconds: float | None = None,
    ) -> Storage:
        """Open (and migrate) the database and build every repository on it.

        `target` is an SQLite file path or a `postgresql://` URL; `local_path` is where a
        PostgreSQL deployment keeps local side files (see `open_database`). `clock` gives the
        repositories' timestamps (unix seconds); tests may pin it. `busy_seconds`: how long
        an SQLite writer waits for the write lock (DATABASE_BUSY_SECONDS).
        """
        db = await open_database(
            target,
            migrations_dir=migrations_dir,
            local_path=local_path,
            busy_seconds=busy_seconds,
        )
        return cls(
            db=db,
            users=UsersRepo(db, clock=clock),
            accounts=AccountsRepo(db, cipher, clock=clock),
            orders=OrdersRepo(db, clock=clock),
            refills=RefillsRepo(db, clock=clock),
            outbox=OutboxRepo(db, clock=clock),
            state=StateRepo(db),
            drafts=DraftsRepo(db, clock=clock),
            spending=SpendingRepo(db),
            favourites=FavouritesRepo(db, clock=clock),
            capabilities=CapabilitiesRepo(db, clock=clock),
            schedules=SchedulesRepo(db, clock=clock),
            prices=PriceWatchRepo(db, clock=clock),
        )

    async def close(self) -> None:
        await self.db.close()
