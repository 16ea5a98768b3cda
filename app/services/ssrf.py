"""Outbound address checks: which URLs the server may call on a user's behalf (webhooks).

Only http and https URLs whose host resolves, every address of it, to the public internet are
allowed; private, loopback, link-local, multicast, reserved and unspecified addresses (and
IPv6 forms that embed one, such as `::ffff:127.0.0.1`) are refused unless an `Allowlist`
(hosts or CIDRs from `LOUNGE_WEBHOOK_ALLOWLIST`) names them. The check returns the addresses
it approved so the caller connects to exactly those, and a DNS answer that changes between
check and connection cannot send the request elsewhere.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass, field
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class RefusedTarget(ValueError):
    """The URL may not be called: wrong scheme, no host, unresolvable or not public."""


@dataclass(frozen=True)
class Allowlist:
    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = field(default=())

    @classmethod
    def parse(cls, text: str) -> Allowlist:
        """`"hooks.internal, 10.0.0.0/8, 127.0.0.1"`: host names, addresses or CIDRs."""
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in (part.strip() for part in text.split(",")):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                hosts.add(entry.lower().rstrip("."))
        return cls(hosts=frozenset(hosts), networks=tuple(networks))

    def allows_host(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.hosts

    def allows_address(self, address: IPAddress) -> bool:
        return any(address in network for network in self.networks)


@dataclass(frozen=True)
class Target:
    """A checked URL: its scheme, host and port, and the addresses approved for it."""

    url: str
    scheme: str
    host: str
    port: int
    addresses: tuple[IPAddress, ...]


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: IPAddress) -> bool:
    """True for an address on the public internet (and not one dressed up as such)."""
    inner = _embedded_ipv4(address)
    if inner is not None and not is_public(inner):
        return False
    return address.is_global and not (
        address.is_private or address.is_loopback or address.is_link_local or address.is_multicast
        or address.is_reserved or address.is_unspecified)


def split_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL, or `RefusedTarget`."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise RefusedTarget("This is not a valid URL.") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise RefusedTarget("Use an http:// or https:// URL.")
    if not parts.hostname:
        raise RefusedTarget("The URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise RefusedTarget("Put no user name or password in the URL.")
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80)


async def _resolve(host: str, port: int) -> tuple[IPAddress, ...]:
    try:
        return (ipaddress.ip_address(host),)
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise RefusedTarget(f"The host '{host}' could not be resolved.") from exc
    # Scope ids ("fe80::1%eth0") are dropped: the address itself decides.
    found = dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos)
    if not found:
        raise RefusedTarget(f"The host '{host}' has no addresses.")
    return tuple(found)


async def check_target(url: str, allowlist: Allowlist) -> Target:
    """Resolve `url`'s host and approve it only if every address is public or allowlisted."""
    scheme, host, port = split_url(url)
    addresses = await _resolve(host, port)
    if not allowlist.allows_host(host):
        for address in addresses:
            if not is_public(address) and not allowlist.allows_address(address):
                raise RefusedTarget(
                    f"'{host}' resolves to {address}, a private, loopback, link-local or reserved "
                    "address; such targets are refused.")
    return Target(url=url, scheme=scheme, host=host, port=port, addresses=addresses)
