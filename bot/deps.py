"""Everything a handler needs, built once per process and passed in: no module-level state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from bot.i18n import Catalogs, Translator
from bot.logs import SecretRegistry
from bot.services.access import AccessService
from bot.services.accounts import PanelAccounts
from bot.services.bulk_orders import BulkOrderService
from bot.services.catalog import CatalogService
from bot.services.compare import CompareService
from bot.services.currency import CurrencyService
from bot.services.drafts import DraftService
from bot.services.favourites import FavouritesService
from bot.services.notifications.replies import ReplyQueue
from bot.services.notifications.settings import NotificationSettings
from bot.services.ordering import OrderingService
from bot.services.panel_clients import PanelClients
from bot.services.panels import PanelsService
from bot.services.placements import PlacementRecorder
from bot.services.pricewatch import PriceWatch
from bot.services.progress import ProgressService
from bot.services.resolutions import UnknownOrders
from bot.services.schedules import ScheduleService
from bot.services.sharing import SharingService
from bot.services.stats import StatsService
from bot.services.tracking import TrackingService
from bot.services.users import UserService
from bot.storage import Storage
from bot.storage.models import User
from bot.user_state import UserState


@dataclass(slots=True)
class Deps:
    settings: Settings
    storage: Storage
    http: httpx.AsyncClient
    catalogs: Catalogs
    secrets: SecretRegistry
    panel_clients: PanelClients
    access: AccessService
    users: UserService
    accounts: PanelAccounts
    catalog: CatalogService
    currencies: CurrencyService
    bulk: BulkOrderService
    tracking: TrackingService
    ordering: OrderingService
    placements: PlacementRecorder
    drafts: DraftService
    replies: ReplyQueue
    stats: StatsService
    favourites: FavouritesService
    notifications: NotificationSettings
    panels: PanelsService
    compare: CompareService
    unknown_orders: UnknownOrders
    sharing: SharingService
    schedules: ScheduleService
    prices: PriceWatch
    progress: ProgressService = field(init=False)

    def __post_init__(self) -> None:
        # Made of the others: it reads stored orders and the catalogs already cached.
        self.progress = ProgressService(self.storage.orders, self.catalog)

    async def aclose(self) -> None:
        # A price check a user's read started writes to the storage: it finishes first.
        await self.prices.settle()
        await self.http.aclose()
        await self.panel_clients.aclose()
        await self.panel_clients.decoder.aclose()
        await self.storage.close()


class BotContext(CallbackContext[ExtBot[None], UserState, dict[Any, Any], dict[Any, Any]]):
    """Per-update context: the gate fills in the user row and their translator; `state` is
    the user's typed state between updates (PTB's user_data, bot/user_state.py)."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self._t: Translator | None = None
        self._user: User | None = None

    @property
    def deps(self) -> Deps:
        deps = getattr(self.application, "deps", None)
        if not isinstance(deps, Deps):
            raise RuntimeError("application is not initialised")
        return deps

    @property
    def t(self) -> Translator:
        if self._t is None:
            self._t = self.deps.catalogs.translator(self.deps.settings.default_language)
        return self._t

    @t.setter
    def t(self, value: Translator) -> None:
        self._t = value

    @property
    def state(self) -> UserState:
        """The user's state; for an update without a user (a channel post), a fresh one that
        nothing keeps."""
        return self.user_data if self.user_data is not None else UserState()

    @property
    def user(self) -> User:
        if self._user is None:
            raise RuntimeError("no user for this update")
        return self._user

    @user.setter
    def user(self, value: User) -> None:
        self._user = value
