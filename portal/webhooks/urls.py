"""What a webhook URL must be, checked when it is created or changed rather than at delivery:
an http(s) URL whose host is a DNS name that encodes (IDNA, labels of 1-63 characters, 253 in
all, letters, digits and inner hyphens) or an IP address written in full, with a port of 1-65535;
and whose destination the address policy allows when the URL itself says it: an IP literal, or
a name under `localhost` (always loopback, RFC 6761). Other names are not looked up here (the
portal sends no DNS query on a form's behalf); delivery resolves and checks them every time.
"""

from __future__ import annotations

import ipaddress
import re

from yarl import URL

from portal.webhooks.addresses import AddressPolicy

LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", re.IGNORECASE)
# A last label like these is an IPv4 address in a form getaddrinfo reads ("0", "127.1", "0x7f.1"):
# no top-level domain is numeric, so such a host must be a full dotted quad or nothing.
NUMERIC = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$", re.IGNORECASE)
MAX_NAME = 253


def _host_problem(host: str) -> str | None:
    if ":" in host:  # an IPv6 literal: yarl parsed the brackets
        return None
    name = host[:-1] if host.endswith(".") else host
    labels = name.split(".")
    if NUMERIC.match(labels[-1]):
        try:
            ipaddress.IPv4Address(name)
        except ValueError:
            return f"the host {host!r} is neither a name nor an IPv4 address written in full"
        return None
    if len(name) > MAX_NAME:
        return f"the host name is longer than {MAX_NAME} characters"
    for label in labels:
        if not label:
            return f"the host {host!r} has an empty label"
        if len(label) > 63:
            return f"the host has a label longer than 63 characters ({label[:20]}...)"
        if not LABEL.match(label):
            return f"the host label {label!r} may hold only letters, digits and inner hyphens"
    try:
        name.encode("idna")
    except UnicodeError as exc:
        return f"the host {host!r} cannot be encoded for DNS ({exc})"
    return None


def check_url(value: str) -> str:
    """A pydantic validator: the URL's shape, or ValueError saying what is wrong with it."""
    try:
        url = URL(value)
        port = url.explicit_port
    except ValueError as exc:
        raise ValueError(f"not a URL: {exc}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError("must be an absolute http:// or https:// URL")
    if url.user is not None or url.password is not None:
        raise ValueError("must not carry a user name or password")
    if port is not None and not 1 <= port <= 65535:
        raise ValueError("the port must be between 1 and 65535")
    problem = _host_problem(url.host)
    if problem:
        raise ValueError(problem)
    return value


LOOPBACK_NAMES = ("127.0.0.1", "::1")


def destination_refusal(value: str, policy: AddressPolicy) -> str | None:
    """Why the address policy refuses the URL's destination, when the URL alone says; else None."""
    host = (URL(value).host or "").lower().rstrip(".")
    if policy.allows_host(host):
        return None
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return policy.refusal(host, host)
    if host == "localhost" or host.endswith(".localhost"):
        for address in LOOPBACK_NAMES:
            reason = policy.refusal(host, address)
            if reason:
                return reason
    return None
