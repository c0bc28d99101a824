"""Custom panel URLs reach only the public internet: checked when added and on every connect."""

from __future__ import annotations

import ipaddress

import httpx
import pytest
from aiohttp import web

from bot.panel.address_guard import (
    AddressPolicy,
    AddressRefused,
    GuardedNetworkBackend,
    address_literal,
    check_panel_url,
    guarded_client,
    refusal_reason,
)
from bot.panel.client import PanelClient, panel_ssl_context
from bot.panel.errors import PanelUnavailable
from bot.panel.models import NewOrder
from bot.services.panel_clients import PanelClients
from bot.services.poller import polling_clients
from tests.fakes.panel import FakePanel
from tests.panel.support import KEY

STRICT = AddressPolicy()
LAN = AddressPolicy(allow_private=True)


def _one_line(exc: BaseException) -> str:
    text = str(exc)
    assert "\n" not in text and text
    return text


# --------------------------------------------------------------- the refusals, one each


@pytest.mark.parametrize(
    ("host", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("10.0.0.1", "private"),
        ("::1", "loopback"),
        ("169.254.169.254", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("fe80::1", "link-local"),
        ("::ffff:127.0.0.1", "loopback"),
        ("192.168.1.10", "private"),
        ("100.64.0.1", "not public"),  # carrier-grade NAT
    ],
)
async def test_connect_refuses_addresses_outside_the_public_internet(host: str, kind: str) -> None:
    backend = GuardedNetworkBackend(STRICT)
    with pytest.raises(AddressRefused) as caught:
        await backend.connect_tcp(host, 443)
    assert kind in _one_line(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/api/v2",
        "https://10.0.0.1/api/v2",
        "https://[::1]/api/v2",
        "https://169.254.169.254/latest/meta-data",
    ],
)
def test_adding_an_address_literal_outside_the_internet_is_refused(url: str) -> None:
    with pytest.raises(AddressRefused) as caught:
        check_panel_url(url, STRICT)
    assert "public internet" in _one_line(caught.value)


def test_custom_urls_are_https_only_and_carry_no_credentials() -> None:
    with pytest.raises(AddressRefused, match="https://"):
        check_panel_url("http://panel.example.com/api/v2", STRICT)
    with pytest.raises(AddressRefused, match="user name or password"):
        check_panel_url("https://me:pw@panel.example.com/api/v2", STRICT)
    with pytest.raises(AddressRefused, match="no host"):
        check_panel_url("https:///api/v2", STRICT)
    assert check_panel_url(" https://panel.example.com/api/v2 ", STRICT) == (
        "https://panel.example.com/api/v2"
    )
    # ALLOW_PRIVATE_PANELS is for tests and LAN setups: plain http and private hosts pass.
    assert check_panel_url("http://10.0.0.1/api/v2", LAN) == "http://10.0.0.1/api/v2"


def test_public_addresses_pass() -> None:
    for text in ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "1.1.1.1"):
        assert refusal_reason(ipaddress.ip_address(text)) is None


async def test_a_name_resolving_to_a_private_address_is_refused() -> None:
    # `localhost` goes through the real resolver (/etc/hosts): no network needed.
    with pytest.raises(AddressRefused) as caught:
        await GuardedNetworkBackend(STRICT).connect_tcp("localhost", 443)
    assert "localhost resolves to" in _one_line(caught.value)


async def test_one_private_address_among_public_ones_refuses_the_name() -> None:
    async def mixed(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "10.1.2.3"]

    with pytest.raises(AddressRefused, match=r"10\.1\.2\.3 is a private address"):
        await GuardedNetworkBackend(STRICT, resolver=mixed).vetted_addresses("p.example", 443)


async def test_the_check_runs_on_every_connection_so_a_dns_change_cannot_turn_it_inward() -> None:
    answers = [["93.184.216.34"], ["169.254.169.254"]]

    async def rebinding(host: str, port: int) -> list[str]:
        return answers.pop(0)

    backend = GuardedNetworkBackend(STRICT, resolver=rebinding)
    assert await backend.vetted_addresses("panel.example", 443) == ["93.184.216.34"]
    with pytest.raises(AddressRefused, match=r"169\.254\.169\.254 is a link-local address"):
        await backend.vetted_addresses("panel.example", 443)


# --------------------------------------------------------------- through the panel client


async def test_the_client_never_reaches_a_private_panel_and_says_why(fake: FakePanel) -> None:
    async with PanelClient(fake.url, KEY, timeout=2, address_policy=STRICT) as client:
        with pytest.raises(AddressRefused) as read:
            await client.balance()
        with pytest.raises(AddressRefused):
            await client.add_order(NewOrder(1, "https://x.example/a", 100))
    assert "127.0.0.1 is a loopback address" in _one_line(read.value)
    assert fake.count() == 0  # not one request arrived, the write included


