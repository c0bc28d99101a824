"""Where panel clients come from: `PanelClients.client` opens a client for a panel account's key
on its panel over the bot's shared HTTP clients (one for the operator's panels, one behind the
address guard for the URLs users typed). bot/services/accounts.py picks the account and key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from bot.panel.address_guard import AddressPolicy, GuardedHttpClient
from bot.panel.capabilities import CapabilityBook, MemoryBook, Pacer
from bot.panel.client import DEFAULT_MAX_CATALOG_BYTES, READ_RETRIES, PanelClient, panel_ssl_context
from bot.panel.decoding import AnswerDecoder
from bot.panel.observer import CallObserver


@dataclass(frozen=True, slots=True)
class PanelClients:
    api_url: str
    # The operator's panels (PANEL_API_URL, PANELS) only: trusted, proxies from the environment
    # apply. A user's own URL never goes through it (see `connection_for`).
    http: httpx.AsyncClient
    # Wall-clock budget of one call, retries included (PANEL_TIMEOUT_SECONDS).
    timeout: float
    max_catalog_bytes: int = DEFAULT_MAX_CATALOG_BYTES
    # Told when a call starts and ends (the update processor: "typing…", abandoning reads).
    observer: CallObserver | None = None
    # Raises when this process may no longer call panels (bot/leadership.py's fence).
    gate: Callable[[], None] | None = None
    # ALLOW_PRIVATE_PANELS: a user's own panel URL may then live on a private address.
    allow_private: bool = False
    # The operator's panels besides `api_url` (PANELS): the only URLs called without the
    # guard. Any other URL is guarded whatever the caller says, so a flag lost or mistaken on
    # the way cannot open the operator's network.
    trusted_urls: frozenset[str] = frozenset()
    # What each panel's API takes, learned and shared by all its clients (issue 20), and the
    # pace of what a panel takes one request at a time (PANEL_MAX_RPS).
    # Without a database (tools, tests) its clients still share one memory.
    book: CapabilityBook = field(default_factory=MemoryBook)
    pacer: Pacer | None = None
    # Decodes `services` answers, a large one in a child process (issue 19 item 5). The
    # application makes one and stops it; without one (tools, tests) all is decoded in-process.
    decoder: AnswerDecoder = field(default_factory=lambda: AnswerDecoder(offload_bytes=None))
    # Every custom panel's connections, shared like `http`; built here from `allow_private`,
    # so no caller can hand a custom panel anything but the guard.
    guarded_http: GuardedHttpClient = field(init=False)

    def __post_init__(self) -> None:
        guarded = GuardedHttpClient(
            self.address_policy,
            panel_ssl_context(),
            httpx.Timeout(self.timeout),
            # Panels see the same User-Agent whichever client calls them.
            headers={"User-Agent": self.http.headers["User-Agent"]},
        )
        object.__setattr__(self, "guarded_http", guarded)

    @property
    def address_policy(self) -> AddressPolicy:
        return AddressPolicy(allow_private=self.allow_private)

    def guarded(self, url: str | None, *, custom: bool) -> bool:
        """Whether calls to `url` go through the address guard: a `custom` URL (typed by a
        user), and any URL that is not one of the operator's."""
        return custom or not (url is None or url == self.api_url or url in self.trusted_urls)

    def connection_for(
        self, url: str | None, *, custom: bool
    ) -> tuple[httpx.AsyncClient, AddressPolicy | None]:
        """The shared client to call `url` through, and the address policy that goes with it
        (None for the operator's panels)."""
        if self.guarded(url, custom=custom):
            return self.guarded_http, self.address_policy
        return self.http, None

    def client(
        self,
        api_key: str,
        url: str | None = None,
        *,
        custom: bool = False,
        timeout: float | None = None,
        read_retries: int = READ_RETRIES,
        observed: bool = True,
    ) -> PanelClient:
        """A client for `api_key` on `url` (PANEL_API_URL's panel without one). A `custom`
        URL (typed by a user, not the operator's) gets the address guard on every connection.
        `timeout` replaces PANEL_TIMEOUT_SECONDS; an unobserved client's calls are not told to
        `observer` (the poller's: no update waits on them)."""
        http, policy = self.connection_for(url, custom=custom)
        return PanelClient(
            url or self.api_url,
            api_key,
            http=http,
            timeout=self.timeout if timeout is None else timeout,
            read_retries=read_retries,
            max_catalog_bytes=self.max_catalog_bytes,
            observer=self.observer if observed else None,
            address_policy=policy,
            gate=self.gate,
            book=self.book,
            pacer=self.pacer,
            decoder=self.decoder,
        )

    async def aclose(self) -> None:
        """Close the guarded client (the caller that made `http` closes that one)."""
        await self.guarded_http.aclose()
