"""Who sent a request: the peer, or behind ``DJANGO_TRUSTED_PROXIES`` the client it forwards for.

Without the setting the client is the peer (``REMOTE_ADDR``) and ``X-Forwarded-For`` is ignored:
anyone can send that header, so a limit keyed on it could be dodged by inventing one. With it,
each trusted proxy appends the address it was talking to, so the list is read from the right:
the client is the right-most address that is not a trusted proxy. What lies to the left of it
was written by the client itself and is never believed. A peer that is not a trusted proxy
speaks for itself, whatever ``X-Forwarded-For`` it sends.

The failed-token lock-out, the AI throttle and the request log all identify clients with
:func:`client_ip`, so a lock-out hits the forwarded client, not the proxy every client shares.
Django ships no such rule and DRF's ``NUM_PROXIES`` counts hops instead of naming the proxies,
so it lives here; the rule is the one nginx's ``real_ip_recursive`` applies.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item) for item in trusted)


def _address(text: str) -> Address | None:
    """An ``X-Forwarded-For`` entry as an address: bare, or with a port as some proxies write it
    (``192.0.2.1:443``, ``[2001:db8::1]:443``); None for anything else."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # An IPv4 client reached over a dual-stack socket shows as ::ffff:a.b.c.d.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def forwarded_client(peer: str, forwarded_for: str | None, trusted: tuple[str, ...]) -> str:
    """The client of a request from ``peer`` carrying ``forwarded_for``, behind ``trusted``
    proxies (addresses or networks, as ``settings.TRUSTED_PROXIES`` holds them)."""
    peer_address = _address(peer)
    if not trusted or peer_address is None:
        return str(peer_address) if peer_address is not None else peer
    networks = _networks(trusted)
    client = peer_address
    # Repeated X-Forwarded-For headers reach Django joined by commas, in order: one list.
    for entry in reversed((forwarded_for or "").split(",")):
        if not any(client in network for network in networks):
            break
        address = _address(entry)
        if address is None:
            # A trusted proxy forwarded something that isn't an address: the client is beyond
            # that proxy, which is as close as we can name it.
            break
        client = address
    return str(client)


def client_ip(request) -> str:
    """The address of the client that sent ``request`` (see the module)."""
    meta = request.META
    return forwarded_client(
        meta.get("REMOTE_ADDR", ""), meta.get("HTTP_X_FORWARDED_FOR"), tuple(settings.TRUSTED_PROXIES)
    )