async def test_a_name_resolving_to_loopback_is_refused_at_connect_time(fake: FakePanel) -> None:
    url = fake.url.replace("127.0.0.1", "localhost")
    async with PanelClient(url, KEY, timeout=2, address_policy=STRICT) as client:
        with pytest.raises(AddressRefused, match="localhost resolves to"):
            await client.balance()
    assert fake.count() == 0


async def test_allow_private_panels_reaches_a_lan_panel(fake: FakePanel) -> None:
    async with PanelClient(fake.url, KEY, timeout=2, address_policy=LAN) as client:
        balance = await client.balance()
    assert balance.amount == 100


async def test_a_redirect_to_a_private_address_is_not_followed(fake: FakePanel) -> None:
    """A panel answering 302 to the metadata service (or anywhere) is a failed call: the client
    follows no redirect, so the target never hears from us, guarded or not."""
    hits: list[str] = []

    async def redirect(request: web.Request) -> web.Response:
        hits.append(request.path)
        raise web.HTTPFound(fake.url)  # "inward": the loopback fake panel

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", redirect)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with PanelClient(
            f"http://127.0.0.1:{port}/api/v2", KEY, timeout=2, address_policy=LAN
        ) as client:
            with pytest.raises(PanelUnavailable, match="HTTP 302"):
                await client.balance()
    finally:
        await runner.cleanup()
    assert hits  # the redirecting panel was asked …
    assert fake.count() == 0  # … and where it pointed was never reached


# --------------------------------------------------------------- every spelling of an address


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("::ffff:127.0.0.1", "::ffff:127.0.0.1"),
    ],
)
async def test_every_spelling_the_resolver_reads_as_an_address_is_one(
    host: str, address: str
) -> None:
    assert address_literal(host) == ipaddress.ip_address(address)
    in_url = f"[{host}]" if ":" in host else host
    with pytest.raises(AddressRefused, match="public internet"):
        check_panel_url(f"https://{in_url}:8443/api/v2", STRICT)
    # And at connect time too, should one ever get past the check when added.
    with pytest.raises(AddressRefused, match="is a"):
        await GuardedNetworkBackend(STRICT).connect_tcp(host, 8443)


@pytest.mark.parametrize("host", ["panel.example.com", "cafe", "1.2.3.4.5", "12ab", "0x"])
def test_host_names_are_not_read_as_addresses(host: str) -> None:
    assert address_literal(host) is None


# --------------------------------------------------------------- no way around the guard


async def test_a_guarded_panel_refuses_any_client_but_its_guard(fake: FakePanel) -> None:
    async with httpx.AsyncClient() as shared:
        with pytest.raises(TypeError, match="GuardedHttpClient"):
            PanelClient(fake.url, KEY, http=shared, address_policy=STRICT)
    lan = guarded_client(LAN, panel_ssl_context(), httpx.Timeout(2))
    async with lan:
        with pytest.raises(TypeError, match="GuardedHttpClient"):
            PanelClient(fake.url, KEY, http=lan, address_policy=STRICT)  # a laxer policy


async def test_the_factory_and_the_poller_give_custom_panels_the_guard(fake: FakePanel) -> None:
    async with httpx.AsyncClient() as shared:
        factory = PanelClients(fake.url, shared, 2.0)
        try:
            for client in (
                factory.client(KEY, fake.url, custom=True),
                polling_clients(factory)(KEY, fake.url, custom=True),
            ):
                with pytest.raises(AddressRefused, match="loopback"):
                    await client.balance()
            assert fake.count() == 0
            # The operator's panel (PANEL_API_URL, PANELS) stays on the shared client.
            assert (await factory.client(KEY).balance()).amount == 100
        finally:
            await factory.aclose()


async def test_only_the_operators_urls_skip_the_guard_whatever_the_caller_says(
    fake: FakePanel,
) -> None:
    """A URL that is neither PANEL_API_URL nor one of PANELS is guarded even when a caller
    forgets to say it is a user's (custom=False)."""
    operators = fake.url.replace("/api/v2", "/operator/api/v2")
    async with httpx.AsyncClient(headers={"User-Agent": "smm-panel-bot/0.1"}) as shared:
        factory = PanelClients(operators, shared, 2.0, trusted_urls=frozenset({fake.url}))
        try:
            assert factory.guarded_http.headers["User-Agent"] == "smm-panel-bot/0.1"
            assert not factory.guarded(None, custom=False)
            assert not factory.guarded(operators, custom=False)
            assert not factory.guarded(fake.url, custom=False)  # one of PANELS
            assert factory.guarded(fake.url, custom=True)
            stranger = fake.url.replace("127.0.0.1", "localhost")
            assert factory.guarded(stranger, custom=False)
            for client in (
                factory.client(KEY, stranger),
                polling_clients(factory)(KEY, stranger),
            ):
                with pytest.raises(AddressRefused, match="loopback"):
                    await client.balance()
            assert fake.count() == 0
            assert (await factory.client(KEY, fake.url).balance()).amount == 100
        finally:
            await factory.aclose()
