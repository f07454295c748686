"""Who is asking: the client's address, read only from headers our own proxies wrote.

Every throttle, lockout and rate limit keys on this, so it must not trust what the client sends.
Each trusted proxy (load balancer, ingress) appends the address it received the request from to
``X-Forwarded-For``; with ``TRUSTED_PROXY_COUNT`` of them, the entry that many places from the
right is the client, and anything to its left was written by the client and is ignored. With no
proxy (the default) ``X-Forwarded-For`` is ignored entirely and ``REMOTE_ADDR`` is the client.
DRF's ``NUM_PROXIES`` is set to the same count, so its throttles read the same address.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The client's IP address as our outermost trusted proxy saw it ("" if unknown)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if forwarded:
            # As DRF's get_ident: fewer entries than proxies means the first one wrote it.
            candidate = forwarded[-min(count, len(forwarded))]
            if _valid(candidate):
                return candidate
    return remote if _valid(remote) else ""


def client_network(request) -> str:
    """What limits count against: the address, or its /64 for IPv6 (one subscriber holds a
    whole /64, so counting single IPv6 addresses would give an attacker endless fresh ones)."""
    ip = client_ip(request)
    if ":" not in ip:
        return ip
    return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)


def _valid(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
