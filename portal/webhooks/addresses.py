"""Refuses outbound webhook requests to any address that is not ordinary global unicast.

The refused blocks are listed here, from IANA's IPv4 and IPv6 Special-Purpose Address
Registries (and the multicast and reserved space beside them), rather than taken from the
interpreter's `ipaddress.is_global`, whose table differs between Python versions (3.11 counts
192.0.0.0/24 as global). For IPv6 only 2000::/3, the global unicast space, is allowed at all:
IPv4-mapped, NAT64, 6to4 and Teredo forms of an IPv4 address all fall outside it or in a listed
block, so no IPv4 address reaches the connector in IPv6 clothing.

The check runs on the addresses the connector is about to connect to (a resolver that filters
them), so a name that resolves to a public address when the webhook is created and to a
private one later (DNS rebinding) is still refused. IP literals, which aiohttp does not
resolve, are checked before the request. Operators allow exceptions by host name or network.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import TYPE_CHECKING

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

if TYPE_CHECKING:
    from portal.config import Settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class BlockedAddress(OSError):
    pass


# Every block a webhook may not reach, with the name the registry gives it. Blocks the registry
# marks "globally reachable" (AS112, AMT, anycast services) are refused too: no receiver lives there.
REFUSED_BLOCKS: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/8", "this network"),
    ("10.0.0.0/8", "private use"),
    ("100.64.0.0/10", "shared address space (carrier-grade NAT, cloud metadata)"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link local (cloud metadata)"),
    ("172.16.0.0/12", "private use"),
    ("192.0.0.0/24", "IETF protocol assignments"),
    ("192.0.2.0/24", "documentation (TEST-NET-1)"),
    ("192.31.196.0/24", "AS112"),
    ("192.52.193.0/24", "AMT"),
    ("192.88.99.0/24", "deprecated 6to4 relay anycast"),
    ("192.168.0.0/16", "private use"),
    ("192.175.48.0/24", "AS112 direct delegation"),
    ("198.18.0.0/15", "benchmarking"),
    ("198.51.100.0/24", "documentation (TEST-NET-2)"),
    ("203.0.113.0/24", "documentation (TEST-NET-3)"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),
    ("255.255.255.255/32", "limited broadcast"),
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("::ffff:0:0/96", "IPv4-mapped"),
    ("64:ff9b::/96", "IPv4/IPv6 translation (NAT64)"),
    ("64:ff9b:1::/48", "local IPv4/IPv6 translation"),
    ("100::/64", "discard only"),
    ("100:0:0:1::/64", "dummy prefix"),
    ("2001::/23", "IETF protocol assignments (Teredo, benchmarking, ORCHID, AMT, AS112, anycast)"),
    ("2001:db8::/32", "documentation"),
    ("2002::/16", "6to4"),
    ("2620:4f:8000::/48", "AS112 direct delegation"),
    ("3fff::/20", "documentation"),
    ("5f00::/16", "segment routing (SRv6) SIDs"),
    ("fc00::/7", "unique local"),
    ("fe80::/10", "link local"),
    ("fec0::/10", "deprecated site local"),
    ("ff00::/8", "multicast"),
)
_REFUSED: tuple[tuple[Network, str], ...] = tuple((ipaddress.ip_network(net), name) for net, name in REFUSED_BLOCKS)
GLOBAL_UNICAST_V6 = ipaddress.ip_network("2000::/3")


def refused_block(address: Address) -> str | None:
    """The refused block an address lies in, as "network (name)"; None for a global unicast one."""
    for network, name in _REFUSED:
        if address.version == network.version and address in network:
            return f"{network} ({name})"
    if isinstance(address, ipaddress.IPv6Address) and address not in GLOBAL_UNICAST_V6:
        return "outside 2000::/3 (not IPv6 global unicast)"
    return None


class AddressPolicy:
    """The refused blocks, less the host names and networks an operator allows."""

    def __init__(self, allow_hosts: list[str], allow_networks: list[str]) -> None:
        self.allow_hosts = {host.lower().rstrip(".") for host in allow_hosts}
        self.allow_networks = [ipaddress.ip_network(net, strict=False) for net in allow_networks]

    @classmethod
    def from_settings(cls, settings: Settings) -> AddressPolicy:
        return cls(settings.webhook_allow_hosts, settings.webhook_allow_networks)

    def allows_host(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.allow_hosts

    def allowed_by_operator(self, host: str) -> bool:
        """A host the operator named, or an IP literal in a network they allowed."""
        try:
            ip = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return self.allows_host(host)
        return any(ip in net for net in self.allow_networks)

    def refusal(self, host: str, address: str) -> str | None:
        """Why a request to `host` at `address` is refused; None when it may go."""
        ip = ipaddress.ip_address(address.split("%")[0])
        if self.allows_host(host) or any(ip in net for net in self.allow_networks):
            return None
        block = refused_block(ip)
        if block is None:
            return None
        return (
            f"refused: {host} resolves to {ip}, in {block}, not a public address "
            "(allow it with PORTAL_WEBHOOK_ALLOW_HOSTS or PORTAL_WEBHOOK_ALLOW_NETWORKS)"
        )

    def check(self, host: str, address: str) -> None:
        reason = self.refusal(host, address)
        if reason is not None:
            raise BlockedAddress(reason)

    def check_literal(self, host: str) -> None:
        try:
            ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return
        self.check(host, host.strip("[]"))


class GuardedResolver(AbstractResolver):
    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy
        self._inner = DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        for result in results:
            self.policy.check(host, result["host"])
        return results

    async def close(self) -> None:
        await self._inner.close()
