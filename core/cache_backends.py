"""Django's Redis cache with one Redis client per connection pool.

Django's client builds a new `redis.Redis` object for every cache call; with redis-py 5+
that costs about 0.3 ms (it registers all response callbacks each time), which is more than
the round trip itself. A page makes a dozen cache calls, so the client is kept instead.
`redis.Redis` is thread-safe; connections still come from Django's pools.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property


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


class PooledRedisCache(RedisCache):
    @cached_property
    def _cache(self):
        return PooledRedisCacheClient(self._servers, **self._options)
