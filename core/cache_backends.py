"""Django's Redis cache, with one Redis client per connection pool, that degrades when Redis
is unreachable.

Django's client builds a new `redis.Redis` object for every cache call; with redis-py 5+
that costs about 0.3 ms (it registers all response callbacks each time), which is more than
the round trip itself. A page makes a dozen cache calls, so the client is kept instead.
`redis.Redis` is thread-safe; connections still come from Django's pools.

The cache is an optimisation, so Redis being down must not take the site down: every call
that fails with a Redis error answers like a miss (`get` gives the default, `add` False,
`incr` None) and writes are dropped. After a failure the backend does not try Redis again
for `RETRY_SECONDS`, so a dead or unreachable Redis costs one short timeout every few
seconds, not one per cache call. A warning is logged at most once per `WARN_SECONDS`.
"""

import functools
import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 2.0
WARN_SECONDS = 60.0


class PooledRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients[index] = self._client(connection_pool=pool)
        return client


def _degrades(answer_when_down=None):
    """Run the cache call unless Redis is known to be down; a Redis error answers
    `answer_when_down` (a callable of the call's arguments, or a value) instead of raising."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if self.available:
                try:
                    return method(self, *args, **kwargs)
                except RedisError as error:
                    self._failed(error)
            if callable(answer_when_down):
                return answer_when_down(*args, **kwargs)
            return answer_when_down

        return wrapper

    return decorate


def _default(key, default=None, *args, **kwargs):
    return default


class PooledRedisCache(RedisCache):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._down_until = 0.0
        self._warned_at = -WARN_SECONDS
        self._lock = threading.Lock()

    @cached_property
    def _cache(self):
        return PooledRedisCacheClient(self._servers, **self._options)

    @property
    def available(self) -> bool:
        """False for a few seconds after Redis failed: callers may skip work that needs it."""
        return time.monotonic() >= self._down_until

    def _failed(self, error):
        now = time.monotonic()
        with self._lock:
            self._down_until = now + RETRY_SECONDS
            warn = now - self._warned_at >= WARN_SECONDS
            if warn:
                self._warned_at = now
        if warn:
            logger.warning("The cache (Redis) is unreachable; pages are served uncached: %s", error)

    get = _degrades(_default)(RedisCache.get)
    get_many = _degrades(lambda keys, *args, **kwargs: {})(RedisCache.get_many)
    has_key = _degrades(False)(RedisCache.has_key)
    add = _degrades(False)(RedisCache.add)
    set = _degrades(None)(RedisCache.set)
    # set_many answers the keys it could not write: all of them.
    set_many = _degrades(lambda data, *args, **kwargs: list(data))(RedisCache.set_many)
    touch = _degrades(False)(RedisCache.touch)
    delete = _degrades(False)(RedisCache.delete)
    delete_many = _degrades(None)(RedisCache.delete_many)
    # None: the count is unknown. Callers that count (the API's rate limit) let the request
    # through rather than refuse everyone while the cache is away.
    incr = _degrades(None)(RedisCache.incr)
    clear = _degrades(False)(RedisCache.clear)
