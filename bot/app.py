"""Application wiring: `build_application(settings)` returns a ready PTB Application.

Resources (database, the shared panel HTTP client) are opened in `initialize()` and closed in
`shutdown()` of the Application itself rather than in post_init/post_shutdown hooks: persistence
reads the database during `initialize()`, before post_init would run, and tests drive the
Application with `async with app`, which never calls those hooks. `run_polling`/`run_webhook`
call the same two methods, so production and tests take one path.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from telegram import (
    BotCommandScopeAllPrivateChats,
    LinkPreviewOptions,
    MenuButton,
    MenuButtonCommands,
    MenuButtonWebApp,
    Update,
    WebAppInfo,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest

from bot.callbacks import base as callback_codec
from bot.config import SUPPORTED_LANGUAGES, Settings
from bot.deps import BotContext, Deps
from bot.handlers.commands import description, menu, short_description
from bot.handlers.lanes import lane_of
from bot.handlers.registry import register
from bot.i18n import Catalogs, Translator
from bot.jobs import schedule_jobs
from bot.leadership import AdvisoryLockLeadership, Fence, Leadership, SoleInstance, lock_id
from bot.logs import SecretRegistry
from bot.panel.client import panel_ssl_context
from bot.panel.decoding import AnswerDecoder
from bot.panel.observer import CallObserver
from bot.persistence import USER_STATE, SQLitePersistence
from bot.processor import PerUserUpdateProcessor
from bot.ratelimit import TRANSIENT_BACKOFF, SlidingWindowRateLimiter
from bot.runner import serve
from bot.services.access import AccessService
from bot.services.accounts import PanelAccounts
from bot.services.bulk_orders import BulkOrderService
from bot.services.capabilities import PanelPacer, StoredBook
from bot.services.catalog import CatalogService
from bot.services.catalog_index import CatalogCache
from bot.services.compare import CompareService, SimilarIndexCache
from bot.services.currency import CurrencyService
from bot.services.drafts import DraftService
from bot.services.favourites import FavouritesService
from bot.services.notifications.replies import ReplyQueue
from bot.services.notifications.settings import NotificationSettings
from bot.services.ordering import OrderingService
from bot.services.panel_clients import PanelClients
from bot.services.panels import PanelsService
from bot.services.placements import PlacementRecorder, journal_for
from bot.services.pricewatch import PriceWatch
from bot.services.resolutions import UnknownOrders
from bot.services.schedules import ScheduleService
from bot.services.sharing import SharingService
from bot.services.stats import StatsService
from bot.services.tracking import TrackingService
from bot.services.users import UserService
from bot.slices import SliceQueue
from bot.storage import Storage
from bot.storage.crypto import load_cipher
from bot.telegram_http import api_request, default_requests
from bot.user_state import UserState

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]
Clock = Callable[[], float]


class BotApplication(Application):  # type: ignore[type-arg]
    """An Application that owns the bot's dependencies for its lifetime."""

    def __init__(
        self,
        *,
        settings: Settings,
        secrets: SecretRegistry,
        fence: Fence,
        clock: Clock | None = None,
        publish_profile: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self.secrets = secrets
        self.clock = clock
        # False (tests that do not look at it): the menus and descriptions are left as they are.
        self.publish_profile = publish_profile
        # Closed when this process stops being the active one (bot/leadership.py).
        self.fence = fence
        self.deps: Deps | None = None
        self.commands: set[str] = set()

    async def initialize(self) -> None:
        if self.deps is None:
            processor = self.update_processor
            observer = processor if isinstance(processor, PerUserUpdateProcessor) else None
            self.deps = await open_deps(
                self.settings,
                self.secrets,
                observer=observer,
                gate=self.fence.check,
                clock=self.clock,
            )
            self.bot_data["commands"] = self.commands
            persistence = self.persistence
            if isinstance(persistence, SQLitePersistence):
                persistence.attach(self.deps.storage.state)
            # First the outcomes the database refused last time (the journal), so those rows
            # become placed instead of "unknown"; then whatever a crash left mid-submit.
            await self.deps.placements.restore()
            # Before any update is handled: a row left mid-submit must never look confirmable.
            await self.deps.ordering.recover_submitting()
            # Orders from before the duplicate-link guard get their page key (migration 0014).
            await self.deps.storage.orders.backfill_link_keys()
            # This process leads now (bot/leadership.py): what a stopped leader leased and
            # never sent is sent from here.
            await self.deps.storage.outbox.release_leases()
            # What formatting and buttons build on first use, built before any update is
            # handled: 20-40 ms of CPU that held the loop inside the first reply with a price.
            self.deps.catalogs.warm_up()
            callback_codec.warm_up()
        await super().initialize()
        if self.publish_profile:
            await self._publish_profile()
        await self._publish_menu_button()
        # Poller and outbox drain; they start ticking when the application starts.
        schedule_jobs(self)

    async def stop(self) -> None:
        # PTB waits for the jobs running when it stops the job queue, but apscheduler goes on
        # starting jobs while it waits (the scheduled-orders tick runs every second), and its
        # shutdown then cancels those: an ERROR traceback from apscheduler at a stop that met
        # a long job. Paused first, no job starts; the running ones are waited for.
        job_queue = self.job_queue
        if job_queue is not None and job_queue.scheduler.running:
            job_queue.scheduler.pause()
        await super().stop()

    async def shutdown(self) -> None:
        try:
            await super().shutdown()
        finally:
            if self.deps is not None:
                await self.deps.aclose()
                self.deps = None

    async def _publish_profile(self) -> None:
        """The command menu, description and short description, in every catalog's language.

        Each list or text is read back first and set only when it differs: Telegram throttles
        the setMy* methods hard, and a bot restarted in a loop would otherwise wait out flood
        control at every start. The lists go to private chats only, the only chats the bot
        answers; the ones without a language (any other client language) are in
        DEFAULT_LANGUAGE.
        """
        assert self.deps is not None
        catalogs = self.deps.catalogs
        targets: list[tuple[str | None, Translator]] = [
            (lang, catalogs.translator(lang)) for lang in catalogs.languages
        ]
        targets.append((None, catalogs.translator(self.settings.default_language)))
        for lang, t in targets:
            try:
                await self._publish_profile_in(lang, t)
            except TelegramError as exc:
                # A missing menu or description is cosmetic; the bot must still start.
                log.warning(
                    "could not publish the menu and description (%s): %s", lang or "default", exc
                )

    async def _publish_menu_button(self) -> None:
        """With WEBAPP_URL, the chat's menu button opens the Mini App (read back first, as the
        profile: Telegram throttles the setters). Without, a Mini App button left from an
        earlier configuration goes back to the command list."""
        assert self.deps is not None
        url = self.settings.webapp_url
        t = self.deps.catalogs.translator(self.settings.default_language)
        wanted: MenuButton = (
            MenuButtonWebApp(t._("Catalog"), WebAppInfo(url)) if url else MenuButtonCommands()
        )
        try:
            current = await self.bot.get_chat_menu_button()
            if current != wanted and (url or isinstance(current, MenuButtonWebApp)):
                await self.bot.set_chat_menu_button(menu_button=wanted)
        except TelegramError as exc:
            log.warning("could not set the menu button: %s", exc)

    async def _publish_profile_in(self, lang: str | None, t: Translator) -> None:
        bot = self.bot
        scope = BotCommandScopeAllPrivateChats()
        commands = menu(t, self.commands)
        if list(await bot.get_my_commands(scope=scope, language_code=lang)) != commands:
            await bot.set_my_commands(commands, scope=scope, language_code=lang)
        text = description(t)
        if (await bot.get_my_description(language_code=lang)).description != text:
            await bot.set_my_description(text, language_code=lang)
        short = short_description(t)
        if (await bot.get_my_short_description(language_code=lang)).short_description != short:
            await bot.set_my_short_description(short, language_code=lang)


def _panel_http(settings: Settings) -> httpx.AsyncClient:
    """The one HTTP client every panel call shares."""
    return httpx.AsyncClient(
        timeout=settings.panel_timeout_seconds,
        # The one verified context every panel client shares (building one reads the CA
        # bundle: ~40 ms of CPU at every start).
        verify=panel_ssl_context(),
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        headers={"User-Agent": "smm-panel-bot/0.1"},
    )


def _load_catalogs() -> Catalogs:
    catalogs = Catalogs.load()
    unknown = set(catalogs.languages) - set(SUPPORTED_LANGUAGES)
    if unknown:
        log.info("extra catalogs found: %s", ", ".join(sorted(unknown)))
    return catalogs


async def open_deps(
    settings: Settings,
    secrets: SecretRegistry,
    *,
    observer: CallObserver | None = None,
    gate: Callable[[], None] | None = None,
    clock: Clock | None = None,
) -> Deps:
    """`observer` hears of every user-facing panel call (the update processor); `gate` runs
    before every panel call and raises once this process may no longer make one. `clock`
    (tests) replaces the wall and monotonic clocks of the storage, caches and previews."""
    cipher = load_cipher(settings.encryption_keys, settings.database_path)
    storage = await Storage.open(
        settings.database,
        cipher,
        local_path=settings.database_path,
        busy_seconds=settings.database_busy_seconds,
        clock=clock or time.time,
    )
    try:
        http = _panel_http(settings)
        panel_clients = PanelClients(
            settings.panel_api_url,
            http,
            settings.panel_timeout_seconds,
            max_catalog_bytes=settings.panel_max_catalog_bytes,
            observer=observer,
            gate=gate,
            allow_private=settings.allow_private_panels,
            trusted_urls=frozenset(preset.url for preset in settings.panel_presets),
            book=StoredBook(storage.capabilities),
            pacer=PanelPacer(settings.panel_max_rps),
            # Its child process starts on the first large catalog; `Deps.aclose` stops it.
            decoder=AnswerDecoder(),
        )
        accounts = PanelAccounts(
            storage.accounts,
            panel_clients,
            secrets,
            default_label=settings.panel_display_name(""),
            outbox=storage.outbox,
        )
        await accounts.adopt_legacy()
        await accounts.load_secrets(storage.outbox)
        # Scheduled runs are wall-clock moments (epoch seconds), the caches' ages monotonic.
        clocks = (clock or time.monotonic, clock or time.time)
        return _assemble_deps(settings, secrets, storage, http, panel_clients, accounts, clocks)
    except BaseException:
        await storage.close()
        raise


def _catalog_services(
    settings: Settings,
    storage: Storage,
    accounts: PanelAccounts,
    clock: Clock,
    slices: SliceQueue,
) -> tuple[CatalogService, PriceWatch, CurrencyService]:
    """The users' catalog cache, the price watch and the currencies: the watch reads catalogs
    through that cache, and checks every catalog the bot reads for a user. `slices`: the
    decoder's queue, so a catalog's rebuild, index and search all take the same turns."""
    cache = CatalogCache.from_settings(settings, clock=clock, slices=slices)
    prices = PriceWatch(storage.prices, accounts, cache, settings.price_watch_seconds)
    # One balance call per SERVICES_CACHE_SECONDS (currency).
    currencies = CurrencyService(accounts, ttl=settings.services_cache_seconds, clock=clock)
    return CatalogService(cache, accounts, on_read=prices.saw), prices, currencies


@dataclass(frozen=True, slots=True)
class _Placing:
    """The services that place orders, sharing one journal and one set of drafts."""

    recorder: PlacementRecorder
    drafts: DraftService
    ordering: OrderingService
    bulk: BulkOrderService


def _placing_services(
    settings: Settings,
    storage: Storage,
    accounts: PanelAccounts,
    catalog: CatalogService,
    currencies: CurrencyService,
) -> _Placing:
    # One journal for single and bulk orders: the ids a panel returned survive a refused write.
    recorder = PlacementRecorder(storage.orders, journal_for(settings.database_path))
    drafts = DraftService(storage.drafts, storage.orders, accounts, ttl=settings.draft_ttl_seconds)
    ordering = OrderingService(
        storage,
        accounts,
        catalog,
        recorder=recorder,
        drafts=drafts,
        currencies=currencies,
        price_check_age=settings.price_check_seconds,
    )
    bulk = BulkOrderService(
        storage.orders,
        accounts,
        catalog,
        recorder=recorder,
        drafts=drafts,
        price_check_age=settings.price_check_seconds,
    )
    return _Placing(recorder, drafts, ordering, bulk)


def _schedules(
    settings: Settings, storage: Storage, placing: _Placing, wall: Clock
) -> ScheduleService:
    """Scheduled orders: placed like a Confirm (the same ordering service and drafts), at
    moments of the wall clock `wall`."""
    return ScheduleService(
        storage,
        placing.ordering,
        placing.drafts,
        clock=wall,
        grace=settings.schedule_grace_seconds,
    )


def _assemble_deps(
    settings: Settings,
    secrets: SecretRegistry,
    storage: Storage,
    http: httpx.AsyncClient,
    panel_clients: PanelClients,
    accounts: PanelAccounts,
    clocks: tuple[Clock, Clock],
) -> Deps:
    """The services over an open storage and the users' panel accounts; `clocks`: the one that
    ages the caches, and the wall clock scheduled orders run by."""
    clock, wall = clocks
    catalog, prices, currencies = _catalog_services(
        settings, storage, accounts, clock, panel_clients.decoder.slices
    )
    placing = _placing_services(settings, storage, accounts, catalog, currencies)
    return Deps(
        settings=settings,
        storage=storage,
        http=http,
        catalogs=_load_catalogs(),
        secrets=secrets,
        panel_clients=panel_clients,
        access=AccessService(storage.users, settings.access_mode, settings.admin_ids),
        users=UserService(storage.users),
        accounts=accounts,
        catalog=catalog,
        currencies=currencies,
        bulk=placing.bulk,
        tracking=TrackingService(storage.orders, storage.refills, accounts, catalog),
        sharing=SharingService(storage.orders),
        notifications=NotificationSettings(storage),
        ordering=placing.ordering,
        placements=placing.recorder,
        drafts=placing.drafts,
        schedules=_schedules(settings, storage, placing, wall),
        replies=ReplyQueue(storage.outbox),
        stats=StatsService(storage.spending, panel_name=settings.panel_display_name),
        favourites=FavouritesService(storage.favourites),
        panels=PanelsService(
            accounts,
            settings.panel_presets,
            allow_custom=settings.allow_custom_panels,
            max_panels=settings.max_panels_per_user,
        ),
        compare=CompareService(accounts, catalog, SimilarIndexCache()),
        unknown_orders=UnknownOrders(storage.orders, accounts),
        prices=prices,
    )


# Every message is HTML (views escape what they did not write), and links never unfold into a
# preview: a panel's or a user's link would otherwise show a stranger's page under our text.
_HTML_WITHOUT_PREVIEWS = Defaults(
    parse_mode=ParseMode.HTML,
    link_preview_options=LinkPreviewOptions(is_disabled=True),
)


def _with_settings_secrets(settings: Settings, secrets: SecretRegistry | None) -> SecretRegistry:
    """`secrets` (a new registry when None) holding the token, webhook secret and database
    passwords of `settings`, so no log line or message can show them."""
    registry = secrets if secrets is not None else SecretRegistry()
    registry.add(settings.bot_token.get_secret_value())
    if settings.webhook_secret is not None:
        registry.add(settings.webhook_secret.get_secret_value())
    for secret in settings.database_secrets:
        registry.add(secret)
    return registry


def build_application(
    settings: Settings,
    secrets: SecretRegistry | None = None,
    *,
    requests: tuple[BaseRequest, BaseRequest] | None = None,
    fence: Fence | None = None,
    clock: Clock | None = None,
    transient_backoff: tuple[float, ...] = TRANSIENT_BACKOFF,
    publish_profile: bool = True,
) -> BotApplication:
    """The bot, ready to run; `requests` (API calls, getUpdates) replaces PTB's HTTP transport;
    `fence` (bot/leadership.py) stops every Telegram and panel call once it closes; `clock`
    (tests) moves the storage's and the caches' time instead of the real clocks;
    `transient_backoff` (tests: shorter) are the pauses before repeating a call Telegram
    failed with a 5xx or a reset (bot/ratelimit.py); `publish_profile=False` (tests) leaves the
    command menus and descriptions unread and unset at start (18 Bot API calls)."""
    fence = fence if fence is not None else Fence()
    secrets = _with_settings_secrets(settings, secrets)
    context_types = ContextTypes(context=BotContext, user_data=UserState)
    processor = PerUserUpdateProcessor(settings.max_concurrent_updates, classify=lane_of)
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .application_class(
            BotApplication,
            kwargs={
                "settings": settings,
                "secrets": secrets,
                "fence": fence,
                "clock": clock,
                "publish_profile": publish_profile,
            },
        )
        .token(settings.bot_token.get_secret_value())
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_file_url)
        .defaults(_HTML_WITHOUT_PREVIEWS)
        .context_types(context_types)
        .concurrent_updates(processor)
        .rate_limiter(SlidingWindowRateLimiter(max_retries=5, transient_backoff=transient_backoff))
        .persistence(SQLitePersistence(user_data=USER_STATE))
        # Buttons carry their whole meaning (bot/callbacks/): PTB's cache is not persisted.
        .arbitrary_callback_data(False)
    )
    # API calls go through a transport that tells a 5xx apart (the rate limiter repeats those).
    api, updates = requests if requests is not None else default_requests()
    builder = builder.request(api_request(api, gate=fence.check))
    builder = builder.get_updates_request(updates)
    app = builder.build()
    assert isinstance(app, BotApplication)
    bot = app.bot

    async def typing(chat_id: int) -> object:
        return await bot.send_chat_action(chat_id, ChatAction.TYPING)

    processor.set_signal(typing)
    app.commands = register(app, admin_ids=settings.admin_ids)
    return app


def run(settings: Settings, secrets: SecretRegistry | None = None) -> None:
    """Run until a stop signal; raises `bot.runner.Stopped` when the bot cannot start or go on."""
    leadership = leadership_for(settings)
    app = build_application(settings, secrets, fence=leadership.fence)
    asyncio.run(serve(app, ALLOWED_UPDATES, leadership))


def leadership_for(settings: Settings) -> Leadership:
    """One process on SQLite; with PostgreSQL, the holder of the bot's advisory lock."""
    url = settings.database_url
    if url is None:
        return SoleInstance()
    return AdvisoryLockLeadership(
        url.get_secret_value(),
        lock_id(settings.bot_token.get_secret_value()),
        failover_seconds=settings.failover_seconds,
    )
