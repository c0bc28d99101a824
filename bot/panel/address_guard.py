"""Keep user-supplied panel URLs pointed at the public internet (server-side request forgery).

A user who may add "any API v2 URL" could otherwise point the bot at `http://127.0.0.1:6379`,
`http://10.0.0.5/admin` or the cloud metadata service at `169.254.169.254`, and read the
answers back as "panel errors". Two rules close that:

- `check_panel_url` refuses, when the panel is added, a URL that is not https or whose host is
  an address literal outside the public internet;
- `GuardedNetworkBackend` resolves the host *at connect time, on every connection*, refuses
  if any address it resolves to is not public, and then connects to the vetted address itself.
  Checking only when the panel is added would let a later DNS change turn it inward, and
  resolving twice (once to check, once to connect) would let a rebinding DNS server answer
  differently the second time.

TLS still verifies the certificate against the host name: httpcore passes the original host as
`server_hostname` when it starts TLS on the stream we return. Redirects are never followed by the
panel client, so a redirect cannot lead anywhere either.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpcore
import httpx

from bot.panel.errors import PanelUnavailable

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]


class AddressRefused(PanelUnavailable):
    """The panel's URL or the address its host resolves to is not allowed; `str()` says why."""


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Which addresses a panel may live at. `allow_private` lifts the rule (tests, LAN setups)."""

    allow_private: bool = False


def refusal_reason(address: IpAddress) -> str | None:
    """Why `address` is not a public internet address, or None when it is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        # ::ffff:127.0.0.1 reaches 127.0.0.1.
        return refusal_reason(address.ipv4_mapped)
    checks = (
        (address.is_unspecified, "unspecified"),
        (address.is_loopback, "loopback"),
        (address.is_link_local, "link-local"),
        (address.is_multicast, "multicast"),
        (address.is_private, "private"),
        (address.is_reserved, "reserved"),
        (not address.is_global, "not public"),
    )
    for refused, kind in checks:
        if refused:
            return f"{address} is a {kind} address"
    return None


# What inet_aton (and so getaddrinfo) reads as an IPv4 address besides the dotted quad:
# 2130706433, 0x7f000001, 0177.0.0.1, 127.1, 0 all mean an address, never a host name.
_IPV4_SPELLING = re.compile(r"(?:0[xX][0-9a-fA-F]*|[0-9]+)(?:\.(?:0[xX][0-9a-fA-F]*|[0-9]+)){0,3}")


def address_literal(host: str) -> IpAddress | None:
    """The address `host` spells, in any form the system resolver reads as one, or None for a
    host name. `ipaddress` knows only the dotted quad; the resolver also reads decimal, hex,
    octal and short forms, so they are read the resolver's way here."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _IPV4_SPELLING.fullmatch(host) is None:
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def check_panel_url(url: str, policy: AddressPolicy) -> str:
    """The URL, stripped, if a user may add it as a custom panel; AddressRefused otherwise.

    Host names are only checked when connecting (see the module doc); addresses, however they
    are spelled, are refused here already, so the user hears about them at once.
    """
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme != "https" and not (policy.allow_private and parts.scheme == "http"):
        raise AddressRefused("the panel URL must start with https://")
    if not parts.hostname:
        raise AddressRefused("the panel URL has no host name")
    if parts.username or parts.password:
        raise AddressRefused("the panel URL must not contain a user name or password")
    if not policy.allow_private:
        literal = address_literal(parts.hostname)
        if literal is None:
            return url
        reason = refusal_reason(literal)
        if reason is not None:
            raise AddressRefused(f"the panel URL is not on the public internet: {reason}")
    return url


async def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, in the resolver's order (the event loop's getaddrinfo)."""
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting only to public addresses it resolved itself."""

    def __init__(
        self,
        policy: AddressPolicy,
        *,
        resolver: Resolver = resolve,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._policy = policy
        self._resolver = resolver
        self._inner = inner if inner is not None else httpcore.AnyIOBackend()

    async def vetted_addresses(self, host: str, port: int) -> list[str]:
        """The addresses to connect to; AddressRefused when any of them is not public.

        All of them, not just the first: a name answering with one public and one private
        address would otherwise reach the private one whenever the public one is down.
        """
        literal = address_literal(host)
        if literal is not None:
            found = [str(literal)]
        else:
            try:
                found = await self._resolver(host, port)
            except (OSError, UnicodeError):
                raise AddressRefused(f"the panel host {host} could not be resolved") from None
            if not found:
                raise AddressRefused(f"the panel host {host} could not be resolved")
        if not self._policy.allow_private:
            for text in found:
                reason = refusal_reason(ipaddress.ip_address(text.split("%", 1)[0]))
                if reason is not None:
                    raise AddressRefused(f"the panel host {host} resolves to {reason}")
        return found

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        last: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in await self.vetted_addresses(host, port):
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None  # vetted_addresses never returns an empty list
        raise last

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused("a panel cannot be reached through a unix socket")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over `GuardedNetworkBackend`.

    httpx offers no public way to hand its connection pool a network backend, so the pool built
    by `AsyncHTTPTransport.__init__` is replaced by an equivalent one that has it. No proxy: a
    proxy from the environment would be the one connecting, out of the guard's sight.
    """

    def __init__(
        self,
        policy: AddressPolicy,
        ssl_context: ssl.SSLContext,
        *,
        resolver: Resolver = resolve,
    ) -> None:
        super().__init__(verify=ssl_context, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            network_backend=GuardedNetworkBackend(policy, resolver=resolver),
        )


class GuardedHttpClient(httpx.AsyncClient):
    """The one kind of HTTP client a user-supplied panel is called through: every connection
    goes through `GuardedTransport`, no redirects, no proxy from the environment.

    A type of its own so that the panel client can refuse anything else for a custom panel
    (bot/panel/client.py): a shared, unguarded client can no longer slip in by mistake. Its
    constructor takes no transport, proxy or mounts, so none can be added from outside.
    """

    def __init__(
        self,
        policy: AddressPolicy,
        ssl_context: ssl.SSLContext,
        timeout: httpx.Timeout,
        *,
        resolver: Resolver = resolve,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(
            timeout=timeout,
            transport=GuardedTransport(policy, ssl_context, resolver=resolver),
            trust_env=False,
            follow_redirects=False,
            headers=headers,
        )
        self.policy = policy


def guarded_client(
    policy: AddressPolicy,
    ssl_context: ssl.SSLContext,
    timeout: httpx.Timeout,
    *,
    resolver: Resolver = resolve,
) -> GuardedHttpClient:
    """An httpx client for a user-supplied panel: public addresses only, no redirects, no proxy."""
    return GuardedHttpClient(policy, ssl_context, timeout, resolver=resolver)
