"""What counts as a network address where one is recorded."""

from __future__ import annotations

from ipaddress import ip_address


def is_ip_address(text: str | None) -> bool:
    """An IPv4 or IPv6 address (not "unknown", a host name, or a Unix socket's path)."""
    try:
        ip_address(text or "")
    except ValueError:
        return False
    return True
