"""Rate limits: per API token, per logged-in user, and per IP address for anonymous requests.

Built on ninja's throttling (`throttle=` on the API, its 429 and Retry-After), with three
changes to `SimpleRateThrottle`:

- the rate is read from the settings on each request, so the environment (and tests) decide;
- a token is known by its primary key (ninja's `AuthRateThrottle` uses `str(request.auth)`,
  which for Wagtail's tokens is a name and a short prefix that two tokens can share);
- the count is one atomic `cache.incr` per fixed window instead of a list of timestamps read
  and written back: with several app servers sharing Redis, concurrent requests cannot
  overwrite each other's counts, and a high limit costs no more than a low one;
- with the cache unreachable the count is unknown (`incr` answers None) and the request is
  let through: the rate limit protects the API, it must not switch it off.
"""

import threading

from django.conf import settings
from django.core.cache import cache
from ninja.throttling import SimpleRateThrottle
from wagtail.models import APIToken


class SettingsRateThrottle(SimpleRateThrottle):
    setting: str = ""

    def __init__(self):
        # One throttle object serves every request of the process; what one request learned
        # (how long to wait) must not leak into another thread's answer.
        self._local = threading.local()

    def identity(self, request) -> str | None:
        """Whom to count this request against, or None when this throttle does not apply."""
        raise NotImplementedError

    def allow_request(self, request) -> bool:
        self._local.wait = None
        identity = self.identity(request)
        if identity is None:
            return True
        limit, period = self.parse_rate(getattr(settings, self.setting))
        now = self.timer()
        window = int(now // period)
        key = f"api-throttle:{self.scope}:{identity}:{period}:{window}"
        cache.add(key, 0, timeout=period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr: this is the first request again
            cache.set(key, 1, timeout=period + 1)
            count = 1
        if count is None or count <= limit:
            return True
        self._local.wait = (window + 1) * period - now
        return False

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)


def _authenticated_identity(request) -> str | None:
    auth = getattr(request, "auth", None)
    if isinstance(auth, APIToken):
        return f"token-{auth.pk}"
    if getattr(auth, "is_authenticated", False):
        return f"user-{auth.pk}"
    return None


class AuthenticatedRateThrottle(SettingsRateThrottle):
    scope = "authenticated"
    setting = "API_RATE_LIMIT_AUTHENTICATED"

    def identity(self, request) -> str | None:
        return _authenticated_identity(request)


class AnonymousRateThrottle(SettingsRateThrottle):
    scope = "anonymous"
    setting = "API_RATE_LIMIT_ANONYMOUS"

    def identity(self, request) -> str | None:
        if _authenticated_identity(request) is not None:
            return None
        return f"ip-{self.get_ident(request)}"
