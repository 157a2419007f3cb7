"""Refuses outbound webhook requests to private, loopback, link-local and metadata addresses.

The check runs on the addresses the connector is about to connect to (a resolver that filters
them), so a name that resolves to a public address when the webhook is created and to a
private one later (DNS rebinding) is still refused. IP literals, which aiohttp does not
resolve, are checked before the request.
"""

from __future__ import annotations

import ipaddress
import socket

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver


class BlockedAddress(OSError):
    pass


NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, NAT64, 6to4, Teredo client), if any."""
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour:
        return address.sixtofour
    return address.teredo[1] if address.teredo else None


def _forbidden(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Anything not globally routable: private, loopback, link-local, shared (100.64.0.0/10,
    where cloud metadata services live too), benchmarking, documentation, reserved ranges,
    and multicast; for IPv6, also the IPv4 address it may carry."""
    if (
        isinstance(address, ipaddress.IPv6Address)
        and (inner := _embedded_ipv4(address)) is not None
        and _forbidden(inner)
    ):
        return True
    return not address.is_global or address.is_multicast


class AddressPolicy:
    def __init__(self, allow_hosts: list[str], allow_networks: list[str]) -> None:
        self.allow_hosts = {host.lower().rstrip(".") for host in allow_hosts}
        self.allow_networks = [ipaddress.ip_network(net, strict=False) for net in allow_networks]

    def check(self, host: str, address: str) -> None:
        ip = ipaddress.ip_address(address.split("%")[0])
        if host.lower().rstrip(".") in self.allow_hosts or any(ip in net for net in self.allow_networks):
            return
        if _forbidden(ip):
            raise BlockedAddress(
                f"refused: {host} resolves to {ip}, an address that is not globally routable "
                "(allow it with PORTAL_WEBHOOK_ALLOW_HOSTS or PORTAL_WEBHOOK_ALLOW_NETWORKS)"
            )

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
