"""Counting what one client does within a time window, and which client that is.

The counters live in the cache (Redis): they are cheap, expire by themselves, and are shared
by every app server. While the cache is unreachable they count nothing, so a limit waits for
the cache rather than refusing everyone.
"""

import hashlib
import ipaddress

from django.conf import settings
from django.core.cache import cache


def _valid_address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The address a request comes from (also django-axes' AXES_CLIENT_IP_CALLABLE).

    REMOTE_ADDR, unless TRUSTED_PROXY_COUNT proxies stand in front of the app. Each of them
    appends the address it saw to X-Forwarded-For, so the client is the entry that many places
    from the right; anything further left was written by the client and is not believed.
    """
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    return _valid_address(forwarded[-proxies]) or remote


def hashed_key(prefix: str, *parts) -> str:
    """A cache key for what a person typed or where they came from: any characters fit, and
    nobody reading the cache learns an address or a name."""
    joined = "\x1f".join(str(part) for part in parts)
    return f"{prefix}:{hashlib.sha256(joined.encode()).hexdigest()}"


def count_in_window(key: str, window: int) -> int:
    """One more in a counter that starts with the first and is gone after `window` seconds.

    0 while the cache is unreachable (see the module's docstring).
    """
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key) or 0
    except ValueError:
        # The window ended between add and incr: this one starts a new window.
        cache.add(key, 1, timeout=window)
        return 1


def count_so_far(key: str) -> int:
    """The counter's value without adding to it (0 when unknown or unreachable)."""
    return cache.get(key, 0)
